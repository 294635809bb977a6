"""The registered sources, with their labels and crawl schedules (for the source facet's values)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import READ, ServicesDep
from api.schemas import READ_ERRORS, SourceInfo

router = APIRouter(tags=["sources"], dependencies=READ, responses=READ_ERRORS)


@router.get("/v1/sources")
def sources(found: ServicesDep) -> list[SourceInfo]:
    """Every source of the registry: id (the source facet's value), name, kind, languages, schedule, last crawl."""
    last = found.writer.store.last_crawls()
    return [
        SourceInfo(
            id=source.id,
            name=source.name,
            kind=source.kind,
            languages=source.languages,
            schedule=source.schedule,
            checked_live=source.checked_live,
            last_crawled=last.get(source.id),
        )
        for source in found.writer.registry.sources
    ]
