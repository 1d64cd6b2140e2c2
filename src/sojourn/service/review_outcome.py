"""The outcome of a closed campaign: its revocations written as a configuration change (so `plan` shows the
removals and `apply` makes them), assignments outside the configuration removed through the provider
with an audit record, and the evidence auditors ask for."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from sojourn.access.changes import Action, AssignmentChange
from sojourn.access.review import Campaign, Status
from sojourn.access.review_decide import ReviewRefused, outcome_of
from sojourn.access.review_evidence import EvidenceRow, evidence_rows
from sojourn.access.review_render import revocations_file_name, revocations_yaml
from sojourn.access.state import Assignment, PrincipalType
from sojourn.service.change_events import change_event
from sojourn.service.reviews import ReviewService


@dataclass(frozen=True, slots=True)
class ConfigChange:
    """The configuration file a campaign's revocations go to, its new text, and the patch against the old."""

    path: Path
    text: str
    patch: str
    revocations: int
    written: bool = False


@dataclass(frozen=True, slots=True)
class Removal:
    assignment: Assignment
    ok: bool
    detail: str


def _closed(service: ReviewService, campaign_id: str) -> Campaign:
    campaign = service.show(campaign_id)
    if campaign.status is not Status.CLOSED:
        raise ReviewRefused(f"campaign {campaign_id} is still open; close it first (`sojourn review close`)")
    return campaign


def config_change(service: ReviewService, campaign_id: str, *, write: bool = False) -> ConfigChange:
    """The revocations of a closed campaign as `review-<id>.yaml` in the configuration directory; written
    only with `write` (otherwise the patch is for a pull request)."""
    campaign = _closed(service, campaign_id)
    directory = service.config_path
    if not directory.is_dir():
        raise ReviewRefused(
            f"{directory} is one file; review outcomes are written as a file of their own, so give the "
            "configuration as a directory (--config DIR)"
        )
    outcome = outcome_of(campaign)
    names = {i.assignment.account_id: i.account_name for i in campaign.items if i.account_name}
    text = revocations_yaml(campaign.campaign_id, campaign.name, outcome.revocations, names)
    path = directory / revocations_file_name(campaign.campaign_id)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    patch = "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile="/dev/null" if not old else f"a/{path.name}",
            tofile=f"b/{path.name}",
        )
    )
    if write and old != text:
        path.write_text(text, encoding="utf-8")
    return ConfigChange(path, text, patch, len(outcome.revocations), write and old != text)


def remove_outside(service: ReviewService, campaign_id: str, actor: str) -> list[Removal]:
    """Remove, through the provider, the revoked assignments the configuration does not hold (drift,
    imported by hand); each removal is noted on the item with its audit record. Idempotent."""
    campaign = _closed(service, campaign_id)
    outside = outcome_of(campaign).outside_removals
    if not outside:
        return []
    if not actor:
        raise ReviewRefused("nobody to record as who removed the access; set SOJOURN_ACTOR")
    done = {item_id for item_id, detail in campaign.changes if detail.startswith("removed ")}
    provider = service.read().provider
    item_of = {item.assignment: item for item in campaign.items}
    removals = []
    for assignment in outside:
        item = item_of[assignment]
        if item.item_id in done:
            continue
        change = AssignmentChange(Action.DELETE, assignment)
        result = provider.apply_change(change)
        removals.append(Removal(assignment, result.ok, result.detail))
        suffix = "" if result.ok else ".failed"
        event = change_event(
            change,
            at=service.clock.now(),
            actor=actor,
            reason=f"access review {campaign_id}: revoked outside the configuration",
            suffix=suffix,
            details={"campaign": campaign_id, "item": item.item_id, "detail": result.detail},
        )
        if result.ok:
            service.reviews.record_change(
                campaign_id, item.item_id, f"removed {service.clock.now():%Y-%m-%d %H:%M} UTC", event
            )
        else:
            service.reviews.record_change(
                campaign_id, item.item_id, f"removal failed: {result.detail}", event
            )
    return removals


def evidence(service: ReviewService, campaign_id: str) -> tuple[Campaign, list[EvidenceRow]]:
    """Every item with its decision, and for revoked ones what the audit log shows was removed in the
    provider since the campaign closed (by `apply` or directly)."""
    campaign = service.show(campaign_id)
    changed: dict[str, str] = {}
    if campaign.closed_at is not None and service.audit is not None:
        audit = service.audit
        outcome = outcome_of(campaign)
        revoked = {
            (r.account_id, r.permission_set, r.principal_type, r.principal) for r in outcome.revocations
        }
        for item in campaign.items:
            a = item.assignment
            if (a.account_id, a.permission_set, a.principal_type, a.principal) not in revoked:
                continue
            for record in audit.query(
                account_id=a.account_id,
                permission_set=a.permission_set,
                action="assignment.delete",
                since=campaign.closed_at,
            ):
                if _names(record.event.person, record.event.target, a):
                    run = f" (run {record.event.run_id})" if record.event.run_id else ""
                    changed[item.item_id] = f"removed {record.event.at:%Y-%m-%d %H:%M} UTC{run}"
                    break
    return campaign, evidence_rows(campaign, changed)


def _names(person: str | None, target: str, a: Assignment) -> bool:
    if a.principal_type is PrincipalType.USER:
        return person == a.principal
    return f"group {a.principal} " in f"{target} "
