from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from crawler.registry import DEFAULT_REGISTRY, RegistryError, SourceConfig, load_registry

REPO_ROOT = Path(__file__).resolve().parents[2]

REQUIRED_PUBLISHERS = {
    "ticaret": "ticaret.gov.tr",
    "tobb": "tobb.org.tr",
    "tim": "tim.org.tr",
    "kosgeb": "kosgeb.gov.tr",
    "btso": "btso.org.tr",
    "eso": "eso.org.tr",
    "ito": "ito.org.tr",
    "iso": "iso.org.tr",
    "ikmib": "ikmib.org.tr",
    "eib": "egebirlik.org.tr",
    "demirci_tso": "demircitso.org.tr",
}


def test_shipped_registry_covers_the_required_publishers_unchecked() -> None:
    registry = load_registry()
    assert registry.path == DEFAULT_REGISTRY
    for source_id, domain in REQUIRED_PUBLISHERS.items():
        source = registry.get(source_id)
        assert any(d.endswith(domain) for d in source.allowed_domains), source_id
        assert source.start_urls or source.feeds or source.sitemaps
    assert len([s for s in registry.sources if s.kind == "news_outlet"]) >= 2
    assert all(source.checked_live is False for source in registry.sources)
    header = DEFAULT_REGISTRY.read_text(encoding="utf-8").split("[[source]]")[0]
    assert "checked" in header and "NONE" in header
    assert all(source.selectors is None for source in registry.sources)


def test_placeholders_are_filled_from_the_base_url(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        """
[[source]]
id = "demirci"
name = "Demirci TSO"
kind = "chamber"
allowed_domains = ["{host}"]
start_urls = ["{base_url}/odalar/demirci/haberler/"]
article_patterns = ['/haber/[^/]+$']
[source.selectors]
body = "div.news-body"
""",
        encoding="utf-8",
    )
    registry = load_registry(path, base_url="http://127.0.0.1:8765/")
    source = registry.get("demirci")
    assert source.allowed_domains == ["127.0.0.1"]
    assert source.start_urls == ["http://127.0.0.1:8765/odalar/demirci/haberler/"]
    assert source.selectors is not None and source.selectors.body == "div.news-body"
    assert source.allows("http://127.0.0.1:8765/haber/x")
    assert not source.allows("http://example.org/haber/x")
    assert registry.source_for_url("http://127.0.0.1:9/haber/x") is source


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ('id = "Bad Id"\nname = "x"\nkind = "chamber"\nallowed_domains = ["a.tr"]', "id"),
        ('id = "x"\nname = "x"\nkind = "bakery"\nallowed_domains = ["a.tr"]', "kind"),
        (
            'id = "x"\nname = "x"\nkind = "chamber"\nallowed_domains = ["a.tr"]\narticle_patterns = ["(unclosed"]',
            "regular",
        ),
        (
            'id = "x"\nname = "x"\nkind = "chamber"\nallowed_domains = ["a.tr"]\nstart_urls = ["{base_url}/h"]',
            "base URL",
        ),
        ('id = "x"\nname = "x"\nkind = "chamber"\nallowed_domains = ["a.tr"]\nstart_urls = ["ftp://a.tr/"]', "http"),
        ('id = "x"\nname = "x"\nkind = "chamber"', "allowed_domains"),
        ('id = "x"\nname = "x"\nkind = "chamber"\nallowed_domains = ["a.tr"]\nschedule = "weekly"', "schedule"),
    ],
)
def test_invalid_entries_name_the_file_and_the_entry(tmp_path: Path, entry: str, complaint: str) -> None:
    path = tmp_path / "broken.toml"
    good = '[[source]]\nid = "good"\nname = "ok"\nkind = "ministry"\nallowed_domains = ["b.tr"]\n'
    path.write_text(f"{good}\n[[source]]\n{entry}\n", encoding="utf-8")
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    message = str(caught.value)
    assert str(path) in message
    assert "entry #2" in message
    assert complaint in message


def test_duplicate_ids_and_broken_toml_are_rejected(tmp_path: Path) -> None:
    entry = '[[source]]\nid = "same"\nname = "ok"\nkind = "ministry"\nallowed_domains = ["b.tr"]\n'
    path = tmp_path / "twice.toml"
    path.write_text(entry + entry, encoding="utf-8")
    with pytest.raises(RegistryError, match="duplicate id 'same'"):
        load_registry(path)
    path.write_text("[[source]\nid=", encoding="utf-8")
    with pytest.raises(RegistryError, match="not valid TOML"):
        load_registry(path)
    with pytest.raises(RegistryError, match="cannot read"):
        load_registry(tmp_path / "missing.toml")


def test_unknown_source_id_names_the_registry() -> None:
    with pytest.raises(KeyError, match="no source 'nope'"):
        load_registry().get("nope")


def test_demo_site_registry_loads() -> None:
    demo = REPO_ROOT / "demo_site" / "sources.toml"
    if not demo.is_file():
        pytest.skip(f"demo site registry {demo} not present")
    registry = load_registry(demo, base_url="http://127.0.0.1:8765")
    assert registry.sources
    for source in registry.sources:
        assert all("{" not in url for url in source.start_urls + source.feeds + source.sitemaps)
        assert source.allowed_domains == ["127.0.0.1"]


def test_a_schedule_is_an_interval() -> None:
    def source(schedule: str) -> SourceConfig:
        return SourceConfig(id="x", name="x", kind="chamber", allowed_domains=["a.tr"], schedule=schedule)

    assert source("every 6h").interval == timedelta(hours=6)
    assert source("every 90m").interval == timedelta(minutes=90)
    assert source("every 2d").interval == timedelta(days=2)
