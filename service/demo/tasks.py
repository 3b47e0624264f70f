"""Per task, how to run a model: a transformers pipeline where one exists, else the model's own methods.

transformers 5 keeps the text-generation, fill-mask, feature-extraction,
text-classification and token-classification pipelines, so those demos use
them. It dropped the summarization, translation, text2text and
question-answering pipelines, so seq2seq demos call the model's ``generate()``
and question answering and multiple choice read the head's logits directly.

A :class:`Plan` names the transformers head class a task needs for a model
type (taken from the installed library's auto-model mappings), the
parameters a request may set, and the function that runs it. Functions here
run on the demo worker's thread only; they import torch and transformers.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from service.errors import ApiError

#: Preferred order of a model's tasks when a request names none (real weights and curated tasks first).
DEFAULT_ORDER = (
    "text-generation",
    "translation",
    "summarization",
    "fill-mask",
    "feature-extraction",
    "passage-retrieval",
    "open-domain-question-answering",
    "text-classification",
    "named-entity-recognition",
    "long-document-understanding",
    "question-answering",  # these two need structured input (lines), so never a default when others exist
    "multiple-choice",
)

#: Passages used when a retrieval demo's text gives none (one line = the question only).
PASSAGES = (
    "Paris is the capital and largest city of France.",
    "BERT is a bidirectional transformer encoder pre-trained with masked language modelling.",
    "GPT-2 is a decoder-only transformer language model trained on WebText.",
)

#: Masks a request may write, whatever the model's own mask token is.
MASK_SPELLINGS = ("[MASK]", "<mask>", "<MASK>", "[mask]")

#: Model types whose real weights are never searched for a task (the demo needs more than one checkpoint).
RANDOM_ONLY = {("dpr", "passage-retrieval"), ("dpr", "open-domain-question-answering")}


@dataclass(frozen=True)
class Param:
    """A request parameter: its type and inclusive range (``hi`` None = the setting named by ``cap``)."""

    kind: type
    lo: float | None = None
    hi: float | None = None
    cap: str | None = None  # setting that bounds it
    exclusive_lo: bool = False


GENERATION_PARAMS = {
    "max_new_tokens": Param(int, 1, cap="demo_max_new_tokens"),
    "num_beams": Param(int, 1, cap="demo_max_beams"),
    "do_sample": Param(bool),
    "temperature": Param(float, 0, 5, exclusive_lo=True),
    "top_k": Param(int, 0, 1000),
    "top_p": Param(float, 0, 1, exclusive_lo=True),
    "seed": Param(int, 0, 2**31 - 1),
}


@dataclass(frozen=True)
class Plan:
    """How one task runs on one model type."""

    task: str
    how: str  # "pipeline text-generation", "generate()", "forward pass"
    head: str  # transformers class name
    run: Callable[..., Any]
    params: dict[str, Param] = field(default_factory=dict)
    overrides: tuple[tuple[str, Any], ...] = ()  # config fields set on load (is_decoder)
    extra_head: str | None = None  # a second class (DPR's context encoder)


def _mappings() -> dict[str, dict[str, Any]]:
    from transformers.models.auto import modeling_auto as ma

    return {
        "causal-lm": ma.MODEL_FOR_CAUSAL_LM_MAPPING_NAMES,
        "masked-lm": ma.MODEL_FOR_MASKED_LM_MAPPING_NAMES,
        "seq2seq": ma.MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES,
        "sequence-classification": ma.MODEL_FOR_SEQUENCE_CLASSIFICATION_MAPPING_NAMES,
        "token-classification": ma.MODEL_FOR_TOKEN_CLASSIFICATION_MAPPING_NAMES,
        "question-answering": ma.MODEL_FOR_QUESTION_ANSWERING_MAPPING_NAMES,
        "multiple-choice": ma.MODEL_FOR_MULTIPLE_CHOICE_MAPPING_NAMES,
        "text-encoding": ma.MODEL_FOR_TEXT_ENCODING_MAPPING_NAMES,
        "base": ma.MODEL_MAPPING_NAMES,
    }


def _head(model_type: str, head: str) -> str | None:
    name = _mappings()[head].get(model_type)
    if isinstance(name, (tuple, list)):
        name = name[0]
    return name


def plan_for(model_type: str, task: str) -> Plan | None:
    """The plan for ``task`` on ``model_type``, or None when this demo has no way to run it."""
    maps = _mappings()
    is_seq2seq = model_type in maps["seq2seq"]
    if task == "text-generation":
        if model_type == "rag":
            return Plan(task, "generate() over given passages", "RagTokenForGeneration", run_rag, GENERATION_PARAMS)
        if is_seq2seq:
            return Plan(task, "generate()", _head(model_type, "seq2seq"), run_seq2seq, GENERATION_PARAMS)
        if head := _head(model_type, "causal-lm"):
            return Plan(
                task, "pipeline text-generation", head, run_text_generation, GENERATION_PARAMS, (("is_decoder", True),)
            )
        return None
    if task in ("translation", "summarization"):
        if is_seq2seq:
            return Plan(task, "generate()", _head(model_type, "seq2seq"), run_seq2seq, GENERATION_PARAMS)
        return None
    if task == "open-domain-question-answering" and model_type == "rag":
        return Plan(task, "generate() over given passages", "RagTokenForGeneration", run_rag, GENERATION_PARAMS)
    if task in ("passage-retrieval", "open-domain-question-answering") and model_type == "dpr":
        return Plan(
            task,
            "question and passage encoders",
            "DPRQuestionEncoder",
            run_dpr_retrieval,
            extra_head="DPRContextEncoder",
        )
    if task == "fill-mask" and (head := _head(model_type, "masked-lm")):
        return Plan(
            task, "pipeline fill-mask", head, run_fill_mask, {"top_k": Param(int, 1, 20)}, (("is_decoder", False),)
        )
    if task in ("feature-extraction", "long-document-understanding"):
        if model_type == "dpr":
            return Plan(task, "question encoder", "DPRQuestionEncoder", run_dpr_embedding)
        head = _head(model_type, "text-encoding") or _head(model_type, "base")
        if head and model_type != "rag":
            return Plan(
                task, "pipeline feature-extraction", head, run_feature_extraction, overrides=(("is_decoder", False),)
            )
        return None
    if task == "text-classification" and (head := _head(model_type, "sequence-classification")):
        return Plan(
            task, "pipeline text-classification", head, run_text_classification, overrides=(("is_decoder", False),)
        )
    if task == "named-entity-recognition" and (head := _head(model_type, "token-classification")):
        return Plan(
            task, "pipeline token-classification", head, run_token_classification, overrides=(("is_decoder", False),)
        )
    if task == "question-answering" and (head := _head(model_type, "question-answering")):
        return Plan(
            task,
            "forward pass (start/end logits)",
            head,
            run_question_answering,
            {"context": Param(str)},
            (("is_decoder", False),),
        )
    if task == "multiple-choice" and (head := _head(model_type, "multiple-choice")):
        return Plan(task, "forward pass (choice logits)", head, run_multiple_choice, overrides=(("is_decoder", False),))
    return None


def task_rank(task: str) -> int:
    """Where ``task`` comes in ``DEFAULT_ORDER`` (unlisted tasks last)."""
    return DEFAULT_ORDER.index(task) if task in DEFAULT_ORDER else len(DEFAULT_ORDER)


def check_params(plan: Plan, params: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """``params`` checked against the plan; ApiError 400 for unknown names, wrong types, or out of range."""
    checked: dict[str, Any] = {}
    for name, value in params.items():
        spec = plan.params.get(name)
        if spec is None:
            allowed = ", ".join(plan.params) or "none"
            raise ApiError(
                400, f"Unknown parameter {name!r} for {plan.task}; allowed: {allowed}.", code="unknown_param"
            )
        if spec.kind is bool:
            ok = isinstance(value, bool)
        elif spec.kind is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif spec.kind is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        else:
            ok = isinstance(value, str)
        if not ok:
            raise ApiError(400, f"Parameter {name!r} must be a {spec.kind.__name__}.", code="bad_param")
        if spec.kind is str:
            if len(value) > settings["demo_max_input_chars"]:
                raise ApiError(
                    400,
                    f"Parameter {name!r} is longer than {settings['demo_max_input_chars']} characters "
                    "(MODELKG_DEMO_MAX_INPUT_CHARS).",
                    code="param_out_of_range",
                )
        elif spec.kind is not bool:
            hi = settings[spec.cap] if spec.cap else spec.hi
            too_low = spec.lo is not None and (value <= spec.lo if spec.exclusive_lo else value < spec.lo)
            if too_low or (hi is not None and value > hi):
                bound = f" (MODELKG_{spec.cap.upper()})" if spec.cap else ""
                lo = f"{'above' if spec.exclusive_lo else 'at least'} {spec.lo:g}"
                raise ApiError(
                    400, f"Parameter {name!r} must be {lo} and at most {hi:g}{bound}.", code="param_out_of_range"
                )
        checked[name] = value
    return checked


@dataclass
class Loaded:
    """A loaded model, its tokenizer(s) and whatever the runner keeps with them (a pipeline)."""

    model: Any
    tokenizer: Any
    random: bool
    generator_tokenizer: Any = None
    extra_model: Any = None
    cache: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    """What a runner gets: the input, checked parameters, limits and its deadline."""

    text: str
    params: dict[str, Any]
    settings: dict[str, Any]
    deadline: float
    model_type: str
    task: str
    notes: list[str] = field(default_factory=list)

    def remaining(self) -> float:
        return max(0.05, self.deadline - time.monotonic())


def _pipeline(loaded: Loaded, name: str) -> Any:
    pipe = loaded.cache.get(name)
    if pipe is None:
        from transformers import pipeline

        pipe = pipeline(name, model=loaded.model, tokenizer=loaded.tokenizer, device=-1)
        loaded.cache[name] = pipe
    return pipe


def _generation_kwargs(loaded: Loaded, ctx: Context, default_new_tokens: int = 20) -> dict[str, Any]:
    import torch

    p = ctx.params
    max_new = p.get("max_new_tokens", min(default_new_tokens, ctx.settings["demo_max_new_tokens"]))
    kwargs: dict[str, Any] = {
        "max_new_tokens": max_new,
        "num_beams": p.get("num_beams", 1),
        "do_sample": p.get("do_sample", False),
        "max_time": ctx.remaining(),
    }
    if kwargs["do_sample"]:
        for name in ("temperature", "top_k", "top_p"):
            if name in p:
                kwargs[name] = p[name]
        torch.manual_seed(p.get("seed", 0))
    if loaded.random:
        kwargs["min_new_tokens"] = min(5, max_new)  # random weights often stop at once; show some noise
    return kwargs


def run_text_generation(loaded: Loaded, ctx: Context) -> str:
    pipe = _pipeline(loaded, "text-generation")
    kwargs = _generation_kwargs(loaded, ctx)
    tok = loaded.tokenizer
    if tok.pad_token_id is None:
        kwargs["pad_token_id"] = tok.eos_token_id or 0
    # the prompt and the new tokens must fit the position table: keep the prompt's last tokens
    room = _max_len(tok, loaded.model) - kwargs["max_new_tokens"] - 4
    text = ctx.text
    ids = tok(text, add_special_tokens=False)["input_ids"]
    if len(ids) > room:
        text = tok.decode(ids[-room:])
        ctx.notes.append(f"The input was cut to its last {room} tokens to leave room for the new ones.")
    out = pipe(text, return_full_text=True, **kwargs)
    return out[0]["generated_text"]


T5_PREFIXES = {"translation": "translate English to German: ", "summarization": "summarize: "}


def run_seq2seq(loaded: Loaded, ctx: Context) -> str:
    import torch

    text, task = ctx.text, ctx.task
    if ctx.model_type == "t5" and task in T5_PREFIXES and not re.match(r"^\s*[\w ]{1,40}:", text):
        text = T5_PREFIXES[task] + text
        ctx.notes.append(
            f"T5 reads its task from a prefix: the input was sent as {T5_PREFIXES[task].strip()!r} + text."
        )
    tok = loaded.tokenizer
    enc = tok(text, return_tensors="pt", truncation=True, max_length=_max_len(tok, loaded.model))
    with torch.no_grad():
        out = loaded.model.generate(**enc, **_generation_kwargs(loaded, ctx))
    return _decoded(tok, out[0])


def _decoded(tokenizer: Any, ids: Any) -> str:
    """The generated text; when it decodes to nothing visible (random weights), the tokens themselves."""
    text = tokenizer.decode(ids, skip_special_tokens=True).strip()
    return text or " ".join(tokenizer.convert_ids_to_tokens(ids.tolist()))


def _max_len(tokenizer: Any, model: Any) -> int:
    limit = getattr(model.config, "max_position_embeddings", None) or getattr(model.config, "n_positions", None)
    candidates = [n for n in (tokenizer.model_max_length, limit) if isinstance(n, int) and 0 < n < 100_000]
    return min(candidates) if candidates else 512


def run_fill_mask(loaded: Loaded, ctx: Context) -> list[dict[str, Any]]:
    tok = loaded.tokenizer
    mask = tok.mask_token
    if not mask:
        raise ApiError(
            422, "This checkpoint's tokenizer has no mask token, so it cannot fill masks.", code="task_not_runnable"
        )
    text = ctx.text
    for spelling in MASK_SPELLINGS:
        text = text.replace(spelling, mask)
    if mask not in text:
        words = text.rstrip(" .!?").rsplit(" ", 1)
        tail = text[len(text.rstrip(" .!?")) :]
        text = (words[0] + " " if len(words) > 1 else "") + mask + tail
        ctx.notes.append(f"The text had no {mask}, so its last word was masked.")
    pipe = _pipeline(loaded, "fill-mask")
    top_k = ctx.params.get("top_k", 5)
    out = pipe(text, top_k=top_k, tokenizer_kwargs={"truncation": True})
    if out and isinstance(out[0], list):  # several masks: show the first one's candidates
        out = out[0]
        ctx.notes.append("The text has several masks; candidates for the first are shown.")
    return [
        {"token": r["token_str"].strip(), "score": round(float(r["score"]), 4), "sequence": r["sequence"]} for r in out
    ]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _mean_pooled(rows: Any) -> list[float]:
    import torch

    tensor = torch.tensor(rows[0] if isinstance(rows[0][0], list) else rows)
    return tensor.mean(dim=0).tolist()


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return round(dot / norm, 4) if norm else 0.0


def _embedding_output(sentences: list[str], vectors: list[list[float]]) -> dict[str, Any]:
    out: dict[str, Any] = {"dimensions": len(vectors[0]), "embedding": [round(v, 4) for v in vectors[0][:8]]}
    if len(sentences) > 1:
        out["sentences"] = sentences
        out["similarity"] = [[_cosine(a, b) for b in vectors] for a in vectors]
    return out


def run_feature_extraction(loaded: Loaded, ctx: Context) -> dict[str, Any]:
    pipe = _pipeline(loaded, "feature-extraction")
    sentences = _lines(ctx.text) or [ctx.text]
    vectors = [_mean_pooled(pipe(s, tokenize_kwargs={"truncation": True})) for s in sentences]
    if len(sentences) > 1:
        ctx.notes.append("Each line is one sentence; similarity is the cosine of their mean-pooled embeddings.")
    else:
        ctx.notes.append("Mean-pooled embedding (first 8 of its values); give several lines to compare sentences.")
    return _embedding_output(sentences, vectors)


def run_dpr_embedding(loaded: Loaded, ctx: Context) -> dict[str, Any]:
    import torch

    sentences = _lines(ctx.text) or [ctx.text]
    tok = loaded.tokenizer
    with torch.no_grad():
        enc = tok(sentences, return_tensors="pt", padding=True, truncation=True, max_length=_max_len(tok, loaded.model))
        vectors = loaded.model(**enc).pooler_output.tolist()
    ctx.notes.append("DPR's question encoder: the [CLS] vector of each line, compared by cosine.")
    return _embedding_output(sentences, vectors)


def _question_and_passages(ctx: Context) -> tuple[str, list[str]]:
    lines = _lines(ctx.text) or [ctx.text]
    if len(lines) > 1:
        return lines[0], lines[1:]
    ctx.notes.append("One line was given, so it is the question and three built-in passages are searched.")
    return lines[0], list(PASSAGES)


def run_dpr_retrieval(loaded: Loaded, ctx: Context) -> list[dict[str, Any]]:
    import torch

    question, passages = _question_and_passages(ctx)
    tok = loaded.tokenizer
    with torch.no_grad():
        q = loaded.model(**tok([question], return_tensors="pt", truncation=True)).pooler_output
        enc = tok(passages, return_tensors="pt", padding=True, truncation=True)
        p = loaded.extra_model(**enc).pooler_output
        scores = (q @ p.T)[0].tolist()
    ranked = sorted(zip(passages, scores, strict=True), key=lambda pair: -pair[1])
    return [{"passage": text, "score": round(score, 4)} for text, score in ranked]


def run_rag(loaded: Loaded, ctx: Context) -> str:
    """RAG without its Wikipedia index: the question encoder scores the given passages, BART reads the best."""
    import torch

    question, passages = _question_and_passages(ctx)
    q_tok, g_tok, model = loaded.tokenizer, loaded.generator_tokenizer, loaded.model
    n_docs = min(len(passages), model.config.n_docs)
    with torch.no_grad():
        q = model.question_encoder(**q_tok([question], return_tensors="pt", truncation=True))[0]
        d = model.question_encoder(**q_tok(passages, return_tensors="pt", padding=True, truncation=True))[0]
        scores = (q @ d.T)[0]
        top = scores.topk(n_docs).indices.tolist()
        contexts = [f"{passages[i]} // {question}" for i in top]
        enc = g_tok(contexts, return_tensors="pt", padding=True, truncation=True)
        out = model.generate(
            context_input_ids=enc["input_ids"],
            context_attention_mask=enc["attention_mask"],
            doc_scores=scores[top].unsqueeze(0),
            n_docs=n_docs,
            **_generation_kwargs(loaded, ctx),
        )
    ctx.notes.append(f"Retrieval is over the {len(passages)} passages given (lines after the question), not an index.")
    return _decoded(g_tok, out[0])


def run_text_classification(loaded: Loaded, ctx: Context) -> list[dict[str, Any]]:
    pipe = _pipeline(loaded, "text-classification")
    out = pipe(ctx.text, top_k=None, truncation=True)
    if not loaded.random:
        ctx.notes.append(
            "Unless the checkpoint was fine-tuned for classification, its classification head is untrained."
        )
    return [{"label": r["label"], "score": round(float(r["score"]), 4)} for r in out]


def run_token_classification(loaded: Loaded, ctx: Context) -> list[dict[str, Any]]:
    pipe = _pipeline(loaded, "token-classification")
    out = pipe(ctx.text)
    if not loaded.random:
        ctx.notes.append("Unless the checkpoint was fine-tuned for NER, its token-classification head is untrained.")
    return [{"word": r["word"], "entity": r["entity"], "score": round(float(r["score"]), 4)} for r in out[:50]]


def run_question_answering(loaded: Loaded, ctx: Context) -> dict[str, Any]:
    import torch

    lines = _lines(ctx.text) or [ctx.text]
    question = lines[0]
    context = ctx.params.get("context") or " ".join(lines[1:])
    if not context:  # one line: "Where is it? It is in Paris." splits after the question mark
        match = re.match(r"^(.+?[?？])\s*(\S.*)$", question)
        if match:
            question, context = match.groups()
    if not context:
        raise ApiError(
            400,
            "Question answering needs a context: the question (ending in '?') then the context, "
            'or the context on the lines after the question, or params {"context": "..."}.',
            code="bad_input",
        )
    tok = loaded.tokenizer
    enc = tok(question, context, return_tensors="pt", truncation=True, max_length=_max_len(tok, loaded.model))
    with torch.no_grad():
        out = loaded.model(**enc)
    start_logits, end_logits = out.start_logits[0], out.end_logits[0]
    ids = enc["input_ids"][0]
    # only spans inside the context: tokens whose sequence id is 1
    seq = enc.sequence_ids(0)
    allowed = torch.tensor([s == 1 for s in seq])
    start_logits = start_logits.masked_fill(~allowed, -1e9)
    end_logits = end_logits.masked_fill(~allowed, -1e9)
    start = int(start_logits.argmax())
    end_scores = end_logits.clone()
    end_scores[:start] = -1e9
    end_scores[start + 30 :] = -1e9
    end = int(end_scores.argmax())
    score = float(torch.softmax(start_logits, -1)[start] * torch.softmax(end_logits, -1)[end])
    return {"answer": tok.decode(ids[start : end + 1], skip_special_tokens=True).strip(), "score": round(score, 4)}


def run_multiple_choice(loaded: Loaded, ctx: Context) -> dict[str, Any]:
    import torch

    lines = _lines(ctx.text)
    if len(lines) < 3:
        raise ApiError(
            400,
            "Multiple choice needs the question on the first line and two or more choices on the next lines.",
            code="bad_input",
        )
    question, choices = lines[0], lines[1:]
    tok = loaded.tokenizer
    enc = tok([question] * len(choices), choices, return_tensors="pt", padding=True, truncation=True)
    with torch.no_grad():
        logits = loaded.model(**{k: v.unsqueeze(0) for k, v in enc.items()}).logits[0]
    probs = torch.softmax(logits, -1).tolist()
    best = max(range(len(choices)), key=lambda i: probs[i])
    return {
        "best": choices[best],
        "choices": [{"choice": c, "score": round(p, 4)} for c, p in zip(choices, probs, strict=True)],
    }
