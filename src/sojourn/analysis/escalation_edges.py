""" "Can escalate to" edges from capabilities: each step the engine allows leads to the principals whose
power it yields.

- change permissions of the holder itself (its user or role, a group it is in, a customer managed policy it
  holds) or of a role it can already assume leads to the account's administrator: it can grant itself
  anything its boundary and SCPs let through;
- take over credentials leads to each user whose key or password may be created; Identity Center
  assignments and permission-set changes lead to the roles of the permission sets;
- change trust leads to each role whose trust policy may be rewritten, to the roles that trust an identity
  provider the holder may create or change, and to the roles that trust Roles Anywhere;
- run code as a role leads to each role that trusts the service and that the holder may pass to it
  (iam:PassRole asked per role, with iam:PassedToService);
- take over existing code leads to the role the code runs as: the execution role of each Lambda function
  whose code may be changed; for the resources the snapshot does not hold, every role trusting the service.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Protocol

from sojourn.analysis.capability import Capability, Step, Yields
from sojourn.analysis.escalation import probe_resource
from sojourn.analysis.holders import Holder
from sojourn.analysis.snapshot import AccountSnapshot, OrgSnapshot
from sojourn.analysis.trust_index import TrustNames
from sojourn.catalog import ActionCatalog

HUB_MIN = 16
"""Name the functions on the edge while they are few; otherwise group them under the step."""
PASS_ROLE = "iam:PassRole"  # noqa: S105 (an action name)


class EscalationOracle(Protocol):
    """What the edges ask of the graph builder (a Protocol: the two modules do not import each other)."""

    snapshot: OrgSnapshot
    catalog: ActionCatalog
    steps: tuple[Step, ...]
    escalations: dict[tuple[str, ...], dict[str, list[str]]]
    own_steps: dict[tuple[str, ...], list[tuple[Step, bool]]]
    """Per shape: the permission steps its policies pass the screen for, and whether on any resource."""

    screens: dict[tuple[object, ...], tuple[Step, ...]]
    """Per signature: the steps whose actions its Allow statements name (see `_screened`)."""

    def account(self, account_id: str) -> AccountSnapshot | None: ...

    def signature(self, holder: Holder) -> tuple[object, ...]: ...

    def allowed(
        self, holder: Holder, action: str, resource: str, context: dict[str, str] | None = None
    ) -> bool: ...

    def may(self, holder: Holder, action: str) -> bool: ...

    def roles_trusting(self, account: str, services: tuple[str, ...]) -> list[str]: ...

    def trust_of(self, role: str) -> TrustNames | None: ...

    def federated_roles(self, account: str) -> list[str]: ...

    def assumable(self, holder: Holder) -> tuple[str, ...]: ...


def escalation_edges(oracle: EscalationOracle, holder: Holder) -> dict[str, list[str]]:
    """Targets by "capability via action": what the policy shape reaches, then the holder's own."""
    key = holder.shape
    if key not in oracle.escalations:
        found: dict[str, list[str]] = {}
        seen: set[str] = set()
        for step in _screened_steps(oracle, holder):
            for via, target in _shared_targets(oracle, holder, step):
                if target not in seen:
                    seen.add(target)
                    found.setdefault(via, []).append(target)
        oracle.escalations[key] = found
    own = _own_targets(oracle, holder)
    if not own:
        return oracle.escalations[key]
    merged = {via: list(targets) for via, targets in oracle.escalations[key].items()}
    for via, target in own:
        merged.setdefault(via, []).append(target)
    return merged


def _via(step: Step) -> str:
    return f"{step.capability.value} via {step.action}"


def _screened_steps(oracle: EscalationOracle, holder: Holder) -> tuple[Step, ...]:
    """The steps that pass the screen, in order; the same for every holder of the signature."""
    signature = oracle.signature(holder)
    known = oracle.screens.get(signature)
    if known is None:
        known = oracle.screens[signature] = tuple(s for s in oracle.steps if _screened(oracle, holder, s))
    return known


def _screened(oracle: EscalationOracle, holder: Holder, step: Step) -> bool:
    """Some Allow statement names every action of the step (resources and conditions aside)."""
    if not oracle.may(holder, step.action):
        return False
    if step.passes_role and not oracle.may(holder, PASS_ROLE):
        return False
    return all(any(oracle.may(holder, a) for a in group) for group in step.needs)


def _on_probes(oracle: EscalationOracle, holder: Holder, step: Step) -> bool:
    """The step's own action and one action of each group it needs, on any resource."""

    def anywhere(action: str) -> bool:
        return oracle.allowed(holder, action, probe_resource(action, oracle.catalog, holder.account))

    return anywhere(step.action) and all(any(anywhere(a) for a in group) for group in step.needs)


