"""The HTML pages in process: what each page holds, its language, and that it names no other host.

What a browser does with them (scripts, drawings, downloads) is in ``test_browser.py``; how long each
takes to render is measured by ``bench/bench_pages.py``, not asserted here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from graph.examples import EXAMPLES
from service.app import create_app
from service.i18n import LANGUAGES, TEXT
from service.pages import DEMO_TEXTS, JS_TEXT_KEYS

HTML = {"Accept": "text/html,application/xhtml+xml"}
SEED_MODELS = 28
#: Seed models transformers 5 no longer implements: their page says so instead of offering a demo.
REMOVED_FROM_TRANSFORMERS = {"transformer-xl", "xlm-prophetnet", "mmbt"}
CATEGORIES_EN = [
    "Autoregressive models",
    "Autoencoding models",
    "Sequence-to-sequence models",
    "Multimodal models",
    "Retrieval-based models",
]


@pytest.fixture(scope="module")
def app(seed_db_url: str) -> Flask:
    return create_app({"database_url": seed_db_url, "rate_limit": "off"})


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as c:
        yield c


class Resources(HTMLParser):
    """Every URL the browser would fetch on its own (scripts, styles, icons, images, frames)."""

    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "audio", "video", "source") and a.get("src"):
            self.fetched.append(a["src"])
        if tag == "link" and a.get("rel") in ("stylesheet", "icon", "preload", "modulepreload") and a.get("href"):
            self.fetched.append(a["href"])

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def page(client: FlaskClient, path: str, **kwargs: object):
    response = client.get(path, headers=HTML, **kwargs)
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "text/html"
    return response


PAGES = [
    "/",
    "/?q=Which+models+suit+summarization%3F",
    "/browse",
    "/query",
    "/model/bert",
    "/task/summarization",
    "/objective/masked-language-modeling",
    "/category/autoencoding",
    "/paper/1810.04805",
]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_fetches_only_from_this_server(client: FlaskClient, path: str, lang: str) -> None:
    response = page(client, path + ("&" if "?" in path else "?") + "lang=" + lang)
    assert response.headers["Content-Language"] == lang
    parser = Resources()
    parser.feed(response.get_data(as_text=True))
    assert parser.fetched, path
    for url in parser.fetched:
        assert url.startswith("/") and not url.startswith("//"), f"{path} fetches {url}"
    for url in parser.fetched:
        fetched = client.get(url)
        fetched.close()
        assert fetched.status_code == 200, url
    html = response.get_data(as_text=True)
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in html
    assert 'name="viewport"' in html


def test_interface_text_has_both_languages() -> None:
    for key, entry in TEXT.items():
        assert set(entry) == set(LANGUAGES) and all(entry.values()), key
    assert set(JS_TEXT_KEYS) <= set(TEXT)


def test_the_language_comes_from_the_query_then_the_cookie_then_accept_language(client: FlaskClient) -> None:
    assert page(client, "/").headers["Content-Language"] == "en"
    zh = page(client, "/?lang=zh")
    assert "lang=zh" in zh.headers["Set-Cookie"]
    assert "提问" in zh.get_data(as_text=True)
    assert page(client, "/browse").headers["Content-Language"] == "zh"  # the cookie
    with client.application.test_client() as fresh:
        chinese = fresh.get("/", headers={**HTML, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
        assert chinese.headers["Content-Language"] == "zh"
    # The switch link keeps the page and its arguments, in the other language.
    html = page(client, "/browse?task=summarization&lang=en").get_data(as_text=True)
    switch = re.search(r'id="lang-switch" href="([^"]+)"', html).group(1)
    assert switch.startswith("/browse?") and "task=summarization" in switch and "lang=zh" in switch


def test_home_offers_suggested_questions_in_each_language(client: FlaskClient) -> None:
    en = page(client, "/?lang=en").get_data(as_text=True)
    assert en.count('class="suggestion"') >= 3 and "Which models suit summarization?" in en
    assert f"The taxonomy: {SEED_MODELS} models in {len(CATEGORIES_EN)} categories" in en
    assert '<a href="/model/bert?lang=en">BERT</a>' in en
    zh = page(client, "/?lang=zh").get_data(as_text=True)
    assert "哪些模型适合做摘要？" in zh
    asked = page(client, "/?q=%3Cb%3Ebold%3C%2Fb%3E&lang=en").get_data(as_text=True)
    assert "<b>bold</b>" not in asked and "&lt;b&gt;bold&lt;/b&gt;" in asked


def test_browse_lists_the_taxonomy_in_the_summary_order(client: FlaskClient) -> None:
    html = page(client, "/browse?lang=en").get_data(as_text=True)
    headings = re.findall(r'<h2><a href="/category/[^"]+">\d+\. ([^<]+)</a></h2>', html)
    assert headings == CATEGORIES_EN
    assert html.count('class="model-card"') == SEED_MODELS
    assert 'id="overview"' in html
    preset = page(client, "/browse?lang=en&task=summarization&multilingual=true").get_data(as_text=True)
    assert '<option value="summarization" selected>' in preset
    assert 'id="filter-multilingual" name="multilingual" value="true" checked' in preset
    zh = page(client, "/browse?lang=zh").get_data(as_text=True)
    assert "自回归模型" in zh and "预训练目标" in zh


def test_query_page_holds_the_examples_the_vocabulary_and_the_query_from_the_url(client: FlaskClient) -> None:
    html = page(client, "/query?lang=en").get_data(as_text=True)
    for example in EXAMPLES:
        assert str(escape(example.title)) in html
    assert html.count('class="example"') == len(EXAMPLES)
    assert "vendor/codemirror/codemirror.js" in html and "vendor/codemirror/show-hint.js" in html
    assert '"suitedFor"' in html and '"summarization"' in html  # completion terms
    query = 'SELECT ?m WHERE { ?m rdfs:label "<tag>" }'
    mine = page(client, "/query", query_string={"query": query}).get_data(as_text=True)
    assert "SELECT ?m WHERE { ?m rdfs:label &#34;&lt;tag&gt;&#34; }" in mine
    zh = page(client, "/query?lang=zh").get_data(as_text=True)
    assert EXAMPLES[0].title_zh in zh and "运行查询" in zh
    for example in EXAMPLES:  # described in the reader's language
        assert str(escape(example.description_zh)) in zh and str(escape(example.description)) not in zh


def _seed_models(client: FlaskClient) -> list[str]:
    html = page(client, "/browse?lang=en").get_data(as_text=True)
    return re.findall(r'data-slug="([^"]+)"', html)


def test_every_seed_model_has_a_page_with_both_labels_a_drawing_and_a_demo_form(client: FlaskClient) -> None:
    slugs = _seed_models(client)
    assert len(slugs) == SEED_MODELS
    for slug in slugs:
        html = page(client, f"/model/{slug}?lang=en").get_data(as_text=True)
        assert re.search(r"<h1>[^<]+</h1>", html), slug
        assert '<dd lang="en">' in html and '<dd lang="zh-CN">' in html, slug
        assert 'id="neighbourhood"' in html, slug
        if slug in REMOVED_FROM_TRANSFORMERS:
            assert 'class="warn not-runnable"' in html and 'id="demo-form"' not in html, slug
        else:
            assert f'id="demo-form" class="demo" data-model="{slug}"' in html, slug


def test_bert_page_facts(client: FlaskClient) -> None:
    html = page(client, "/model/bert?lang=en").get_data(as_text=True)
    assert "<h1>BERT</h1>" in html
    assert "基于Transformer的双向编码器表示" in html
    assert html.count("<code>google-bert/bert-base-uncased</code>") == 1  # a checkpoint once, with its notes
    assert '<a href="/model/roberta?lang=en">RoBERTa</a>' in html  # lineage
    assert '<a href="/task/fill-mask?lang=en">Fill-mask</a>' in html  # suitability
    assert '<option value="fill-mask" selected>' in html
    assert DEMO_TEXTS["fill-mask"] in html
    assert 'rel="alternate" type="text/turtle" href="/model/bert?format=ttl"' in html
    zh = page(client, "/model/bert?lang=zh").get_data(as_text=True)
    assert '<p class="kind">模型</p>' in zh and "适用任务" in zh
    gpt2 = page(client, "/model/gpt-2?lang=en").get_data(as_text=True)
    assert '<option value="text-generation" selected>' in gpt2


@pytest.mark.parametrize(
    ("path", "kind", "zh"),
    [
        ("/task/summarization", "task", "摘要"),
        ("/objective/masked-language-modeling", "objective", "掩码"),
        ("/category/sequence-to-sequence", "category", "序列到序列"),
        ("/paper/1810.04805", "paper", None),
    ],
)
def test_pages_for_each_kind_of_entity(client: FlaskClient, path: str, kind: str, zh: str | None) -> None:
    html = page(client, path + "?lang=en").get_data(as_text=True)
    assert f'data-kind="{kind}"' in html
    assert 'id="neighbourhood"' in html
    assert 'id="demo-form"' not in html
    if zh:
        assert zh in html


def test_an_unknown_entity_is_a_404_page_for_browsers_and_json_for_machines(client: FlaskClient) -> None:
    response = client.get("/model/no-such-model?lang=en", headers=HTML)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Not in the graph" in response.get_data(as_text=True)
    machine = client.get("/model/no-such-model", headers={"Accept": "text/turtle"})
    assert machine.status_code == 404 and machine.get_json()["error"]["code"]


def test_the_same_url_serves_turtle_to_machines(client: FlaskClient) -> None:
    turtle = client.get("/model/bert", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.mimetype == "text/turtle"
    assert "model:bert" in turtle.get_data(as_text=True) or "<https://w3id.org/modelkg/model/bert>" in turtle.get_data(
        as_text=True
    )


def test_favicon_is_served_here(client: FlaskClient) -> None:
    response = client.get("/favicon.ico")
    response.close()
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
