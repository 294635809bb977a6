"""Fact extraction over store documents: run nlp's extractor, keep its results, count their statuses."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kume.schema import Document, Extraction, ExtractionStatus
from kume.store import Store
from nlp.pipeline import PIPELINE_VERSION, Extractor


@dataclass
class ExtractReport:
    """How many documents ended in each status, and how many cross-document projects linking touched."""

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


def needs_extraction(document: Document) -> bool:
    """Whether a document lacks an extraction by this pipeline version."""
    return document.extraction is None or document.extraction.pipeline_version != PIPELINE_VERSION


def extract_documents(
    store: Store,
    extractor: Extractor,
    documents: Iterable[Document],
    *,
    n_process: int = 1,
    on_document: Callable[[Document, Extraction], None] | None = None,
) -> ExtractReport:
    """Extract `documents` and save each result as it comes (so an interrupted run keeps what it did)."""
    report = ExtractReport()
    for document, extraction in extractor.extract_documents(documents, n_process=n_process):
        store.save_extraction(document.id, document.version, extraction)
        report.count(extraction.status)
        if on_document is not None:
            on_document(document, extraction)
    return report
