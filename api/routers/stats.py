"""Counts over matching documents: time series and most frequent facet values."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import READ, ReaderDep, answer
from api.schemas import READ_ERRORS, Timeseries, TimeseriesParams, TopParams, TopValues

router = APIRouter(tags=["stats"], dependencies=READ, responses=READ_ERRORS)


@router.get(
    "/v1/stats/timeseries",
)
async def timeseries(params: Annotated[TimeseriesParams, Query()], reader: ReaderDep) -> Timeseries:
    """Matching documents (or events, with count=events) per month, quarter or year, optionally split by a facet;
    every period from the first to the last is there, empty ones as 0."""
    return await answer(
        reader,
        reader.timeseries,
        params.query(size=0),
        params.interval,
        params.split_by,
        params.date_field,
        params.count,
    )


@router.get(
    "/v1/stats/top",
)
async def top(params: Annotated[TopParams, Query()], reader: ReaderDep) -> TopValues:
    """The most frequent values of a facet among matching documents (or events, with count=events), labelled."""
    return await answer(reader, reader.top, params.query(size=0), params.facet, params.size, params.count)
