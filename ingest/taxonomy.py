"""Parse a taxonomy document: headed categories, each listing links to models.

The shape is that of the model summary the project was seeded with
(``ingest/data/taxonomy/model_summary.zh.md``): an intro list that names each
category in the document's language with its English name as a link, then
one ``## N. Name`` section per category whose entries are links whose anchor
identifies the model (``[RoBERT](...#roberta)`` is RoBERTa, typo and all).
Sections without entries ("More technical aspects") are not categories.

>>> doc = '''# Models
... - 自回归模型（[Autoregressive models](https://x.org/s.html#autoregressive-models)）
... ## 1. Autoregressive models
... 1. [GPT-2](https://x.org/s.html#gpt-2)
... '''
>>> t = parse_taxonomy(doc, name="demo")
>>> [(c.slug, c.label_local, [m.anchor for m in c.models]) for c in t.categories]
[('autoregressive', '自回归模型', ['gpt-2'])]
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from graph.vocab import slugify

SEED_TAXONOMY = Path(__file__).parent / "data" / "taxonomy" / "model_summary.zh.md"

_TITLE = re.compile(r"^#\s+(?P<title>.+?)\s*$")
_SECTION = re.compile(r"^##\s+(?:(?P<number>\d+)\s*[.、]\s*)?(?P<name>.+?)\s*$")
_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<url>[^)\s]+)\)")
_ENTRY = re.compile(r"^\s*(?:(?:\d+[.)]|[-*+])\s+)?" + _LINK.pattern + r"\s*$")
_INTRO_ITEM = re.compile(r"^\s*[-*+]\s+(?P<local>[^(（\[]*?)\s*[（(]?" + _LINK.pattern + r"[)）]?\s*$")
_CATEGORY_SUFFIX = re.compile(r"\s+models?$", re.IGNORECASE)


class TaxonomyError(ValueError):
    """The document is not a taxonomy this parser can read; the message says where."""


@dataclass(frozen=True)
class Entry:
    """One model listed under a category."""

    name: str  # as the document writes it
    anchor: str  # the link fragment, which identifies the model
    url: str
    position: int
    line: int


@dataclass
class Section:
    """One category: its heading, its name in the document's language, its models."""

    name: str
    slug: str
    position: int
    line: int
    label_local: str | None = None
    anchor: str | None = None
    models: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Taxonomy:
    """A parsed taxonomy document."""

    name: str
    title: str
    language: str | None
    categories: tuple[Section, ...]
    digest: str
    skipped_sections: tuple[str, ...]

    @property
    def models(self) -> list[Entry]:
        return [m for c in self.categories for m in c.models]


def _anchor(url: str) -> str:
    fragment = url.partition("#")[2]
    return slugify(fragment) if fragment else ""


def _category_slug(name: str) -> str:
    return slugify(_CATEGORY_SUFFIX.sub("", name.strip()))


def _guess_language(text: str) -> str | None:
    if re.search(r"[\u4e00-\u9fff]", text):
        return "zh"
    return None


def parse_taxonomy(text: str, *, name: str, language: str | None = None) -> Taxonomy:
    """Parse taxonomy ``text``; ``name`` identifies the document in messages and IRIs.

    Raises TaxonomyError naming the line when the document has no title,
    no category with models, a model outside any category, a link without
    an anchor, or the same model twice.
    """
    if not text.strip():
        raise TaxonomyError(f"{name}: the document is empty")
    lines = text.splitlines()
    title = ""
    local_names: dict[str, tuple[str, str]] = {}  # category slug -> (local label, anchor)
    sections: list[Section] = []
    current: Section | None = None
    seen: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if not line.strip():
            continue
        if (m := _SECTION.match(line)) is not None:
            section_name = m.group("name").strip()
            current = Section(section_name, _category_slug(section_name), len(sections) + 1, number)
            sections.append(current)
            continue
        if (m := _TITLE.match(line)) is not None:
            if title:
                raise TaxonomyError(f"{name}:{number}: a second '# ' title; categories are '## ' headings")
            title = m.group("title")
            continue
        if current is None:
            if (m := _INTRO_ITEM.match(line)) is not None and m.group("local"):
                local_names[_category_slug(m.group("text"))] = (m.group("local").strip(), _anchor(m.group("url")))
            continue
        if (m := _ENTRY.match(line)) is not None:
            anchor = _anchor(m.group("url"))
            if not anchor:
                raise TaxonomyError(
                    f"{name}:{number}: the link for {m.group('text')!r} has no #anchor to identify the model"
                )
            if anchor in seen:
                raise TaxonomyError(f"{name}:{number}: model #{anchor} is already listed on line {seen[anchor]}")
            seen[anchor] = number
            current.models.append(
                Entry(m.group("text").strip(), anchor, m.group("url"), len(current.models) + 1, number)
            )
    if not title:
        raise TaxonomyError(f"{name}: no '# ' title line; is this a taxonomy document?")
    categories = tuple(s for s in sections if s.models)
    if not categories:
        raise TaxonomyError(f"{name}: no '## ' category heading lists any model link like '1. [BERT](...#bert)'")
    slugs = [c.slug for c in categories]
    if len(set(slugs)) != len(slugs):
        raise TaxonomyError(f"{name}: two categories share a name: {', '.join(slugs)}")
    for position, category in enumerate(categories, start=1):
        category.position = position
        if category.slug in local_names:
            category.label_local, category.anchor = local_names[category.slug]
    return Taxonomy(
        name=name,
        title=title,
        language=language or _guess_language(text),
        categories=categories,
        digest=hashlib.sha256(text.encode()).hexdigest(),
        skipped_sections=tuple(s.name for s in sections if not s.models),
    )


def read_taxonomy(path: str | Path) -> Taxonomy:
    """Parse the taxonomy document at ``path``; messages name the path, IRIs its file stem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TaxonomyError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise TaxonomyError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise TaxonomyError(f"{path}: cannot read it ({exc.strerror})") from None
    return parse_taxonomy(text, name=str(path))
