"""The settings table is the one source: every setting documented, parsed and overridable."""

from __future__ import annotations

import pytest

from service.settings import SETTINGS, SettingError, load_settings, settings_markdown

from .conftest import ROOT


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [s.env for s in SETTINGS if f"| `{s.env}` |" not in readme]
    assert missing == []


def test_the_readme_table_is_the_generated_one() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- settings:start -->\n", 1)[1].split("<!-- settings:end -->", 1)[0]
    assert block == settings_markdown(), "run `modelkg settings --markdown` and paste it into the README"


def test_environment_then_overrides() -> None:
    values = load_settings({"store_lock_wait_s": 5}, environ={"MODELKG_DATABASE_URL": "sqlite:///x.db"})
    assert values["database_url"] == "sqlite:///x.db"
    assert values["store_lock_wait_s"] == 5


def test_bad_values_and_unknown_names_are_refused() -> None:
    with pytest.raises(SettingError, match="MODELKG_STORE_LOCK_WAIT_S must be a number"):
        load_settings(environ={"MODELKG_STORE_LOCK_WAIT_S": "later"})
    with pytest.raises(SettingError, match="no setting named 'colour'"):
        load_settings({"colour": "blue"}, environ={})
