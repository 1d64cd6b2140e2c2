"""S2: just-in-time access against moto on SQLite and PostgreSQL; AWS checked through boto3 at each step."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from sojourn.workflow.grant_request import State
from sojourn.workflow.opening import NotEligible
from sojourn.workflow.transitions import SelfApproval
from tests.e2e.jit_fixtures import T0, Jit, jit  # noqa: F401 - fixture
from tests.notify.test_channels import receiver  # noqa: F401 - fixture

PROD = ("team-a-prod", "prod-admin")


def test_s2_2_request_approve_grant_and_expire_on_time(jit: Jit) -> None:  # noqa: F811
    request = jit.service.request(
        "alice", "prod-admin", ("team-a-prod",), timedelta(hours=2), "INC-4711 failover", "INC-4711"
    )
    assert request.state is State.PENDING and request.approvers == {"erin", "carol"}
    with pytest.raises(SelfApproval):
        jit.service.approve(request.id, "alice")
    jit.worker.tick()
    assert PROD not in jit.holds("alice")
    jit.clock.advance(minutes=3)
    jit.service.approve(request.id, "erin", "go")
    jit.worker.tick()
    assert PROD in jit.holds("alice")
    code, output = jit.sojourn("plan", "--config", str(jit.sojourn.config))
    assert code == 0, output  # the plan does not see the live grant as drift
    active = jit.service.get(request.id)
    assert active.state is State.ACTIVE and active.ends_at == jit.clock.now() + timedelta(hours=2)
    jit.clock.advance(hours=1, minutes=59)
    jit.worker.tick()
    assert PROD in jit.holds("alice")
    jit.clock.advance(minutes=1)
    jit.worker.tick()
    assert PROD not in jit.holds("alice")
    inline = jit.aws.inline_policy("prod-admin")
    revocation = next(s for s in inline["Statement"] if s["Sid"].startswith("SojournRevokedSessions"))
    assert revocation["Condition"]["StringEquals"]["identitystore:UserId"] == jit.aws.user_id("alice")
    assert (
        revocation["Condition"]["DateLessThan"]["aws:TokenIssueTime"]
        == f"{jit.clock.now():%Y-%m-%dT%H:%M:%SZ}"
    )
    code, output = jit.sojourn("plan", "--config", str(jit.sojourn.config))
    assert code == 0, output  # the revocation statement is not configuration drift
    ended = jit.service.get(request.id)
    assert ended.state is State.ENDED and ended.revoked_in_aws_at == jit.clock.now()
    records = jit.store.audit.query(person="alice")
    actions = [r.event.action for r in records if r.event.action.startswith("jit.")]
    assert actions == ["jit.request", "jit.approve", "jit.grant", "jit.expire"]
    approve = next(r for r in records if r.event.action == "jit.approve")
    assert approve.event.actor == "erin"
    assert jit.store.audit.verify().ok
    account = jit.aws.accounts["team-a-prod"]
    window = ("--since", T0.isoformat(), "--until", (T0 + timedelta(hours=3)).isoformat())
    code, output = jit.sojourn(
        "audit", "held", "--permission-set", "prod-admin", "--account", account, *window, "--json"
    )
    assert code == 0, output
    held = json.loads(output)
    assert [(h["person"], h["approved_by"]) for h in held] == [("alice", ["erin"])]
    assert held[0]["from"] == (T0 + timedelta(minutes=3)).isoformat() and held[0]["until"] is not None


def test_requests_outside_eligibility_are_refused(jit: Jit) -> None:  # noqa: F811
    with pytest.raises(NotEligible, match="not eligible"):
        jit.service.request("alice", "prod-admin", ("team-a-dev",), timedelta(hours=1), "x", "INC-1")
    with pytest.raises(NotEligible, match="longer than"):
        jit.service.request("alice", "prod-admin", ("team-a-prod",), timedelta(hours=5), "x", "INC-1")
    with pytest.raises(NotEligible, match="ticket"):
        jit.service.request("alice", "prod-admin", ("team-a-prod",), timedelta(hours=1), "x")
    with pytest.raises(NotEligible, match="not eligible"):
        jit.service.request("dave", "prod-admin", ("team-a-prod",), timedelta(hours=1), "x", "INC-1")


def test_one_request_covers_several_accounts(jit: Jit) -> None:  # noqa: F811
    request = jit.service.request(
        "alice", "prod-admin", ("team-a-prod", "team-b-prod"), timedelta(hours=1), "INC-7 both", "INC-7"
    )
    jit.service.approve(request.id, "carol")
    jit.worker.tick()
    assert {PROD, ("team-b-prod", "prod-admin")} <= jit.holds("alice")
    jit.service.revoke(request.id, "alice", "done")
    jit.worker.tick()
    assert not {PROD, ("team-b-prod", "prod-admin")} & jit.holds("alice")


def test_overlapping_grants_never_take_each_other_away(jit: Jit) -> None:  # noqa: F811
    first = jit.service.request(
        "alice", "prod-admin", ("team-a-prod",), timedelta(hours=2), "INC-1 a", "INC-1"
    )
    jit.service.approve(first.id, "erin")
    jit.worker.tick()
    jit.clock.advance(hours=1)
    second = jit.service.request(
        "alice", "prod-admin", ("team-a-prod",), timedelta(hours=2), "INC-2 b", "INC-2"
    )
    jit.service.approve(second.id, "carol")
    jit.worker.tick()
    jit.clock.advance(hours=1)
    jit.worker.tick()
    assert jit.service.get(first.id).state is State.ENDED
    assert PROD in jit.holds("alice")  # the second grant still justifies it
    jit.clock.advance(hours=1)
    jit.worker.tick()
    assert PROD not in jit.holds("alice")


def test_a_grant_never_removes_standing_access(jit: Jit) -> None:  # noqa: F811
    # bob holds developer on team-a-prod by a standing rule; a developer grant ending must not remove it
    assert ("team-a-prod", "developer") in jit.holds("bob")
    request = jit.service.request("bob", "prod-admin", ("team-a-prod",), timedelta(hours=1), "INC-3", "INC-3")
    jit.service.approve(request.id, "erin")
    jit.worker.tick()
    jit.clock.advance(hours=1)
    jit.worker.tick()
    assert ("team-a-prod", "developer") in jit.holds("bob")
    assert PROD not in jit.holds("bob")


def test_s2_4_break_glass_needs_no_approver_is_short_and_flagged(jit: Jit) -> None:  # noqa: F811
    with pytest.raises(NotEligible, match="longer than"):
        jit.service.request(
            "alice", "prod-admin", ("team-a-prod",), timedelta(hours=2), "outage", break_glass=True
        )
    glass = jit.service.request(
        "alice", "prod-admin", ("team-a-prod",), timedelta(minutes=30), "outage", break_glass=True
    )
    assert glass.state is State.APPROVED and glass.source == "break-glass"
    jit.worker.tick()
    assert PROD in jit.holds("alice")
    actions = {r.event.action for r in jit.store.audit.query(person="alice")}
    assert "jit.break-glass" in actions
    jit.clock.advance(minutes=30)
    jit.worker.tick()
    assert PROD not in jit.holds("alice")


def test_the_cli_requests_refuses_self_approval_approves_and_provisions(jit: Jit) -> None:  # noqa: F811
    config = str(jit.sojourn.config)
    code, output = jit.sojourn(
        "request",
        "prod-admin",
        "--account",
        "team-a-prod",
        "--for",
        "1h",
        "--reason",
        "INC-9 db",
        "--ticket",
        "INC-9",
        "--as",
        "alice",
        "--config",
        config,
        "--json",
    )
    assert code == 0, output
    made = json.loads(output)
    assert made["state"] == "pending" and set(made["approvers"]) == {"erin", "carol"}
    code, output = jit.sojourn("approve", made["id"], "--as", "alice", "--config", config)
    assert code == 1 and "own request" in output
    code, output = jit.sojourn("approve", made["id"], "--as", "erin", "--comment", "ok", "--config", config)
    assert code == 0, output
    code, output = jit.sojourn("worker", "--once", "--config", config)
    assert code == 0, output
    assert PROD in jit.holds("alice")
    code, output = jit.sojourn("revoke", made["id"], "--reason", "done", "--as", "alice", "--config", config)
    assert code == 0, output
    assert ": revoked, revoked at " in output and " UTC by alice" in output and "ends" not in output
    jit.sojourn("worker", "--once", "--config", config)
    assert PROD not in jit.holds("alice")
    code, output = jit.sojourn("requests", "--config", config)
    assert code == 0 and "revoked at" in output and "ends" not in output, output


def test_s2_4_break_glass_is_notified_through_a_signed_webhook(jit: Jit, receiver) -> None:  # noqa: F811
    from sojourn.notify.dispatcher import Dispatcher
    from sojourn.notify.message import notifier
    from sojourn.notify.webhook import SignedWebhook, verify_signature

    state, url = receiver
    dispatcher = Dispatcher([SignedWebhook(url, b"s3cret")])
    jit.worker.notify = notifier(dispatcher)
    jit.service.request(
        "alice", "prod-admin", ("team-a-prod",), timedelta(minutes=15), "outage", break_glass=True
    )
    jit.worker.tick()
    assert state.arrived.wait(5)
    dispatcher.close()
    events = [json.loads(body) for _, body in state.bodies]
    glass = next(e for e in events if e["event"] == "break_glass")
    assert glass["to"] == ["security"] and glass["request"]["person"] == "alice"
    headers, body = next((h, b) for h, b in state.bodies if json.loads(b)["event"] == "break_glass")
    stamp = headers["x-sojourn-timestamp"]
    assert verify_signature(b"s3cret", stamp, body, headers["x-sojourn-signature"], float(stamp))


STANDING_LATER = """
teams:
  - name: prod-owners
    members:
      - {person: alice, from: 2026-11-25}
