"""The Principal and NotPrincipal elements read into Principals, each form checked as AWS accepts it."""

from __future__ import annotations

import difflib
import re

from sojourn.policy.issue_log import IssueLog
from sojourn.policy.located_json import Node
from sojourn.policy.model import Principal

PRINCIPAL_KINDS = ("AWS", "Service", "Federated", "CanonicalUser")
ACCOUNT = re.compile(r"^\d{12}$")
AWS_ARN = re.compile(
    r"^arn:aws[a-z-]*:(iam::\d{12}:(root|user/.+|role/.+|federated-user/.+)"
    r"|sts::\d{12}:(assumed-role/.+|federated-user/.+))$"
)
PROVIDER_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(saml-provider|oidc-provider)/.+$")
WEB_IDENTITY = re.compile(r"^[a-z0-9.-]+\.[a-z]{2,}$")
CANONICAL_USER = re.compile(r"^[0-9a-f]{64}$")


def read_principals(node: Node | None, path: str, log: IssueLog) -> tuple[Principal, ...] | None:
    """None when the element is absent; otherwise every principal named, each checked for its form."""
    if node is None:
        return None
    if node.value == "*":
        return (Principal("*", "*"),)
    if isinstance(node.value, str):
        log.add(
            node.offset,
            path,
            "bad-principal",
            f'Principal {node.value!r} must be written as {{"AWS": {node.value!r}}}; AWS rejects a bare '
            "string other than *",
        )
        return (Principal("AWS", node.value),)
    if not isinstance(node.value, dict):
        log.add(
            node.offset,
            path,
            "bad-principal",
            'Principal must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}',
        )
        return ()
    if not node.value:
        log.add(node.offset, path, "bad-principal", "Principal names no principal; it matches nobody")
    principals: list[Principal] = []
    for kind, value in node.value.items():
        if kind not in PRINCIPAL_KINDS:
            log.add(
                node.keys[kind],
                f"{path}.{kind}",
                "bad-principal-kind",
                f"unknown principal type {kind!r}; use AWS, Service, Federated or CanonicalUser"
                + _did_you_mean(kind),
            )
            continue
        items = value.value if isinstance(value.value, list) else [value]
        for index, item in enumerate(items):
            item_path = f"{path}.{kind}[{index}]" if isinstance(value.value, list) else f"{path}.{kind}"
            if not isinstance(item.value, str):
                log.add(item.offset, item_path, "not-a-string", "a principal must be a string")
                continue
            problem = principal_problem(kind, item.value)
            if problem:
                log.add_at(log.place(item.offset, item_path), "bad-principal", problem)
            principals.append(Principal(kind, item.value))
    return tuple(principals)


def principal_problem(kind: str, value: str) -> str | None:
    """Why AWS would reject this principal of this kind, or None."""
    if value == "*":
        return None if kind in ("AWS", "Service") else f"{kind} principal cannot be *"
    if kind == "AWS":
        if ACCOUNT.match(value) or AWS_ARN.match(value):
            return None if "*" not in value and "?" not in value else _partial_wildcard(value)
        return f"AWS principal {value!r} must be an account id, an IAM user, role or session ARN, or *"
    if kind == "Service":
        if value.endswith((".amazonaws.com", ".amazonaws.com.cn")) and "*" not in value:
            return None
        return f"service principal {value!r} should look like service.amazonaws.com"
    if kind == "Federated":
        if PROVIDER_ARN.match(value) or WEB_IDENTITY.match(value):
            return None
        return (
            f"federated principal {value!r} must be a SAML or OIDC provider ARN or a web identity "
            "provider such as cognito-identity.amazonaws.com"
        )
    if kind == "CanonicalUser" and not CANONICAL_USER.match(value):
        return f"canonical user id {value!r} must be 64 hexadecimal characters"
    return None


def _partial_wildcard(value: str) -> str:
    return (
        f"AWS principal {value!r} uses a wildcard; a principal is * or exact "
        "(match patterns with a Condition on aws:PrincipalArn)"
    )


def _did_you_mean(word: str) -> str:
    close = difflib.get_close_matches(word, PRINCIPAL_KINDS, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""
