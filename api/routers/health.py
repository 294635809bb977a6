"""Liveness and readiness, for load balancers and orchestrators (no key needed)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ReaderDep
from api.schemas import Health, Message

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> Health:
    """The process is up."""
    return Health()


@router.get("/readyz", responses={503: {"model": Message}})
def readyz(reader: ReaderDep) -> JSONResponse:
    """The store and the search backend both answer."""
    readiness = reader.readiness()
    if readiness.ready:
        return JSONResponse(readiness.model_dump())
    reasons = [r for r in (readiness.store, readiness.backend) if r != "ok"]
    return JSONResponse({"detail": "; ".join(reasons), **readiness.model_dump()}, status_code=503)
