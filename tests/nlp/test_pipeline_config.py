"""The pipelines are exactly their config files in nlp/configs, and the components' declared facts chain."""

from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

from kume.config import load_settings
from nlp import facts
from nlp.pipeline import CONFIG_DIR, Extractor, pipeline_config

KUME_COMPONENTS = [
    "kume_words",
    "kume_places",
    "kume_organizations",
    "kume_projects",
    "kume_sectors",
    "kume_activities",
    "kume_dates",
    "kume_money",
    "kume_events",
    "kume_extraction",
]


@pytest.mark.parametrize("language", ["tr", "en"])
def test_the_pipeline_that_runs_is_the_config_file(extractor: Extractor, language: str) -> None:
    path, overrides = pipeline_config(language, extractor.settings)
    assert path == CONFIG_DIR / ("tr-e5.cfg" if language == "tr" else f"{language}.cfg")  # the default NER
    assert set(overrides) <= {"paths.e5_model"}  # only the model's directory is filled in
    written = spacy.util.load_config(path, interpolate=False)
    nlp = extractor.pipeline(language)
    assert nlp.pipe_names == list(written["nlp"]["pipeline"])
    assert nlp.pipe_names[-len(KUME_COMPONENTS) :] == KUME_COMPONENTS
    for name in KUME_COMPONENTS:
        assert nlp.get_pipe_meta(name).factory == written["components"][name]["factory"]
        # Every setting a kume component runs with is written in the file.
        assert dict(nlp.config["components"][name]) == dict(written["components"][name])


def test_every_pipeline_file_runs_the_same_kume_components() -> None:
    blocks = []
    for path in sorted(CONFIG_DIR.glob("*.cfg")):
        config = spacy.util.load_config(path, interpolate=False)
        assert list(config["nlp"]["pipeline"])[-len(KUME_COMPONENTS) :] == KUME_COMPONENTS, path
        blocks.append({name: dict(config["components"][name]) for name in KUME_COMPONENTS})
    assert len(blocks) == 5 and all(block == blocks[0] for block in blocks)


@pytest.mark.parametrize("language", ["tr", "en"])
def test_each_component_finds_the_facts_it_requires(extractor: Extractor, language: str) -> None:
    analysis = extractor.pipeline(language).analyze_pipes()
    assert all(not problems for problems in analysis["problems"].values()), analysis["problems"]
    assigned = {attr for name in KUME_COMPONENTS for attr in analysis["summary"][name]["assigns"]}
    assert {fact.attr for fact in facts.INTERMEDIATE if fact is not facts.ERROR} <= assigned


def test_english_pipeline_leaves_only_the_extraction_on_the_doc(extractor: Extractor) -> None:
    nlp = extractor.pipeline("en")
    doc = nlp("The Konya Chamber of Industry sent a trade delegation to Germany in March 2024.")
    assert isinstance(doc, Doc)
    assert doc.ents  # the statistical NER ran
    assert {c["code"] for c in doc._.kume["countries"]} == {"DE"}
    assert all(doc._.get(fact.name) is None for fact in facts.INTERMEDIATE)  # no intermediate state is left


def test_a_component_run_before_its_producer_fails_loudly_and_is_reported(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("kume_places")  # without kume_words before it
    nlp.add_pipe("kume_extraction")
    doc = nlp("Trade delegation to Germany.")
    assert doc._.kume["status"] == "error"
    assert "kume_places failed: MissingFact: doc._.kume_words is not set" in doc._.kume["message"]


def test_a_missing_transformers_model_directory_is_named(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, ner_model=tmp_path / "no-model")
    path, overrides = pipeline_config("tr", settings)
    assert path == CONFIG_DIR / "tr-transformers.cfg"
    assert overrides == {"paths.ner_model": str(tmp_path / "no-model")}


def test_the_turkish_ner_setting_picks_the_cnn_config(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, turkish_ner="cnn")
    path, overrides = pipeline_config("tr", settings)
    assert path == CONFIG_DIR / "tr.cfg"
    assert set(overrides) == {"paths.ner_source"}
    assert pipeline_config("en", settings)[0] == CONFIG_DIR / "en.cfg"  # English keeps its own NER
    nlp = Extractor(settings).pipeline("tr")
    assert nlp.get_pipe_meta("ner").factory == "ner"
    assert nlp.pipe_names[-len(KUME_COMPONENTS) :] == KUME_COMPONENTS
    analysis = nlp.analyze_pipes()
    assert all(not problems for problems in analysis["problems"].values()), analysis["problems"]
    doc = nlp("Gaziantep Ticaret Odası, halı üreticileriyle birlikte Almanya'daki fuara katılacak.")
    assert doc._.kume["status"] == "ok"
    assert {c["code"] for c in doc._.kume["countries"]} == {"DE"}
