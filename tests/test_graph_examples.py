"""The example queries run on the shipped graph, and the README shows exactly them."""

from __future__ import annotations

import pytest

from graph.examples import EXAMPLES, examples_markdown
from graph.queries import select
from graph.store import Store

from .conftest import ROOT


def test_the_readme_shows_the_generated_examples() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- examples:start -->\n", 1)[1].split("<!-- examples:end -->", 1)[0]
    assert block == examples_markdown()


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.slug)
def test_every_example_returns_rows(example, seed_store: Store) -> None:
    rows = select(_oxigraph(seed_store), example.query)
    assert rows, example.slug


_cache: dict[str, object] = {}


def _oxigraph(store: Store):
    if store.url not in _cache:
        _cache[store.url] = store.load_oxigraph()
    return _cache[store.url]
