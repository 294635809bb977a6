"""The demo server over real HTTP: status codes, content types, charsets and conditional requests."""

import re
import subprocess
import sys
from email.utils import formatdate, parsedate_to_datetime
from io import BytesIO

import httpx
import pypdf
import pytest

from demo_site.server import SITE_ROOT, serve_demo_site

KOBI_PAGE = "/karacay-tso/haber/kobi-isbirligi-ve-kumelenme-destek-programi-bilgilendirme-toplantisi/"
REPORT = "/bakanlik/yayinlar/kumelenme-destekleri-faaliyet-raporu-2024.pdf"
ARTICLE = "/oaso/en/news/rail-systems-cluster-completes-trade-delegation-to-spain.html"


def test_base_url_is_loopback_with_the_bound_port(base_url):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base_url)
    assert not base_url.endswith(":0")


def test_pages_are_served_as_utf8_html_with_validators(client):
    response = client.get(ARTICLE)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["etag"].startswith('"')
    assert parsedate_to_datetime(response.headers["last-modified"]) is not None
    assert int(response.headers["content-length"]) == len(response.content)
    assert "Rail Systems Cluster Completes Trade Delegation to Spain" in response.text


def test_base_url_placeholder_is_filled_in(client, base_url):
    page = client.get(ARTICLE).text
    assert "{base_url}" not in page
    assert f'<link rel="canonical" href="{base_url}{ARTICLE}">' in page
    assert f"Sitemap: {base_url}/sitemap.xml" in client.get("/robots.txt").text


def test_if_none_match_gives_304_and_a_changed_etag_gives_the_page(client):
    first = client.get(ARTICLE)
    etag = first.headers["etag"]
    again = client.get(ARTICLE, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert client.get(ARTICLE, headers={"If-None-Match": f'W/{etag}, "other"'}).status_code == 304
    assert client.get(ARTICLE, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_if_modified_since_gives_304_unless_the_file_is_newer(client):
    last_modified = client.get(ARTICLE).headers["last-modified"]
    assert client.get(ARTICLE, headers={"If-Modified-Since": last_modified}).status_code == 304
    long_ago = formatdate(0, usegmt=True)
    assert client.get(ARTICLE, headers={"If-Modified-Since": long_ago}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110): a stale tag means the page is sent.
    both = {"If-None-Match": '"stale"', "If-Modified-Since": last_modified}
    assert client.get(ARTICLE, headers=both).status_code == 200


def test_etag_is_per_server_because_served_bytes_carry_the_base_url(client):
    with serve_demo_site() as other_base, httpx.Client(base_url=other_base) as other:
        assert other.get(ARTICLE).headers["etag"] != client.get(ARTICLE).headers["etag"]


def test_head_sends_the_headers_of_get_without_a_body(client):
    get = client.get(ARTICLE)
    head = client.head(ARTICLE)
    assert head.status_code == 200
    assert head.content == b""
    for header in ("content-type", "content-length", "etag", "last-modified"):
        assert head.headers[header] == get.headers[header]


def test_missing_pages_are_404_and_directories_redirect_to_their_slash(client):
    missing = client.get("/karacay-tso/haber/boyle-bir-haber-yok/")
    assert missing.status_code == 404
    assert "/karacay-tso/haber/boyle-bir-haber-yok/" in missing.text
    assert client.get("/../pyproject.toml").status_code == 404
    redirect = client.get("/oaso/tr/haberler")
    assert redirect.status_code == 301
    assert redirect.headers["location"] == "/oaso/tr/haberler/"
    assert client.get("/oaso/tr/haberler", follow_redirects=True).status_code == 200


def test_the_windows_1254_page_says_so_in_header_and_markup_and_decodes_to_turkish(client):
    response = client.get(KOBI_PAGE)
    assert response.headers["content-type"] == "text/html; charset=windows-1254"
    raw = response.content
    assert b'<meta charset="windows-1254">' in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "KOBİ İşbirliği ve Kümelenme Destek Programı".encode("cp1254") in raw
    text = raw.decode("cp1254")
    assert "Çarşamba günü Odamız toplantı salonunda" in text
    assert response.text == text


def test_exactly_one_page_is_stored_in_windows_1254():
    declared = [
        path
        for path in SITE_ROOT.rglob("*.html")
        if b'charset="windows-1254"' in path.read_bytes() or b"charset=windows-1254" in path.read_bytes()
    ]
    assert [p.relative_to(SITE_ROOT).as_posix() for p in declared] == [KOBI_PAGE.strip("/") + "/index.html"]
    for path in SITE_ROOT.rglob("*.html"):
        if path not in declared:
            path.read_bytes().decode("utf-8")


def test_report_is_a_pdf_with_turkish_text(client):
    response = client.get(REPORT)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(BytesIO(response.content))
    assert len(reader.pages) >= 3
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "2024 Yılı UR-GE ve Kümelenme Destekleri Faaliyet Raporu" in text
    assert "Kazakistan'a" in text
    assert set("ğşıİçöüŞÇÖ") <= set(text)
    assert (
        reader.metadata is not None
        and reader.metadata.title == "2024 Yılı UR-GE ve Kümelenme Destekleri Faaliyet Raporu"
    )


def test_feeds_and_xml_are_utf8_with_their_media_types(client):
    rss = client.get("/karacay-tso/rss.xml")
    assert rss.headers["content-type"] == "application/rss+xml; charset=utf-8"
    sitemap = client.get("/sitemap.xml")
    assert sitemap.headers["content-type"] == "application/xml; charset=utf-8"
    assert client.get("/robots.txt").headers["content-type"] == "text/plain; charset=utf-8"
    assert client.get("/assets/logo.svg").headers["content-type"] == "image/svg+xml"


def test_module_runs_as_a_server_from_the_command_line():
    process = subprocess.Popen([sys.executable, "-m", "demo_site", "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
        assert match, line
        assert httpx.get(match.group(1) + "/karacay-tso/haberler/").status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
