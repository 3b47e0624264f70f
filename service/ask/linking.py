"""Which entities of the graph a question names: lexical spans and dense retrieval, fused.

Two retrievers look at every entity (models, tasks, objectives, categories,
papers, organisations):

* lexical (``lexical.SurfaceForms``): the English and Chinese labels and
  aliases, exact spans and near misses. It is precise, handles Chinese and
  mixed questions, and knows where in the question each name is.
* dense: the question's all-MiniLM-L6-v2 vector against the vectors of every
  entity's English labels, aliases and description, computed at ingest and
  read from the store. It catches paraphrases no alias lists ("condense an
  article" for summarization), but is English-only and never certain.

Their rankings are fused by reciprocal rank fusion. An entity only the dense
retriever proposes is accepted when it is a concept (task, objective,
category), its similarity clears ``DENSE_ACCEPT`` and it leads the dense
ranking: so a question about something the graph does not hold gets no
confident but unrelated entity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyoxigraph as ox

from graph.embeddings import EntityText, vectors_matrix
from graph.queries import select
from graph.vocab import split_iri
from service.ask.lexical import SurfaceForms, tokens

#: Reciprocal rank fusion constant (Cormack et al. 2009).
RRF_K = 60
#: Cosine a dense-only concept needs. Only a task is accepted on dense evidence alone, and only when
#: no name matched lexically: categories and objectives are too broad ("generate images" lands on
#: multimodal at 0.70), so they need a cue in the question (see intents.classify).
DENSE_ACCEPT = 0.5
DENSE_KINDS = ("task", "objective", "category")

_CATALOGUE = """
SELECT DISTINCT ?e ?type ?p ?o WHERE {
  VALUES ?type { mkg:Model mkg:Task mkg:Objective mkg:Category mkg:Paper mkg:Organization }
  VALUES ?p { rdfs:label skos:altLabel mkg:modelType mkg:summaryName mkg:arxivId mkg:anchor }
  ?e a ?type ; ?p ?o .
}"""

#: How questions name tasks in words the graph's aliases do not list (verbs, plurals), by task slug.
QUESTION_WORDS = {
    "summarization": ("summarize", "summarise", "summarizing", "summarising", "summaries", "summary", "总结"),
    "translation": (
        *("translate", "translating", "translator", "翻成", "译成"),
        *(f"into {language}" for language in ("english", "french", "german", "chinese", "spanish", "japanese")),
    ),
    "text-generation": ("generate text", "generating text", "text generator", "write text", "续写"),
    "text-classification": ("classify text", "classifying text", "classify sentences", "sentiment"),
    "fill-mask": ("masked word", "masked words", "masked token", "fill in the blank", "fill in a masked word"),
    "question-answering": ("answer questions", "answering questions", "answer questions about a passage"),
    "named-entity-recognition": ("named entities", "entity recognition", "tag entities"),
    "feature-extraction": ("embeddings", "embed text", "sentence embedding", "sentence vectors"),
}

_MODEL_TYPES = "SELECT DISTINCT ?type WHERE { ?t a mkg:ModelType ; mkg:modelType ?type }"

#: transformers model types that are also ordinary words; never taken as a mention of one.
_WORDLIKE_TYPES = frozenset(
    [
        "align",
        "auto",
        "bit",
        "clap",
        "clip",
        "git",
        "led",
        "mask",
        "mega",
        "nat",
        "opt",
        "time",
        "van",
        "yoso",
        "dino",
        "fuyu",
        "glm",
        "aria",
        "bark",
        "cpm",
        "emu",
    ]
)


@dataclass
class Entity:
    """A linkable entity: its IRI, kind, slug and labels by language."""

    iri: str
    kind: str
    slug: str
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, lang: str) -> str:
        """The label in ``lang``; a Chinese label's bracketed gloss is left out ("DistilBERT（蒸馏版BERT）")."""
        label = self.labels.get(lang) or self.labels.get("en") or self.slug
        return label.split("（", 1)[0].strip() or label


@dataclass
class Linked:
    """An entity the question names, how sure we are, and where it was named (token index)."""

    entity: Entity
    score: float
    fused: float
    mention: str | None
    position: int
    how: str

    def as_json(self, lang: str) -> dict[str, object]:
        return {
            "iri": self.entity.iri,
            "label": self.entity.label(lang),
            "kind": self.entity.kind,
            "score": round(self.score, 3),
        }


@dataclass
class Linking:
    """What linking found: entities in fused order, and any transformers model types named."""

    entities: list[Linked]
    model_types: list[str]
    covered: set[int]
    token_count: int
    #: The best dense-only concept of each kind, not accepted by itself; an intent cue may take it.
    dense_candidates: dict[str, Linked] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[Linked]:
        return [e for e in self.entities if e.entity.kind == kind]


