"""Access reviews in the core: the `reviews:`/`revocations:` configuration, reviewer choice (never the
person under review), decisions, the deadline, and revocations the compiler honours."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from sojourn.access.compiler import compile_access
from sojourn.access.config import AccessConfig
from sojourn.access.config_parse import parse_config
from sojourn.access.organization import Account, Organization
from sojourn.access.review import Campaign, ReviewScope, Source, Status, Verdict
from sojourn.access.review_build import CampaignDraft, build_campaign
from sojourn.access.review_decide import ReviewRefused, deadline_decisions, decide, outcome_of
from sojourn.access.review_evidence import evidence_csv, evidence_html, evidence_rows
from sojourn.access.review_render import revocations_yaml
from sojourn.access.review_settings import DeadlineAction, ReviewerSource
from sojourn.access.state import Assignment, PrincipalType

PROD, DEV = "111111111111", "222222222222"
ORG = Organization((Account(PROD, "a-prod", "/prod"), Account(DEV, "a-dev", "/dev")))
T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
BASE = """\
permission_sets:
  - name: developer
  - name: read-only
people:
  - {user_name: alice}
  - {user_name: bob}
  - {user_name: carol}
  - {user_name: erin}
teams:
  - {name: team-a, members: [alice, bob]}
  - {name: ops, members: [carol]}
rules:
  - {name: dev, who: {teams: [team-a]}, where: {all: true}, what: [developer]}
  - {name: ops-read, who: {groups: [ops]}, where: {names: [a-prod]}, what: [read-only]}
"""
REVIEWS = """\
reviews:
  reviewers: [team_lead, account_owner, named]
  team_leads: {team-a: [bob]}
  account_owners: {a-dev: [carol]}
  people: [erin]
  deadline: 10d
  deadline_action: report
  remind_every: 2d
