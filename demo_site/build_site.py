"""Build demo_site/site/ from the article texts in demo_site/content/ and the page templates in demo_site/templates/.

    python -m demo_site.build_site

The built files are committed, so serving the site needs neither Jinja2 nor
fpdf2 (both in the dev extra); re-run this after editing content or templates.
The output is deterministic: the tests rebuild into a temporary directory and
compare with the committed site.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from babel.dates import format_date

PACKAGE_DIR = Path(__file__).parent
CONTENT_DIR = PACKAGE_DIR / "content"
TEMPLATE_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
SITE_ROOT = PACKAGE_DIR / "site"
RELATED_COUNT = 3
LATEST_COUNT = 5


class ContentError(ValueError):
    """A content file cannot be turned into pages; the message names the file and, where known, the page."""


@dataclass
class Article:
    source_id: str
    section: Section
    slug: str
    title: str
    published: date
    body: str
    time: str = "10:00"
    lead: str = ""
    encoding: str = "utf-8"
    image_caption: str = ""
    tags: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.section.article_url.format(slug=self.slug)

    @property
    def paragraphs(self) -> list[str]:
        return [" ".join(p.split()) for p in self.body.strip().split("\n\n")]

    @property
    def display_date(self) -> str:
        return format_published(self.published, self.section.date_style, self.section.lang)


@dataclass
class Section:
    """One language edition of a source's news: its listing, pagination and article URLs."""

    lang: str
    listing_url: str
    page_url: str
    article_url: str
    per_page: int
    date_style: str
    title: str
    feed_url: str = ""
    articles: list[Article] = field(default_factory=list)

    def listing_page_url(self, number: int) -> str:
        return self.listing_url if number == 1 else self.page_url.format(n=number)

    def pages(self) -> list[list[Article]]:
        return [self.articles[i : i + self.per_page] for i in range(0, len(self.articles), self.per_page)]


@dataclass
class Source:
    id: str
    template: str
    info: dict[str, Any]
    sections: list[Section]
    pages: list[dict[str, Any]]
    sitemap_url: str = ""
    report: dict[str, Any] | None = None

    @property
    def articles(self) -> list[Article]:
        return [article for section in self.sections for article in section.articles]


def format_published(published: date, style: str, lang: str) -> str:
    """The date as the publisher prints it: "14.07.2023", "14 Temmuz 2023", "14 Temmuz 2023 Cuma" or "12/16/2019"."""
    patterns = {"dotted": "dd.MM.y", "long": "d MMMM y", "long_weekday": "d MMMM y EEEE", "us": "MM/dd/y"}
    return format_date(published, patterns[style], locale=lang)


def load_source(path: Path) -> Source:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        site = data["site"]
        sections = {s["lang"]: Section(**s) for s in site.pop("section")}
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise ContentError(f"demo content {path}: {exc!r}") from exc
    for position, entry in enumerate(data.get("article", []), start=1):
        try:
            section = sections[entry.pop("lang", "tr")]
            section.articles.append(Article(source_id=site["id"], section=section, **entry))
        except (KeyError, TypeError) as exc:
            raise ContentError(f"demo content {path}, article #{position} ({entry.get('slug')}): {exc!r}") from exc
    for section in sections.values():
        section.articles.sort(key=lambda a: (a.published, a.time), reverse=True)
    return Source(
        id=site.pop("id"),
        template=site.pop("template"),
        sitemap_url=site.pop("sitemap_url", ""),
        report=data.get("report"),
        info=site,
        sections=list(sections.values()),
        pages=data.get("page", []),
    )


def load_sources(content_dir: Path = CONTENT_DIR) -> list[Source]:
    return [load_source(path) for path in sorted(content_dir.glob("*.toml"))]


def related(article: Article) -> list[Article]:
    """The articles nearest in date in the same section, as a "related news" box shows them."""
    others = [a for a in article.section.articles if a is not article]
    return sorted(others, key=lambda a: abs((a.published - article.published).days))[:RELATED_COUNT]


def output_path(root: Path, url: str) -> Path:
    relative = url.lstrip("/")
    return root / relative / "index.html" if url.endswith("/") else root / relative


def write(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))


def build(site_root: Path = SITE_ROOT, content_dir: Path = CONTENT_DIR) -> None:
    """Write the whole site into site_root, replacing what was there only once the new build is complete."""
    sources = load_sources(content_dir)
    site_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_root.name}-", dir=site_root.parent))
    try:
        write_site(staging / "site", sources)
        if site_root.exists():
            shutil.rmtree(site_root)
        (staging / "site").rename(site_root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_site(site_root: Path, sources: list[Source]) -> None:
    """Render every page, feed, sitemap and the report of the sources into the (new) directory site_root."""
    # Imported here so that reading the content (the tests do) never needs the dev extra's Jinja2 and fpdf2.
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from demo_site.build_report import build_report

    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    shutil.copytree(STATIC_DIR, site_root)

    for source in sources:
        shared = {"source": source, "info": source.info, "sources": sources}
        for section in source.sections:
            latest = section.articles[:LATEST_COUNT]
            pages = section.pages()
            for number, page_articles in enumerate(pages, start=1):
                html = env.get_template("listing.html.j2").render(
                    **shared,
                    section=section,
                    articles=page_articles,
                    number=number,
                    page_count=len(pages),
                    latest=latest,
                )
                write(output_path(site_root, section.listing_page_url(number)), html)
            for article in section.articles:
                html = env.get_template(f"{source.template}/article.html.j2").render(
                    **shared, section=section, article=article, related=related(article), latest=latest
                )
                try:
                    write(output_path(site_root, article.url), html, article.encoding)
                except UnicodeEncodeError as exc:
                    raise ContentError(
                        f"demo page {article.url} ({source.id}) cannot be written in {article.encoding}: {exc}"
                    ) from exc
            if section.feed_url:
                rss = env.get_template("rss.xml.j2").render(**shared, section=section)
                write(output_path(site_root, section.feed_url), rss)
        for page in source.pages:
            html = env.get_template("page.html.j2").render(
                **shared, section=source.sections[0], page=page, latest=source.sections[0].articles[:LATEST_COUNT]
            )
            write(output_path(site_root, page["url"]), html)
        if source.report:
            build_report(source.report, output_path(site_root, source.report["url"]))
        if source.sitemap_url:
            write(output_path(site_root, source.sitemap_url), env.get_template("sitemap.xml.j2").render(**shared))

    write(site_root / "sitemap.xml", env.get_template("sitemap_index.xml.j2").render(sources=sources))
    write(site_root / "index.html", env.get_template("index.html.j2").render(sources=sources))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m demo_site.build_site", description=__doc__)
    parser.add_argument("--out", type=Path, default=SITE_ROOT, help="output directory (default: demo_site/site)")
    args = parser.parse_args(argv)
    build(args.out)
    print(f"demo site written to {args.out}")


if __name__ == "__main__":
    main()
