"""Searching: hits with facets, completions, and exports of every hit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import iterate_in_threadpool

from api.deps import READ, ReaderDep, answer
from api.export import csv_lines, ndjson_lines
from api.schemas import READ_ERRORS, ExportParams, SearchParams, Suggestion, SuggestParams
from search_api.contract import InvalidCursor, SearchResult

router = APIRouter(tags=["search"], dependencies=READ, responses=READ_ERRORS)


@router.get("/v1/search", response_model=SearchResult)
async def search(params: Annotated[SearchParams, Query()], reader: ReaderDep) -> Response:
    """Documents matching text, facet filters and date ranges, with highlights, facet counts and a cursor."""
    query = params.query(
        size=params.size,
        cursor=params.cursor,
        sort=params.sort,
        facets=list(params.facets),
        facet_size=params.facet_size,
        highlight=params.highlight,
    )
    try:
        result = await answer(reader, reader.search, query)
        return Response(result.model_dump_json(), media_type="application/json")
    except InvalidCursor as exc:
        raise HTTPException(422, f"cursor: not a cursor this search returned ({exc})") from exc


@router.get(
    "/v1/suggest",
)
def suggest(params: Annotated[SuggestParams, Query()], reader: ReaderDep) -> list[Suggestion]:
    """Completions for organisations, projects, countries or sectors."""
    return reader.suggest(params.kind, params.prefix, params.size, params.lang)


@router.get(
    "/v1/export",
    responses={
        200: {"content": {"application/x-ndjson": {}, "text/csv": {}}, "description": "One line per document."},
    },
    response_class=StreamingResponse,
)
def export(params: Annotated[ExportParams, Query()], reader: ReaderDep) -> StreamingResponse:
    """Every matching document (up to `limit`) as CSV or NDJSON, streamed."""
    query = params.query(sort=params.sort, highlight=False)
    hits = reader.export(query, params.limit)
    # The first page is fetched before the response starts, so a backend that is down
    # still gets its 503 instead of a 200 cut short.
    first = next(hits, None)
    lines = csv_lines(first, hits) if params.format == "csv" else ndjson_lines(first, hits)
    media = "text/csv; charset=utf-8" if params.format == "csv" else "application/x-ndjson"
    filename = f"kume-export.{params.format}"
    return StreamingResponse(
        iterate_in_threadpool(lines),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
