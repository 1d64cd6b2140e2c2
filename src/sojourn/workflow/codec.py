"""GrantRequest to and from JSON values (for the store and the API); effects are in effect_codec."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sojourn.workflow.effect_codec import effect_to_json as effect_to_json
from sojourn.workflow.grant_request import Decision, GrantRequest, State


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def request_to_json(r: GrantRequest) -> dict[str, Any]:
    return {
        "id": r.id,
        "person": r.person,
        "permission_set": r.permission_set,
        "accounts": list(r.accounts),
        "duration_seconds": int(r.duration.total_seconds()),
        "reason": r.reason,
        "requested_at": _time(r.requested_at),
        "answer_by": _time(r.answer_by),
        "approvers": sorted(r.approvers),
        "approvals_required": r.approvals_required,
        "ticket": r.ticket,
        "break_glass": r.break_glass,
        "source": r.source,
        "state": r.state.value,
        "decisions": [
            {"approver": d.approver, "approve": d.approve, "comment": d.comment, "at": _time(d.at)}
            for d in r.decisions
        ],
        "starts_at": _time(r.starts_at),
        "ends_at": _time(r.ends_at),
        "provision_attempts": r.provision_attempts,
        "closed_at": _time(r.closed_at),
        "closed_by": r.closed_by,
        "close_reason": r.close_reason,
        "revoked_in_aws_at": _time(r.revoked_in_aws_at),
        "until": _time(r.until),
    }


def request_from_json(v: dict[str, Any]) -> GrantRequest:
    requested_at = _parse(v["requested_at"])
    answer_by = _parse(v["answer_by"])
    assert requested_at is not None and answer_by is not None
    return GrantRequest(
        id=v["id"],
        person=v["person"],
        permission_set=v["permission_set"],
        accounts=tuple(v["accounts"]),
        duration=timedelta(seconds=v["duration_seconds"]),
        reason=v["reason"],
        requested_at=requested_at,
        answer_by=answer_by,
        approvers=frozenset(v["approvers"]),
        approvals_required=v["approvals_required"],
        ticket=v["ticket"],
        break_glass=v["break_glass"],
        source=v["source"],
        state=State(v["state"]),
        decisions=tuple(
            Decision(d["approver"], d["approve"], d["comment"], _parse(d["at"]) or requested_at)
            for d in v["decisions"]
        ),
        starts_at=_parse(v["starts_at"]),
        ends_at=_parse(v["ends_at"]),
        provision_attempts=v["provision_attempts"],
        closed_at=_parse(v["closed_at"]),
        closed_by=v["closed_by"],
        close_reason=v["close_reason"],
        revoked_in_aws_at=_parse(v["revoked_in_aws_at"]),
        until=_parse(v.get("until")),
    )
