"""The review repository contract on the twin, SQLite and PostgreSQL: campaigns read back as stored,
decisions are final and written with their audit record, closing happens once, pending items per reviewer."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from sojourn.access.audit import AuditEvent
from sojourn.access.review import (
    Campaign,
    CampaignNotFound,
    Decision,
    ReviewItem,
    ReviewScope,
    Source,
    Status,
    Verdict,
)
from sojourn.access.review_settings import DeadlineAction
from sojourn.access.state import Assignment, PrincipalType
from tests.store.conftest import Backend
from tests.store.events import T0


def campaign(campaign_id: str = "rv-1", minute: int = 0, items: int = 3) -> Campaign:
    subjects = ["alice", "bob", "ops"]
    return Campaign(
        campaign_id,
        f"campaign {campaign_id}",
        ReviewScope(accounts=("111111111111",), teams=("team-a",)),
        "carol",
        T0 + timedelta(minutes=minute),
        T0 + timedelta(days=7),
        DeadlineAction.REVOKE,
        tuple(
            ReviewItem(
                f"i{n + 1:06d}",
                Assignment(
                    "111111111111",
                    "developer",
                    PrincipalType.GROUP if subjects[n % 3] == "ops" else PrincipalType.USER,
                    subjects[n % 3],
                ),
                Source.OUTSIDE if n == 2 else Source.CONFIGURATION,
                None if n == 2 else ("bob" if subjects[n % 3] == "alice" else "erin"),
                ("rule dev via team team-a",) if n != 2 else (),
                "a-prod",
            )
            for n in range(items)
        ),
    )


def note(action: str, minute: int = 1) -> AuditEvent:
    return AuditEvent(at=T0 + timedelta(minutes=minute), actor="bob", action=action, reason="r", target="t")


def test_a_campaign_reads_back_as_stored_with_its_audit_record(backend: Backend) -> None:
    reviews = backend.store.reviews
    reviews.add(campaign(), note("review.start"))
    assert reviews.get("rv-1") == campaign()
    assert [r.event.action for r in backend.store.audit.query()] == ["review.start"]
    with pytest.raises(CampaignNotFound):
        reviews.get("rv-missing")


def test_decisions_are_final_and_each_has_its_audit_record(backend: Backend) -> None:
    reviews = backend.store.reviews
    reviews.add(campaign(), note("review.start"))
    decision = Decision("i000001", Verdict.REVOKE, "bob", "left the team", T0 + timedelta(hours=1))
    reviews.decide("rv-1", decision, note("review.revoke", 2))
    with pytest.raises(ValueError, match="decided already"):
        reviews.decide("rv-1", replace(decision, verdict=Verdict.CERTIFY), note("review.certify", 3))
    stored = reviews.get("rv-1")
    assert stored.decisions == (decision,)
    assert [r.event.action for r in backend.store.audit.query()] == ["review.start", "review.revoke"]
    assert backend.store.audit.verify().ok


def test_pending_items_are_the_undecided_ones_of_open_campaigns(backend: Backend) -> None:
    reviews = backend.store.reviews
    reviews.add(campaign("rv-1"), note("review.start"))
    reviews.add(campaign("rv-2", minute=5), note("review.start"))
    assert [(c, i.item_id) for c, i in reviews.pending_for("bob")] == [
        ("rv-1", "i000001"),
        ("rv-2", "i000001"),
    ]
    reviews.decide("rv-1", Decision("i000001", Verdict.CERTIFY, "bob", "", T0), note("review.certify"))
    reviews.close("rv-2", (), T0 + timedelta(days=8), [note("review.close")])
    assert reviews.pending_for("bob") == []
    assert [(c, i.item_id) for c, i in reviews.pending_for("erin")] == [("rv-1", "i000002")]
    summaries = reviews.campaigns()
    assert [(s.campaign_id, s.status, s.items, s.decided) for s in summaries] == [
        ("rv-2", Status.CLOSED, 3, 0),
        ("rv-1", Status.OPEN, 3, 1),
    ]
    assert [s.campaign_id for s in reviews.campaigns(Status.OPEN)] == ["rv-1"]


def test_closing_happens_once_with_the_deadline_decisions(backend: Backend) -> None:
    reviews = backend.store.reviews
    reviews.add(campaign(), note("review.start"))
    at = T0 + timedelta(days=7)
    taken = [Decision(f"i00000{n}", Verdict.REVOKE, "sojourn:deadline", "late", at) for n in (1, 2)]
    reviews.close("rv-1", taken, at, [note("review.revoke"), note("review.revoke"), note("review.close")])
    with pytest.raises(ValueError, match="closed already"):
        reviews.close("rv-1", (), at, [note("review.close")])
    with pytest.raises(ValueError, match="not open"):
        reviews.decide("rv-1", Decision("i000003", Verdict.CERTIFY, "x", "", at), note("review.certify"))
    stored = reviews.get("rv-1")
    assert stored.status is Status.CLOSED and stored.closed_at == at
    assert [d.item_id for d in stored.decisions] == ["i000001", "i000002"]
    assert [r.event.action for r in backend.store.audit.query()].count("review.close") == 1


def test_changes_and_reminders_are_kept(backend: Backend) -> None:
    reviews = backend.store.reviews
    reviews.add(campaign(), note("review.start"))
    reviews.record_change("rv-1", "i000003", "removed 2026-11-25 09:00 UTC", note("assignment.delete"))
    reviews.mark_reminded("rv-1", T0 + timedelta(days=1))
    stored = reviews.get("rv-1")
    assert stored.changes == (("i000003", "removed 2026-11-25 09:00 UTC"),)
    assert stored.reminded_at == T0 + timedelta(days=1)


def test_a_large_campaign_is_stored_in_batches(backend: Backend) -> None:
    reviews = backend.store.reviews
    reviews.add(campaign(items=12_001), note("review.start"))
    assert len(reviews.get("rv-1").items) == 12_001


def test_a_large_campaign_reads_back_item_for_item(backend: Backend) -> None:
    whys = [
        (),
        ("rule dev via team team-a",),
        ("rule dev via team team-a", "rule all via team ops"),
        ('rule "quoted" via team back\\slash', "rule tab\there, line\nbreak, ünïcode ✓"),
    ]
    big = replace(
        campaign(items=0),
        items=tuple(
            ReviewItem(
                f"i{n + 1:06d}",
                Assignment(
                    f"{n % 997:012d}",
                    f"set-{n % 7}",
                    PrincipalType.GROUP if n % 5 == 0 else PrincipalType.USER,
                    f"person\t{n % 311}" if n % 1000 == 1 else f"p{n % 311:04d}",
                ),
                Source.OUTSIDE if n % 4 == 0 else Source.CONFIGURATION,
                None if n % 9 == 0 else f"lead-{n % 13}",
                whys[n % len(whys)],
                f"account\\{n % 997} «prod»" if n % 2 else "",
            )
            for n in range(12_001)
        ),
    )
    backend.store.reviews.add(big, note("review.start"))
    assert backend.store.reviews.get("rv-1") == big
    assert backend.store.audit.verify().ok
