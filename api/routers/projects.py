"""Projects the cross-document linker knows, and their dossiers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException
from fastapi import Path as PathParam

from api.deps import READ, ReaderDep
from api.reader import ProjectNotFound
from api.schemas import READ_ERRORS, Message, ProjectDossier, ProjectSummary

router = APIRouter(tags=["projects"], dependencies=READ, responses=READ_ERRORS)


@router.get("/v1/projects")
def projects(reader: ReaderDep) -> list[ProjectSummary]:
    """Every project the cross-document linker knows."""
    return reader.projects()


@router.get("/v1/projects/{project_id}", responses={404: {"model": Message}})
def project(project_id: Annotated[str, PathParam(max_length=200)], reader: ReaderDep) -> ProjectDossier:
    """A project's dossier: programme, code, coordinator, sector, countries and a dated timeline with sources."""
    try:
        return reader.project(project_id)
    except ProjectNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
