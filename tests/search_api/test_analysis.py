"""The shared analysis: Turkish casing, folding, apostrophes, agent suffixes, English stems, highlights."""

from __future__ import annotations

from search_api import analysis


def query_groups(q: str) -> list[tuple[str, ...]]:
    return [analysis.word_alternatives(word) for word in analysis.TOKEN_RE.findall(q)]


def query_terms(q: str) -> set[str]:
    return {term for group in query_groups(q) for term in group}


def test_facet_keys_fold_turkish_case_and_accents() -> None:
    assert analysis.fold_key("  Iğdır ") == analysis.fold_key("IĞDIR") == "igdir"


def test_index_and_query_terms_meet_across_case_suffixes_and_keyboards() -> None:
    document = analysis.index_terms("Kazakistan'ımıza giden İHRACATÇILARIMIZ ve IZMIR'deki firmalar", "tr")
    indexed = set(document.split())
    for query in ["Kazakistan", "kazakistan'a", "ihracat", "ihracatçı", "İzmir", "izmir", "IZMIR", "firma"]:
        groups = query_groups(query)
        assert groups and all(indexed & set(group) for group in groups), query


def test_english_stemming() -> None:
    indexed = set(analysis.index_terms("The chamber organised meetings", "en").split())
    assert all(indexed & set(group) for group in query_groups("Chambers organising meeting"))


def test_short_words_keep_their_agent_like_ending() -> None:
    # "geçici" (temporary) is not an agent noun of "geç".
    assert analysis.index_terms("geçici", "tr") != analysis.index_terms("geç", "tr")


def marked(fragments: list[analysis.Fragment]) -> list[list[str]]:
    return [[text[start:end] for start, end in spans] for text, spans in fragments]


def test_highlight_is_plain_text_with_the_offsets_of_the_surface_words() -> None:
    text = "Firmalar <b>Kazakistan'ımıza</b> gitti & ihracatçılarımız döndü."
    fragments = analysis.highlight(text, "tr", query_terms("Kazakistan ihracat"))
    assert [fragment[0] for fragment in fragments] == [
        "Firmalar <b>Kazakistan'ımıza</b> gitti & ihracatçılarımız döndü"
    ]
    assert marked(fragments) == [["Kazakistan'ımıza", "ihracatçılarımız"]]


def test_highlight_limits_fragments_and_length() -> None:
    text = " ".join(["heyet ziyaret etti ve toplantı yaptı."] * 200)
    fragments = analysis.highlight(text, "tr", query_terms("heyet"), fragment_chars=80, max_fragments=3)
    assert len(fragments) == 3
    assert all(len(fragment) <= 80 for fragment, _ in fragments)
    assert analysis.highlight(text, "tr", set()) == []


def test_highlight_marks_every_casing_and_accent_of_a_term_and_only_those() -> None:
    text = "İHRACATÇILAR toplandı; Ihracat ve ihracatın artışı, ŞIRKET, şirketler ile Şirket'imiz konuştu."
    fragments = analysis.highlight(text, "tr", query_terms("ihracat şirket"))
    assert marked(fragments) == [["İHRACATÇILAR", "Ihracat", "ihracatın", "ŞIRKET", "şirketler", "Şirket'imiz"]]


def test_highlight_collapses_white_space_and_keeps_offsets_right() -> None:
    text = "Odamız   UR-GE\n\nprojesi  kapsamında halılar sergiledi"
    terms = set(analysis.word_alternatives("URGE")) | set(analysis.word_alternatives("halı"))
    [(fragment, spans)] = analysis.highlight(text, "tr", terms)
    assert fragment == "Odamız UR-GE projesi kapsamında halılar sergiledi"
    assert [fragment[start:end] for start, end in spans] == ["UR-GE", "halılar"]


def test_highlight_of_a_prefix() -> None:
    fragments = analysis.highlight("Kazakistan'a ve Kazak firmalarına", "tr", set(), prefixes={"kazak"})
    assert marked(fragments) == [["Kazakistan'a", "Kazak"]]


def test_a_fragment_ends_with_the_last_whole_word_inside_its_length() -> None:
    text = "Heyet " + "ziyaret " * 10 + "Kazakistan'ımıza döndü."
    fragment, spans = analysis.highlight(text, "tr", query_terms("heyet"), fragment_chars=90)[0]
    assert fragment == "Heyet " + " ".join(["ziyaret"] * 10)
    assert spans == [(0, 5)]


def test_plurals_and_case_endings_meet_the_bare_noun() -> None:
    # Snowball alone: "halı" -> "hal" but "halılar" -> "halı"; "eğitim" -> "eğit" but "eğitimler" -> "eğitim".
    for forms in [
        "halı halılar halıları halıya halısı",
        "eğitim eğitimler eğitimleri eğitime",
        "proje projesi projeler projelerin",
        "toplantı toplantısı toplantılar toplantıda",
        "küme kümeler",
        "oda odaları odasının",
    ]:
        assert len(set(analysis.term_list(forms, "tr"))) == 1, forms


def test_spellings_that_fold_alike_get_the_same_alternatives() -> None:
    # Iğdır was stemmed as "ığdır" -> "ık" while İğdır stayed "iğdır": every spelling must reach both.
    spellings = ["İğdır", "Iğdır", "IĞDIR", "iğdır", "igdir", "IGDIR"]
    assert len({analysis.word_alternatives(word) for word in spellings}) == 1
    indexed = {analysis.term_list(word, "tr")[0] for word in spellings}
    assert indexed <= set(analysis.word_alternatives("İğdır"))


def test_hyphenated_words_are_also_indexed_joined() -> None:
    assert analysis.term_list("UR-GE projesi", "tr") == ["ur", "ge", "proje"]
    assert analysis.compound_terms("UR-GE projesi, Ur-Ge'ye, 2023-2024", "tr") == ["urge", "urge"]
    assert set(analysis.compound_terms("UR-GE", "tr")) <= set(analysis.word_alternatives("URGE"))
