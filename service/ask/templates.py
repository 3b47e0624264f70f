"""The prepared SPARQL queries /ask answers with, and the exact text of each as run.

Every answer comes from one of these templates. The entities a question
names are bound to the template's variables as RDF terms (pyoxigraph
substitutions), so nothing the user typed is ever formatted into a query.
For the answer's ``sparql`` field the same template is shown with its
bindings written as a ``VALUES`` block, so the text runs as-is at /sparql
and returns the rows the answer came from; the values written there are
IRIs taken from the graph (checked against the IRI pattern the project
mints) and integers, never question text.

>>> t = TEMPLATES["models_in_category"]
>>> shown = t.display(category=[ox.NamedNode("https://w3id.org/modelkg/category/multimodal")])
>>> print(next(line for line in shown.splitlines() if "VALUES" in line))
  VALUES ?category { <https://w3id.org/modelkg/category/multimodal> }
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from graph.queries import select
from graph.vocab import PREFIXES

_SAFE_IRI = re.compile(r"^https://w3id\.org/modelkg/[a-z-]+/[A-Za-z0-9._-]+$")
_PREFIX_USE = re.compile(r"\b([a-z]+):[A-Za-z]")

Term = ox.NamedNode | ox.Literal


@dataclass(frozen=True)
class Template:
    """A parameterised query: its name, SPARQL text, and the variables bound from the question."""

    name: str
    query: str
    params: tuple[str, ...] = ()

    def run(self, store: ox.Store, **bindings: Term) -> list[dict]:
        """Rows for one value per parameter, bound as terms."""
        missing = set(self.params) - set(bindings)
        if missing:
            raise ValueError(f"template {self.name} needs {sorted(missing)}")
        return select(store, self.query, **bindings)

    def run_many(self, store: ox.Store, **bindings: Sequence[Term]) -> list[dict]:
        """Rows for several values per parameter: one run per combination, in order (what ``VALUES`` means)."""
        if not bindings:
            return self.run(store)
        names = list(bindings)
        rows: list[dict] = []
        for combination in itertools.product(*(bindings[n] for n in names)):
            rows.extend(self.run(store, **dict(zip(names, combination, strict=True))))
        return rows

    def display(self, **bindings: Sequence[Term]) -> str:
        """The query as it ran, with prefixes declared and the bound values in a ``VALUES`` block."""
        body = self.query.strip()
        if bindings:
            values = "".join(
                f"\n  VALUES ?{name} {{ {' '.join(_literal_text(term) for term in terms)} }}"
                for name, terms in bindings.items()
            )
            head, brace, rest = body.partition("{")
            body = head + brace + values + rest
        used = [p for p in dict.fromkeys(_PREFIX_USE.findall(body)) if p in PREFIXES]
        prefixes = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in sorted(used))
        return prefixes + body + "\n"


def _literal_text(term: Term) -> str:
    """A bound value written as SPARQL: a graph IRI or an integer, nothing else."""
    if isinstance(term, ox.NamedNode):
        if not _SAFE_IRI.match(term.value):
            raise ValueError(f"refusing to write {term.value!r} into a query")
        return f"<{term.value}>"
    if isinstance(term, ox.Literal) and term.datatype.value.endswith("#integer") and term.value.isdigit():
        return term.value
    raise ValueError(f"refusing to write {term!r} into a query")


def _t(name: str, query: str, *params: str) -> Template:
    return Template(name, query, params)


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        _t(
            "models_for_task",
            """
SELECT DISTINCT ?task ?model ?rank ?evidence ?suitability ?reason WHERE {
  ?model a mkg:Model ; mkg:suitability ?suitability .
  ?suitability mkg:task ?task ; mkg:evidence ?evidence ; mkg:reason ?reason .
  ?evidence mkg:rank ?rank .
} ORDER BY ?rank ?model""",
            "task",
        ),
        _t(
            "models_for_task_in_category",
            """
SELECT DISTINCT ?task ?category ?model ?rank ?evidence ?suitability ?reason WHERE {
  ?model a mkg:Model ; mkg:category ?category ; mkg:suitability ?suitability .
  ?suitability mkg:task ?task ; mkg:evidence ?evidence ; mkg:reason ?reason .
  ?evidence mkg:rank ?rank .
} ORDER BY ?rank ?model""",
            "task",
            "category",
        ),
        _t(
            "models_with_objective",
            """
SELECT DISTINCT ?objective ?model ?cpos ?pos WHERE {
  ?model a mkg:Model ; mkg:objective ?objective ; mkg:category ?category ; mkg:position ?pos .
  ?category mkg:position ?cpos .
} ORDER BY ?cpos ?pos""",
            "objective",
        ),
        _t(
            "models_in_category",
            """
SELECT DISTINCT ?category ?model ?pos WHERE {
  ?model a mkg:Model ; mkg:category ?category ; mkg:position ?pos .
} ORDER BY ?pos""",
            "category",
        ),
        _t(
            "lineage_ancestors",
            """
SELECT DISTINCT ?model ?related ?relation ?via WHERE {
  { ?model mkg:lineage ?lineage . ?lineage mkg:source ?related ; mkg:relation ?relation . }
  UNION
  { ?model mkg:derivedFrom ?via . ?via mkg:derivedFrom+ ?related .
    FILTER NOT EXISTS { ?model mkg:derivedFrom ?related } }
} ORDER BY ?via ?related""",
            "model",
        ),
        _t(
            "lineage_descendants",
            """
