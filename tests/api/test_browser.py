"""The researchers' page in headless Chromium (Debian's package): what a person sees and clicks."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import Served, _settings, extra_documents, serve_corpus, serve_over_http
from tests.api.corpus import CARPETS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Set KUME_SCREENSHOTS=<dir> to keep screenshots of each step for a human to look at.
SCREENSHOTS = os.environ.get("KUME_SCREENSHOTS")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def base_url(embedded: Served) -> Iterator[str]:
    yield from serve_over_http(embedded.app)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev extra) is not installed")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def test_search_filter_dossier_and_language_switch(browser, base_url: str) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="tr-TR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda message: errors.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(base_url + "/")

    # Typing a query shows hits with the query's words highlighted.
    page.fill("#q", "Kazakistan")
    page.click("#search-button")
    expect(page.locator("#total")).to_have_text(re.compile(r"^3 sonuç$"))
    expect(page.locator("#hits .hit")).to_have_count(3)
    expect(page.locator("#hits mark").first).to_have_text(re.compile("Kazakistan", re.IGNORECASE))
    expect(page.locator("#chart-timeline")).to_be_visible()
    # The charts follow the query: only the matching documents' countries and activity months.
    page.wait_for_function(
        "() => JSON.stringify(Chart.getChart('chart-countries')?.data.labels) === '[\"Kazakistan\",\"Rusya\"]'"
    )
    timeline = page.evaluate(
        "() => { const d = Chart.getChart('chart-timeline').data;"
        " return d.labels.map((m, i) => [m, d.datasets.reduce((n, s) => n + s.data[i], 0)]); }"
    )
    assert timeline[0][0] == "2022-11" and timeline[-1][0] == "2024-03" and len(timeline) == 17
    assert [month for month, count in timeline if count] == ["2022-11", "2023-07", "2024-03"]
    shot(page, "1-search")

    # Ticking a country facet narrows the result and the count follows.
    russia = page.locator('fieldset[data-facet="country"] label', has_text="Rusya")
    expect(russia.locator(".count")).to_have_text("2")
    russia.locator("input").check()
    expect(page.locator("#total")).to_have_text(re.compile(r"^2 sonuç$"))
    expect(page.locator("#hits .hit")).to_have_count(2)
    expect(page.locator("#active-filters .chip")).to_have_count(1)
    shot(page, "2-filtered")

    # A project dossier lists the programme, code and a dated timeline with links to the sources.
    page.click('a[href="#/projects"]')
    page.click(f'a[href="#/project/{CARPETS.id}"]')
    expect(page.locator("#dossier-name")).to_have_text(CARPETS.name)
    expect(page.locator("#dossier-facts")).to_contain_text("21.UR-GE.016")
    expect(page.locator("#dossier-timeline li")).to_have_count(2)
    expect(page.locator("#dossier-timeline li").nth(1)).to_contain_text("2023-07-09 – 2023-07-15")
    expect(page.locator("#dossier-timeline li").nth(1)).to_contain_text("Ticaret heyeti")
    shot(page, "3-dossier")

    # Switching to English translates the interface, facet values included.
    page.click("#lang-en")
    expect(page.locator("#dossier-timeline li").nth(1)).to_contain_text("Trade delegation")
    expect(page.locator("#dossier-facts")).to_contain_text("Kazakhstan")
    page.click('a[href="#/"]')
    expect(page.locator("#total")).to_have_text(re.compile(r"^2 results$"))
    expect(page.locator("#search-button")).to_have_text("Search")
    expect(page.locator('fieldset[data-facet="country"] legend')).to_have_text("Country")
    shot(page, "4-english")

    assert not errors, errors
    context.close()


def test_the_search_lives_in_the_url_through_reload_back_and_forward(browser, base_url: str) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="tr-TR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base_url + "/#/?per_page=3")
    expect(page.locator("#total")).to_have_text(re.compile(r"^8 sonuç$"))
    expect(page.locator("#hits .hit")).to_have_count(3)
    page.click("#more")  # the second page is in the URL too
    expect(page.locator("#hits .hit")).to_have_count(6)
    assert "pages=2" in page.url
    first_six = page.locator("#hits .hit h3").all_inner_texts()
    page.reload()
    expect(page.locator("#hits .hit")).to_have_count(6)
    assert page.locator("#hits .hit h3").all_inner_texts() == first_six
    page.go_back()
    expect(page.locator("#hits .hit")).to_have_count(3)
    page.goto(base_url + "/")

    page.fill("#q", "Kazakistan")
    page.select_option("#sort", "date_desc")
    page.click("#search-button")
    expect(page.locator("#total")).to_have_text(re.compile(r"^3 sonuç$"))
    searched = page.url
    assert "q=Kazakistan" in searched and "sort=date_desc" in searched
    page.locator('fieldset[data-facet="country"] label', has_text="Rusya").locator("input").check()
    expect(page.locator("#total")).to_have_text(re.compile(r"^2 sonuç$"))
    filtered = page.url
    assert "country=RU" in filtered
    titles = page.locator("#hits .hit h3").all_inner_texts()

    # A shared URL opens the same view in a fresh page.
    shared = context.new_page()
    shared.goto(filtered)
    expect(shared.locator("#total")).to_have_text(re.compile(r"^2 sonuç$"))
    expect(shared.locator("#q")).to_have_value("Kazakistan")
    expect(shared.locator("#sort")).to_have_value("date_desc")
    expect(shared.locator("#active-filters .chip")).to_have_count(1)
    assert shared.locator("#hits .hit h3").all_inner_texts() == titles

    page.go_back()
    expect(page.locator("#total")).to_have_text(re.compile(r"^3 sonuç$"))
    expect(page.locator("#active-filters .chip")).to_have_count(0)
    assert page.url == searched
    page.go_forward()
    expect(page.locator("#total")).to_have_text(re.compile(r"^2 sonuç$"))
    assert page.locator("#hits .hit h3").all_inner_texts() == titles
    assert not errors, errors
    context.close()


def test_the_page_takes_a_read_key(browser, tmp_path_factory: pytest.TempPathFactory) -> None:
    from playwright.sync_api import expect

    settings = _settings(tmp_path_factory.mktemp("api-read-key"), "embedded", read_api_key="reader-key")
    served = serve_corpus(settings)
    corpus = next(served)
    try:
        for url in serve_over_http(corpus.app):
            context = browser.new_context(locale="en-GB")
            page = context.new_page()
            page.goto(url + "/")
            expect(page.locator("#error")).to_contain_text("API key")
            page.fill("#api-key", "reader-key")
            page.press("#api-key", "Enter")
            expect(page.locator("#total")).to_have_text(re.compile(r"^8 results$"))
            context.close()
    finally:
        served.close()


def test_the_api_docs_render_under_their_content_security_policy(browser, base_url: str) -> None:
    from playwright.sync_api import expect

    context = browser.new_context()
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.on("pageerror", lambda error: refused.append(str(error)))
    page.goto(base_url + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("kume")
    page.locator(".opblock-summary-path", has_text="/v1/search").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert not refused, refused
    context.close()


def test_only_web_links_are_rendered(browser, base_url: str, embedded: Served) -> None:
    """A document whose URL is javascript: (stored before kume refused such URLs) shows as text, not as a link."""
    from playwright.sync_api import expect

    from search_api.contract import IndexDocument

    hostile = IndexDocument(
        id="javascript-link",
        url="javascript:alert(document.domain)",
        source="kotu",
        title="Zararlı zqxbag",
        body="zqxbag",
    )
    with extra_documents(embedded, [hostile]):
        context = browser.new_context(locale="tr-TR")
        page = context.new_page()
        page.goto(base_url + "/")
        page.fill("#q", "zqxbag")
        page.click("#search-button")
        expect(page.locator("#hits .hit")).to_have_count(1)
        expect(page.locator("#hits .hit h3")).to_have_text("Zararlı zqxbag")
        assert page.locator('a[href^="javascript"]').count() == 0
        context.close()