def _shared_targets(oracle: EscalationOracle, holder: Holder, step: Step) -> Iterator[tuple[str, str]]:
    """Targets that depend on the holder's policies only (the same for every holder of the shape)."""
    account = oracle.account(holder.account)
    via = _via(step)
    if step.yields is Yields.GROUP_POWER:
        yield from _group_members(oracle, holder, step)
        return
    if step.capability is Capability.PERMISSIONS and step.yields is not Yields.SSO_ROLES:
        return
    if step.yields is Yields.PRINCIPAL:
        users = step.capability is Capability.CREDENTIALS
        principals = (account.users if users else account.roles) if account else ()
        anywhere = _on_probes(oracle, holder, step)
        for principal in principals:
            if anywhere or oracle.allowed(holder, step.action, principal.arn):
                yield via, principal.arn
    elif step.yields is Yields.SSO_ROLES:
        if _on_probes(oracle, holder, step):
            for other in oracle.snapshot.accounts:
                for role in other.roles:
                    if role.permission_set:
                        yield via, role.arn
    elif step.yields is Yields.FEDERATED_ROLES:
        if _on_probes(oracle, holder, step):
            for federated in oracle.federated_roles(holder.account):
                yield via, federated
    elif step.capability is Capability.RUN_CODE:
        yield from _passed_roles(oracle, holder, step)
    elif step.yields is Yields.SERVICE_ROLES:
        yield from _running_roles(oracle, holder, step)


def _group_members(oracle: EscalationOracle, holder: Holder, step: Step) -> Iterator[tuple[str, str]]:
    """Joining a group gives what its members hold through it: an edge to each member."""
    account = oracle.account(holder.account)
    if account is None or holder.kind != "user":
        return
    anywhere = _on_probes(oracle, holder, step)
    for group in account.groups:
        if anywhere or oracle.allowed(holder, step.action, group.arn):
            for user in account.users:
                if group.name in user.groups:
                    yield f"{_via(step)} {group.name}", user.arn


def _passed_roles(oracle: EscalationOracle, holder: Holder, step: Step) -> Iterator[tuple[str, str]]:
    if not _on_probes(oracle, holder, step):
        return
    for role in oracle.roles_trusting(holder.account, step.services):
        names = oracle.trust_of(role)
        trusted = sorted(names.services & set(step.services)) if names else []
        if any(oracle.allowed(holder, PASS_ROLE, role, {"iam:PassedToService": s}) for s in trusted):
            yield _via(step), role


def _running_roles(oracle: EscalationOracle, holder: Holder, step: Step) -> Iterator[tuple[str, str]]:
    if step.action.lower().startswith("lambda:"):
        account = oracle.account(holder.account)
        changeable = [
            f for f in (account.functions if account else ()) if oracle.allowed(holder, step.action, f.arn)
        ]
        few = len(changeable) < HUB_MIN
        for function in changeable:
            yield (f"{_via(step)} on {function.name}" if few else _via(step)), function.role
        return
    if not _on_probes(oracle, holder, step):
        return
    for role in oracle.roles_trusting(holder.account, step.services):
        yield _via(step), role


def _own_targets(oracle: EscalationOracle, holder: Holder) -> list[tuple[str, str]]:
    """Permission changes on what the holder is or already reaches: the holder becomes administrator."""
    admin = f"admin:{holder.account}"
    owned: Mapping[Yields, tuple[str, ...]] | None = None
    for step, anywhere in _permission_steps(oracle, holder):
        if anywhere:
            return [(_via(step), admin)]
        owned = owned if owned is not None else _owned(oracle, holder)
        for resource in owned.get(step.yields, ())[:HUB_MIN]:
            if oracle.allowed(holder, step.action, resource):
                return [(f"{_via(step)} on {resource.rsplit('/', 1)[-1]}", admin)]
    return []


def _permission_steps(oracle: EscalationOracle, holder: Holder) -> list[tuple[Step, bool]]:
    """The permission steps the shape passes the screen for, in order, up to the first allowed anywhere
    (the same for every holder of the shape)."""
    known = oracle.own_steps.get(holder.shape)
    if known is None:
        known = []
        for step in _screened_steps(oracle, holder):
            if step.capability is not Capability.PERMISSIONS or step.yields is Yields.SSO_ROLES:
                continue
            anywhere = _on_probes(oracle, holder, step)
            known.append((step, anywhere))
            if anywhere:
                break
        oracle.own_steps[holder.shape] = known
    return known


def _owned(oracle: EscalationOracle, holder: Holder) -> Mapping[Yields, tuple[str, ...]]:
    account = oracle.account(holder.account)
    groups: tuple[str, ...] = ()
    if account is not None and holder.kind == "user":
        user = next((u for u in account.users if u.arn == holder.arn), None)
        by_name = {g.name: g.arn for g in account.groups}
        groups = tuple(by_name[g] for g in (user.groups if user else ()) if g in by_name)
    policies = tuple(
        s
        for s in holder.shape
        if s.startswith("arn:") and ":policy/" in s and s.split(":")[4] not in ("", "aws")
    )
    return {
        Yields.PRINCIPAL: (holder.arn, *oracle.assumable(holder)),
        Yields.GROUP_MEMBERS: groups,
        Yields.POLICY_HOLDERS: policies,
    }
