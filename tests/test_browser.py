"""The pages driven in a real headless Chromium against a served process.

Ask a question and see the models, run an example query and download its CSV, click through the lineage
drawing from BERT to RoBERTa, run a demo from a model page, filter the browse page, switch to Chinese, and
look at every page at phone width. Every test records each request its page makes and fails if any goes to
a host other than the service. Screenshots land in ``tests/artifacts/`` (ignored by git).

Playwright drives Debian's ``/usr/bin/chromium`` (``make browser`` installs it): it cannot download its own
browser here, so the suite is skipped, saying why, when that binary is missing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server import Server, serve

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "headless Chromium is missing at /usr/bin/chromium: run `make browser` (Debian's chromium) to drive the pages",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 20_000
DEMO_TIMEOUT_MS = 60_000

# Assertions wait as long as actions do: the server may be busy with other tests' work.
expect.set_options(timeout=TIMEOUT_MS)

#: The models the summary's summarization question must show.
SUMMARIZERS = ("BART", "Pegasus", "T5")


@pytest.fixture(scope="module")
def server(seed_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(seed_db_url, tmp_path_factory.mktemp("browser"), settings={"rate_limit": "off"}) as running:
        yield running


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
    yield browser
    browser.close()


class Visit:
    """A page in a fresh browser context that records every request and script error."""

    def __init__(self, browser: Browser, server: Server, viewport: dict[str, int], **context: object) -> None:
        self.server = server
        self.context = browser.new_context(viewport=viewport, accept_downloads=True, **context)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, path: str) -> Page:
        response = self.page.goto(self.server.url + path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        return self.page

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)

    def check_and_close(self) -> None:
        origin = self.server.url + "/"
        elsewhere = [url for url in self.requests if not url.startswith(origin)]
        self.context.close()
        assert not elsewhere, f"the page reached beyond the service: {elsewhere}"
        assert not self.errors, f"script errors: {self.errors}"


@pytest.fixture
def visit(browser: Browser, server: Server) -> Iterator[Visit]:
    v = Visit(browser, server, DESKTOP)
    yield v
    v.check_and_close()


def _node_point(page: Page, container: str, iri: str) -> dict[str, float]:
    """Where Cytoscape drew the node ``iri`` inside ``container``, in page coordinates."""
    page.wait_for_function(f"document.querySelector({container!r}).modelkgGraph !== undefined")
    page.locator(container).scroll_into_view_if_needed()
    # Cytoscape caches where its container is and refreshes that on the next scroll event it handles.
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.wait_for_timeout(200)
    return page.evaluate(
        """([selector, iri]) => {
             const box = document.querySelector(selector), cy = box.modelkgGraph, node = cy.getElementById(iri);
             if (node.empty()) return null;
             const at = node.renderedPosition(), rect = box.getBoundingClientRect();
             return {x: rect.left + at.x, y: rect.top + at.y, inside: at.x > 0 && at.y > 0 && at.x < rect.width && at.y < rect.height};
           }""",
        [container, iri],
    )


def _editor(page: Page) -> str:
    return page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")


def test_ask_shows_the_summarization_models_with_reasons_evidence_and_sparql(visit: Visit) -> None:
    page = visit.open("/")
    page.fill("#q", "Which models suit summarization?")
    page.keyboard.press("Enter")
    answers = page.locator("ol.answers > li.answer")
    expect(answers.first).to_be_visible()
    labels = answers.locator("> a").all_inner_texts()
    for name in SUMMARIZERS:
        assert name in labels, labels
    assert "q=Which+models" in page.url or "q=Which%20models" in page.url
    expect(answers.first.locator(".why li").first).to_contain_text("Summarization")
    page.locator("details.evidence-facts summary").click()
    expect(page.locator("ul.triples li").first).to_contain_text("mkg:")
    visit.shot("home-answer")

    page.locator("details.see-sparql summary").click()
    sparql = page.locator("details.see-sparql pre").inner_text()
    assert "SELECT" in sparql
    page.locator("a.open-editor").click()
    page.wait_for_url(re.compile(r"/query\?"))
    expect(page.locator("#results table")).to_be_visible()
    assert _editor(page).strip() == sparql.strip()
    expect(page.locator("#results tbody")).to_contain_text("BART")

    # The answer's model links open the model's page.
    page.go_back()
    page.wait_for_url(re.compile(r"/\?"))
    bart = page.locator("ol.answers").get_by_role("link", name="BART", exact=True)
    expect(bart).to_be_visible()
    bart.click()
    page.wait_for_url(re.compile(r"/model/bart\b"))


def test_a_suggested_demo_question_shows_the_output_and_says_when_weights_are_random(visit: Visit) -> None:
    page = visit.open("/")
    with page.expect_response(lambda r: "/ask?" in r.url, timeout=DEMO_TIMEOUT_MS) as answer:
        page.locator("a.suggestion", has_text="GPT-2").click()
    demo = answer.value.json()["demo"]
    assert demo and demo["output"], demo
    box = page.locator(".demo-answer")
    expect(box.locator(".demo-output")).to_be_visible()
    warning = box.locator(".random-weights")
    if demo["weights"] == "random":
        expect(warning).to_have_text("Random weights: this shows the architecture runs; its text is noise.")
    else:
        expect(warning).to_have_count(0)
    visit.shot("home-demo")
    box.locator("a.try-link").click()
    page.wait_for_url(re.compile(r"/model/gpt-2\?lang=en#try$"))
    expect(page.locator("#demo-form")).to_be_visible()


def test_run_an_example_query_sort_it_and_download_its_csv(visit: Visit) -> None:
    page = visit.open("/query")
    expect(page.locator(".CodeMirror .cm-keyword").first).to_be_visible()  # highlighted
    page.locator("a.example", has_text="Papers by year").click()
    expect(page.locator("#results table")).to_be_visible()
    assert "query=" in page.url and "mkg%3Ayear" in page.url.replace(":", "%3A")
    expect(page.locator("#views ol.timeline li").first).to_be_visible()
    rows = page.locator("#results tbody tr")
    count = rows.count()
    assert count >= 25

    # IRIs in results link to their pages... this query returns literals; the lineage example has IRIs.
    assert page.locator("#results th").all_inner_texts() == ["year", "model", "title", "arxiv"]
    column = page.locator("#results th").nth(1)
    column.locator("button").click()
    expect(column).to_have_attribute("aria-sort", "ascending")
    models = page.locator("#results tbody tr td:nth-child(2)").all_inner_texts()
    assert models == sorted(models, key=lambda m: m.casefold()) or models == sorted(models), models
    column.locator("button").press("Enter")  # the same control by keyboard
    expect(column).to_have_attribute("aria-sort", "descending")
    assert page.locator("#results tbody tr td:nth-child(2)").first.inner_text() == models[-1]
    visit.shot("sparql-results")

    with page.expect_download() as download:
        page.locator("#dl-csv").click()
    assert download.value.suggested_filename.endswith(".csv")
    table = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert len(table) == count, Path(download.value.path()).read_text(encoding="utf-8")
    assert set(table[0]) == {"year", "model", "title", "arxiv"}
    bert = next(row for row in table if row["model"] == "BERT")
    assert bert["arxiv"] == "1810.04805" and bert["year"] == "2018"

    json_href = page.locator("#dl-json").get_attribute("href")
    assert json_href and "format=json" in json_href
    ttl = page.locator("#dl-ttl")
    expect(ttl).to_be_hidden()  # a SELECT has no Turtle form


def test_the_query_is_bookmarkable_and_iris_link_to_their_pages(visit: Visit) -> None:
    query = "SELECT ?m WHERE { ?m mkg:derivedFrom model:bert } ORDER BY ?m"
    page = visit.open("/query?query=" + query.replace(" ", "+").replace("{", "%7B").replace("}", "%7D"))
    expect(page.locator("#results table")).to_be_visible()
    assert _editor(page) == query
    link = page.locator("#results tbody a", has_text="model:roberta")
    expect(link).to_have_attribute("href", re.compile(r"^/model/roberta"))
    link.click()
    page.wait_for_url(re.compile(r"/model/roberta\b"))
    expect(page.locator("h1")).to_have_text("RoBERTa")


def test_a_syntax_error_is_shown_in_words_at_its_line_and_column(visit: Visit) -> None:
    page = visit.open("/query")
    expect(page.locator("#results table")).to_be_visible()
    page.evaluate(
        "document.querySelector('.CodeMirror').CodeMirror.setValue('SELECT ?m WHERE {\\n  ?m a mkg:Model . FILTER(?m = )\\n}')"
    )
    page.locator("#run").click()
    error = page.locator("#query-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(re.compile(r"syntax error at line \d+, column \d+: expected"))
    line, column = re.search(r"line (\d+), column (\d+)", error.inner_text()).groups()
    assert int(line) >= 2  # the parser's own position, marked in the editor
    assert (error.get_attribute("data-line"), error.get_attribute("data-column")) == (line, column)
    expect(page.locator(".CodeMirror .error-line")).to_have_count(1)
    expect(page.locator("#results table")).to_have_count(0)
    visit.shot("sparql-error")


def test_the_editor_completes_prefixes_and_vocabulary_terms(visit: Visit) -> None:
    page = visit.open("/query")
    page.locator(".CodeMirror").click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.type("SELECT ?m WHERE { ?m mkg:suit")
    hints = page.locator(".CodeMirror-hints li")
    expect(hints.first).to_be_visible()
    assert "mkg:suitedFor" in hints.all_inner_texts()
    page.keyboard.press("Escape")
    page.keyboard.type(" ta")
    expect(hints.first).to_be_visible()
    assert "task:" in hints.all_inner_texts()


def test_bert_page_click_through_the_lineage_drawing_to_roberta(visit: Visit) -> None:
    page = visit.open("/model/bert")
    expect(page.locator("h1")).to_have_text("BERT")
    expect(page.locator(".labels dd[lang=zh-CN]")).to_contain_text("双向编码器")
    expect(page.locator(".checkpoints li").first).to_contain_text("google-bert/")
    expect(page.locator("#demo-form")).to_be_visible()
    visit.shot("entity-bert")
    point = _node_point(page, "#neighbourhood", "https://w3id.org/modelkg/model/roberta")
    assert point and point["inside"], point
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(re.compile(r"/model/roberta\?"))
    expect(page.locator("h1")).to_have_text("RoBERTa")
    # ...and back from RoBERTa to BERT by keyboard, through the links the drawing lists.
    link = page.locator('.graph-links a[data-iri="https://w3id.org/modelkg/model/bert"]')
    link.focus()
    assert link.bounding_box()["width"] > 1  # shown when focused
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/model/bert\?"))


def test_run_a_demo_from_a_model_page(visit: Visit) -> None:
    page = visit.open("/model/bert")
    form = page.locator("#demo-form")
    expect(form.locator("select[name=task]")).to_have_value("fill-mask")
    assert "[MASK]" in form.locator("textarea").input_value()
    with page.expect_response(lambda r: r.url.endswith("/demo"), timeout=DEMO_TIMEOUT_MS) as response:
        form.locator("button[type=submit]").click()
    data = response.value.json()
    assert response.value.ok, data
    assert data["task"] == "fill-mask"
    output = page.locator("#demo-result .demo-output")
    expect(output).to_be_visible()
    assert output.inner_text().count("\n") >= 1  # one candidate a line
    warning = page.locator("#demo-result .random-weights")
    if data["weights"] == "random":
        expect(warning).to_be_visible()
        expect(warning).to_contain_text("Random weights")
    else:
        expect(warning).to_have_count(0)
    visit.shot("entity-bert-demo")

    # GPT-2 preselects generation, and the text follows the task.
    page = visit.open("/model/gpt-2")
    expect(page.locator("#demo-form select[name=task]")).to_have_value("text-generation")


def test_browse_filters_and_the_overview_drawing(visit: Visit) -> None:
    page = visit.open("/browse")
    cards = page.locator(".model-card")
    assert cards.count() == 28
    headings = page.locator("section.category h2").all_inner_texts()
    assert headings[0].startswith("1. Autoregressive") and len(headings) == 5
    page.wait_for_function("document.getElementById('overview').modelkgGraph !== undefined")
    assert page.evaluate("document.getElementById('overview').modelkgGraph.nodes().length") >= 33

    page.select_option("#filter-task", "summarization")
    visible = page.locator(".model-card:not([hidden]) > a").all_inner_texts()
    for name in SUMMARIZERS:
        assert name in visible
    assert "BERT" not in visible
    assert "task=summarization" in page.url
    expect(page.locator("#filter-count")).to_have_text(str(len(visible)))

    page.select_option("#filter-task", "")
    page.check("#filter-multilingual")
    visible = page.locator(".model-card:not([hidden]) > a").all_inner_texts()
    assert {"mBART", "mT5", "XLM-RoBERTa"} <= set(visible) and "GPT-2" not in visible

    page.uncheck("#filter-multilingual")
    page.select_option("#filter-objective", "masked-language-modeling")
    visible = page.locator(".model-card:not([hidden]) > a").all_inner_texts()
    assert "BERT" in visible and "GPT-2" not in visible
    visit.shot("browse")

    page.locator(".model-card a", has_text="DistilBERT").click()
    page.wait_for_url(re.compile(r"/model/distilbert\?"))


def test_switch_to_chinese(visit: Visit) -> None:
    page = visit.open("/")
    page.locator("#lang-switch").click()
    page.wait_for_url(re.compile(r"lang=zh"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("header nav")).to_contain_text("浏览")
    page.fill("#q", "哪些模型适合做摘要？")
    page.keyboard.press("Enter")
    expect(page.locator("ol.answers > li.answer").first).to_be_visible()
    assert "BART" in page.locator("ol.answers > li > a").all_inner_texts()
    expect(page.locator("ol.answers .why li").first).to_contain_text("摘要")
    visit.shot("home-zh")

    # The choice sticks (a cookie), and the graph's own labels come in Chinese.
    page.locator("header nav a", has_text="浏览").click()
    expect(page.locator("section.category h2").first).to_contain_text("自回归模型")
    expect(page.locator("#filter-task option", has_text="摘要")).to_have_count(1)
    visit.shot("browse-zh")
    visit.open("/model/bert")
    expect(page.locator(".kind")).to_have_text("模型")
    expect(page.locator("h2").first).to_have_text("适用任务")
    expect(page.locator("#demo-form button")).to_have_text("运行")
    visit.shot("entity-bert-zh")
    page.locator("#lang-switch").click()
    page.wait_for_url(re.compile(r"lang=en"))
    expect(page.locator(".kind")).to_have_text("Model")


def test_every_page_fits_a_phone(browser: Browser, server: Server) -> None:
    phone = Visit(browser, server, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        for name, path in [
            ("home", "/?q=Which+models+suit+summarization%3F"),
            ("browse", "/browse"),
            ("sparql", "/query"),
            ("entity-bert", "/model/bert"),
            ("task-summarization", "/task/summarization"),
        ]:
            page = phone.open(path)
            if name == "home":
                expect(page.locator("ol.answers li").first).to_be_visible()
            if name == "sparql":
                expect(page.locator("#results table")).to_be_visible()
            page.wait_for_load_state("networkidle")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} is {overflow}px wider than a phone"
            phone.shot(f"phone-{name}")
    finally:
        phone.check_and_close()


def test_keyboard_reaches_the_content_and_the_question_box(visit: Visit) -> None:
    page = visit.open("/browse")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page = visit.open("/")
    expect(page.locator("#q")).to_be_focused()  # the question box has focus at once


@pytest.mark.parametrize(
    "path",
    [
        "/task/summarization",
        "/objective/masked-language-modeling",
        "/category/sequence-to-sequence",
        "/paper/1810.04805",
    ],
)
def test_every_kind_of_entity_has_a_page_with_both_labels_and_a_drawing(visit: Visit, path: str) -> None:
    page = visit.open(path)
    expect(page.locator("h1")).not_to_be_empty()
    kind = path.split("/")[1]
    expect(page.locator("article.entity")).to_have_attribute("data-kind", kind)
    if kind != "paper":
        expect(page.locator(".labels dd[lang=zh-CN]")).not_to_be_empty()
    graph = page.locator("#neighbourhood")
    expect(graph.locator("canvas").first).to_be_attached()
    assert int(graph.get_attribute("data-nodes")) > 1
    visit.shot("entity-" + kind)
