"""The extraction stage over the document store, as the CLI runs it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kume.config import Settings
from kume.schema import Document, Extraction, ExtractionStatus
from kume.store import Store
from nlp.linking import link_store_projects
from nlp.pipeline import PIPELINE_VERSION, Extractor


@dataclass
class ExtractReport:
    """How many documents ended in each status, and how many cross-document projects were linked."""

    ok: int = 0
    empty: int = 0
    unsupported_language: int = 0
    errors: int = 0
    projects: int = 0

    @property
    def documents(self) -> int:
        return self.ok + self.empty + self.unsupported_language + self.errors

    def count(self, status: ExtractionStatus) -> None:
        if status is ExtractionStatus.OK:
            self.ok += 1
        elif status is ExtractionStatus.EMPTY:
            self.empty += 1
        elif status is ExtractionStatus.UNSUPPORTED_LANGUAGE:
            self.unsupported_language += 1
        else:
            self.errors += 1

    def __str__(self) -> str:
        return (
            f"{self.documents} documents: ok {self.ok}, empty {self.empty}, "
            f"unsupported language {self.unsupported_language}, errors {self.errors}; projects {self.projects}"
        )


def extract_store(
    store: Store,
    settings: Settings,
    *,
    force: bool = False,
    n_process: int = 1,
    on_document: Callable[[Document, Extraction], None] | None = None,
    extractor: Extractor | None = None,
) -> ExtractReport:
    """Extract every document lacking an extraction of PIPELINE_VERSION (all with `force`), then link projects."""
    extractor = extractor or Extractor(settings)
    report = ExtractReport()
    documents = store.documents(missing_extraction_for=None if force else PIPELINE_VERSION)
    for document, extraction in extractor.extract_documents(documents, n_process=n_process):
        store.save_extraction(document.id, document.version, extraction)
        report.count(extraction.status)
        if on_document is not None:
            on_document(document, extraction)
    report.projects = len(link_store_projects(store))
    return report
