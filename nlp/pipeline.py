"""The extraction entry point: one spaCy pipeline per language, built from a config file of nlp/configs.

The config file is the whole pipeline: `<lang>.cfg` over the statistical NER kume ships (spaCy's
English model, the project's Turkish one), `tr-e5.cfg` for Turkish when Settings.turkish_ner is "e5"
(KUME_TURKISH_NER), `<lang>-transformers.cfg` when Settings.ner_model
(KUME_NER_MODEL) names a local Hugging Face model. Code only picks the file and fills in the one
value a file cannot know, the model's directory, as a spaCy config override (`paths.ner_source`,
`paths.e5_model`, `paths.ner_model`), the way `spacy train --paths.train` does; it never adds or removes components.

Language is detected per document (py3langid, or Document.language when set). A document in
neither Turkish nor English gets UNSUPPORTED_LANGUAGE, an empty one EMPTY, and a document a
component fails on gets ERROR with the reason; a batch never fails as a whole.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path

import spacy
from py3langid.langid import MODEL_FILE, LanguageIdentifier
from spacy.language import Language
from spacy.tokens import Doc

import nlp.components  # registers the kume_* factories
import nlp.transformers_ner  # noqa: F401 - registers kume_transformers_ner (torch loads only with a model)
from kume.config import Settings, load_settings
from kume.schema import Document, Extraction, ExtractionStatus
from kume.text import SUPPORTED_LANGUAGES
from nlp import facts
from nlp.components import PIPELINE_VERSION
from nlp.e5_ner import e5_ner_path
from nlp.turkish_ner import turkish_ner_path

__all__ = ["MAX_CHARS", "PIPELINE_VERSION", "SUPPORTED_LANGUAGES", "Extractor", "build_pipeline", "pipeline_config"]

log = logging.getLogger(__name__)

CONFIG_DIR = Path(__file__).parent / "configs"
# News articles are a few thousand characters; beyond this a body is a dump (a whole PDF, a
# scraped listing) and only its beginning is read, which keeps memory and time bounded.
MAX_CHARS = 200_000
_DETECTION_CHARS = 5_000
_SURE = 0.5  # below this the language identifier is guessing (short or mixed texts)
_CHUNK_DOCUMENTS = 512


def pipeline_config(language: str, settings: Settings | None = None) -> tuple[Path, dict[str, str]]:
    """The config file that builds the pipeline for `language`, and the path overrides it is built with."""
    settings = settings or load_settings()
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"no kume pipeline for {language!r} (only {', '.join(SUPPORTED_LANGUAGES)})")
    if settings.ner_model is not None:
        return CONFIG_DIR / f"{language}-transformers.cfg", {"paths.ner_model": str(settings.ner_model)}
    if language == "tr" and settings.turkish_ner == "e5":
        return CONFIG_DIR / "tr-e5.cfg", {"paths.e5_model": str(e5_ner_path())}
    if language == "tr":
        return CONFIG_DIR / "tr.cfg", {"paths.ner_source": str(turkish_ner_path())}
    return CONFIG_DIR / f"{language}.cfg", {}


def build_pipeline(language: str, settings: Settings | None = None) -> Language:
    """The kume pipeline for `language`, exactly as its config file (`pipeline_config`) describes it."""
    config_path, overrides = pipeline_config(language, settings)
    config = spacy.util.load_config(config_path, overrides=overrides, interpolate=False)
    log.info("building the %s pipeline from %s %s", language, config_path, overrides or "")
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    nlp.max_length = MAX_CHARS + 1
    return nlp


class Extractor:
    """Extracts facts from texts and store documents with the per-language kume pipelines."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        self._pipelines: dict[str, Language] = {}
        self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def pipeline(self, language: str) -> Language:
        if language not in self._pipelines:
            self._pipelines[language] = build_pipeline(language, self.settings)
        return self._pipelines[language]

    def detect_language(self, text: str) -> str:
        """The text's language; an unsure guess on a short text (a bare title) falls back to tr or en."""
        ranked = self._identifier.rank(text[:_DETECTION_CHARS])
        top, confidence = ranked[0]
        if top in SUPPORTED_LANGUAGES or confidence >= _SURE:
            return str(top)
        scores = dict(ranked)
        return max(SUPPORTED_LANGUAGES, key=lambda language: scores.get(language, 0.0))

    def extract(self, text: str, *, language: str | None = None, published: date | None = None) -> Extraction:
        document = Document(
            id="text",
            version=1,
            source="text",
            url="text",
            fetched_at=datetime.now(UTC),
            published=published,
            language=language,
            body=text,
            raw_ref="",
            content_hash="",
        )
        return next(self.extract_documents([document]))[1]

    def extract_documents(
        self, docs: Iterable[Document], *, n_process: int = 1, batch_size: int = 16
    ) -> Iterator[tuple[Document, Extraction]]:
        """(document, extraction) for every document, in order, one result per document.

        With several processes, each worker runs whole chunks through its own copy of the pipelines
        and sends back only the small `Extraction`s: spaCy's own `n_process` ships every Doc back to
        this process, which cost more CPU than the second core gave.
        """
        iterator = iter(docs)
        if n_process <= 1:
            while chunk := list(islice(iterator, _CHUNK_DOCUMENTS)):
                yield from self._extract_chunk(chunk, 1, batch_size)
            return
        sent: deque[list[Document]] = deque()

        # A worker takes one batch at a time, as it finishes the last: a smaller chunk would cut the
        # batches the NER runs together (the E5 tagger pads the sentences of a batch to one length, so
        # 8-document chunks cost 1.3x the CPU of one process), a larger one leaves a core idle at the end.
        def jobs() -> Iterator[tuple[list[Document], int]]:
            while chunk := list(islice(iterator, batch_size)):
                sent.append(chunk)
                yield chunk, batch_size

        # Loaded once here, the pipelines (models, lexicons) are shared with the forked workers page by
        # page; loaded lazily, each worker would build its own copy before its first chunk.
        for language in SUPPORTED_LANGUAGES:
            self.pipeline(language)
        global _worker_extractor
        _worker_extractor = self  # forked workers inherit it, with the pipelines loaded
        with multiprocessing.get_context("fork").Pool(n_process) as pool:
            # imap answers in the order jobs were sent, so each answer belongs to the oldest chunk sent.
            for extractions in pool.imap(_extract_in_worker, jobs()):
                yield from zip(sent.popleft(), extractions, strict=True)

    def _triage(self, document: Document) -> tuple[str | None, Extraction | None]:
        """The language to run, or the final extraction when there is nothing to run."""
        text = document.text
        if not text.strip():
            return None, Extraction(
                pipeline_version=PIPELINE_VERSION, status=ExtractionStatus.EMPTY, message="the document has no text"
            )
        language = (document.language or "").split("-")[0].lower() or self.detect_language(text)
        if language not in SUPPORTED_LANGUAGES:
            return None, Extraction(
                pipeline_version=PIPELINE_VERSION,
                status=ExtractionStatus.UNSUPPORTED_LANGUAGE,
                language=language,
                message=f"language {language!r} is not supported (only {', '.join(SUPPORTED_LANGUAGES)})",
            )
        return language, None

    def _extract_chunk(
        self, chunk: list[Document], n_process: int, batch_size: int
    ) -> Iterator[tuple[Document, Extraction]]:
        results: list[Extraction | None] = [None] * len(chunk)
        by_language: dict[str, list[int]] = {}
        for index, document in enumerate(chunk):
            language, final = self._triage(document)
            if final is not None:
                results[index] = final
            elif language is not None:
                by_language.setdefault(language, []).append(index)
        for language, indices in by_language.items():
            nlp = self.pipeline(language)
            # Texts (not Docs) go to nlp.pipe so that tokenisation runs in the worker processes too;
            # the publication date travels as the context spaCy attaches to each Doc.
            inputs = [(chunk[i].text[:MAX_CHARS], self._context(chunk[i])) for i in indices]
            try:
                processed = [
                    doc for doc, _ in nlp.pipe(inputs, as_tuples=True, n_process=n_process, batch_size=batch_size)
                ]
            except Exception as exc:  # retried one by one so that one bad document is named
                log.warning("batch failed (%s); extracting its documents one by one", exc)
                processed = [self._run_one(nlp, text, context) for text, context in inputs]
            for index, doc in zip(indices, processed, strict=True):
                results[index] = self._extraction(doc, chunk[index])
        for document, extraction in zip(chunk, results, strict=True):
            assert extraction is not None
            yield document, extraction

    @staticmethod
    def _context(document: Document) -> dict[str, str | None]:
        return {"published": document.published.isoformat() if document.published else None}

    @staticmethod
    def _run_one(nlp: Language, text: str, context: dict[str, str | None]) -> Doc:
        doc = nlp.make_doc(text)
        if context["published"]:
            facts.PUBLISHED.set(doc, context["published"])
        try:
            return nlp(doc)
        except Exception as exc:
            facts.RESULT.set(
                doc,
                Extraction(
                    pipeline_version=PIPELINE_VERSION,
                    status=ExtractionStatus.ERROR,
                    message=f"{type(exc).__name__}: {exc}",
                ).model_dump(mode="json"),
            )
            return doc

    @staticmethod
    def _extraction(doc: Doc, document: Document) -> Extraction:
        result = doc._.get(facts.RESULT.name)
        if result is None:
            return Extraction(
                pipeline_version=PIPELINE_VERSION,
                status=ExtractionStatus.ERROR,
                message=f"{document.url}: the pipeline returned no result",
            )
        extraction = Extraction.model_validate(result)
        if extraction.status is ExtractionStatus.ERROR:
            extraction.message = f"{document.url}: {extraction.message}"
        if len(document.text) > MAX_CHARS:
            extraction.message = f"only the first {MAX_CHARS} of {len(document.text)} characters were read"
        return extraction


_worker_extractor: Extractor | None = None


def _extract_in_worker(job: tuple[list[Document], int]) -> list[Extraction]:
    chunk, batch_size = job
    assert _worker_extractor is not None, "workers are forked from extract_documents"
    return [extraction for _, extraction in _worker_extractor._extract_chunk(chunk, 1, batch_size)]
