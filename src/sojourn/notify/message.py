"""A Notification from a just-in-time request: who did it, when, and why, read from the request's record."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from sojourn.notify.dispatcher import Dispatcher
from sojourn.notify.events import Notification, NotificationKind
from sojourn.workflow.grant_request import GrantRequest

_DECIDED = frozenset(
    {NotificationKind.APPROVED, NotificationKind.DENIED, NotificationKind.OTHER_APPROVER_ACTED}
)
_CLOSED = frozenset(
    {NotificationKind.REVOKED, NotificationKind.EXPIRED, NotificationKind.FAILURE, NotificationKind.CANCELLED}
)
_ASKED = frozenset({NotificationKind.REQUEST, NotificationKind.BREAK_GLASS})


def _actor(kind: str, r: GrantRequest) -> str | None:
    if kind in _DECIDED:
        return r.decisions[-1].approver if r.decisions else None
    if kind in _ASKED:
        return r.person
    if kind in (NotificationKind.REVOKED, NotificationKind.CANCELLED):
        return r.closed_by
    return None


def _when(kind: str, r: GrantRequest) -> datetime | None:
    if kind in _DECIDED:
        return r.decisions[-1].at if r.decisions else None
    if kind in _CLOSED:
        return r.closed_at
    if kind == NotificationKind.GRANTED:
        return r.starts_at
    if kind in _ASKED:
        return r.requested_at
    return None


def _detail(kind: str, r: GrantRequest) -> dict[str, str]:
    detail = {"source": r.source, "state": r.state.value}
    if r.ticket:
        detail["ticket"] = r.ticket
    if r.close_reason:
        detail["close_reason"] = r.close_reason
        if kind == NotificationKind.FAILURE:
            detail["error"] = r.close_reason
    if kind in _DECIDED and r.decisions and r.decisions[-1].comment:
        detail["comment"] = r.decisions[-1].comment
    if kind == NotificationKind.REQUEST:
        detail["answer_by"] = r.answer_by.isoformat()
    return detail


def from_request(
    kind: str,
    request: GrantRequest,
    to: tuple[str, ...] = (),
    now: datetime | None = None,
    account_names: Mapping[str, str] | None = None,
) -> Notification:
    """The event `kind` of `request`; `now` (default: wall clock) only if the record has no time for it;
    `account_names` (id -> name) name the accounts in the texts."""
    at = _when(kind, request) or now or datetime.now(UTC)
    return Notification(
        kind=kind,
        request_id=request.id,
        person=request.person,
        permission_set=request.permission_set,
        accounts=request.accounts,
        actor=_actor(kind, request),
        reason=request.reason or None,
        at=at,
        ends_at=request.until or request.ends_at,
        detail=_detail(kind, request),
        to=tuple(to),
        account_names=dict(account_names or {}),
    )


def notifier(
    dispatcher: Dispatcher, account_names: Callable[[], Mapping[str, str]] | None = None
) -> Callable[[str, GrantRequest, tuple[str, ...]], None]:
    """Hand each event to the dispatcher's background queue: a notification never delays a revocation."""

    def notify(kind: str, request: GrantRequest, to: tuple[str, ...]) -> None:
        names = account_names() if account_names is not None else None
        dispatcher.deliver_later(from_request(kind, request, to, account_names=names))

    return notify