rules:
  - name: prod-owners-administer-team-a-prod
    who: {teams: [prod-owners]}
    where: {names: [team-a-prod]}
    what: [prod-admin]
"""


def test_overlapping_grants_and_a_standing_rule_that_starts_later(jit: Jit) -> None:  # noqa: F811
    config = str(jit.sojourn.config)
    jit.sojourn.write("standing-later.yaml", STANDING_LATER)
    first = jit.service.request("alice", "prod-admin", ("team-a-prod",), timedelta(hours=2), "INC-1", "INC-1")
    jit.service.approve(first.id, "erin")
    jit.worker.tick()
    assert PROD in jit.holds("alice")  # justified by the first grant
    jit.clock.advance(hours=2)
    jit.worker.tick()
    assert PROD not in jit.holds("alice")  # nothing justifies it (the rule starts tomorrow)
    jit.clock.advance(hours=21)
    second = jit.service.request(
        "alice", "prod-admin", ("team-a-prod",), timedelta(hours=2), "INC-2", "INC-2"
    )
    jit.service.approve(second.id, "carol")
    jit.worker.tick()
    assert PROD in jit.holds("alice")  # the second grant
    jit.clock.advance(hours=1)  # now 2026-11-25: the standing rule applies
    plan = jit.sojourn.config.parent / "tomorrow.json"
    code, output = jit.sojourn("plan", "--config", config, "--today", "2026-11-25", "--out", str(plan))
    assert code in (0, 2), output
    code, output = jit.sojourn("apply", str(plan), "--reason", "standing rule starts")
    assert code == 0, output
    jit.clock.advance(hours=1, minutes=1)
    jit.worker.tick()
    assert jit.service.get(second.id).state.value == "ended"
    assert PROD in jit.holds("alice")  # the standing rule still justifies it