class EntityIndex:
    """Every linkable entity of one graph version, with its names and its stored vectors."""

    def __init__(self, entities: list[Entity], forms: SurfaceForms, vectors: np.ndarray, owners: np.ndarray) -> None:
        self.entities = entities
        self.by_iri = {e.iri: e for e in entities}
        self.forms = forms
        self.vectors = vectors
        self.owners = owners
        self.model_type_forms: dict[str, str] = {}

    @classmethod
    def build(cls, store: ox.Store, texts: list[EntityText]) -> EntityIndex:
        """The index from the loaded graph and the entity vectors the ingest stored."""
        entities: dict[str, Entity] = {}
        names: list[tuple[str, str]] = []
        for row in select(store, _CATALOGUE):
            iri = row["e"].value
            parts = split_iri(iri)
            if parts is None:
                continue
            entity = entities.setdefault(iri, Entity(iri, parts[0], parts[1]))
            prop = row["p"].value.rsplit("#", 1)[-1]
            value = row["o"]
            text = value.value
            lang = value.language if isinstance(value, ox.Literal) else None
            if prop == "label" and lang in ("en", "zh"):
                # Prefer the shortest label per language (a zh label may add a gloss in brackets).
                current = entity.labels.get(lang)
                if current is None or len(text) < len(current):
                    entity.labels[lang] = text
            elif prop == "label" and not lang:
                entity.labels.setdefault("en", text)
            names.append((iri, text))
        ordered = sorted(entities.values(), key=lambda e: e.iri)
        number = {e.iri: i for i, e in enumerate(ordered)}
        forms = SurfaceForms()
        for iri, text in names:
            entity = ordered[number[iri]]
            # Paper titles are matched lexically only when quoted in full; no typo matching on them.
            forms.add(
                text,
                number[iri],
                fuzzy=entity.kind in ("model", "task", "objective", "category"),
                weight=1.0 if text in entity.labels.values() else 0.9,
            )
            if "（" in text or "(" in text:
                # "DistilBERT（蒸馏版BERT）": also the part before the gloss and the gloss itself.
                head, _, rest = text.replace("（", "(").partition("(")
                forms.add(head, number[iri])
                forms.add(rest.rstrip(")）"), number[iri])
        for entity in ordered:
            forms.add(entity.slug, number[entity.iri], fuzzy=entity.kind == "model", weight=0.9)
            english = entity.labels.get("en", "")
            if entity.kind == "organization" and len(english.split()) > 1:
                # "Facebook" for Facebook AI, "Salesforce" for Salesforce Research; a full label still wins.
                forms.add(english.split()[0], number[entity.iri], fuzzy=False, weight=0.7)
            for phrase in QUESTION_WORDS.get(entity.slug, ()) if entity.kind == "task" else ():
                forms.add(phrase, number[entity.iri], fuzzy=False, weight=0.8)
        usable = [t for t in texts if t.entity in number and t.vector is not None]
        vectors = vectors_matrix([t.vector for t in usable])
        owners = np.array([number[t.entity] for t in usable], dtype=np.int64)
        index = cls(ordered, forms, vectors, owners)
        for row in select(store, _MODEL_TYPES):
            name = row["type"].value
            joined = "".join(tokens(name))
            if len(joined) >= 3 and joined not in _WORDLIKE_TYPES and joined not in forms.exact:
                index.model_type_forms[joined] = name
        return index

    @property
    def has_vectors(self) -> bool:
        return len(self.owners) > 0

    def dense(self, vector: np.ndarray | None) -> np.ndarray:
        """Best cosine per entity (-1 where it has no vector)."""
        best = np.full(len(self.entities), -1.0, dtype=np.float32)
        if vector is None or not self.has_vectors:
            return best
        np.maximum.at(best, self.owners, self.vectors @ vector.astype(np.float32))
        return best

    def link(self, question: str, vector: np.ndarray | None) -> Linking:
        """The entities ``question`` names, best first."""
        matches = self.forms.find(question)
        lexical: dict[int, tuple[float, str, int, str]] = {}
        covered: set[int] = set()
        for match in matches:
            covered.update(range(match.start, match.end))
            for number in match.entities:
                score = match.similarity
                if number not in lexical or lexical[number][0] < score:
                    lexical[number] = (score, match.text, match.start, "exact" if match.exact else "typo")
        dense = self.dense(vector)
        dense_order = [int(i) for i in np.argsort(-dense)[:20] if dense[i] > 0]
        lexical_order = sorted(lexical, key=lambda n: (-lexical[n][0], lexical[n][2]))
        fused: dict[int, float] = {}
        for ranking in (lexical_order, dense_order):
            for rank, number in enumerate(ranking):
                fused[number] = fused.get(number, 0.0) + 1.0 / (RRF_K + rank + 1)
        accepted = dict.fromkeys(lexical)
        candidates: dict[str, tuple[int, float]] = {}
        for number in dense_order:
            kind = self.entities[number].kind
            if kind in DENSE_KINDS and kind not in candidates:
                candidates[kind] = (number, float(dense[number]))
        if not lexical and "task" in candidates and candidates["task"][1] >= DENSE_ACCEPT:
            accepted[candidates["task"][0]] = None
        linked = []
        for number in accepted:
            if number in lexical:
                score, mention, position, how = lexical[number]
            else:
                score, mention, position, how = float(dense[number]), None, 10_000, "dense"
            linked.append(Linked(self.entities[number], score, fused[number], mention, position, how))
        linked.sort(key=lambda x: (-x.fused, x.position))
        toks = tokens(question)
        named_types = []
        for i in range(len(toks)):
            if i in covered:
                continue
            name = self.model_type_forms.get(toks[i])
            if name is not None and name not in named_types:
                named_types.append(name)
        dense_candidates = {
            kind: Linked(self.entities[n], score, fused[n], None, 10_000, "dense")
            for kind, (n, score) in candidates.items()
            if score >= DENSE_ACCEPT and n not in accepted
        }
        return Linking(linked, named_types, covered, len(toks), dense_candidates)
