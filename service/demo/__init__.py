"""The linker: run a model the graph names on a text, and say plainly what ran.

``run_demo(app, model, text, task=None, params=None)`` is the one entry point
(``POST /demo``, ``modelkg demo`` and ``/ask`` all call it). In order:

1. the request is checked (types, lengths, ``trust_remote_code`` anywhere → 400);
2. ``model`` is resolved against the graph's seed models (:mod:`.resolve`), so
   nothing a request spells out is ever used as a path or a hub id;
3. a model transformers 5 no longer implements gets 422 ``not_runnable`` with the reason;
4. the task is chosen and planned (:mod:`.tasks`), parameters checked against it;
5. weights are found on disk (:mod:`.weights`): local, bundled, or a random tiny instance (:mod:`.tiny`);
6. the job runs in the demo process (:mod:`.worker`, :mod:`.process`), bounded in queue and time.

The result is ``{"model", "label", "iri", "checkpoint", "weights", "task", "how",
"output", "seconds", "note"}``; a random-weights result always says so in ``note``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from service.demo.resolve import Catalogue, SeedModel, catalogue_for
from service.demo.tasks import RANDOM_ONLY, Context, Loaded, Plan, check_params, plan_for, task_rank
from service.demo.tiny import RANDOM_NOTE
from service.demo.weights import Weights, find_weights
from service.errors import ApiError

__all__ = ["FORBIDDEN_KEYS", "demo_table", "models_markdown", "run_demo"]

log = logging.getLogger("modelkg.demo")

#: Keys refused anywhere in a request: the demo never runs code that comes with weights.
FORBIDDEN_KEYS = frozenset({"trust_remote_code"})

#: HTTP status for a model the installed transformers cannot run (well-formed request, unprocessable).
NOT_RUNNABLE = 422


def run_demo(app: Any, model: str, text: str, task: str | None = None, params: dict | None = None) -> dict[str, Any]:
    """Run ``model`` (a label, alias, slug, IRI or checkpoint id from the graph) on ``text``.

    Raises :class:`service.errors.ApiError`: 400 bad input or parameters,
    404 a model the graph does not name, 422 a model or task that cannot run
    here, 503 when the demo worker is busy or out of time.
    """
    settings = app.config["MODELKG_SETTINGS"]
    params = {} if params is None else params
    check_request(model, text, task, params, settings)
    catalogue = catalogue_for(app)
    seed, checkpoint = catalogue.resolve(model)
    runnable(seed)
    task_slug, plan, weights = choose(seed, catalogue, task, settings, checkpoint)
    checked = check_params(plan, params, settings)
    timeout = float(settings["demo_timeout_s"])
    deadline = time.monotonic() + timeout
    from service.demo.worker import worker_for

    job = partial(
        _execute,
        seed=seed,
        task=task_slug,
        plan=plan,
        weights=weights,
        text=text,
        params=checked,
        settings=settings,
        deadline=deadline,
    )
    return worker_for(app).submit(job, timeout)


def find_forbidden(value: Any, path: str = "") -> str | None:
    """The path of a forbidden key anywhere in ``value`` (nested dicts and lists), or None."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if str(key).strip().lower() in FORBIDDEN_KEYS:
                return here
            found = find_forbidden(item, here)
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found = find_forbidden(item, f"{path}[{i}]")
            if found:
                return found
    return None


def check_request(model: Any, text: Any, task: Any, params: Any, settings: Mapping[str, Any]) -> None:
    """ApiError 400 unless the fields have the right types and sizes and nothing asks for remote code."""
    forbidden = find_forbidden(params, "params")
    if forbidden:
        raise ApiError(
            400,
            f"{forbidden}: trust_remote_code is refused; demos run only transformers' own code.",
            code="remote_code_refused",
        )
    if not isinstance(model, str) or not model.strip():
        raise ApiError(400, "'model' must be a non-empty string naming a model in the graph.", code="bad_request")
    if len(model) > 200:
        raise ApiError(400, "'model' is longer than 200 characters.", code="bad_request")
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "'text' must be a non-empty string.", code="bad_request")
    limit = settings["demo_max_input_chars"]
    if len(text) > limit:
        raise ApiError(
            400,
            f"'text' has {len(text)} characters; the limit is {limit} (MODELKG_DEMO_MAX_INPUT_CHARS).",
            code="input_too_long",
        )
    if task is not None and (not isinstance(task, str) or not task.strip()):
        raise ApiError(400, "'task' must be a string naming a task in the graph.", code="bad_request")
    if not isinstance(params, Mapping):
        raise ApiError(400, "'params' must be an object.", code="bad_request")


