"""Main text, title, date and language of one fetched page or PDF, without Scrapy.

`extract_main_text` is a pure function of the fetched bytes so that the crawl, ingest by URL
and the article-extraction benchmark all share it. (Facts are extracted later, by nlp/.)
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import dateparser
import htmldate
import lxml.html
import py3langid
import trafilatura
from charset_normalizer import from_bytes
from charset_normalizer.utils import is_multi_byte_encoding
from lxml.etree import ParserError
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from w3lib.encoding import html_to_unicode, resolve_encoding

from crawler.registry import Selectors
from kume.schema import Page
from kume.text import SUPPORTED_LANGUAGES

# Precision mode drops boilerplate that balanced mode keeps, but on some layouts
# it also drops real paragraphs; when it keeps less than this share of the
# balanced extraction's words, the balanced extraction is the better body.
PRECISION_KEEP_RATIO = 0.5

# Share of control or undecodable characters above which "HTML" is binary junk.
JUNK_CHARACTER_RATIO = 0.05

# What a page of a Turkish source without a declared charset may be in (charset_normalizer's names).
TURKISH_CHARSETS = ["utf_8", "cp1254", "iso8859_9"]

_WORD = re.compile(r"\w+")
_JUNK = re.compile(r"[\x00-\x08\x0e-\x1f\ufffd]")


class MainTextError(ValueError):
    """A page cannot be turned into text; the message names the URL and the reason."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class MainText:
    """What a page says, ready to become a `kume.schema.Page`."""

    title: str
    body: str
    published: date | None
    language: str | None
    encoding: str | None
    content_type: str
    warning: str | None = None  # something about the page needs a look (e.g. a charset that was not its own)

    def to_page(
        self,
        *,
        source: str,
        url: str,
        raw: bytes,
        etag: str | None = None,
        last_modified: str | None = None,
        aliases: list[str] | None = None,
    ) -> Page:
        """The store's `Page` for these bytes, fetched now."""
        return Page(
            source=source,
            url=url,
            fetched_at=datetime.now(UTC),
            raw=raw,
            content_type=self.content_type,
            encoding=self.encoding,
            title=self.title,
            body=self.body,
            published=self.published,
            language=self.language,
            etag=etag,
            last_modified=last_modified,
            aliases=aliases or [],
        )


