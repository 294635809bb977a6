"""The demo site as a crawler sees it: every link resolves, robots/sitemaps/feeds point at real pages,
and the pages carry what the demo needs (dates, inflected country names, the syndicated duplicate)."""

import html
import re
import xml.etree.ElementTree as ET
from collections import deque
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import pytest
from parsel import Selector

from demo_site.build_site import load_sources
from demo_site.server import SITE_ROOT

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
KAZAKISTAN_PAGE = "/karacay-tso/haber/hali-ur-ge-heyetimiz-kazakistana-yurt-disi-pazarlama-ziyareti-gerceklestirdi/"
PRESS_RELEASE = "/bakanlik/haberler/ur-ge-projeleriyle-2024te-2-bin-300-firmaya-destek-saglandi/"
REPUBLISHED = "/ihracatci-birligi/haber/ur-ge-projeleriyle-2024te-2-bin-300-firmaya-destek-saglandi.html"
SOURCES = load_sources()
ARTICLES = [article for source in SOURCES for article in source.articles]


def same_site_links(base_url: str, page_url: str, response_text: str, content_type: str) -> set[str]:
    if content_type.startswith("text/html"):
        selector = Selector(text=response_text)
        targets = selector.xpath("//a/@href | //link/@href | //img/@src | //form/@action").getall()
    elif "xml" in content_type:
        root = ET.fromstring(response_text.encode("utf-8"))
        targets = [e.text or "" for e in root.iter() if e.tag.rsplit("}", 1)[-1] in ("loc", "link")]
    elif content_type.startswith("text/plain"):
        targets = re.findall(r"^Sitemap:\s*(\S+)", response_text, flags=re.M)
    else:
        return set()
    links = set()
    for target in targets:
        url = urljoin(page_url, target.strip())
        if url.startswith(base_url + "/"):
            links.add(url.split("#", 1)[0])
    return links


@pytest.fixture(scope="module")
def crawled(base_url, client) -> dict[str, int]:
    """Status (after redirects) of every URL reachable from the home page and robots.txt."""
    statuses: dict[str, int] = {}
    queue = deque([f"{base_url}/", f"{base_url}/robots.txt"])
    while queue:
        url = queue.popleft()
        if url in statuses:
            continue
        response = client.get(url, follow_redirects=True)
        statuses[url] = statuses[str(response.url)] = response.status_code
        if response.status_code == 200:
            content_type = response.headers["content-type"]
            queue.extend(same_site_links(base_url, str(response.url), response.text, content_type) - statuses.keys())
    return statuses


def test_every_link_on_every_page_resolves(base_url, crawled):
    broken = {url: status for url, status in crawled.items() if status != 200}
    assert not broken
    assert {base_url + article.url for article in ARTICLES} <= crawled.keys()


def test_every_file_of_the_site_is_reachable_by_links(base_url, crawled):
    reachable = {urlsplit(url).path for url in crawled}
    for path in SITE_ROOT.rglob("*"):
        if path.is_file():
            relative = "/" + path.relative_to(SITE_ROOT).as_posix()
            url_path = relative.removesuffix("index.html")
            assert url_path in reachable or relative in reachable, f"{relative} is not linked from anywhere"


def test_robots_txt_disallows_search_and_admin_only(base_url, client):
    robots = RobotFileParser()
    robots.parse(client.get("/robots.txt").text.splitlines())
    assert not robots.can_fetch("kume", f"{base_url}/arama?q=UR-GE")
    assert not robots.can_fetch("kume", f"{base_url}/admin/")
    for article in ARTICLES:
        assert robots.can_fetch("kume", base_url + article.url)
    assert robots.site_maps() == [f"{base_url}/sitemap.xml"]


def sitemap_locations(client, url: str) -> list[str]:
    root = ET.fromstring(client.get(url).content)
    return [loc.text or "" for loc in root.iterfind(".//sm:loc", SITEMAP_NS)]


def test_sitemaps_list_only_existing_urls(base_url, client):
    children = sitemap_locations(client, f"{base_url}/sitemap.xml")
    assert children == [f"{base_url}/bakanlik/sitemap.xml", f"{base_url}/ihracatci-birligi/sitemap.xml"]
    listed = [loc for child in children for loc in sitemap_locations(client, child)]
    assert f"{base_url}/bakanlik/yayinlar/kumelenme-destekleri-faaliyet-raporu-2024.pdf" in listed
    assert f"{base_url}{REPUBLISHED}" in listed
    for url in listed:
        assert url.startswith(base_url + "/")
        assert client.get(url).status_code == 200, url