def runnable(seed: SeedModel) -> None:
    """ApiError 422 when the installed transformers no longer implements ``seed``."""
    if not seed.implemented:
        why = seed.status_note or "the installed transformers has no implementation of it"
        raise ApiError(
            NOT_RUNNABLE,
            f"{seed.label} is not runnable here: transformers 5 no longer implements it. {why}",
            code="not_runnable",
        )


@dataclass(frozen=True)
class TaskChoice:
    """One task a seed model can demo, with its plan and the weights it would use now."""

    task: str
    plan: Plan
    weights: Weights
    curated: bool


def demo_choices(seed: SeedModel, models_dir: str = "", checkpoint: str | None = None) -> list[TaskChoice]:
    """Every task of ``seed`` the demo can run, best first: real weights, curated, then ``DEFAULT_ORDER``."""
    if not seed.implemented:
        return []
    choices = []
    for task in seed.tasks:
        plan = plan_for(seed.model_type, task)
        if plan is None:
            continue
        choices.append(TaskChoice(task, plan, _weights(seed, task, models_dir, checkpoint), task in seed.curated_tasks))
    return sorted(choices, key=lambda c: (c.weights.source == "random", not c.curated, task_rank(c.task)))


def _weights(seed: SeedModel, task: str, models_dir: str, checkpoint: str | None) -> Weights:
    if (seed.model_type, task) in RANDOM_ONLY:
        hub_id = checkpoint or (seed.checkpoints[0].hub_id if seed.checkpoints else seed.slug)
        return Weights("random", hub_id, note="This demo needs DPR's question and passage encoders together.")
    return find_weights(seed, task, models_dir, checkpoint)


def choose(
    seed: SeedModel, catalogue: Catalogue, task: str | None, settings: Mapping[str, Any], checkpoint: str | None = None
) -> tuple[str, Plan, Weights]:
    """The task, plan and weights of a demo; ApiError 400/422 when the task is unknown or not runnable."""
    choices = demo_choices(seed, settings.get("models_dir", ""), checkpoint)
    available = ", ".join(c.task for c in choices) or "none"
    if task is None:
        if not choices:
            raise ApiError(NOT_RUNNABLE, f"{seed.label} has no task this demo can run.", code="not_runnable")
        c = choices[0]
        return c.task, c.plan, c.weights
    slug = catalogue.task(task)
    for c in choices:
        if c.task == slug:
            return c.task, c.plan, c.weights
    if slug not in seed.tasks:
        message = f"The graph does not say {seed.label} suits {slug}; its demo tasks are: {available}."
    else:
        message = (
            f"No demo runs {slug} on {seed.label} with the installed transformers; its demo tasks are: {available}."
        )
    raise ApiError(NOT_RUNNABLE, message, code="task_not_runnable")


