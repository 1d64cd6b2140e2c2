"""The access graph: principals as nodes, "can assume" and "can escalate to" edges, and the queries on it."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class EdgeKind(StrEnum):
    SIGNS_IN = "signs in as"
    ASSUMES = "can assume"
    ESCALATES = "can escalate to"
    IS_ADMIN = "is administrator of"


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    """An IAM ARN, "person:NAME" for someone of the identity source, "admin:ACCOUNT", or a caller from outside
    the organisation: "external:ACCOUNT", an ARN of another account, "anyone" (see outsiders.py)."""
    kind: str
    account: str
    label: str


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: EdgeKind
    via: str
    """Why: the escalation path id, the statements that allow it, the permission set."""
    conditions: tuple[str, ...] = ()
    """Conditions the step depends on that the snapshot cannot settle (MFA, external id, source IP...)."""

    def __str__(self) -> str:
        needs = f" [if {'; '.join(self.conditions)}]" if self.conditions else ""
        return f"{self.kind} ({self.via}){needs}"


@dataclass(frozen=True, slots=True)
class Path:
    start: str
    hops: tuple[Edge, ...]
    conditions: tuple[str, ...] = ()
    """What the answer at the end depends on that the snapshot cannot settle (who-can)."""

    @property
    def end(self) -> str:
        return self.hops[-1].target if self.hops else self.start


@dataclass
class AccessGraph:
    nodes: dict[str, Node] = field(default_factory=dict)
    outgoing: dict[str, list[Edge]] = field(default_factory=dict)
    incoming: dict[str, list[Edge]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add_node(self, node: Node) -> None:
        self.nodes.setdefault(node.id, node)

    def add_edge(self, edge: Edge) -> None:
        self.outgoing.setdefault(edge.source, []).append(edge)
        self.incoming.setdefault(edge.target, []).append(edge)

    def edge_count(self) -> int:
        return sum(len(edges) for edges in self.outgoing.values())

    def admin_nodes(self) -> list[str]:
        return sorted(n.id for n in self.nodes.values() if n.kind == "admin")

    def find(self, name: str) -> list[str]:
        """Nodes by id, by "ACCOUNT/NAME", by "ACCOUNT-NAME/NAME" or by bare name."""
        if name in self.nodes:
            return [name]
        account, _, short = name.rpartition("/")
        found = []
        for node in self.nodes.values():
            if node.label != short and node.id.rsplit("/", 1)[-1] != short:
                continue
            if not account or account in (node.account, self._account_label(node.account)):
                found.append(node.id)
        return sorted(found)

    def display(self, node_id: str) -> str:
        """ACCOUNT-NAME/NAME for users and roles, the label for people and administrators."""
        node = self.nodes[node_id]
        if node.kind in ("user", "role"):
            return f"{self._account_label(node.account)}/{node.label}"
        return node.label

    def _account_label(self, account: str) -> str:
        node = self.nodes.get(f"account:{account}")
        return node.label if node else account

    def paths_to(self, targets: Iterable[str]) -> list[Path]:
        """For every node that can reach a target, one shortest path to it (breadth first, backwards)."""
        goal = set(targets)
        next_hop: dict[str, Edge | None] = {t: None for t in goal}
        queue = deque(sorted(goal))
        while queue:
            current = queue.popleft()
            for edge in sorted(self.incoming.get(current, ()), key=lambda e: (e.source, e.kind, e.via)):
                if edge.source not in next_hop:
                    next_hop[edge.source] = edge
                    queue.append(edge.source)
        paths = []
        for start, first in next_hop.items():
            if first is None or self.nodes[start].kind in ("admin", "account", "hub"):
                continue
            hops = []
            step: Edge | None = first
            while step is not None:
                hops.append(step)
                step = next_hop[step.target]
            paths.append(Path(start, tuple(hops)))
        return sorted(paths, key=lambda p: (len(p.hops), p.start))
