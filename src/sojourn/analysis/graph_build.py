"""Build the access graph from a snapshot; every edge is a question the evaluation engine answered "allowed".

- signs in as: a person of the identity source holds a permission set's role (Identity Center assignment);
- can assume: sts:AssumeRole allowed by the caller's policies and SCPs and the role's trust policy and RCPs;
- can escalate to: a capability the engine allows (change permissions, take over credentials, change trust,
  run code as a role, take over existing code; see escalation_edges), towards the principal whose power it
  yields: a role passed to a service or run by code that can be changed, a user whose credentials can be
  created, a role whose trust can be rewritten, or the account's administrator;
- is administrator of: every IAM "Permissions management" action of the catalogue is allowed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from sojourn.analysis.capability import Step, default_steps
from sojourn.analysis.escalation import probe_resource
from sojourn.analysis.escalation_edges import escalation_edges
from sojourn.analysis.graph import AccessGraph, Edge, EdgeKind, Node
from sojourn.analysis.holders import Holder, PolicyLibrary, holders, rcps_of
from sojourn.analysis.outsiders import Outsider, outsiders_let_in
from sojourn.analysis.resource_access import ResourcePolicyIndex
from sojourn.analysis.snapshot import AccountSnapshot, OrgSnapshot, Role
from sojourn.analysis.trust_index import TrustNames, federated_by_account, trust_names
from sojourn.catalog import ActionCatalog
from sojourn.policy import (
    CompiledPolicySet,
    Discovery,
    EvaluationRequest,
    Outcome,
    PolicyKind,
    evaluate,
    parse_policy_document,
)
from sojourn.policy.compiled import CompiledPolicy, compile_policy
from sojourn.policy.model import Effect

Progress = Callable[[str, int, int], None]
HUB_MIN = 16


@dataclass(frozen=True, slots=True)
class TrustedRole:
    role: Role
    account: str
    names: TrustNames
    compiled: CompiledPolicy | None
    conditional: bool


class GraphBuilder:
    """Holds the parsed snapshot so that `who-can` can ask more questions after the graph is built."""

    def __init__(
        self, snapshot: OrgSnapshot, catalog: ActionCatalog, steps: tuple[Step, ...] | None = None
    ) -> None:
        self.snapshot = snapshot
        self.catalog = catalog
        self.steps = default_steps(catalog) if steps is None else steps
        self.library = PolicyLibrary(snapshot)
        self.holders = list(holders(snapshot, self.library))
        self.by_arn = {h.arn: h for h in self.holders}
        self.organisation = frozenset(a.id for a in snapshot.accounts)
        self._accounts = {a.id: a for a in snapshot.accounts}
        self._may: dict[tuple[object, ...], dict[str, bool]] = {}
        self._signatures: dict[tuple[str, ...], tuple[object, ...]] = {}
        self.screens: dict[tuple[object, ...], tuple[Step, ...]] = {}
        self.own_steps: dict[tuple[str, ...], list[tuple[Step, bool]]] = {}
        self._outsiders: dict[str, list[tuple[Outsider, tuple[str, ...]]]] = {}
        self.roles = self._trusted_roles()
        self.rcps = {a.id: rcps_of(self.library, a) for a in snapshot.accounts}
        self.resource_policies = ResourcePolicyIndex.of(snapshot, self.library)
        self._compiled_rcps: dict[str, tuple[tuple[CompiledPolicy, ...], ...]] = {}
        self._by_service: dict[tuple[str, str], list[str]] = {}
        self._trusts: dict[str, CompiledPolicy] = {}
        self.risks: dict[tuple[str, ...], dict[str, tuple[str, ...]]] = {}
        self.escalations: dict[tuple[str, ...], dict[str, list[str]]] = {}
        self._assumed: dict[tuple[tuple[str, ...], str], tuple[bool, tuple[str, ...]]] = {}
        self._answers: dict[tuple[tuple[str, ...], str, str], bool] = {}
        self._assumable: dict[str, list[str]] = {}
        self._federated: dict[str, list[str]] | None = None
        iam = catalog.service("iam")
        self.admin_actions = sorted(
            f"iam:{name}"
            for name, info in (iam.actions.items() if iam else ())
            if info.access_level == "Permissions management"
        )

    def _trusted_roles(self) -> dict[str, TrustedRole]:
        found = {}
        for account in self.snapshot.accounts:
            for role in account.roles:
                trust = self.library.parse(f"{role.arn}#trust", role.trust, PolicyKind.TRUST)
                names = (
                    trust_names(trust) if trust else TrustNames(False, frozenset(), frozenset(), frozenset())
                )
                compiled = compile_policy(trust) if trust else None
                conditional = trust is None or any(st.conditions for st in trust.statements)
                found[role.arn] = TrustedRole(role, account.id, names, compiled, conditional)
        return found

    def allowed(
        self, holder: Holder, action: str, resource: str, context: dict[str, str] | None = None
    ) -> bool:
        """Identity-side question (no resource policy), answered once per policy shape."""
        key = (holder.shape, action, resource + repr(sorted((context or {}).items())))
        if key not in self._answers:
            request = EvaluationRequest(
                action,
                resource,
                holder.arn,
                holder.account,
                dict(context or {}),
                principal_account=holder.account,
            )
            decision = evaluate(request, self.library.compiled_set(holder.shape))
            self._answers[key] = decision.outcome is Outcome.ALLOWED
        return self._answers[key]

    def assume_decision(self, holder: Holder, target: TrustedRole) -> tuple[bool, tuple[str, ...]]:
        """sts:AssumeRole against the trust policy; conditions the snapshot cannot settle count as met."""
        if target.compiled is None:
            return False, ()
        policies: CompiledPolicySet = replace(
            self.library.compiled_set(holder.shape),
            resource=(target.compiled,),
            rcps=self.compiled_rcps(target.account),
        )
        context = (
            {"aws:PrincipalOrgID": self.snapshot.organization_id} if self.snapshot.organization_id else {}
        )
        request = EvaluationRequest(
            "sts:AssumeRole",
            target.role.arn,
            holder.arn,
            target.account,
            context,
            principal_account=holder.account,
        )
        decision = evaluate(request, policies, Discovery())
        return decision.outcome is Outcome.ALLOWED, decision.ignored_conditions

    def may(self, holder: Holder, action: str) -> bool:
        """Whether any identity Allow statement names the action at all (resources and conditions aside)."""
        signature = self.signature(holder)
        answers = self._may.get(signature)
        if answers is None:
            answers = self._may[signature] = {}
        known = answers.get(action)
        if known is None:
            compiled = self.library.compiled_set(holder.shape)
            lowered = action.lower()
            known = answers[action] = any(
                s.effect is Effect.ALLOW for p in compiled.identity for s in p.candidates(lowered)
            )
        return known

    def signature(self, holder: Holder) -> tuple[object, ...]:
        """The Action and NotAction lists of the shape's identity Allow statements: all that `may` reads,
        so shapes of different accounts with the same lists share its answers."""
        known = self._signatures.get(holder.shape)
        if known is None:
            known = self._signatures[holder.shape] = tuple(
                sorted(
                    (st.actions or (), st.not_actions or (), st.not_actions is not None)
                    for policy in self.library.sets[holder.shape].identity
                    for st in policy.statements
                    if st.effect is Effect.ALLOW
                )
            )
        return known

    def account(self, account_id: str) -> AccountSnapshot | None:
        return self._accounts.get(account_id)

    def connect(
        self,
        graph: AccessGraph,
        source: str,
        kind: EdgeKind,
        via: str,
        targets: list[str],
        conditions: tuple[str, ...] = (),
    ) -> None:
        """Edges to each target; many targets go through one shared hub node, so that edges stay linear."""
        targets = [t for t in targets if t != source]
        if len(targets) < HUB_MIN:
            for target in targets:
                graph.add_edge(Edge(source, target, kind, via, conditions))
            return
        digest = hashlib.sha256("\n".join(sorted(targets)).encode()).hexdigest()[:16]
        hub = f"hub:{kind.name}:{via}:{digest}"
        if hub not in graph.nodes:
            graph.add_node(Node(hub, "hub", "", f"any of {len(targets)} principals ({via})"))
            for target in targets:
                graph.add_edge(Edge(hub, target, kind, via, conditions))
        graph.add_edge(Edge(source, hub, kind, via, conditions))

    def identity_allows_assume(self, holder: Holder, target: TrustedRole) -> bool:
        """The caller's side alone, as if the role trusted the caller's whole account (pre-filter)."""
        key = (holder.shape, "sts:AssumeRole", target.role.arn)
        if key not in self._answers:
            policies = replace(
                self.library.compiled_set(holder.shape), resource=(self._account_trust(holder.account),)
            )
            request = EvaluationRequest(
                "sts:AssumeRole",
                target.role.arn,
                holder.arn,
                target.account,
                principal_account=holder.account,
            )
            allowed = evaluate(request, policies, Discovery()).outcome is Outcome.ALLOWED
            self._answers[key] = allowed
        return self._answers[key]

    def _account_trust(self, account: str) -> CompiledPolicy:
        if account not in self._trusts:
            document = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRole",
                        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    }
                ],
            }
            policy = parse_policy_document(document, source="account-trust", kind=PolicyKind.TRUST).policy
            assert policy is not None
            self._trusts[account] = compile_policy(policy)
        return self._trusts[account]

    def roles_trusting(self, account: str, services: tuple[str, ...]) -> list[str]:
        """Roles of the account whose trust policy names one of these service principals."""
        if not self._by_service:
            for arn, trusted in self.roles.items():
                for service in trusted.names.services:
                    self._by_service.setdefault((trusted.account, service), []).append(arn)
        return sorted({arn for s in services for arn in self._by_service.get((account, s), ())})

    def compiled_rcps(self, account: str) -> tuple[tuple[CompiledPolicy, ...], ...]:
        if account not in self._compiled_rcps:
            self._compiled_rcps[account] = tuple(
                tuple(compile_policy(p) for p in level) for level in self.rcps.get(account, ())
            )
        return self._compiled_rcps[account]

    def build(self, progress: Progress | None = None) -> AccessGraph:
        graph = AccessGraph()
        self._add_nodes(graph)
        steps: list[tuple[str, Callable[[AccessGraph], None]]] = [
            ("identity center", self._sign_in_edges),
            ("administrators", self._admin_edges),
            ("trust", self._assume_edges),
            ("escalation", self._escalation_edges),
        ]
        for number, (label, step) in enumerate(steps, start=1):
            if progress:
                progress(label, number, len(steps))
            step(graph)
        graph.notes.extend(f"policy could not be parsed, left out: {s}" for s in self.library.unreadable)
        graph.notes.extend(self.snapshot.notes)
        return graph

    def _add_nodes(self, graph: AccessGraph) -> None:
        for account in self.snapshot.accounts:
            graph.add_node(Node(f"account:{account.id}", "account", account.id, account.name))
            graph.add_node(
                Node(f"admin:{account.id}", "admin", account.id, f"administrator of {account.name}")
            )
            for access in account.sso:
                graph.add_node(Node(f"person:{access.person}", "person", "", access.person))
        for holder in self.holders:
            graph.add_node(Node(holder.arn, holder.kind, holder.account, holder.name))

    def _sign_in_edges(self, graph: AccessGraph) -> None:
        for account in self.snapshot.accounts:
            for access in account.sso:
                role = self.roles.get(access.role)
                via = (
                    f"permission set {role.role.permission_set}"
                    if role and role.role.permission_set
                    else "SSO"
                )
                graph.add_edge(Edge(f"person:{access.person}", access.role, EdgeKind.SIGNS_IN, via))

    def _admin_edges(self, graph: AccessGraph) -> None:
        for holder in self.holders:
            if self.is_admin(holder):
                graph.add_edge(
                    Edge(
                        holder.arn,
                        f"admin:{holder.account}",
                        EdgeKind.IS_ADMIN,
                        "every IAM permissions action",
                    )
                )

    def is_admin(self, holder: Holder) -> bool:
        return bool(self.admin_actions) and all(
            self.allowed(holder, action, probe_resource(action, self.catalog, holder.account))
            for action in self.admin_actions
        )

    def _assume_edges(self, graph: AccessGraph) -> None:
        by_account: dict[str, list[Holder]] = {}
        for holder in self.holders:
            by_account.setdefault(holder.account, []).append(holder)
        found: dict[str, dict[tuple[str, ...], list[str]]] = {}
        for target in self.roles.values():
            names = target.names
            if names.everyone:
                candidates: Iterable[Holder] = self.holders
            else:
                named = [self.by_arn[a] for a in names.arns if a in self.by_arn]
                candidates = [*named, *self._delegated_holders(by_account, names.accounts, target)]
            for holder in dict.fromkeys(candidates):
                allowed, conditions = self._assume_cached(holder, target)
                if allowed:
                    found.setdefault(holder.arn, {}).setdefault(conditions, []).append(target.role.arn)
                    self._assumable.setdefault(holder.arn, []).append(target.role.arn)
        for source, by_conditions in found.items():
            for conditions, targets in by_conditions.items():
                self.connect(graph, source, EdgeKind.ASSUMES, "trust policy", sorted(targets), conditions)
        for target in self.roles.values():
            for outsider, conditions in self.outsiders_of(target):
                graph.add_node(Node(outsider.id, outsider.kind, outsider.account or "", outsider.label))
                graph.add_edge(
                    Edge(outsider.id, target.role.arn, EdgeKind.ASSUMES, "trust policy", conditions)
                )

    def outsiders_of(self, target: TrustedRole) -> list[tuple[Outsider, tuple[str, ...]]]:
        """Callers from outside the organisation the role's trust lets in, with the conditions it takes."""
        if target.role.arn not in self._outsiders:
            trust = self.library.parsed.get(f"{target.role.arn}#trust")
            self._outsiders[target.role.arn] = (
                outsiders_let_in(
                    trust,
                    self.organisation,
                    target.role.arn,
                    target.account,
                    target.compiled,
                    self.compiled_rcps(target.account),
                )
                if trust and target.compiled
                else []
            )
        return self._outsiders[target.role.arn]

    def _delegated_holders(
        self, by_account: dict[str, list[Holder]], accounts: Iterable[str], target: TrustedRole
    ) -> Iterable[Holder]:
        """Holders of the trusted accounts whose own policies let them ask; decided once per shape."""
        for account in accounts:
            verdicts: dict[tuple[str, ...], bool] = {}
            for holder in by_account.get(account, ()):
                verdict = verdicts.get(holder.shape)
                if verdict is None:
                    verdict = verdicts[holder.shape] = self._delegated(holder, target)
                if verdict:
                    yield holder

    def _delegated(self, holder: Holder, target: TrustedRole) -> bool:
        return self.may(holder, "sts:AssumeRole") and self.identity_allows_assume(holder, target)

    def _assume_cached(self, holder: Holder, target: TrustedRole) -> tuple[bool, tuple[str, ...]]:
        """Trusts that name only accounts and have no conditions answer alike for every holder of a shape."""
        if target.names.arns or target.names.everyone or target.conditional:
            return self.assume_decision(holder, target)
        key = (holder.shape, target.role.arn)
        if key not in self._assumed:
            self._assumed[key] = self.assume_decision(holder, target)
        return self._assumed[key]

    def assumable(self, holder: Holder) -> tuple[str, ...]:
        """Roles the holder can assume (known once the trust step has run)."""
        return tuple(self._assumable.get(holder.arn, ()))

    def trust_of(self, role: str) -> TrustNames | None:
        trusted = self.roles.get(role)
        return trusted.names if trusted else None

    def federated_roles(self, account: str) -> list[str]:
        """Roles of the account whose trust policy names an identity provider (SAML or OIDC)."""
        if self._federated is None:
            accounts = {arn: trusted.account for arn, trusted in self.roles.items()}
            self._federated = federated_by_account(accounts, self.library.parsed)
        return sorted(self._federated.get(account, ()))

    def _escalation_edges(self, graph: AccessGraph) -> None:
        for holder in self.holders:
            if self.is_admin(holder):
                continue
            for via, targets in escalation_edges(self, holder).items():
                self.connect(graph, holder.arn, EdgeKind.ESCALATES, via, targets)
