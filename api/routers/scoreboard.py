"""The national scoreboard: projects, programmes, coordinators, provinces or sectors compared by their events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import READ, ReaderDep
from api.export import scoreboard_csv
from api.schemas import READ_ERRORS, Message, Scoreboard, ScoreboardParams

router = APIRouter(tags=["scoreboard"], dependencies=READ, responses=READ_ERRORS)


@router.get(
    "/v1/scoreboard",
    response_model=Scoreboard,
    responses={
        200: {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "The scoreboard as JSON, or with format=csv as CSV (UTF-8 with BOM, a column per activity).",
        },
        422: {
            "model": Message,
            "description": "A parameter is invalid, or a filter value names nothing events hold (listed).",
        },
    },
)
def scoreboard(params: Annotated[ScoreboardParams, Query()], reader: ReaderDep) -> Response:
    """Rows of `by` with their deduplicated events (done per activity, planned), countries reached and firms
    (done events only), first and last activity, and the number of documents telling them; per year or date
    range, filtered by programme, country, sector, province or activity, sorted by any column."""
    board = reader.scoreboard(params)
    if params.format == "csv":
        filename = f"kume-scoreboard-{params.by.value}.csv"
        return Response(
            scoreboard_csv(board),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return Response(board.model_dump_json(), media_type="application/json")
