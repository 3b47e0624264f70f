"""The installed transformers library as a live source of model types and heads.

Its auto-configuration mapping lists every ``model_type`` (about 800 in 5.x);
its auto-model mappings say which task heads each type registers. Reading
them needs no weights and no network: they are plain dictionaries of names.

>>> registry = read_registry()
>>> "masked-lm" in registry.heads["bert"]
True
>>> registry.heads["bert"]["masked-lm"]
'BertForMaskedLM'
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from graph.vocab import HEAD_EVIDENCE, MKG, iri

Triple = tuple[URIRef, URIRef, Any]


@dataclass(frozen=True)
class Head:
    """A kind of task head: the auto mapping that registers it and the tasks it serves."""

    slug: str
    label: str
    mapping: str
    auto_class: str
    tasks: tuple[str, ...] = ()


def _head(mapping: str, label: str, auto_class: str, *tasks: str) -> Head:
    slug = mapping.removeprefix("MODEL_FOR_").removesuffix("_MAPPING_NAMES").lower().replace("_", "-")
    if mapping == "MODEL_MAPPING_NAMES":
        slug = "base"
    return Head(slug, label, mapping, auto_class, tasks)


#: The text heads mapped to our tasks; other mappings are recorded as heads without a task.
TEXT_HEADS = (
    _head("MODEL_MAPPING_NAMES", "base model (hidden states)", "AutoModel"),
    _head("MODEL_FOR_CAUSAL_LM_MAPPING_NAMES", "causal language modelling", "AutoModelForCausalLM", "text-generation"),
    _head("MODEL_FOR_MASKED_LM_MAPPING_NAMES", "masked language modelling", "AutoModelForMaskedLM", "fill-mask"),
    _head(
        "MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES",
        "sequence-to-sequence generation",
        "AutoModelForSeq2SeqLM",
        "summarization",
        "translation",
    ),
    _head(
        "MODEL_FOR_SEQUENCE_CLASSIFICATION_MAPPING_NAMES",
        "sequence classification",
        "AutoModelForSequenceClassification",
        "text-classification",
    ),
    _head(
        "MODEL_FOR_TOKEN_CLASSIFICATION_MAPPING_NAMES",
        "token classification",
        "AutoModelForTokenClassification",
        "named-entity-recognition",
    ),
    _head(
        "MODEL_FOR_QUESTION_ANSWERING_MAPPING_NAMES",
        "extractive question answering",
        "AutoModelForQuestionAnswering",
        "question-answering",
    ),
    _head(
        "MODEL_FOR_MULTIPLE_CHOICE_MAPPING_NAMES", "multiple choice", "AutoModelForMultipleChoice", "multiple-choice"
    ),
    _head("MODEL_FOR_TEXT_ENCODING_MAPPING_NAMES", "text encoding", "AutoModelForTextEncoding", "feature-extraction"),
    _head("MODEL_FOR_PRETRAINING_MAPPING_NAMES", "pre-training heads", "AutoModelForPreTraining"),
    _head(
        "MODEL_FOR_NEXT_SENTENCE_PREDICTION_MAPPING_NAMES",
        "next sentence prediction",
        "AutoModelForNextSentencePrediction",
    ),
)


@dataclass(frozen=True)
class Registry:
    """What the installed transformers registers: model types, their config classes and heads."""

    version: str
    config_classes: dict[str, str]  # model_type -> config class name
    heads: dict[str, dict[str, str]]  # model_type -> head slug -> model class name
    head_kinds: dict[str, Head]  # head slug -> Head


def _mapping_label(name: str) -> str:
    return name.removeprefix("MODEL_FOR_").removesuffix("_MAPPING_NAMES").lower().replace("_", " ")


def read_registry() -> Registry:
    """Read the auto mappings of the installed transformers."""
    import transformers
    from transformers.models.auto import configuration_auto, modeling_auto

    kinds = {head.mapping: head for head in TEXT_HEADS}
    for name in sorted(dir(modeling_auto)):
        is_mapping = name.startswith("MODEL_") and name.endswith("_MAPPING_NAMES")
        if is_mapping and name not in kinds and isinstance(getattr(modeling_auto, name), Mapping):
            auto = "AutoModelFor" + _mapping_label(name).title().replace(" ", "")
            kinds[name] = _head(name, _mapping_label(name), auto)
    config_classes = dict(configuration_auto.CONFIG_MAPPING_NAMES)
    heads: dict[str, dict[str, str]] = {model_type: {} for model_type in config_classes}
    for mapping, head in kinds.items():
        for model_type, cls in getattr(modeling_auto, mapping).items():
            if model_type in heads:
                # A few mappings give a tuple of classes; the first is the default.
                heads[model_type][head.slug] = cls[0] if isinstance(cls, (tuple, list)) else cls
    return Registry(
        version=transformers.__version__,
        config_classes=config_classes,
        heads=heads,
        head_kinds={head.slug: head for head in kinds.values()},
    )


def _type_label(model_type: str, config_class: str) -> str:
    name = config_class.removesuffix("Config")
    return name or model_type


def registry_triples(
    registry: Registry, seed_model_types: Mapping[str, str], known_tasks: Collection[str]
) -> Iterator[Triple]:
    """Triples for every model type and head, and head-based suitability for seed models.

    ``seed_model_types`` maps a seed model's slug to its ``model_type``; each
    such model gets ``mkg:implementation`` and, for every task its heads
    serve, a ``mkg:suitedFor`` whose qualified form says the evidence is
    only a registered head. Heads map only to tasks in ``known_tasks``.
    """
    for head in registry.head_kinds.values():
        node = iri("head", head.slug)
        yield node, RDF.type, MKG.TaskHead
        yield node, RDFS.label, Literal(head.label, lang="en")
        yield node, MKG.autoClass, Literal(head.auto_class)
        for task in head.tasks:
            if task not in known_tasks:
                continue
            yield node, MKG.headTask, iri("task", task)
    for model_type, config_class in sorted(registry.config_classes.items()):
        node = iri("model-type", model_type)
        yield node, RDF.type, MKG.ModelType
        yield node, RDFS.label, Literal(_type_label(model_type, config_class))
        yield node, MKG.modelType, Literal(model_type)
        yield node, MKG.configClass, Literal(config_class)
        for head_slug in sorted(registry.heads.get(model_type, {})):
            yield node, MKG.head, iri("head", head_slug)
    for slug, model_type in sorted(seed_model_types.items()):
        if model_type not in registry.config_classes:
            continue
        model = iri("model", slug)
        yield model, MKG.implementation, iri("model-type", model_type)
        tasks: dict[str, list[str]] = {}
        for head_slug, cls in sorted(registry.heads[model_type].items()):
            for task in registry.head_kinds[head_slug].tasks:
                if task not in known_tasks:
                    continue
                tasks.setdefault(task, []).append(cls)
        for task, classes in sorted(tasks.items()):
            suitability = iri("suitability", f"{slug}--{task}--transformers-head")
            yield model, MKG.suitedFor, iri("task", task)
            yield model, MKG.suitability, suitability
            yield suitability, RDF.type, MKG.Suitability
            yield suitability, MKG.task, iri("task", task)
            yield suitability, MKG.evidence, HEAD_EVIDENCE
            reason = f"transformers {registry.version} registers {', '.join(classes)} for this task."
            yield suitability, MKG.reason, Literal(reason, lang="en")
