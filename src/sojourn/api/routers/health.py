"""Liveness, without credentials: the API answers; where a worker runs beside it (`sojourn serve`), whether
it is ticking (503 when not, so a load balancer takes the instance out)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

router = APIRouter(tags=["meta"])


@router.get(
    "/health",
    responses={503: {"description": "the worker beside the API has not ticked recently"}},
)
def health(request: Request, response: Response) -> dict[str, str]:
    check = getattr(request.app.state, "worker_health", None)
    if check is None:
        return {"status": "ok"}
    problem = check()
    if problem is None:
        return {"status": "ok", "worker": "ticking"}
    response.status_code = 503
    return {"status": "unhealthy", "worker": problem}
