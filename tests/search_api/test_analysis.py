"""The shared analysis: Turkish casing, folding, apostrophes, agent suffixes, English stems, highlights."""

from __future__ import annotations

from search_api import analysis


def test_facet_keys_fold_turkish_case_and_accents() -> None:
    assert analysis.fold_key("  Iğdır ") == analysis.fold_key("IĞDIR") == "igdir"


def test_index_and_query_terms_meet_across_case_suffixes_and_keyboards() -> None:
    document = analysis.index_terms("Kazakistan'ımıza giden İHRACATÇILARIMIZ ve IZMIR'deki firmalar", "tr")
    indexed = set(document.split())
    for query in ["Kazakistan", "kazakistan'a", "ihracat", "ihracatçı", "İzmir", "izmir", "IZMIR", "firma"]:
        groups = analysis.query_groups(query)
        assert groups and all(indexed & set(group) for group in groups), query


def test_english_stemming() -> None:
    indexed = set(analysis.index_terms("The chamber organised meetings", "en").split())
    assert all(indexed & set(group) for group in analysis.query_groups("Chambers organising meeting"))


def test_short_words_keep_their_agent_like_ending() -> None:
    # "geçici" (temporary) is not an agent noun of "geç".
    assert analysis.index_terms("geçici", "tr") != analysis.index_terms("geç", "tr")


def test_query_text_is_only_words() -> None:
    assert analysis.query_groups('"a" OR NEAR(b, 2) * -c title:d') == analysis.query_groups("a or near b 2 c title d")


def test_highlight_marks_surface_words_and_escapes_markup() -> None:
    text = "Firmalar <b>Kazakistan'ımıza</b> gitti & ihracatçılarımız döndü."
    fragments = analysis.highlight(text, "tr", analysis.query_terms("Kazakistan ihracat"))
    assert fragments == [
        "Firmalar &lt;b&gt;<mark>Kazakistan&#x27;ımıza</mark>&lt;/b&gt; gitti &amp; <mark>ihracatçılarımız</mark> döndü"
    ]


def test_highlight_limits_fragments_and_length() -> None:
    text = " ".join(["heyet ziyaret etti ve toplantı yaptı."] * 200)
    fragments = analysis.highlight(text, "tr", analysis.query_terms("heyet"), fragment_chars=80, max_fragments=3)
    assert len(fragments) == 3
    assert all(len(fragment.replace("<mark>", "").replace("</mark>", "")) <= 80 for fragment in fragments)
    assert analysis.highlight(text, "tr", set()) == []


def test_highlight_marks_every_casing_and_accent_of_a_term_and_only_those() -> None:
    text = "İHRACATÇILAR toplandı; Ihracat ve ihracatın artışı, ŞIRKET, şirketler ile Şirket'imiz konuştu."
    fragments = analysis.highlight(text, "tr", analysis.query_terms("ihracat şirket"))
    assert fragments == [
        "<mark>İHRACATÇILAR</mark> toplandı; <mark>Ihracat</mark> ve <mark>ihracatın</mark> artışı, "
        "<mark>ŞIRKET</mark>, <mark>şirketler</mark> ile <mark>Şirket&#x27;imiz</mark> konuştu"
    ]


def test_a_fragment_ends_with_the_last_whole_word_inside_its_length() -> None:
    text = "Heyet " + "ziyaret " * 10 + "Kazakistan'ımıza döndü."
    fragment = analysis.highlight(text, "tr", analysis.query_terms("heyet"), fragment_chars=90)[0]
    assert fragment == "<mark>Heyet</mark> " + " ".join(["ziyaret"] * 10)