def test_rss_feeds_list_only_existing_articles(base_url, client):
    for source in SOURCES:
        for section in source.sections:
            if not section.feed_url:
                continue
            channel = ET.fromstring(client.get(section.feed_url).content).find("channel")
            assert channel is not None
            links = [item.findtext("link") or "" for item in channel.iterfind("item")]
            assert links == [base_url + article.url for article in section.articles]
            for link in links:
                assert client.get(link).status_code == 200, link


def test_there_are_24_to_30_articles_in_turkish_and_english():
    assert 24 <= len(ARTICLES) <= 30
    assert {article.section.lang for article in ARTICLES} == {"tr", "en"}
    assert len({source.info["name"] for source in SOURCES}) == len(SOURCES) >= 3


def test_one_source_has_three_or_more_listing_pages(client):
    page_counts = {section.listing_url: len(section.pages()) for s in SOURCES for section in s.sections}
    assert max(page_counts.values()) >= 3
    karacay = next(s for s in SOURCES if s.id == "karacay-tso").sections[0]
    third = Selector(text=client.get(karacay.listing_page_url(3)).text)
    assert third.css("nav.pagination a[rel=prev]::attr(href)").get() == karacay.listing_page_url(2)
    second = Selector(text=client.get(karacay.listing_page_url(2)).text)
    assert second.css("nav.pagination a[rel=next]::attr(href)").get() == karacay.listing_page_url(3)


def visible_text(page: str) -> str:
    selector = Selector(text=page)
    return html.unescape(" ".join(selector.xpath("//body//text()[not(ancestor::script)]").getall()))


def test_each_article_shows_its_date_in_the_publishers_turkish_or_english_format(client):
    formats = {"dotted": r"\d{2}\.\d{2}\.\d{4}", "long": r"\d{1,2} \w+ \d{4}", "long_weekday": r"\d{1,2} \w+ \d{4} \w+"}
    for article in ARTICLES:
        text = visible_text(client.get(article.url).text)
        assert article.display_date in text, article.url
        assert re.fullmatch(formats[article.section.date_style], article.display_date)
    months = {a.display_date.split()[1] for a in ARTICLES if a.section.date_style != "dotted"}
    assert {"Şubat", "Ocak", "Kasım", "March"} <= months


def test_some_pages_carry_the_date_in_meta_tags(client):
    oaso = Selector(text=client.get("/oaso/tr/haber/sirbistandan-rayli-sistem-alim-heyeti-kayseride.html").text)
    assert oaso.css('meta[property="article:published_time"]::attr(content)').get() == "2024-04-09T10:20:00+03:00"
    ministry = Selector(text=client.get(PRESS_RELEASE).text)
    assert ministry.css('meta[name="date"]::attr(content)').get() == "2025-01-08"


def test_kazakistan_appears_only_inflected_on_the_trade_mission_page(client):
    text = visible_text(client.get(KAZAKISTAN_PAGE).text)
    assert "Kazakistan'a" in text
    assert not re.search(r"Kazakistan(?![\w'’])", text)
    for article in ARTICLES:
        assert not re.search(r"Kazakistan(?![\w'’])", visible_text(client.get(article.url).text)), article.url


def test_articles_carry_the_kinds_of_facts_kume_extracts():
    text = "\n".join(f"{a.title}\n{a.body}" for a in ARTICLES)
    for needle in ("Özbekistan'daki", "Almanya pazarına", "Rusya'nın", "09-15 Ekim 2024", "10-13 March 2025", "(OASO)"):
        assert needle in text
    assert len(set(re.findall(r"\b\d{2}\.UR-GE\.\d{3}\b", text))) >= 3
    assert "KOBİ İşbirliği ve Kümelenme" in text
    assert "financed by the European Union" in text


def shingles(text: str, size: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def test_the_press_release_is_republished_near_verbatim(client):
    original = Selector(text=client.get(PRESS_RELEASE).text)
    copy = Selector(text=client.get(REPUBLISHED).text)
    original_text = " ".join(original.css(".spot ::text, .haber-icerik ::text").getall())
    copy_text = " ".join(copy.css(".content-text ::text").getall())
    a, b = shingles(original_text), shingles(copy_text)
    similarity = len(a & b) / len(a | b)
    assert 0.85 <= similarity < 1.0
    assert original.css("h1::text").get() == copy.css(".content-title h2::text").get()


def test_english_pages_are_marked_english(client):
    english = [a for a in ARTICLES if a.section.lang == "en"]
    assert len(english) >= 3
    for article in english:
        assert Selector(text=client.get(article.url).text).xpath("/html/@lang").get() == "en"
