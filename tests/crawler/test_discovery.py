"""Which links the generic spider treats as articles, listing pages and pagination."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.registry import SourceConfig
from crawler.spiders.news import NewsSpider
from kume.store import Store


@pytest.fixture
def spider_for(tmp_path: Path):
    store = Store(tmp_path / "store.sqlite3")

    def make(**fields: object) -> NewsSpider:
        source = SourceConfig.model_validate(
            {"id": "oda", "name": "Oda", "kind": "chamber", "allowed_domains": ["oda.test"], **fields}
        )
        return NewsSpider(source=source, store=store)

    yield make
    store.close()


def test_article_patterns_decide_when_given(spider_for) -> None:
    spider = spider_for(article_patterns=[r"/Sayfalar/Detay\.php"])
    assert spider.is_article("https://oda.test/Sayfalar/Detay.php?id=12")
    assert not spider.is_article("https://oda.test/haber/uzun-bir-haber-basligi")


def test_generic_heuristics_without_patterns(spider_for) -> None:
    spider = spider_for(listing_patterns=[r"/haberler/?$"])
    assert spider.is_article("https://oda.test/haber/ur-ge-heyeti-almanyada")
    assert spider.is_article("https://oda.test/duyuru/48213")
    assert spider.is_article("https://oda.test/raporlar/faaliyet-raporu.pdf")
    assert not spider.is_article("https://oda.test/iletisim")
    assert not spider.is_article("https://oda.test/haberler")


def test_pagination_is_the_same_listing_with_another_page_number() -> None:
    listing = "https://oda.test/haberler"
    assert NewsSpider.is_pagination(listing, "https://oda.test/haberler?page=2")
    assert NewsSpider.is_pagination(listing, "https://oda.test/haberler/sayfa/3/")
    assert NewsSpider.is_pagination(
        "https://oda.test/haberler?kategori=ihracat", "https://oda.test/haberler?kategori=ihracat&sayfa=2"
    )
    assert not NewsSpider.is_pagination(listing, "https://oda.test/duyurular?page=2")
    assert not NewsSpider.is_pagination(
        "https://oda.test/haberler?kategori=ihracat", "https://oda.test/haberler?kategori=fuar&sayfa=2"
    )
    assert not NewsSpider.is_pagination(listing, listing)
