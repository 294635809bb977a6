"""The researchers' page in headless Chromium (Debian's package): what a person sees and clicks."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kume.labels import activity_codes
from nlp.pipeline import Extractor
from tests.api.conftest import Served, _settings, extra_documents, serve_corpus, serve_over_http
from tests.api.corpus import CARPETS
from tests.outputs.corpus import HAND_COUNT, CountedProject, corpus_writer, ingest

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


def test_search_filter_dossier_and_language_switch(browser, base_url: str, embedded: Served) -> None:
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
    # Facet values read by the API's labels, not their codes (a NACE division by its title).
    sectors = embedded.client.get("/v1/search", params={"q": "Kazakistan", "facets": "sector"}).json()["facets"]
    shown = page.locator('fieldset[data-facet="sector"] label span:first-of-type').all_inner_texts()
    assert shown == [sector["label"]["tr"] for sector in sectors["sector"]] and "C13" not in shown
    shot(page, "1-search")

    # Ticking a country facet narrows the result and the count follows.
    russia = page.locator('fieldset[data-facet="country"] label', has_text="Rusya")
    expect(russia.locator(".count")).to_have_text("2")
    russia.locator("input").check()
    expect(page.locator("#total")).to_have_text(re.compile(r"^2 sonuç$"))
    expect(page.locator("#hits .hit")).to_have_count(2)
    expect(page.locator("#active-filters .chip")).to_have_count(1)
    shot(page, "2-filtered")

    # A project dossier lists the code, and the programme and sector by their labels, not their codes.
    dossier = embedded.client.get(f"/v1/projects/{CARPETS.id}").json()
    page.click('a[href="#/projects"]')
    page.click(f'a[href="#/projects/{CARPETS.id}"]')
    expect(page.locator("#dossier-name")).to_have_text(dossier["label"]["tr"])
    assert CARPETS.name in dossier["label"]["tr"]
    expect(page.locator('#dossier-facts dd[data-fact="code"]')).to_have_text("21.UR-GE.016")
    expect(page.locator('#dossier-facts dd[data-fact="program"]')).to_have_text(dossier["program_label"]["tr"])
    expect(page.locator('#dossier-facts dd[data-fact="sector"]')).to_have_text(dossier["sector_label"]["tr"])
    expect(page.locator("#dossier-sources li")).to_have_count(len(dossier["documents"]))
    shot(page, "3-dossier")

    # Switching to English translates the interface, facet values included.
    page.click("#lang-en")
    expect(page.locator('#dossier-facts dd[data-fact="sector"]')).to_have_text(dossier["sector_label"]["en"])
    expect(page.locator("#dossier-facts dt").first).to_have_text("Code")
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


# -- project outputs: the scoreboard and a dossier from events -------------------------------------------------

# The furniture project (its Turkish and English names one project): a trade delegation to Poland on 13-16 May
# 2024 with B2B meetings there (both announced in April, reported done in May), and buyers from Azerbaijan and
# Georgia on 9-11 September 2024. The machinery project: three events done, a delegation to Kazakhstan planned.
FURNITURE = next(counted for counted in HAND_COUNT if "Mobilya UR-GE Projesi" in counted.names)
MACHINERY = next(counted for counted in HAND_COUNT if counted.code == "24.UR-GE.015")


def counted_statuses(counted: CountedProject) -> dict[str, int]:
    return {"done": sum(counted.done_by_activity.values()), "planned": counted.planned}


def counted_row(counted: CountedProject, activity_columns: list[str]) -> dict[str, int]:
    """The scoreboard row a person counts for a project (tests/outputs/corpus.py, HAND_COUNT): done events per
    activity, done and planned events, countries and firms of done events, and the documents telling its events
    (the ministry's report only mentions the home-textile project: it tells none of its events)."""
    return (
        dict.fromkeys(activity_columns, 0)
        | counted.done_by_activity
        | {
            "events": counted_statuses(counted)["done"],
            "planned": counted.planned,
            "countries": len(counted.countries_reached),
            "firms": counted.firms,
            "documents": len({source for event in counted.events for source in event.sources}),
        }
    )


def counted_reach(counted: CountedProject) -> dict[str, str]:
    """Per country reached, the project's done events there, as the map's data-events has them."""
    reach = Counter(country for event in counted.events if event.status == "done" for country in event.countries)
    return {country: str(n) for country, n in reach.items()}


@dataclass
class OutputsSite:
    url: str
    project_ids: dict[str, str]  # project id by each name it is known by

    def id_of(self, counted: CountedProject) -> str:
        return next(self.project_ids[name] for name in counted.names if name in self.project_ids)


@pytest.fixture(scope="module")
def outputs_site(extractor: Extractor, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OutputsSite]:
    """The outputs corpus through the real write side (extract, link, events, index), served by the real app."""
    from api.app import create_app

    with corpus_writer(tmp_path_factory.mktemp("page-outputs"), extractor) as writer:
        ingest(writer)
        project_ids = {name: project.id for project in writer.store.projects() for name in project.names}
        app = create_app(writer.settings, backend=writer.backend, store=writer.store)
        for url in serve_over_http(app):
            yield OutputsSite(url, project_ids)


def scoreboard_table(page) -> list[dict[str, str]]:
    """The scoreboard's rows as the page shows them: the row's key and each column's cell."""
    return page.eval_on_selector_all(
        "#scoreboard-rows tr[data-key]",
        "rows => rows.map(row => Object.fromEntries([['key', row.dataset.key],"
        " ...[...row.querySelectorAll('td')].map(cell => [cell.dataset.column, cell.textContent])]))",
    )


def map_counts(page) -> dict[str, str]:
    """The map's filled countries, each with its count of done events."""
    shapes = page.eval_on_selector_all(
        "#dossier-map path[data-code]", "els => els.map(e => [e.dataset.code, e.dataset.events])"
    )
    return dict(shapes)


def period_counts(page) -> dict[str, dict[str, str]]:
    return page.eval_on_selector_all(
        "#dossier-event-counts tbody tr[data-period]",
        "rows => Object.fromEntries(rows.map(row => [row.dataset.period, Object.fromEntries("
        "[...row.querySelectorAll('td')].map(cell => [cell.dataset.status, cell.textContent]))]))",
    )


def periods_of(dossier: dict) -> dict[str, dict[str, str]]:
    """Done and planned events per month of their start (undated on their own), from the API's dossier."""
    periods: dict[str, dict[str, int]] = {}
    for event in dossier["events"]:
        counts = periods.setdefault(event["start"][:7] if event["start"] else "undated", {"done": 0, "planned": 0})
        counts[event["status"]] += 1
    return {period: {status: str(n) for status, n in counts.items()} for period, counts in periods.items()}


def chart_counts(page) -> dict[str, int]:
    """Done and planned events summed over the dossier chart's periods, as Chart.js holds them."""
    return page.evaluate(
        "() => Object.fromEntries(Chart.getChart('dossier-chart').data.datasets.map((set, i) =>"
        " [['done', 'planned'][i], set.data.reduce((a, b) => a + b, 0)]))"
    )


def test_the_scoreboard_and_a_dossier_from_events_and_their_shared_urls(browser, outputs_site: OutputsSite) -> None:
    from playwright.sync_api import expect

    furniture, machinery_id = outputs_site.id_of(FURNITURE), outputs_site.id_of(MACHINERY)
    context = browser.new_context(locale="tr-TR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(outputs_site.url + "/")
    page.click('a[href="#/scoreboard"]')

    # One row per project, with the events, countries, firms and documents a person counts.
    expect(page.locator("#scoreboard-rows tr[data-key]")).to_have_count(len(HAND_COUNT))
    assert "by=project" in page.url and "sort=events" in page.url
    columns = page.eval_on_selector_all("#scoreboard-head th[data-sort]", "els => els.map(e => e.dataset.sort)")
    rows = {row.pop("key"): row for row in scoreboard_table(page)}
    activity_columns = [column for column in columns if column in activity_codes()]
    for counted in HAND_COUNT:
        expected = counted_row(counted, activity_columns)
        row = rows[outputs_site.id_of(counted)]
        assert {column: int(row[column]) for column in expected} == expected, counted.names
    assert (rows[furniture]["first"], rows[furniture]["last"]) == ("2024-05-13", "2024-09-11")
    shot(page, "5-scoreboard")

    # A click on a header sorts by it (most first, then turned round), and the sort goes to the URL.
    by_firms = [outputs_site.id_of(counted) for counted in sorted(HAND_COUNT, key=lambda counted: -counted.firms)]
    page.click('#scoreboard-head th[data-sort="firms"] button')
    expect(page.locator('#scoreboard-head th[data-sort="firms"]')).to_have_attribute("aria-sort", "descending")
    assert [row["key"] for row in scoreboard_table(page)] == by_firms
    page.click('#scoreboard-head th[data-sort="firms"] button')
    expect(page.locator('#scoreboard-head th[data-sort="firms"]')).to_have_attribute("aria-sort", "ascending")
    assert [row["key"] for row in scoreboard_table(page)] == by_firms[::-1]
    assert "sort=firms" in page.url and "order=asc" in page.url

    # A filter narrows the events counted: those reaching Poland are the furniture project's trip and meetings.
    page.select_option("#scoreboard-country", "PL")
    expect(page.locator("#scoreboard-rows tr[data-key]")).to_have_count(1)
    poland = scoreboard_table(page)[0]
    assert poland["key"] == furniture and poland["events"] == "2" and poland["countries"] == "1"
    assert "country=PL" in page.url
    # And with an activity: of those, the B2B meetings.
    page.select_option("#scoreboard-activity", "b2b_meetings")
    expect(page.locator('#scoreboard-rows td[data-column="events"]')).to_have_text("1")
    poland = scoreboard_table(page)[0]
    assert poland["key"] == furniture and poland["b2b_meetings"] == "1" and "trade_delegation" not in poland
    assert "country=PL" in page.url and "activity=b2b_meetings" in page.url
    csv_href = page.get_attribute("#scoreboard-csv", "href")
    assert csv_href == "/v1/scoreboard?" + page.url.split("#/scoreboard?", 1)[1] + "&format=csv"
    csv = page.request.get(outputs_site.url + csv_href)
    assert csv.ok and csv.body().startswith("\ufeff".encode()) and "Mobilya" in csv.text()

    # The shared URL opens the same view: same filter, same order, same rows.
    shared = page.url
    fresh = context.new_page()
    fresh.goto(shared)
    expect(fresh.locator("#scoreboard-rows tr[data-key]")).to_have_count(1)
    expect(fresh.locator("#scoreboard-country")).to_have_value("PL")
    expect(fresh.locator("#scoreboard-activity")).to_have_value("b2b_meetings")
    expect(fresh.locator('#scoreboard-head th[data-sort="firms"]')).to_have_attribute("aria-sort", "ascending")
    assert scoreboard_table(fresh) == [poland]
    fresh.close()

    # The row's link opens the project's dossier built from its events.
    page.click(f'#scoreboard-rows a[href="#/projects/{furniture}"]')
    expect(page.locator("#view-project")).to_be_visible()
    expect(page.locator("#dossier-map path.reached")).to_have_count(len(counted_reach(FURNITURE)))
    assert map_counts(page) == counted_reach(FURNITURE)
    assert page.locator('#dossier-map path[data-code="PL"] title').text_content() == "Polonya: 2 etkinlik"
    # The timeline: the three done events (none left planned), each in the month it started, as the API dates them.
    dossier = page.request.get(f"{outputs_site.url}/v1/projects/{furniture}").json()
    periods = period_counts(page)
    assert periods == periods_of(dossier)
    assert chart_counts(page) == counted_statuses(FURNITURE)
    assert periods["2024-09"] == {"done": "1", "planned": "0"}
    expect(page.locator("#dossier-events li[data-status]")).to_have_count(3)
    trip = page.locator("#dossier-events li").filter(
        has=page.locator("strong", has_text=re.compile("^Ticaret heyeti$"))
    )
    expect(trip).to_contain_text("2024-05-13 – 2024-05-16")
    expect(page.locator("#dossier-events")).to_contain_text("Alım heyeti")
    expect(page.locator("#dossier-events")).to_contain_text("12 firma")
    expect(page.locator("#dossier-name")).to_have_text("Mobilya UR-GE Projesi")
    expect(page.locator("#dossier-links")).to_contain_text("Furniture UR-GE Project")
    assert page.locator("#dossier-links li[data-reason]").count() >= 2
    reached = page.eval_on_selector_all("#dossier-countries li", "els => els.map(e => e.dataset.code)")
    assert sorted(reached) == sorted(counted_reach(FURNITURE))
    shot(page, "6-dossier-events")

    # Reloaded, the dossier's URL shows the same map and timeline; in English its labels follow.
    page.reload()
    expect(page.locator("#dossier-map path.reached")).to_have_count(len(counted_reach(FURNITURE)))
    assert map_counts(page) == counted_reach(FURNITURE)
    assert period_counts(page) == periods
    page.click("#lang-en")
    expect(page.locator("#dossier-name")).to_have_text("Furniture UR-GE Project")
    expect(page.locator("#dossier-events")).to_contain_text("Purchasing delegation")
    expect(page.locator('#dossier-map path[data-code="AZ"] title')).to_have_text("Azerbaijan: 1 event")

    # The machinery project's planned delegation to Kazakhstan is on its timeline, not on its map (in English: the
    # language chosen last holds for new pages).
    machinery = context.new_page()
    machinery.goto(f"{outputs_site.url}/#/projects/{machinery_id}")
    expect(machinery.locator("#dossier-map path.reached")).to_have_count(1)
    assert map_counts(machinery) == counted_reach(MACHINERY)
    assert chart_counts(machinery) == counted_statuses(MACHINERY)
    expect(machinery.locator('#dossier-events li[data-status="planned"]')).to_contain_text("Kazakhstan")
    machinery.close()

    # Back walks to the scoreboard as it was left.
    page.go_back()
    expect(page.locator("#scoreboard-rows tr[data-key]")).to_have_count(1)
    assert page.url == shared
    assert not errors, errors
    context.close()
