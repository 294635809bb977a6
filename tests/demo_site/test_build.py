"""The committed site is exactly what demo_site/build_site.py makes from the content and templates."""

import pytest

from demo_site.server import SITE_ROOT


def test_committed_site_matches_a_fresh_build(tmp_path):
    pytest.importorskip("jinja2", reason="building the demo site needs the dev extra (jinja2)")
    pytest.importorskip("fpdf", reason="building the demo site needs the dev extra (fpdf2)")
    from demo_site.build_site import build

    build(tmp_path / "site")
    built = {p.relative_to(tmp_path / "site"): p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    committed = {p.relative_to(SITE_ROOT): p.read_bytes() for p in SITE_ROOT.rglob("*") if p.is_file()}
    assert sorted(built) == sorted(committed)
    stale = [str(path) for path in built if built[path] != committed[path]]
    assert not stale, f"run `python -m demo_site.build_site`: these files differ from a fresh build: {stale}"


def test_a_page_that_cannot_be_encoded_in_its_declared_charset_fails_the_build(tmp_path):
    pytest.importorskip("jinja2", reason="building the demo site needs the dev extra (jinja2)")
    pytest.importorskip("fpdf", reason="building the demo site needs the dev extra (fpdf2)")
    from demo_site.build_site import CONTENT_DIR, ContentError, build

    content = tmp_path / "content"
    content.mkdir()
    source = (CONTENT_DIR / "karacay-tso.toml").read_text(encoding="utf-8")
    (content / "karacay-tso.toml").write_text(source.replace("Şöyle ki;", "Rusça: Москва;"), encoding="utf-8")
    with pytest.raises(ContentError, match=r"kobi-isbirligi-ve-kumelenme.*windows-1254"):
        build(tmp_path / "site", content)


def test_a_content_file_with_an_unknown_field_names_the_file_and_article(tmp_path):
    from demo_site.build_site import CONTENT_DIR, ContentError, load_source

    broken = tmp_path / "oaso.toml"
    source = (CONTENT_DIR / "oaso.toml").read_text(encoding="utf-8")
    broken.write_text(source.replace('time = "14:15"', 'saat = "14:15"'), encoding="utf-8")
    with pytest.raises(ContentError, match=r"oaso\.toml, article #1 \(rayli-sistemler.*saat"):
        load_source(broken)
