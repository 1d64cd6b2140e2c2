"""Every principal of a snapshot with the policies that apply to it, parsed once and compiled once per shape.

Principals with the same policies (many roles share a handful of managed policies) share one compiled set,
so the graph asks the engine once per shape, not once per principal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from sojourn.analysis.snapshot import AccountSnapshot, Document, InlinePolicy, OrgSnapshot
from sojourn.policy import CompiledPolicySet, Policy, PolicyKind, PolicySet, compile_policy_set
from sojourn.policy.parser import parse_policy_document


@dataclass(frozen=True, slots=True)
class Holder:
    """A principal that can act: an IAM user or role (persons of the identity source act through roles)."""

    arn: str
    name: str
    account: str
    kind: str
    shape: tuple[str, ...]
    """The sources of every policy that applies, in a fixed order: equal shapes get equal answers."""


@dataclass
class PolicyLibrary:
    """Parses each document once; remembers the ones that could not be parsed."""

    snapshot: OrgSnapshot
    parsed: dict[str, Policy | None] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)
    compiled: dict[tuple[str, ...], CompiledPolicySet] = field(default_factory=dict)
    sets: dict[tuple[str, ...], PolicySet] = field(default_factory=dict)
    documents: dict[str, Document | None] = field(default_factory=dict)

    def parse(self, source: str, document: Document | None, kind: PolicyKind) -> Policy | None:
        if source not in self.parsed:
            self.documents[source] = document
            policy = None
            if document is not None:
                result = parse_policy_document(dict(document), source=source, kind=kind)
                policy = result.policy
            if policy is None:
                self.unreadable.append(source)
            self.parsed[source] = policy
        return self.parsed[source]

    def content_key(self, policy: Policy) -> str:
        """Managed policies by ARN, inline ones by content: equal inline policies share a shape."""
        if "#" not in policy.source:
            return policy.source
        document = self.documents.get(policy.source)
        text = json.dumps(document, sort_keys=True, separators=(",", ":"))
        return "inline:" + hashlib.sha256(text.encode()).hexdigest()[:24]

    def register(self, key: tuple[str, ...], policies: PolicySet) -> None:
        self.sets.setdefault(key, policies)

    def compiled_set(self, key: tuple[str, ...]) -> CompiledPolicySet:
        if key not in self.compiled:
            self.compiled[key] = compile_policy_set(self.sets[key])
        return self.compiled[key]


def holders(snapshot: OrgSnapshot, library: PolicyLibrary) -> Iterator[Holder]:
    """Every user and role with its policy set registered in the library under its shape."""
    for account in snapshot.accounts:
        scps = _levels(library, account, account.scps, "scp", PolicyKind.SCP)
        groups = {g.name: g for g in account.groups}
        for user in account.users:
            attached = _attached(library, account, user.arn, user.managed, user.inline)
            for group_name in user.groups:
                group = groups.get(group_name)
                if group is not None:
                    attached += _attached(library, account, group.arn, group.managed, group.inline)
            yield _holder(library, account, user.arn, user.name, "user", attached, user.boundary, scps)
        for role in account.roles:
            attached = _attached(library, account, role.arn, role.managed, role.inline)
            yield _holder(library, account, role.arn, role.name, "role", attached, role.boundary, scps)


def _attached(
    library: PolicyLibrary,
    account: AccountSnapshot,
    owner: str,
    managed: tuple[str, ...],
    inline: tuple[InlinePolicy, ...],
) -> list[Policy]:
    documents = [(arn, library.snapshot.policy(account, arn)) for arn in managed]
    documents += [(f"{owner}#{p.name}", p.document) for p in inline]
    parsed = (library.parse(source, document, PolicyKind.IDENTITY) for source, document in documents)
    return [p for p in parsed if p is not None]


def _holder(
    library: PolicyLibrary,
    account: AccountSnapshot,
    arn: str,
    name: str,
    kind: str,
    identity: list[Policy],
    boundary_arn: str | None,
    scps: tuple[tuple[Policy, ...], ...],
) -> Holder:
    boundary = None
    if boundary_arn is not None:
        parsed = library.parse(
            boundary_arn, library.snapshot.policy(account, boundary_arn), PolicyKind.BOUNDARY
        )
        boundary = (parsed,) if parsed is not None else ()
    shape = (
        f"account:{account.id}",
        *sorted(library.content_key(p) for p in identity),
        f"boundary:{boundary_arn}",
    )
    library.register(shape, PolicySet(identity=tuple(identity), scps=scps, boundary=boundary))
    return Holder(arn, name, account.id, kind, shape)


def _levels(
    library: PolicyLibrary,
    account: AccountSnapshot,
    levels: tuple[tuple[Document, ...], ...],
    label: str,
    kind: PolicyKind,
) -> tuple[tuple[Policy, ...], ...]:
    result = []
    for depth, level in enumerate(levels):
        parsed = (
            library.parse(f"{label}:{account.id}:{depth}:{i}", doc, kind) for i, doc in enumerate(level)
        )
        result.append(tuple(p for p in parsed if p is not None))
    return tuple(result)


def rcps_of(library: PolicyLibrary, account: AccountSnapshot) -> tuple[tuple[Policy, ...], ...]:
    return _levels(library, account, account.rcps, "rcp", PolicyKind.RCP)
