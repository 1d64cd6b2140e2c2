"""Requests as one caller may see them: their own, those they approve, or all for admins and auditors.

A request the caller may not see is answered exactly as one that does not exist.
"""

from __future__ import annotations

from sojourn.service.jit import JitService
from sojourn.service.ports.grants import RequestNotFound
from sojourn.workflow.grant_request import GrantRequest

__all__ = ["RequestNotFound", "can_see", "visible_request", "visible_requests"]


def can_see(user: str, sees_all: bool, request: GrantRequest) -> bool:
    """The requester, a named approver, or someone who sees every request."""
    return sees_all or user == request.person or user in request.approvers


def visible_requests(service: JitService, user: str, sees_all: bool) -> list[GrantRequest]:
    """Every request USER may see, in the service's order."""
    return [r for r in service.requests() if can_see(user, sees_all, r)]


def visible_request(service: JitService, request_id: str, user: str, sees_all: bool) -> GrantRequest:
    """The request, or RequestNotFound when there is none or USER may not see it."""
    found = service.get(request_id)
    if not can_see(user, sees_all, found):
        raise RequestNotFound(f"no request {request_id!r}")
    return found
