"""The pipelines are assembled from nlp/configs/<lang>.cfg over the statistical NER."""

from spacy.tokens import Doc

from nlp.pipeline import Extractor

KUME_COMPONENTS = [
    "kume_places",
    "kume_sectors",
    "kume_activities",
    "kume_organizations",
    "kume_projects",
    "kume_dates_money",
    "kume_extraction",
]


def test_english_pipeline_runs_the_kume_components_after_the_sourced_ner(extractor: Extractor) -> None:
    nlp = extractor.pipeline("en")
    assert nlp.pipe_names == ["ner", *KUME_COMPONENTS]
    doc = nlp("The Konya Chamber of Industry sent a trade delegation to Germany in March 2024.")
    assert isinstance(doc, Doc)
    assert doc.ents  # the statistical NER ran
    assert {c["code"] for c in doc._.kume["countries"]} == {"DE"}
    assert doc._.kume_partial is None  # intermediate state is not left on the Doc


def test_turkish_pipeline_ends_with_the_kume_components(extractor: Extractor) -> None:
    nlp = extractor.pipeline("tr")
    assert nlp.pipe_names[-len(KUME_COMPONENTS) :] == KUME_COMPONENTS
    assert set(nlp.pipe_names) - set(KUME_COMPONENTS) <= {"tok2vec", "ner"}
    doc = nlp("Kimya UR-GE Projesi kapsamında heyet Moskova'ya gitti.")
    assert doc._.kume["programs"][0]["code"] == "UR-GE"