def is_pdf(raw: bytes, content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/pdf" or raw.startswith(b"%PDF-")


def extract_main_text(
    raw: bytes,
    url: str,
    content_type: str,
    encoding: str | None,
    selectors: Selectors | None = None,
    *,
    languages: list[str] | None = None,
) -> MainText:
    """Extract an HTML page or a PDF report; raise MainTextError naming the URL when there is no text.

    `encoding` is the charset the server declared (HTTP header), trusted first;
    then the page's own meta charset, then detection (see `decode_html`). `languages` are the
    source's registry languages: with only one, it is the page's language.
    """
    warning = None
    if is_pdf(raw, content_type):
        title, body, published = _extract_pdf(raw, url)
        used_encoding = None
        content_type = "application/pdf"
    else:
        html, used_encoding, warning = decode_html(raw, url, content_type, encoding, languages)
        title, body, published = _extract_html(html, url, selectors)
        content_type = "text/html"
    if not body.strip():
        raise MainTextError(url, "no main text found")
    return MainText(
        title=title,
        body=body,
        published=published,
        language=detect_language(f"{title}\n{body}", languages),
        encoding=used_encoding,
        content_type=content_type,
        warning=warning,
    )


def decode_html(
    raw: bytes, url: str, content_type: str, encoding: str | None, languages: list[str] | None = None
) -> tuple[str, str, str | None]:
    """Decode HTML bytes: BOM, declared charset (header, then meta), then detection; (text, charset, warning).

    Detection for a source that publishes in Turkish weighs only UTF-8 and the Turkish single-byte
    charsets (windows-1254, iso-8859-9): over all charsets, a Turkish page without a declared charset
    is often taken for windows-1250 ("toplantısı" read as "toplantýsý"). A page declared in a
    single-byte charset whose bytes are valid UTF-8 (with letters beyond ASCII, which the same text
    in a single-byte charset practically never is) is read as UTF-8, with a warning saying so.
    """
    header = f"text/html; charset={encoding}" if encoding else content_type
    turkish = "tr" in (languages or [])
    encoding_name, text = html_to_unicode(header, raw, auto_detect_fun=functools.partial(_detect_encoding, turkish))
    warning = None
    if not is_multi_byte_encoding(encoding_name) and _is_utf8(raw):
        warning = f"the page says its charset is {encoding or encoding_name}, but its bytes are UTF-8: read as UTF-8"
        encoding_name, text = "utf-8", raw.decode("utf-8")
    if text and len(_JUNK.findall(text)) > JUNK_CHARACTER_RATIO * len(text):
        raise MainTextError(url, f"content is binary, not {content_type.split(';')[0] or 'text'}")
    return text, encoding_name, warning


def _detect_encoding(turkish: bool, raw: bytes) -> str | None:
    best = from_bytes(raw[:200_000], cp_isolation=TURKISH_CHARSETS if turkish else None).best()
    return resolve_encoding(best.encoding) if best is not None else None


def _is_utf8(raw: bytes) -> bool:
    """Valid UTF-8 with at least one character beyond ASCII."""
    if raw.isascii():
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def detect_language(text: str, languages: list[str] | None = None) -> str | None:
    """The page's language: the registry's when it names only one, else py3langid restricted to tr/en."""
    if languages and len(languages) == 1:
        return languages[0]
    candidates = [code for code in (languages or SUPPORTED_LANGUAGES) if code in SUPPORTED_LANGUAGES]
    if not text.strip() or not candidates:
        return None
    language, _ = _language_identifier(tuple(candidates)).classify(text[:5000])
    return str(language)


@functools.cache
def _language_identifier(languages: tuple[str, ...]) -> py3langid.langid.LanguageIdentifier:
    identifier = py3langid.langid.LanguageIdentifier.from_modelpath(
        py3langid.langid.MODEL_DIR / py3langid.langid.MODEL_FILE, norm_probs=True
    )
    identifier.set_languages(list(languages))
    return identifier


def _word_count(text: str) -> int:
    return len(_WORD.findall(text))


def main_text(html: str) -> str:
    """The article body of an HTML page: trafilatura in precision mode, balanced mode when precision lost too much."""
    precise = trafilatura.extract(html, include_comments=False, favor_precision=True) or ""
    balanced = trafilatura.extract(html, include_comments=False) or ""
    if _word_count(precise) >= PRECISION_KEEP_RATIO * _word_count(balanced):
        return precise
    return balanced


def _extract_html(html: str, url: str, selectors: Selectors | None) -> tuple[str, str, date | None]:
    try:
        tree = lxml.html.document_fromstring(html)
    except (ParserError, ValueError) as exc:
        raise MainTextError(url, f"not parseable as HTML: {exc}") from exc
    metadata = trafilatura.extract_metadata(tree, default_url=url)
    title = (metadata.title if metadata else None) or ""
    body = ""
    published = _parse_date(metadata.date) if metadata and metadata.date else None
    if selectors is not None:
        title = _css_text(tree, selectors.title) or title
        body = _css_text(tree, selectors.body, separator="\n")
        if selectors.date and (date_text := _css_text(tree, selectors.date)):
            published = _parse_date(date_text) or published
    if not body:
        body = main_text(html)
    # Extractors often keep the headline as the body's first line; Document.text already starts with the title.
    first_line, _, rest = body.strip().partition("\n")
    if title and rest and " ".join(first_line.split()) == " ".join(title.split()):
        body = rest
    if published is None:
        found = htmldate.find_date(tree, url=url, original_date=True, extensive_search=True)
        published = _parse_date(found) if found else None
    return title.strip(), body.strip(), published


def _css_text(tree: lxml.html.HtmlElement, selector: str | None, separator: str = " ") -> str:
    if not selector:
        return ""
    parts = []
    for element in tree.cssselect(selector):
        for junk in element.xpath(".//script|.//style|.//noscript"):
            junk.drop_tree()
        lines = [" ".join(line.split()) for line in element.itertext()]
        parts.append(separator.join(line for line in lines if line))
    return "\n".join(part for part in parts if part)


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        parsed = dateparser.parse(text, languages=["tr", "en"], settings={"DATE_ORDER": "DMY"})
        return parsed.date() if parsed else None


def _extract_pdf(raw: bytes, url: str) -> tuple[str, str, date | None]:
    try:
        reader = PdfReader(io.BytesIO(raw))
        pages = [page.extract_text() or "" for page in reader.pages]
        metadata = reader.metadata
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise MainTextError(url, f"not a readable PDF: {exc}") from exc
    body = "\n\n".join(text.strip() for text in pages if text.strip())
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    title = (metadata.title if metadata and metadata.title else "") or (lines[0] if lines else "")
    created: datetime | None = None
    if metadata is not None:
        try:
            created = metadata.creation_date or metadata.modification_date
        except ValueError:
            created = None
    return title.strip(), body, created.date() if created else None
