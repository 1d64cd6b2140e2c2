"""Read one account's IAM principals and policies (GetAccountAuthorizationDetails) and Lambda functions."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any
from urllib.parse import unquote

from sojourn.analysis.snapshot import AccountSnapshot, Document, Function, Group, InlinePolicy, Role, User
from sojourn.aws.calls import Caller
from sojourn.inputs.bounded_json import POLICY_MAX_BYTES, load_json

FILTERS = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"]


def document(value: Any) -> Document:
    """Policy documents arrive decoded from botocore, or URL-encoded JSON text from other clients."""
    if isinstance(value, str):
        parsed = load_json(unquote(value), max_bytes=POLICY_MAX_BYTES)
        if not isinstance(parsed, dict):
            raise ValueError("a policy document is not a JSON object")
        return parsed
    return dict(value)


def read_account(
    call: Caller, iam: Any, lambda_client: Any | None, account_id: str, name: str
) -> tuple[AccountSnapshot, dict[str, Document]]:
    """The account's snapshot and the AWS managed policies it uses (kept once per organisation)."""
    mfa_users = {
        device["User"]["Arn"]
        for device in call.marker_pages(
            iam, "list_virtual_mfa_devices", "VirtualMFADevices", AssignmentStatus="Assigned"
        )
        if "User" in device
    }
    pages = _detail_pages(call, iam)
    functions = _functions(call, lambda_client) if lambda_client is not None else []
    return account_from_details(pages, account_id, name, mfa_users, functions)


def account_from_details(
    pages: Iterable[Mapping[str, Any]],
    account_id: str,
    name: str,
    mfa_users: Collection[str] = (),
    functions: Iterable[Function] = (),
) -> tuple[AccountSnapshot, dict[str, Document]]:
    """GetAccountAuthorizationDetails answers (pages, or the AWS CLI's merged output) as a snapshot."""
    users: list[User] = []
    roles: list[Role] = []
    groups: list[Group] = []
    local: dict[str, Document] = {}
    aws_managed: dict[str, Document] = {}
    with_mfa = set(mfa_users)
    for page in pages:
        users += (_user(u, with_mfa) for u in page.get("UserDetailList", ()))
        roles += (_role(r) for r in page.get("RoleDetailList", ()))
        groups += (_group(g) for g in page.get("GroupDetailList", ()))
        for policy in page.get("Policies", ()):
            default = next(
                (v for v in policy.get("PolicyVersionList", ()) if v.get("IsDefaultVersion")), None
            )
            if default is None:
                continue
            target = aws_managed if ":iam::aws:policy/" in policy["Arn"] else local
            target[policy["Arn"]] = document(default["Document"])
    snapshot = AccountSnapshot(
        account_id,
        name,
        tuple(sorted(roles, key=lambda r: r.arn)),
        tuple(sorted(users, key=lambda u: u.arn)),
        tuple(sorted(groups, key=lambda g: g.arn)),
        tuple(sorted(functions, key=lambda f: f.arn)),
        local,
    )
    return snapshot, aws_managed


def _detail_pages(call: Caller, iam: Any) -> list[dict[str, Any]]:
    pages = []
    marker: str | None = None
    while True:
        kwargs: dict[str, Any] = {"Filter": FILTERS}
        if marker:
            kwargs["Marker"] = marker
        page = call(iam, "get_account_authorization_details", **kwargs)
        pages.append(page)
        if not page.get("IsTruncated"):
            return pages
        marker = page["Marker"]


def _inline(items: Any, key: str) -> tuple[InlinePolicy, ...]:
    return tuple(
        InlinePolicy(p["PolicyName"], document(p["PolicyDocument"])) for p in items.get(key, ()) or ()
    )


def _managed(item: Any) -> tuple[str, ...]:
    return tuple(p["PolicyArn"] for p in item.get("AttachedManagedPolicies", ()))


def _boundary(item: Any) -> str | None:
    boundary = item.get("PermissionsBoundary") or {}
    return boundary.get("PermissionsBoundaryArn")


def _user(item: Any, mfa_users: set[str]) -> User:
    return User(
        item["Arn"],
        item["UserName"],
        _managed(item),
        _inline(item, "UserPolicyList"),
        tuple(item.get("GroupList", ())),
        _boundary(item),
        item["Arn"] in mfa_users,
    )


def _role(item: Any) -> Role:
    return Role(
        item["Arn"],
        item["RoleName"],
        document(item["AssumeRolePolicyDocument"]),
        _managed(item),
        _inline(item, "RolePolicyList"),
        _boundary(item),
    )


def _group(item: Any) -> Group:
    return Group(item["Arn"], item["GroupName"], _managed(item), _inline(item, "GroupPolicyList"))


def _functions(call: Caller, lambda_client: Any) -> list[Function]:
    return [
        Function(f["FunctionArn"], f["FunctionName"], f["Role"])
        for f in call.marker_pages(lambda_client, "list_functions", "Functions", "NextMarker")
    ]
