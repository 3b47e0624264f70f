"""Every setting declared once: name, default, type and help.

The environment (``MODELKG_<NAME>``), ``modelkg serve --setting NAME VALUE``,
the Flask config and the README's settings table all come from this table,
so a setting cannot exist in one place and be missing from another.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph.store import DEFAULT_URL

ENV_PREFIX = "MODELKG_"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    empty_is_value: bool = False  # an empty variable means "" (e.g. no limit), not "use the default"

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()

    def parse(self, raw: str) -> Any:
        """The setting's value from text, typed like its default."""
        kind = type(self.default)
        if kind is bool:
            lowered = raw.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off", ""):
                return False
            raise SettingError(f"{self.env} must be true or false, got {raw!r}")
        if kind in (int, float):
            try:
                value = kind(raw)
            except ValueError:
                raise SettingError(f"{self.env} must be a number, got {raw!r}") from None
            if value < 0:
                raise SettingError(f"{self.env} must not be negative, got {raw!r}")
            return value
        return raw


class SettingError(ValueError):
    """A setting has a value of the wrong kind, or does not exist."""


SETTINGS: tuple[Setting, ...] = (
    Setting("database_url", DEFAULT_URL, "SQLAlchemy URL of the graph store: a SQLite file or PostgreSQL."),
    Setting("store_lock_wait_s", 60.0, "Seconds an ingest waits for another ingest's write lock."),
    Setting("graph_check_interval_s", 2.0, "How often a serving process asks the store whether the graph changed."),
    Setting("sparql_backend", "", "URL of an external SPARQL 1.1 endpoint to send queries to (empty: in-process)."),
    Setting("sparql_timeout_s", 10.0, "Deadline of one SPARQL query; past it the query is stopped and gets 503."),
    Setting(
        "sparql_max_rows", 10000, "Most result rows (or triples) returned; more are cut and reported as truncated."
    ),
    Setting("sparql_max_bytes", 5_000_000, "Most bytes in one SPARQL response body; more are cut and reported."),
    Setting("sparql_max_query_chars", 20000, "Longest SPARQL query text accepted."),
    Setting("sparql_max_depth", 40, "Deepest nesting of groups, brackets and parentheses accepted in a query."),
    Setting("sparql_max_memory_mb", 1024, "Memory ceiling of a query worker process; a query past it is stopped."),
    Setting("sparql_max_concurrent", 2, "Queries one worker process evaluates at once; more get 503."),
    Setting("sparql_cache_entries", 512, "Results kept per worker, keyed by query, format and graph version."),
    Setting("max_body_bytes", 65536, "Largest request body accepted (413 beyond)."),
    Setting(
        "rate_limit",
        "50 per second;2000 per minute",
        "Per-client request limit (flask-limiter syntax, `;` between limits); empty or `off` turns it off.",
        empty_is_value=True,
    ),
    Setting("redis_url", "", "Redis URL for the rate limiter's counters (empty: in-process memory)."),
    Setting("ask_max_chars", 500, "Longest question /ask accepts."),
    Setting("models_dir", "", "Directory of saved transformers models the demos load first (real weights)."),
    Setting("demo_queue", 4, "Demo requests waiting for the inference worker; more get 503."),
    Setting("demo_timeout_s", 30.0, "Wall time of one demo, queue wait included."),
    Setting("demo_max_input_chars", 1000, "Longest demo input text."),
    Setting("demo_max_new_tokens", 64, "Most tokens a generation demo may produce."),
    Setting("demo_max_beams", 4, "Most beams a generation demo may search."),
    Setting("demo_cache_models", 4, "Demo models kept loaded (least recently used dropped)."),
)

BY_NAME = {s.name: s for s in SETTINGS}


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict:
    """Defaults, then ``MODELKG_*`` environment variables, then ``overrides`` (by setting name)."""
    environ = os.environ if environ is None else environ
    values = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        unset = raw is None or (raw == "" and not setting.empty_is_value)
        values[setting.name] = setting.default if unset else setting.parse(raw)
    for name, value in (overrides or {}).items():
        if name not in BY_NAME:
            raise SettingError(f"no setting named {name!r}; see `modelkg settings`")
        values[name] = BY_NAME[name].parse(value) if isinstance(value, str) else value
    return values


def settings_markdown() -> str:
    """The README's settings table, generated so it cannot drift from ``SETTINGS``."""
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for setting in SETTINGS:
        default = setting.default
        shown = f"`{default:g}`" if isinstance(default, float) else (f"`{default}`" if default != "" else "(empty)")
        lines.append(f"| `{setting.env}` | {shown} | {setting.help} |")
    return "\n".join(lines) + "\n"
