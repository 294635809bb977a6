from __future__ import annotations

import os

import pytest

from crawler.maintext import MainTextError, detect_language, extract_main_text
from crawler.registry import Selectors
from tests.crawler.site import article_html, make_pdf

TURKISH_TITLE = "Şırnak ve Iğdır'dan ihracatçılar Düzce'de buluştu"


def test_windows_1254_page_declared_only_in_meta() -> None:
    raw = article_html(TURKISH_TITLE, "değirmen", charset="windows-1254").encode("cp1254")
    page = extract_main_text(raw, "http://oda.test/haber/1", "text/html", None)
    assert page.title == TURKISH_TITLE
    assert page.encoding == "cp1254"
    assert "\ufffd" not in page.body


def test_http_header_charset_wins_over_a_wrong_meta() -> None:
    # The server says ISO-8859-9; the page's meta wrongly claims UTF-8.
    raw = article_html(TURKISH_TITLE, "halı", charset="utf-8").encode("iso-8859-9")
    page = extract_main_text(raw, "http://oda.test/haber/2", "text/html; charset=iso-8859-9", "iso-8859-9")
    assert page.title == TURKISH_TITLE


def test_undeclared_turkish_charset_is_detected() -> None:
    html = article_html(TURKISH_TITLE, "kilim").replace('<meta charset="utf-8">', "")
    page = extract_main_text(html.encode("cp1254"), "http://oda.test/haber/3", "text/html", None)
    assert "ğ" in page.title or "ş" in page.title.lower()
    assert page.title == TURKISH_TITLE


def test_article_text_date_and_language() -> None:
    raw = article_html("Ticaret heyeti Almanya'da", "makine").encode()
    page = extract_main_text(
        raw, "http://oda.test/haber/4", "text/html; charset=utf-8", "utf-8", languages=["tr", "en"]
    )
    assert page.published is not None and page.published.isoformat() == "2024-03-15"
    assert "Tüm hakları saklıdır" not in page.body
    assert "Ana sayfa" not in page.body
    assert len(page.body.split()) > 100
    assert page.language == "tr"
    assert page.content_type == "text/html"


def test_english_page_is_recognised_between_tr_and_en() -> None:
    text = (
        "The exporters' association organised a trade delegation to Germany for machinery firms. "
        "Twelve companies met buyers in Düsseldorf and discussed new contracts for the coming year. " * 3
    )
    assert detect_language(text, ["tr", "en"]) == "en"
    assert detect_language(text, ["tr"]) == "tr"  # a single registry language is taken as given


def test_pdf_report_has_title_date_and_text() -> None:
    page = extract_main_text(make_pdf(), "http://oda.test/raporlar/r.pdf", "application/pdf", None)
    assert page.content_type == "application/pdf"
    assert page.title == "Kumelenme Faaliyet Raporu 2024"
    assert page.published is not None and page.published.isoformat() == "2024-05-02"
    assert "ihtiyac analizi" in page.body


def test_css_selectors_override_generic_extraction() -> None:
    html = """<html><head><title>Genel başlık</title></head><body>
    <h2 class="news-title">Seçici başlık</h2><span class="date">03.04.2023</span>
    <div class="news-body"><p>Birinci paragraf metni.</p><p>İkinci paragraf metni.</p></div>
    <div class="sidebar"><p>Reklam metni burada.</p></div></body></html>"""
    selectors = Selectors(title="h2.news-title", body="div.news-body", date="span.date")
    page = extract_main_text(html.encode(), "http://oda.test/haber/5", "text/html", "utf-8", selectors)
    assert page.title == "Seçici başlık"
    assert page.body == "Birinci paragraf metni.\nİkinci paragraf metni."
    assert page.published is not None and page.published.isoformat() == "2023-04-03"


def test_binary_junk_named_as_html_is_refused_with_the_url() -> None:
    with pytest.raises(MainTextError, match=r"http://oda\.test/haber/junk: content is binary"):
        extract_main_text(os.urandom(32 * 1024), "http://oda.test/haber/junk", "text/html", None)


def test_broken_pdf_and_empty_page_are_refused_with_the_url() -> None:
    with pytest.raises(MainTextError, match=r"http://oda\.test/r\.pdf: not a readable PDF"):
        extract_main_text(b"%PDF-1.4 truncated", "http://oda.test/r.pdf", "application/pdf", None)
    with pytest.raises(MainTextError, match=r"http://oda\.test/bos: no main text"):
        extract_main_text(
            b"<html><body><script>var a = 1;</script></body></html>", "http://oda.test/bos", "text/html", "utf-8"
        )
