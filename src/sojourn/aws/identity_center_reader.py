"""Read permission sets, users, groups, memberships and assignments of one Identity Center instance."""

from __future__ import annotations

import json
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sojourn.access.organization import Organization
from sojourn.access.outcome import ReadResult
from sojourn.access.state import (
    AccessState,
    Assignment,
    CustomerManagedPolicyRef,
    GroupSpec,
    Membership,
    PermissionsBoundary,
    PermissionSetSpec,
    PrincipalType,
    UserSpec,
    canonical_policy_json,
)
from sojourn.aws.calls import Caller, NotSupportedByEndpoint
from sojourn.aws.clients import AwsClients
from sojourn.aws.identity_index import IdentityIndex, InstanceRef
from sojourn.aws.session_policy import without_revocations


class IdentityCenterReader:
    def __init__(
        self,
        call: Caller,
        clients: AwsClients,
        instance: InstanceRef,
        index: IdentityIndex,
        max_concurrency: int,
        strategy: str = "auto",
    ) -> None:
        self.call, self.clients, self.instance, self.index = call, clients, instance, index
        self.max_concurrency = max_concurrency
        self.strategy = strategy
        self.unsupported: set[str] = set()

    def read(self, organization: Organization, known_pairs: Collection[tuple[str, str]] = ()) -> ReadResult:
        """`known_pairs` (account id, permission-set name) are listed besides AWS's provisioned pairs."""
        before = self.call.log.snapshot()
        with ThreadPoolExecutor(self.max_concurrency) as pool:
            permission_sets = self._permission_sets(pool)
            users = self._users()
            groups = self._groups()
            memberships = self._memberships(pool, groups)
            strategy, assignments = self._assignments(
                pool, organization, users, groups, permission_sets, known_pairs
            )
        after = self.call.log.snapshot()
        calls = {op: after[op] - before.get(op, 0) for op in after if after[op] - before.get(op, 0)}
        state = AccessState(
            permission_sets={spec.name: spec for spec in permission_sets.values()},
            users={u.user_name: u for u in users.values()},
            groups={g.name: g for g in groups.values()},
            memberships=frozenset(memberships),
            assignments=frozenset(assignments),
        )
        return ReadResult(state, calls, strategy, tuple(sorted(self.unsupported)))

    def _sso(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        return self.call(self.clients.sso_admin, operation, InstanceArn=self.instance.instance_arn, **kwargs)

    def _optional(self, operation: str, **kwargs: Any) -> dict[str, Any] | None:
        """Calls the endpoint may not implement (moto: boundaries, tags) degrade to a recorded gap."""
        if operation in self.unsupported:
            return None
        try:
            return self._sso(operation, **kwargs)
        except NotSupportedByEndpoint:
            self.unsupported.add(operation)
            return None

    def _permission_sets(self, pool: ThreadPoolExecutor) -> dict[str, PermissionSetSpec]:
        arns = list(
            self.call.pages(
                self.clients.sso_admin,
                "list_permission_sets",
                "PermissionSets",
                InstanceArn=self.instance.instance_arn,
            )
        )
        specs = dict(zip(arns, pool.map(self._permission_set, arns), strict=True))
        for arn, spec in specs.items():
            self.index.remember("permission_sets", spec.name, arn)
        return specs

    def _permission_set(self, arn: str) -> PermissionSetSpec:
        described = self._sso("describe_permission_set", PermissionSetArn=arn)["PermissionSet"]
        inline = (
            self._sso("get_inline_policy_for_permission_set", PermissionSetArn=arn).get("InlinePolicy")
            or None
        )
        managed = self.call.pages(
            self.clients.sso_admin,
            "list_managed_policies_in_permission_set",
            "AttachedManagedPolicies",
            InstanceArn=self.instance.instance_arn,
            PermissionSetArn=arn,
        )
        customer = self.call.pages(
            self.clients.sso_admin,
            "list_customer_managed_policy_references_in_permission_set",
            "CustomerManagedPolicyReferences",
            InstanceArn=self.instance.instance_arn,
            PermissionSetArn=arn,
        )
        boundary_answer = self._optional("get_permissions_boundary_for_permission_set", PermissionSetArn=arn)
        tags_answer = self._optional("list_tags_for_resource", ResourceArn=arn)
        return PermissionSetSpec(
            name=described["Name"],
            description=described.get("Description") or "",
            session_duration=described.get("SessionDuration") or "PT1H",
            managed_policies=tuple(sorted({m["Arn"] for m in managed})),
            customer_managed_policies=tuple(
                sorted({CustomerManagedPolicyRef(c["Name"], c.get("Path", "/")) for c in customer})
            ),
            inline_policy=_configured_inline(inline),
            permissions_boundary=_boundary(boundary_answer),
            tags=tuple(sorted((t["Key"], t["Value"]) for t in (tags_answer or {}).get("Tags", []))),
        )

    def _users(self) -> dict[str, UserSpec]:
        users: dict[str, UserSpec] = {}
        for user in self.call.pages(
            self.clients.identitystore, "list_users", "Users", IdentityStoreId=self.instance.identity_store_id
        ):
            emails = user.get("Emails") or []
            primary = next(
                (e["Value"] for e in emails if e.get("Primary")), emails[0]["Value"] if emails else ""
            )
            name = user.get("Name") or {}
            users[user["UserId"]] = UserSpec(
                user["UserName"],
                user.get("DisplayName") or "",
                primary,
                name.get("GivenName") or "",
                name.get("FamilyName") or "",
            )
            self.index.remember("users", user["UserName"], user["UserId"])
        return users

    def _groups(self) -> dict[str, GroupSpec]:
        groups: dict[str, GroupSpec] = {}
        for group in self.call.pages(
            self.clients.identitystore,
            "list_groups",
            "Groups",
            IdentityStoreId=self.instance.identity_store_id,
        ):
            groups[group["GroupId"]] = GroupSpec(group["DisplayName"], group.get("Description") or "")
            self.index.remember("groups", group["DisplayName"], group["GroupId"])
        return groups

    def _memberships(self, pool: ThreadPoolExecutor, groups: dict[str, GroupSpec]) -> list[Membership]:
        user_names = self.index.reverse("users")

        def members(group_id: str) -> list[Membership]:
            listed = self.call.pages(
                self.clients.identitystore,
                "list_group_memberships",
                "GroupMemberships",
                IdentityStoreId=self.instance.identity_store_id,
                GroupId=group_id,
            )
            return [
                Membership(groups[group_id].name, user_names[m["MemberId"]["UserId"]])
                for m in listed
                if m.get("MemberId", {}).get("UserId") in user_names
            ]

        return [m for batch in pool.map(members, list(groups)) for m in batch]

    def _assignments(
        self,
        pool: ThreadPoolExecutor,
        organization: Organization,
        users: dict[str, UserSpec],
        groups: dict[str, GroupSpec],
        permission_sets: dict[str, PermissionSetSpec],
        known_pairs: Collection[tuple[str, str]],
    ) -> tuple[str, list[Assignment]]:
        principals = [(uid, PrincipalType.USER) for uid in users] + [
            (gid, PrincipalType.GROUP) for gid in groups
        ]
        pairs: list[tuple[str, str]] = []
        if self.strategy in ("auto", "pair") and permission_sets:
            arns = {spec.name: arn for arn, spec in permission_sets.items()}
            found = {
                pair for batch in pool.map(self._provisioned_pairs, list(permission_sets)) for pair in batch
            }
            found |= {(account, arns[name]) for account, name in known_pairs if name in arns}
            pairs = sorted(found)
        use_pairs = self.strategy == "pair" or (self.strategy == "auto" and 0 < len(pairs) < len(principals))
        names = {
            **{uid: u.user_name for uid, u in users.items()},
            **{gid: g.name for gid, g in groups.items()},
        }
        ps_names = {arn: spec.name for arn, spec in permission_sets.items()}
        listed = []
        if use_pairs:
            listed = [a for batch in pool.map(lambda p: self._for_pair(*p), pairs) for a in batch]
            # provisioned pairs holding nothing (moto lists its own account only): ask each principal instead
            use_pairs = bool(listed) or self.strategy == "pair"
        if not use_pairs:
            listed = [a for batch in pool.map(lambda p: self._for_principal(*p), principals) for a in batch]
        known_accounts = {a.id for a in organization.accounts}
        assignments = [
            Assignment(
                a["AccountId"],
                ps_names[a["PermissionSetArn"]],
                PrincipalType(a["PrincipalType"]),
                names[a["PrincipalId"]],
            )
            for a in listed
            if a["PermissionSetArn"] in ps_names
            and a["PrincipalId"] in names
            and (not known_accounts or a["AccountId"] in known_accounts)
        ]
        return ("pair" if use_pairs else "principal"), assignments

    def _provisioned_pairs(self, arn: str) -> list[tuple[str, str]]:
        accounts = self.call.pages(
            self.clients.sso_admin,
            "list_accounts_for_provisioned_permission_set",
            "AccountIds",
            InstanceArn=self.instance.instance_arn,
            PermissionSetArn=arn,
        )
        return [(account, arn) for account in accounts]

    def _for_pair(self, account: str, arn: str) -> list[dict[str, Any]]:
        return list(
            self.call.pages(
                self.clients.sso_admin,
                "list_account_assignments",
                "AccountAssignments",
                InstanceArn=self.instance.instance_arn,
                AccountId=account,
                PermissionSetArn=arn,
            )
        )

    def _for_principal(self, principal_id: str, kind: PrincipalType) -> list[dict[str, Any]]:
        return list(
            self.call.pages(
                self.clients.sso_admin,
                "list_account_assignments_for_principal",
                "AccountAssignments",
                InstanceArn=self.instance.instance_arn,
                PrincipalId=principal_id,
                PrincipalType=kind.value,
            )
        )


def _boundary(answer: dict[str, Any] | None) -> PermissionsBoundary | None:
    boundary = (answer or {}).get("PermissionsBoundary")
    if not boundary:
        return None
    reference = boundary.get("CustomerManagedPolicyReference")
    return PermissionsBoundary(
        boundary.get("ManagedPolicyArn"),
        CustomerManagedPolicyRef(reference["Name"], reference.get("Path", "/")) if reference else None,
    )


def _configured_inline(inline: str | None) -> str | None:
    """The inline policy without Sojourn's session-revocation statements (they are not configuration)."""
    document = without_revocations(json.loads(inline)) if inline else None
    return canonical_policy_json(document) if document else None
