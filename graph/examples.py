"""Example SPARQL queries, titled and described: one list for the README, the query page and the service description.

>>> [e.slug for e in EXAMPLES][:2]
['summarization-models', 'bert-descendants']
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    slug: str
    title: str
    title_zh: str
    description: str
    description_zh: str
    query: str


EXAMPLES: tuple[Example, ...] = (
    Example(
        "summarization-models",
        "Models suited to summarization, with the evidence",
        "适合做摘要的模型及其依据",
        "Curated evidence (from the paper or docs) ranks before a head merely registered in transformers.",
        "整理自论文或文档的依据，排在仅在 transformers 中注册了任务头的依据之前。",
        """SELECT ?model ?evidence ?reason WHERE {
  ?m mkg:suitability ?s ; rdfs:label ?model .
  ?s mkg:task task:summarization ; mkg:evidence ?e ; mkg:reason ?reason .
  ?e mkg:rank ?rank ; rdfs:label ?evidence .
  FILTER(LANG(?model) = "en" && LANG(?evidence) = "en")
} ORDER BY ?rank ?model""",
    ),
    Example(
        "bert-descendants",
        "Everything that derives from BERT, and how",
        "所有派生自 BERT 的模型及派生方式",
        "Follows mkg:derivedFrom at any distance and names each typed lineage relation.",
        "沿 mkg:derivedFrom 追溯任意层级，并给出每一种派生关系的类型。",
        """SELECT DISTINCT ?model ?relation ?source WHERE {
  ?m mkg:derivedFrom* model:bert ; mkg:lineage [ mkg:relation ?r ; mkg:source ?s ] .
  ?m rdfs:label ?model . ?s rdfs:label ?source . ?r rdfs:label ?relation .
  FILTER(LANG(?model) = "en" && LANG(?source) = "en" && LANG(?relation) = "en")
}""",
    ),
    Example(
        "multilingual-checkpoints",
        "Multilingual models with their largest checkpoint",
        "多语言模型及其最大的检查点",
        "Parameter counts come from the papers and model cards.",
        "参数量取自论文和模型卡片。",
        """SELECT ?model (MAX(?params) AS ?largest) WHERE {
  ?m mkg:multilingual true ; rdfs:label ?model ; mkg:checkpoint/mkg:parameterCount ?params .
  FILTER(LANG(?model) = "en")
} GROUP BY ?model ORDER BY DESC(?largest)""",
    ),
    Example(
        "categories-zh",
        "Categories with their Chinese names, in the summary's order",
        "按摘要顺序列出类别及其中文名",
        "The Chinese names are those of the model summary the graph was seeded with.",
        "中文名取自构建本图谱所用的模型摘要。",
        """SELECT ?category ?zh WHERE {
  ?c a mkg:Category ; mkg:position ?pos ; rdfs:label ?category , ?zh .
  FILTER(LANG(?category) = "en" && LANG(?zh) = "zh")
} ORDER BY ?pos""",
    ),
    Example(
        "papers-timeline",
        "Papers by year",
        "按年份排列的论文",
        "When each seed model's paper appeared, with its arXiv id where it has one.",
        "每个种子模型的论文发表于哪一年，有 arXiv 编号的一并列出。",
        """SELECT DISTINCT ?year ?model ?title ?arxiv WHERE {
  ?m mkg:inTaxonomy ?t ; mkg:paper ?p ; rdfs:label ?model .
  ?p mkg:year ?year ; dcterms:title ?title .
  OPTIONAL { ?p mkg:arxivId ?arxiv }
  FILTER(LANG(?model) = "en")
} ORDER BY ?year ?model""",
    ),
    Example(
        "objectives-count",
        "How many models each pre-training objective trained",
        "各预训练目标训练过的模型数量",
        "An aggregate over mkg:objective.",
        "对 mkg:objective 的聚合统计。",
        """SELECT ?objective (COUNT(DISTINCT ?m) AS ?models) WHERE {
  ?m mkg:objective ?o . ?o rdfs:label ?objective .
  FILTER(LANG(?objective) = "en")
} GROUP BY ?objective ORDER BY DESC(?models) ?objective""",
    ),
    Example(
        "removed-models",
        "Seed models transformers no longer implements",
        "transformers 已不再实现的模型",
        "Transformer-XL, XLM-ProphetNet and MMBT, with the reason.",
        "Transformer-XL、XLM-ProphetNet 和 MMBT，并附原因。",
        """SELECT ?model ?note WHERE {
  ?m mkg:transformersStatus "removed" ; mkg:statusNote ?note ; rdfs:label ?model .
  FILTER(LANG(?model) = "en")
}""",
    ),
    Example(
        "model-types-with-qa-head",
        "transformers model types with a question-answering head",
        "带问答头的 transformers 模型类型",
        "From the live transformers registry: about 800 model types and the heads they register.",
        "来自已安装的 transformers 注册表：约 800 种模型类型及其注册的任务头。",
        """SELECT ?type WHERE {
  ?t a mkg:ModelType ; mkg:modelType ?type ; mkg:head <https://w3id.org/modelkg/head/question-answering> .
} ORDER BY ?type LIMIT 50""",
    ),
)

BY_SLUG = {e.slug: e for e in EXAMPLES}


def examples_markdown() -> str:
    """The examples as the README shows them (between its ``examples`` markers)."""
    parts = []
    for example in EXAMPLES:
        parts.append(f"**{example.title}** ({example.description})\n\n```sparql\n{example.query}\n```\n")
    return "\n".join(parts)
