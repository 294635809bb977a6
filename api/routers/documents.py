"""Stored documents with their facts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException
from fastapi import Path as PathParam

from api.deps import READ, ReaderDep
from api.reader import DocumentNotFound
from api.schemas import READ_ERRORS, DocumentDetail, Message

router = APIRouter(tags=["documents"], dependencies=READ, responses=READ_ERRORS)


@router.get("/v1/documents/{doc_id}", responses={404: {"model": Message}})
def document(doc_id: Annotated[str, PathParam(max_length=200)], reader: ReaderDep) -> DocumentDetail:
    """A stored document with its extracted facts; every span's offsets point into `text`."""
    try:
        return reader.document(doc_id)
    except DocumentNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
