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
)

BY_NAME = {s.name: s for s in SETTINGS}


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict:
    """Defaults, then ``MODELKG_*`` environment variables, then ``overrides`` (by setting name)."""
    environ = os.environ if environ is None else environ
    values = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        values[setting.name] = setting.default if raw is None or raw == "" else setting.parse(raw)
    for name, value in (overrides or {}).items():
        if name not in BY_NAME:
            raise SettingError(f"no setting named {name!r}; see `modelkg settings`")
        values[name] = BY_NAME[name].parse(value) if isinstance(value, str) else value
    return values