"""


def config_of(*texts: str) -> AccessConfig:
    result = parse_config({f"f{i}.yaml": text for i, text in enumerate(texts)})
    assert result.config is not None, [str(i) for i in result.issues]
    return result.config


EVERYTHING = ReviewScope()


def campaign_of(config: AccessConfig, scope: ReviewScope = EVERYTHING, observed: tuple = ()) -> Campaign:
    compiled = compile_access(config, ORG, today=date(2026, 12, 1))
    return build_campaign(
        CampaignDraft("rv-1", "q4", scope, "carol", T0),
        config,
        ORG,
        configured=compiled.desired.assignments,
        observed=set(observed),
        effective=compiled.effective,
        today=date(2026, 12, 1),
    )


def test_the_reviews_section_is_read_with_its_defaults_filled() -> None:
    settings = config_of(BASE, REVIEWS).reviews
    assert settings.order == (ReviewerSource.TEAM_LEAD, ReviewerSource.ACCOUNT_OWNER, ReviewerSource.NAMED)
    assert settings.team_leads == {"team-a": ("bob",)} and settings.named == ("erin",)
    assert settings.duration == timedelta(days=10) and settings.remind_every == timedelta(days=2)
    assert settings.deadline_action is DeadlineAction.REPORT
    assert config_of(BASE).reviews.deadline_action is DeadlineAction.REVOKE


def test_bad_review_configuration_is_reported_where_it_is_written() -> None:
    bad = "reviews:\n  team_leads: {team-x: [zed]}\n  deadline: soon\n  deadline_action: ignore\n"
    found = [str(i) for i in parse_config({"a.yaml": BASE, "r.yaml": bad}).issues]
    assert any(f.startswith("r.yaml:3:3: reviews.deadline: 'soon' is not a duration") for f in found), found
    assert any(f.startswith("r.yaml:4:3: reviews.deadline_action:") for f in found), found
    unknown = "reviews:\n  team_leads: {team-x: [zed]}\n"
    found = [str(i) for i in parse_config({"a.yaml": BASE, "r.yaml": unknown}).issues]
    assert any("r.yaml:1:1: reviews.team_leads.team-x: unknown team 'team-x'" in f for f in found), found
    assert any("unknown person 'zed'" in f for f in found), found
    both = 'revocations:\n  - {account: "111111111111", permission_set: developer, person: bob, group: ops}\n'
    found = [str(i) for i in parse_config({"a.yaml": BASE, "r.yaml": both}).issues]
    assert found == ["r.yaml:2:5: revocations[0]: name exactly one of person or group"]


def test_each_item_goes_to_the_first_candidate_who_is_not_under_review() -> None:
    campaign = campaign_of(config_of(BASE, REVIEWS))
    reviewer = {
        (i.subject, i.assignment.account_id, i.assignment.permission_set): i.reviewer for i in campaign.items
    }
    assert reviewer[("alice", PROD, "developer")] == "bob"  # her lead
    assert reviewer[("bob", PROD, "developer")] == "erin"  # his own lead is himself; no owner of a-prod
    assert reviewer[("bob", DEV, "developer")] == "carol"  # the owner of a-dev
    assert reviewer[("group:ops", PROD, "read-only")] == "erin"  # carol owns nothing here and is in ops
    assert all(i.reviewer not in (i.subject, None) for i in campaign.items)
    assert [i.item_id for i in campaign.items] == [f"i{n:06d}" for n in range(1, 6)]
    assert campaign.deadline == T0 + timedelta(days=10)


def test_an_item_nobody_else_can_review_is_flagged_unassignable() -> None:
    only_bob = REVIEWS.replace("  account_owners: {a-dev: [carol]}\n", "").replace(
        "people: [erin]", "people: [bob]"
    )
    campaign = campaign_of(config_of(BASE, only_bob), ReviewScope(teams=("team-a",)))
    assert {i.subject for i in campaign.unassignable()} == {"bob"}
    item = campaign.unassignable()[0]
    with pytest.raises(ReviewRefused, match="may not review their own access"):
        decide(campaign, item.item_id, "bob", Verdict.CERTIFY, "", T0)


def test_scope_filters_accounts_permission_sets_and_teams_and_marks_outside_assignments() -> None:
    config = config_of(BASE, REVIEWS)
    drift = Assignment(PROD, "developer", PrincipalType.USER, "erin")
    campaign = campaign_of(
        config, ReviewScope(accounts=("a-prod",), permission_sets=("developer",)), (drift,)
    )
    assert {(i.subject, i.source) for i in campaign.items} == {
        ("alice", Source.CONFIGURATION),
        ("bob", Source.CONFIGURATION),
        ("erin", Source.OUTSIDE),
    }
    assert next(i for i in campaign.items if i.subject == "alice").why == ("rule dev via team team-a",)
    by_team = campaign_of(config, ReviewScope(teams=("ops",)))
    assert [i.subject for i in by_team.items] == ["group:ops"]
    assert len(campaign_of(config, ReviewScope(accounts=(DEV,))).items) == 2


def test_decisions_are_refused_for_the_wrong_reviewer_twice_or_without_a_reason_to_revoke() -> None:
    campaign = campaign_of(
        config_of(BASE, REVIEWS), ReviewScope(accounts=("a-prod",), permission_sets=("developer",))
    )
    alice = next(i for i in campaign.items if i.subject == "alice")
    with pytest.raises(ReviewRefused, match="assigned to bob, not erin"):
        decide(campaign, alice.item_id, "erin", Verdict.CERTIFY, "", T0)
    with pytest.raises(ReviewRefused, match="may not review their own access"):
        decide(campaign, alice.item_id, "alice", Verdict.CERTIFY, "", T0)
    with pytest.raises(ReviewRefused, match="say why"):
        decide(campaign, alice.item_id, "bob", Verdict.REVOKE, "  ", T0)
    with pytest.raises(ReviewRefused, match="no item"):
        decide(campaign, "i999999", "bob", Verdict.CERTIFY, "", T0)
    decision = decide(campaign, alice.item_id, "bob", Verdict.REVOKE, " left ", T0)
    assert decision.comment == "left"
    decided = Campaign(**{**_fields(campaign), "decisions": (decision,)})
    with pytest.raises(ReviewRefused, match="already decided"):
        decide(decided, alice.item_id, "bob", Verdict.CERTIFY, "", T0)
    closed = Campaign(**{**_fields(campaign), "status": Status.CLOSED})
    with pytest.raises(ReviewRefused, match="closed"):
        decide(closed, alice.item_id, "bob", Verdict.CERTIFY, "", T0)


def _fields(campaign: Campaign) -> dict:
    return {name: getattr(campaign, name) for name in Campaign.__dataclass_fields__}


@pytest.mark.parametrize("action", list(DeadlineAction))
def test_the_deadline_revokes_or_reports_what_nobody_decided(action: DeadlineAction) -> None:
    campaign = Campaign(**{**_fields(campaign_of(config_of(BASE, REVIEWS))), "deadline_action": action})
    with pytest.raises(ReviewRefused, match="has not come"):
        deadline_decisions(campaign, T0 + timedelta(days=1))
    assert deadline_decisions(campaign, T0 + timedelta(days=1), early=True) == ()
    taken = deadline_decisions(campaign, campaign.deadline)
    if action is DeadlineAction.REPORT:
        assert taken == ()
    else:
        assert {d.item_id for d in taken} == {i.item_id for i in campaign.items}
        assert {d.verdict for d in taken} == {Verdict.REVOKE}


def test_revocations_written_by_a_campaign_are_left_out_by_the_compiler() -> None:
    config = config_of(BASE, REVIEWS)
    campaign = campaign_of(config)
    alice = next(i for i in campaign.items if i.subject == "alice" and i.assignment.account_id == PROD)
    ops = next(i for i in campaign.items if i.subject == "group:ops")
    decisions = (
        decide(campaign, alice.item_id, "bob", Verdict.REVOKE, 'not needed "any more"', T0),
        decide(campaign, ops.item_id, "erin", Verdict.REVOKE, "ops read via break-glass now", T0),
    )
    closed = Campaign(**{**_fields(campaign), "decisions": decisions, "status": Status.CLOSED})
    outcome = outcome_of(closed)
    assert len(outcome.revocations) == 2 and outcome.outside_removals == ()
    text = revocations_yaml("rv-1", "q4\n# injected: yes", outcome.revocations, {PROD: "a-prod"})
    assert "\n# injected" not in text
    after = config_of(BASE, REVIEWS, text)
    desired = compile_access(after, ORG, today=date(2026, 12, 1)).desired.assignments
    before = compile_access(config, ORG, today=date(2026, 12, 1)).desired.assignments
    assert before - desired == {alice.assignment, ops.assignment}
    assert (
        after.revocations[0].comment == 'not needed "any more"' and after.revocations[0].decided_by == "bob"
    )


def test_evidence_lists_every_item_and_keeps_cells_inert() -> None:
    campaign = campaign_of(config_of(BASE, REVIEWS))
    alice = next(i for i in campaign.items if i.subject == "alice")
    decision = decide(campaign, alice.item_id, "bob", Verdict.REVOKE, '=HYPERLINK("x")', T0)
    decided = Campaign(**{**_fields(campaign), "decisions": (decision,)})
    rows = evidence_rows(decided, {alice.item_id: "removed 2026-12-02 10:00 UTC"})
    table = list(csv.DictReader(io.StringIO(evidence_csv(rows))))
    assert len(table) == len(campaign.items)
    mine = next(r for r in table if r["item"] == alice.item_id)
    assert mine["comment"].startswith("'=") and mine["decided_by"] == "bob"
    assert mine["changed_in_aws"] == "removed 2026-12-02 10:00 UTC"
    assert sum(r["decision"] == "undecided" for r in table) == len(campaign.items) - 1
    page = evidence_html(Campaign(**{**_fields(decided), "name": "<script>x</script>"}), rows)
    assert "<script>x" not in page and "&lt;script&gt;" in page
