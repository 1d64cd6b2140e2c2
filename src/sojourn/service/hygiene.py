"""`sojourn hygiene`: credential facts of every account and the usage table, judged by the hygiene checks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sojourn.access.state import AccessState, PrincipalType
from sojourn.analysis.finding import Finding, Risk
from sojourn.analysis.hygiene_checks import hygiene_findings
from sojourn.analysis.hygiene_facts import AssignmentUse, HygieneFacts, Thresholds
from sojourn.service.ports.activity import UsageRepository
from sojourn.service.ports.hygiene import AssignmentsReader, AssignmentsUnavailable, HygieneSource
from sojourn.usage.caller import permission_set_of
from sojourn.usage.lines import UsageLine


@dataclass(frozen=True, slots=True)
class HygieneReport:
    facts: HygieneFacts
    findings: tuple[Finding, ...]

    def reaching(self, floor: Risk) -> bool:
        return any(f.check.severity.at_least(floor) for f in self.findings)


def read_hygiene_facts(
    source: HygieneSource,
    usage: UsageRepository,
    assignments_reader: AssignmentsReader | None,
    now: datetime,
    progress: Callable[[str, int, int], None] | None = None,
) -> HygieneFacts:
    """Every account's credential facts and, with Identity Center, each person's use of their standing
    assignments as the usage table shows it."""
    accounts, read_notes = source.read_accounts(progress)
    notes = list(read_notes)
    lines = usage.lines()
    activity_since = min((line.first_seen for line in lines), default=None)
    assignments: tuple[AssignmentUse, ...] = ()
    if assignments_reader is None:
        notes.append("Identity Center not asked: standing assignments are not judged")
    else:
        try:
            assignments = standing_uses(assignments_reader(), lines)
        except AssignmentsUnavailable as error:
            notes.append(f"Identity Center not read ({error}): standing assignments are not judged")
    if activity_since is None:
        notes.append("no activity ingested (`sojourn activity ingest`): standing assignments are not judged")
    return HygieneFacts(accounts, assignments, activity_since, tuple(notes), now)


def hygiene_report(facts: HygieneFacts, now: datetime, limits: Thresholds) -> HygieneReport:
    return HygieneReport(facts, tuple(hygiene_findings(facts, now, limits)))


def standing_uses(state: AccessState, lines: Iterable[UsageLine]) -> tuple[AssignmentUse, ...]:
    """Each person's assignments (direct or through a group) with the last time they used that permission
    set in that account (the Identity Center role's sessions are named after the person)."""
    last: dict[tuple[str, str, str], datetime] = {}
    for line in lines:
        permission_set = permission_set_of(line.principal)
        if permission_set is None or not line.session or line.denied:
            continue
        key = (line.session, permission_set, line.principal.split(":")[4])
        last[key] = max(last.get(key, line.last_seen), line.last_seen)
    members: dict[str, set[str]] = defaultdict(set)
    for membership in state.memberships:
        members[membership.group].add(membership.user)
    held: set[tuple[str, str, str]] = set()
    for assignment in state.assignments:
        people = (
            {assignment.principal}
            if assignment.principal_type is PrincipalType.USER
            else members.get(assignment.principal, set())
        )
        held |= {(person, assignment.permission_set, assignment.account_id) for person in people}
    return tuple(AssignmentUse(*key, last.get(key)) for key in sorted(held))
