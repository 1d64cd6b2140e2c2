"""The audit log for auditors: records filtered by person, account, permission set and time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AfterValidator

from sojourn.api.callers import Role, require
from sojourn.api.dependencies import AuditDep, CurrentUser
from sojourn.api.errors import ERRORS
from sojourn.api.schemas import AuditOut
from sojourn.service.audit import AuditFilter

router = APIRouter(tags=["audit"])
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9998, 12, 31, tzinfo=UTC)


def clamped(value: datetime) -> datetime:
    """Times before 1900 or after 9998 (where no record lies) are read as those years' ends, so the
    datetime range's ends, in any offset, never overflow when converted to UTC."""
    if value.year < EARLIEST.year:
        return EARLIEST
    if value.year > LATEST.year:
        return LATEST
    return value


Instant = Annotated[datetime, AfterValidator(clamped)]


@router.get("/v1/audit", responses=ERRORS)
def audit(
    who: CurrentUser,
    trail: AuditDep,
    person: Annotated[str | None, Query(max_length=256, pattern=r"^[^\x00]*$")] = None,
    account_id: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
    permission_set: Annotated[str | None, Query(max_length=64, pattern=r"^[^\x00]*$")] = None,
    since: Instant | None = None,
    until: Instant | None = None,
) -> list[AuditOut]:
    require(who, Role.AUDITOR, Role.ADMIN, scope="audit:read")
    wanted = AuditFilter(person, account_id, permission_set, since=since, until=until)
    return [
        AuditOut(
            seq=r.seq,
            at=r.event.at,
            actor=r.event.actor,
            action=r.event.action,
            reason=r.event.reason,
            target=r.event.target,
            person=r.event.person,
            account_id=r.event.account_id,
            permission_set=r.event.permission_set,
            hash=r.hash,
        )
        for r in trail.records(wanted)
    ]
