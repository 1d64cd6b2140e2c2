"""Who-can, paths and findings over a snapshot: the access graph is built once and each verb asks it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sojourn.analysis.capability import Step
from sojourn.analysis.finding import Finding, Risk
from sojourn.analysis.graph import Edge, Path
from sojourn.analysis.graph_build import GraphBuilder
from sojourn.analysis.queries import paths_to, who_can
from sojourn.analysis.snapshot import OrgSnapshot
from sojourn.analysis.snapshot_findings import describe, snapshot_findings
from sojourn.catalog import ActionCatalog
from sojourn.service.plan_findings import at_least

GraphProgress = Callable[[str, int, int], None]
"""Called with (stage, stages done, stages in all) while the graph is built."""


@dataclass(frozen=True, slots=True)
class AccessPath:
    """One answer: a principal and the hops it takes, ready to show (`text` names the nodes readably)."""

    principal: str
    display: str
    hops: tuple[Edge, ...]
    conditions: tuple[str, ...]
    """What the answer depends on that the snapshot cannot settle (MFA, source IP...)."""
    text: str


@dataclass(frozen=True, slots=True)
class SnapshotFindings:
    """Every check over the snapshot's policies, compute roles with admin, and escalation to admin."""

    findings: tuple[Finding, ...]
    admin_paths: tuple[str, ...]
    """Every path to an administrator, as text."""
    notes: tuple[str, ...]
    """What the graph could not read or decide."""

    def reaching(self, threshold: Risk) -> list[Finding]:
        """The findings at least as severe as THRESHOLD."""
        return at_least(list(self.findings), threshold)


class SnapshotAnalysis:
    """The access graph of one snapshot; who-can, paths and findings are questions to it."""

    def __init__(
        self,
        snapshot: OrgSnapshot,
        catalog: ActionCatalog,
        progress: GraphProgress | None = None,
        steps: tuple[Step, ...] | None = None,
    ) -> None:
        self._builder = GraphBuilder(snapshot, catalog, steps)
        self._graph = self._builder.build(progress)

    def who_can(self, action: str, resource: str) -> list[AccessPath]:
        """Principals allowed ACTION on RESOURCE, then those that reach one of them, shortest first."""
        return [self._answer(p) for p in who_can(self._builder, self._graph, action, resource)]

    def paths_to(self, target: str) -> list[AccessPath]:
        """Every principal's shortest path to TARGET ("admin", a role ARN or ACCOUNT/ROLE).

        Raises UnknownTarget when the snapshot does not hold the target.
        """
        return [self._answer(p) for p in paths_to(self._graph, target)]

    def findings(self) -> SnapshotFindings:
        """Every finding of the snapshot, with the paths to admin and the graph's notes."""
        found = snapshot_findings(self._builder, self._graph)
        admin = [describe(self._graph, p) for p in self._graph.paths_to(self._graph.admin_nodes())]
        return SnapshotFindings(tuple(found), tuple(admin), tuple(self._graph.notes))

    def _answer(self, path: Path) -> AccessPath:
        return AccessPath(
            path.start,
            self._graph.display(path.start),
            path.hops,
            path.conditions,
            describe(self._graph, path),
        )
