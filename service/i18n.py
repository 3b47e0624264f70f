"""Interface text in English and Chinese, and how a request picks its language.

Graph labels come from the graph (``rdfs:label`` @en/@zh); this table holds
only the words of the interface itself.
"""

from __future__ import annotations

from flask import Request

LANGUAGES = ("en", "zh")

TEXT: dict[str, dict[str, str]] = {
    "app_title": {"en": "modelkg", "zh": "modelkg"},
    "tagline": {
        "en": "A knowledge graph of transformer models: what they are, how they were trained, what they suit and why.",
        "zh": "Transformer 模型知识图谱：模型是什么、如何预训练、适合什么任务以及原因。",
    },
    "nav_ask": {"en": "Ask", "zh": "提问"},
    "nav_browse": {"en": "Browse", "zh": "浏览"},
    "nav_sparql": {"en": "SPARQL", "zh": "SPARQL"},
    "switch_language": {"en": "中文", "zh": "English"},
    "ask_placeholder": {"en": "Which models suit summarization?", "zh": "哪些模型适合做摘要？"},
    "ask_button": {"en": "Ask", "zh": "提问"},
    "suggestions": {"en": "Try", "zh": "试试"},
    "answers": {"en": "Models", "zh": "模型"},
    "answers_other": {"en": "Answers", "zh": "答案"},
    "evidence": {"en": "Evidence", "zh": "证据"},
    "see_sparql": {"en": "See the SPARQL", "zh": "查看 SPARQL"},
    "open_in_editor": {"en": "Open in the query editor", "zh": "在查询编辑器中打开"},
    "asking": {"en": "Thinking…", "zh": "思考中…"},
    "no_answer": {"en": "No answer.", "zh": "没有答案。"},
    "demo_output": {"en": "Demo output", "zh": "演示输出"},
    "random_weights": {
        "en": "Random weights: this shows the architecture runs; its text is noise.",
        "zh": "随机权重：仅说明该架构可以运行，输出文本没有意义。",
    },
    "run_query": {"en": "Run query", "zh": "运行查询"},
    "examples": {"en": "Example queries", "zh": "示例查询"},
    "results": {"en": "Results", "zh": "结果"},
    "download": {"en": "This data as", "zh": "下载数据："},
    "rows": {"en": "rows", "zh": "行"},
    "timeline": {"en": "Timeline", "zh": "时间线"},
    "lineage_view": {"en": "Lineage", "zh": "派生关系"},
    "query_error": {"en": "The query has an error", "zh": "查询有误"},
    "facts": {"en": "Facts", "zh": "事实"},
    "labels": {"en": "Labels", "zh": "标签"},
    "aliases": {"en": "Also called", "zh": "别名"},
    "suited_for": {"en": "Suited for", "zh": "适用任务"},
    "lineage": {"en": "Lineage", "zh": "派生关系"},
    "neighbourhood": {"en": "Neighbourhood", "zh": "邻域"},
    "checkpoints": {"en": "Checkpoints", "zh": "检查点"},
    "parameters": {"en": "parameters", "zh": "参数"},
    "linked_from": {"en": "Linked from", "zh": "被引用"},
    "try_it": {"en": "Try it", "zh": "试一下"},
    "demo_text": {"en": "Text to run the model on", "zh": "输入文本"},
    "demo_task": {"en": "Task", "zh": "任务"},
    "demo_run": {"en": "Run", "zh": "运行"},
    "categories": {"en": "Categories", "zh": "类别"},
    "filter_task": {"en": "Task", "zh": "任务"},
    "filter_objective": {"en": "Objective", "zh": "预训练目标"},
    "filter_multilingual": {"en": "Multilingual only", "zh": "仅多语言"},
    "any": {"en": "any", "zh": "全部"},
    "overview": {"en": "The whole graph", "zh": "整体图"},
    "machine_formats": {"en": "As data", "zh": "数据格式"},
    "not_found": {"en": "Not in the graph", "zh": "图中没有此项"},
    "not_found_help": {"en": "The graph has no entity at this address. Try", "zh": "图中没有这个地址的实体。试试"},
    "skip": {"en": "Skip to content", "zh": "跳到正文"},
    "browse_intro": {
        "en": "The taxonomy of the model summary: its categories in order, then their models.",
        "zh": "模型综述的分类体系：依次列出各类别及其模型。",
    },
    "models_shown": {"en": "models shown", "zh": "个模型"},
    "filter_apply": {"en": "Filter", "zh": "筛选"},
    "multilingual": {"en": "multilingual", "zh": "多语言"},
    "overview_help": {
        "en": "Every seed model with its category and lineage. Click a node to open its page.",
        "zh": "所有种子模型及其类别和派生关系。点击节点打开其页面。",
    },
    "graph_help": {
        "en": "Click a node to open its page; drag to move, scroll to zoom.",
        "zh": "点击节点打开其页面；拖动可移动，滚动可缩放。",
    },
    "demo_help": {
        "en": "Runs on this server. Without saved weights the model is a small random instance of its architecture.",
        "zh": "在本服务器上运行。没有保存的权重时，使用该架构的小型随机实例。",
    },
    "not_runnable": {
        "en": "The installed transformers no longer implements this model, so it cannot run here.",
        "zh": "已安装的 transformers 不再实现此模型，因此无法在此运行。",
    },
    "noscript_answer": {
        "en": "Showing the answer here needs JavaScript; the same answer as JSON:",
        "zh": "在此显示答案需要 JavaScript；同一答案的 JSON：",
    },
    "start_from": {"en": "Or start from", "zh": "或者从这里开始"},
    "start_browse": {
        "en": "The taxonomy: {models} models in {categories} categories",
        "zh": "分类体系：{categories} 个类别共 {models} 个模型",
    },
    "running": {"en": "Running…", "zh": "运行中…"},
    "weights_local": {"en": "saved weights", "zh": "本地权重"},
    "weights_bundled": {"en": "bundled weights", "zh": "内置权重"},
    "weights_random": {"en": "random weights", "zh": "随机权重"},
    "yes": {"en": "yes", "zh": "是"},
    "no": {"en": "no", "zh": "否"},
    "kind_model": {"en": "Model", "zh": "模型"},
    "kind_task": {"en": "Task", "zh": "任务"},
    "kind_objective": {"en": "Pre-training objective", "zh": "预训练目标"},
    "kind_category": {"en": "Category", "zh": "类别"},
    "kind_paper": {"en": "Paper", "zh": "论文"},
    "kind_checkpoint": {"en": "Checkpoint", "zh": "检查点"},
    "kind_organization": {"en": "Organisation", "zh": "机构"},
    "kind_model-type": {"en": "transformers model type", "zh": "transformers 模型类型"},
    "kind_head": {"en": "Task head", "zh": "任务头"},
    "editor_help": {
        "en": "Prefixes such as mkg:, model: and task: are declared for you. Ctrl+Space completes a prefix or a term; "
        "Ctrl+Enter runs the query.",
        "zh": "mkg:、model:、task: 等前缀已预先声明。Ctrl+Space 补全前缀或术语，Ctrl+Enter 运行查询。",
    },
}


def choose_language(request: Request) -> str:
    """``?lang=`` first, then the ``lang`` cookie, then Accept-Language, then English."""
    asked = request.args.get("lang") or request.cookies.get("lang")
    if asked in LANGUAGES:
        return asked
    best = request.accept_languages.best_match(["en", "zh", "zh-CN", "zh-TW"])
    return "zh" if best and best.startswith("zh") else "en"


def translator(lang: str):
    """``t(key)``: the interface text for ``key`` in ``lang``."""

    def t(key: str) -> str:
        entry = TEXT.get(key)
        if entry is None:
            return key
        return entry.get(lang) or entry["en"]

    return t