def _execute(
    worker: Any,
    *,
    seed: SeedModel,
    task: str,
    plan: Plan,
    weights: Weights,
    text: str,
    params: dict[str, Any],
    settings: Mapping[str, Any],
    deadline: float,
) -> dict[str, Any]:
    """Load (or reuse) the model and run the task; runs in the demo process (:mod:`.process`)."""
    started = time.perf_counter()
    notes: list[str] = []
    key = (seed.model_type, plan.head, plan.extra_head, weights.source, weights.location, plan.overrides)
    try:
        loaded = worker.get(key, partial(load_model, seed.model_type, plan, weights))
    except Exception as exc:  # unloadable weights fall back to the architecture demo
        if weights.source == "random":
            raise
        log.warning("could not load %s from %s: %s", weights.checkpoint, weights.location, exc)
        notes.append(f"The weights at {weights.location} could not be loaded ({type(exc).__name__}: {exc}).")
        weights = Weights("random", weights.checkpoint)
        key = (seed.model_type, plan.head, plan.extra_head, "random", None, plan.overrides)
        loaded = worker.get(key, partial(load_model, seed.model_type, plan, weights))
    ctx = Context(text, params, dict(settings), deadline, seed.model_type, task)
    output = plan.run(loaded, ctx)
    head = [RANDOM_NOTE] if weights.source == "random" else []
    note = " ".join([*head, weights.note, *notes, *ctx.notes]).strip()
    return {
        "model": seed.slug,
        "label": seed.label,
        "iri": seed.iri,
        "checkpoint": weights.checkpoint,
        "weights": weights.source,
        "task": task,
        "how": plan.how,
        "output": output,
        "seconds": round(time.perf_counter() - started, 4),
        "note": note,
    }


def load_model(model_type: str, plan: Plan, weights: Weights) -> Loaded:
    """The model for ``plan``: from real weights offline (safetensors only, no remote code) or a tiny random build."""
    import transformers

    cls = getattr(transformers, plan.head)
    overrides = dict(plan.overrides)
    if model_type == "rag":
        overrides = {}
    if weights.source == "random":
        from service.demo.tiny import build_tiny

        model, tokenizer, generator_tokenizer = build_tiny(model_type, cls, **overrides)
        extra = None
        if plan.extra_head:
            import torch

            torch.manual_seed(1)
            extra = getattr(transformers, plan.extra_head)(model.config).eval()
        return Loaded(model, tokenizer, True, generator_tokenizer, extra)
    options = {"local_files_only": True, "trust_remote_code": False, "cache_dir": weights.cache_dir}
    if weights.source == "bundled":
        overrides = {}
    config = transformers.AutoConfig.from_pretrained(weights.location, **options)
    for name, value in overrides.items():  # e.g. is_decoder for a causal head on an encoder
        setattr(config, name, value)
    model = cls.from_pretrained(weights.location, config=config, use_safetensors=True, **options).eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(weights.location, **options)
    extra = None
    if plan.extra_head:
        extra = getattr(transformers, plan.extra_head).from_pretrained(
            weights.location, use_safetensors=True, **options
        )
    return Loaded(model, tokenizer, False, None, extra)


def demo_table(catalogue: Catalogue, models_dir: str = "") -> list[dict[str, Any]]:
    """Per seed model, what its demo does now: default task, weights, every runnable task, or why none."""
    rows = []
    for seed in sorted(catalogue.models.values(), key=lambda m: m.slug):
        choices = demo_choices(seed, models_dir)
        if not seed.implemented:
            status, detail = "not runnable", (seed.status_note or "not in the installed transformers")
        elif not choices:
            status, detail = "not runnable", "no task of this model has a demo runner"
        else:
            real = [c for c in choices if c.weights.source != "random"]
            status = "real weights" if real else "random-weights architecture demo"
            detail = ""
        rows.append(
            {
                "model": seed.slug,
                "label": seed.label,
                "model_type": seed.model_type,
                "status": status,
                "default_task": choices[0].task if choices else None,
                "tasks": [
                    {"task": c.task, "how": c.plan.how, "weights": c.weights.source, "checkpoint": c.weights.checkpoint}
                    for c in choices
                ],
                "why": detail,
            }
        )
    return rows


def models_markdown(rows: list[dict[str, Any]]) -> str:
    """The README's table of seed-model demos, generated from :func:`demo_table`."""
    lines = [
        "| model | transformers type | demo now | default task | tasks (how, weights) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        if row["tasks"]:
            tasks = "; ".join(f"{t['task']} ({t['how']}, {t['weights']})" for t in row["tasks"])
        else:
            tasks = row["why"].replace("|", "\\|")
        lines.append(
            f"| {row['label']} | `{row['model_type'] or '-'}` | {row['status']} | {row['default_task'] or '-'} | {tasks} |"
        )
    return "\n".join(lines) + "\n"