SELECT DISTINCT ?model ?related ?relation ?via WHERE {
  { ?related mkg:lineage ?lineage . ?lineage mkg:source ?model ; mkg:relation ?relation . }
  UNION
  { ?related mkg:derivedFrom ?via . ?via mkg:derivedFrom+ ?model .
    FILTER NOT EXISTS { ?related mkg:derivedFrom ?model } }
} ORDER BY ?via ?related""",
            "model",
        ),
        _t(
            "model_paper",
            """
SELECT DISTINCT ?model ?paper ?title ?year ?arxiv WHERE {
  ?model mkg:paper ?paper . ?paper dcterms:title ?title ; mkg:year ?year .
  OPTIONAL { ?paper mkg:arxivId ?arxiv }
}""",
            "model",
        ),
        _t(
            "model_organization",
            """
SELECT DISTINCT ?model ?organization WHERE {
  ?model mkg:organization ?organization .
}""",
            "model",
        ),
        _t(
            "model_facts",
            """
SELECT DISTINCT ?model ?multilingual ?maxLength ?attention WHERE {
  ?model a mkg:Model .
  OPTIONAL { ?model mkg:multilingual ?multilingual }
  OPTIONAL { ?model mkg:maxSequenceLength ?maxLength }
  OPTIONAL { ?model mkg:attentionNote ?attention }
}""",
            "model",
        ),
        _t(
            "model_checkpoints",
            """
SELECT DISTINCT ?model ?checkpoint ?hubId ?parameters WHERE {
  ?model mkg:checkpoint ?checkpoint . ?checkpoint mkg:hubId ?hubId .
  OPTIONAL { ?checkpoint mkg:parameterCount ?parameters }
} ORDER BY DESC(?parameters)""",
            "model",
        ),
        _t(
            "model_objectives",
            """
SELECT DISTINCT ?model ?objective WHERE {
  ?model mkg:objective ?objective .
}""",
            "model",
        ),
        _t(
            "model_tasks",
            """
SELECT DISTINCT ?model ?task ?rank ?evidence ?suitability ?reason WHERE {
  ?model mkg:suitability ?suitability .
  ?suitability mkg:task ?task ; mkg:evidence ?evidence ; mkg:reason ?reason .
  ?evidence mkg:rank ?rank .
} ORDER BY ?rank ?task""",
            "model",
        ),
        _t(
            "describe_model",
            """
SELECT DISTINCT ?model ?category ?organization ?year ?objective ?task WHERE {
  ?model mkg:category ?category ; mkg:organization ?organization ; mkg:paper/mkg:year ?year .
  OPTIONAL { ?model mkg:objective ?objective }
  OPTIONAL { ?model mkg:suitability [ mkg:task ?task ; mkg:evidence mkg:CuratedEvidence ] }
}""",
            "model",
        ),
        _t(
            "model_of_paper",
            """
SELECT DISTINCT ?paper ?model WHERE {
  ?model a mkg:Model ; mkg:paper ?paper .
}""",
            "paper",
        ),
        _t(
            "multilingual_models",
            """
SELECT DISTINCT ?model ?cpos ?pos WHERE {
  ?model a mkg:Model ; mkg:multilingual true ; mkg:category ?category ; mkg:position ?pos .
  ?category mkg:position ?cpos .
} ORDER BY ?cpos ?pos""",
        ),
        _t(
            "long_context_models",
            """
SELECT DISTINCT ?model ?maxLength ?curated WHERE {
  ?model a mkg:Model .
  OPTIONAL { ?model mkg:maxSequenceLength ?maxLength }
  OPTIONAL { ?model mkg:suitability [ mkg:task task:long-document-understanding ; mkg:evidence ?curated ] .
             FILTER(?curated = mkg:CuratedEvidence) }
  FILTER(BOUND(?curated) || ?maxLength > 512)
} ORDER BY DESC(BOUND(?curated)) DESC(?maxLength) ?model""",
        ),
        _t(
            "models_by_organization",
            """
SELECT DISTINCT ?organization ?model ?pos WHERE {
  ?model a mkg:Model ; mkg:organization ?organization ; mkg:position ?pos .
} ORDER BY ?pos""",
            "organization",
        ),
        _t(
            "models_by_year",
            """
SELECT DISTINCT ?year ?model ?paper WHERE {
  ?model a mkg:Model ; mkg:paper ?paper . ?paper mkg:year ?year .
} ORDER BY ?model""",
            "year",
        ),
        _t(
            "list_tasks",
            """
SELECT ?task (COUNT(DISTINCT ?model) AS ?models) WHERE {
  ?task a mkg:Task .
  OPTIONAL { ?model mkg:suitability [ mkg:task ?task ; mkg:evidence mkg:CuratedEvidence ] }
} GROUP BY ?task ORDER BY DESC(?models) ?task""",
        ),
        _t(
            "list_objectives",
            """
SELECT ?objective (COUNT(DISTINCT ?model) AS ?models) WHERE {
  ?objective a mkg:Objective .
  OPTIONAL { ?model mkg:objective ?objective }
} GROUP BY ?objective ORDER BY DESC(?models) ?objective""",
        ),
        _t(
            "list_categories",
            """
SELECT ?category ?pos (COUNT(DISTINCT ?model) AS ?models) WHERE {
  ?category a mkg:Category ; mkg:position ?pos .
  OPTIONAL { ?model mkg:category ?category }
} GROUP BY ?category ?pos ORDER BY ?pos""",
        ),
        _t(
            "list_models",
            """
SELECT DISTINCT ?model ?category ?cpos ?pos WHERE {
  ?model a mkg:Model ; mkg:category ?category ; mkg:position ?pos .
  ?category mkg:position ?cpos .
} ORDER BY ?cpos ?pos""",
        ),
    )
}
