"""demo_site/sources.toml loads with the crawler's registry loader and its patterns sort the site's URLs."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from demo_site.build_site import load_sources

SOURCES_TOML = Path(__file__).resolve().parents[2] / "demo_site" / "sources.toml"
CONTENT = {source.id: source for source in load_sources()}


@pytest.fixture(scope="module")
def registry(base_url):
    try:
        from crawler.registry import load_registry
    except ImportError as exc:
        pytest.skip(f"crawler.registry.load_registry is not available yet ({exc})")
    return load_registry(SOURCES_TOML, base_url=base_url)


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def matches(patterns: list[str], url: str) -> bool:
    return any(re.search(pattern, path_and_query(url)) for pattern in patterns)


def test_registry_lists_every_demo_source_with_its_languages(registry, base_url):
    assert [s.id for s in registry.sources] == ["karacay-tso", "oaso", "ihracatci-birligi", "bakanlik"]
    assert set(CONTENT) == {s.id for s in registry.sources}
    for source in registry.sources:
        assert source.name == CONTENT[source.id].info["name"]
        assert set(source.languages) == {section.lang for section in CONTENT[source.id].sections}
        assert source.allowed_domains == ["127.0.0.1"]
        assert source.allows(base_url + "/anything")
    kinds = {s.kind for s in registry.sources}
    assert {"chamber", "exporters_association", "ministry"} <= kinds
    assert {"listing", "rss", "sitemap"} <= {d for s in registry.sources for d in s.discovery}


def test_start_urls_feeds_and_sitemaps_are_served(registry, client):
    for source in registry.sources:
        for url in [*source.start_urls, *source.feeds, *source.sitemaps]:
            assert url.startswith(str(client.base_url))
            assert client.get(url).status_code == 200, url


def test_article_patterns_match_exactly_the_sources_own_articles(registry, base_url):
    for source in registry.sources:
        content = CONTENT[source.id]
        own = [base_url + a.url for a in content.articles]
        if content.report:
            own.append(base_url + content.report["url"])
        for url in own:
            assert matches(source.article_patterns, url), f"{source.id} misses its article {url}"
            assert not matches(source.listing_patterns, url), f"{source.id} takes article {url} for a listing"
            others = [s.id for s in registry.sources if s is not source and matches(s.article_patterns, url)]
            assert not others, f"{url} also matches the article patterns of {others}"


def test_listing_patterns_match_every_listing_page_and_no_other_page(registry, base_url):
    for source in registry.sources:
        content = CONTENT[source.id]
        listings = [
            base_url + section.listing_page_url(n)
            for section in content.sections
            for n in range(1, len(section.pages()) + 1)
        ]
        for url in listings:
            assert matches(source.listing_patterns, url), f"{source.id} misses its listing page {url}"
            assert not matches(source.article_patterns, url), f"{source.id} takes listing {url} for an article"
        for page in content.pages:
            url = base_url + page["url"]
            assert not matches(source.article_patterns, url), f"{source.id} takes the static page {url} for news"
        for start_url in source.start_urls:
            assert matches(source.listing_patterns, start_url)
