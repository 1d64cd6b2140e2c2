"""The Principal and NotPrincipal elements read into Principals, each form checked as AWS accepts it."""

from __future__ import annotations

import difflib
import re
from typing import Any

from sojourn.policy.issue_log import IssueLog
from sojourn.policy.located_json import ARRAYS, members
from sojourn.policy.model import Principal, Severity

PRINCIPAL_KINDS = ("AWS", "Service", "Federated", "CanonicalUser")
ACCOUNT = re.compile(r"\d{12}\Z")
AWS_ARN = re.compile(
    r"^arn:aws[a-z-]*:(iam::\d{12}:(root|user/.+|role/.+|federated-user/.+)"
    r"|sts::\d{12}:(assumed-role/.+|federated-user/.+))\Z"
)
PROVIDER_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(saml-provider|oidc-provider)/.+\Z")
WEB_IDENTITY = re.compile(r"[a-z0-9.-]+\.[a-z]{2,}\Z")
CANONICAL_USER = re.compile(r"[0-9a-f]{64}\Z")


def read_principals(
    statement: dict[Any, object], name: str, path: str, log: IssueLog
) -> tuple[Principal, ...] | None:
    """None when the element (Principal or NotPrincipal) is absent; otherwise every principal named."""
    if name not in statement:
        return None
    element = statement[name]
    path = f"{path}.{name}"
    at = log.positions
    if element == "*":
        return (Principal("*", "*"),)
    if isinstance(element, str):
        log.add(
            at.member_at(statement, name),
            path,
            "bad-principal",
            f'Principal {element!r} must be written as {{"AWS": {element!r}}}; AWS rejects a bare '
            "string other than *",
        )
        return (Principal("AWS", element),)
    if not isinstance(element, dict):
        log.add(
            at.member_at(statement, name),
            path,
            "bad-principal",
            'Principal must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}',
        )
        return ()
    if not element:
        log.add(
            at.member_at(statement, name),
            path,
            "bad-principal",
            "Principal names no principal; it matches nobody",
            aa_code="EMPTY_OBJECT_PRINCIPAL",
        )
    principals: list[Principal] = []
    for kind, value in members(element).items():
        if kind not in PRINCIPAL_KINDS:
            log.add(
                at.key_at(element, kind),
                f"{path}.{kind}",
                "bad-principal-kind",
                f"unknown principal type {kind!r}; use AWS, Service, Federated or CanonicalUser"
                + _did_you_mean(kind),
            )
            continue
        if isinstance(value, ARRAYS):
            if not value:
                log.add(
                    at.member_at(element, kind),
                    f"{path}.{kind}",
                    "empty-list",
                    f"an empty list of {kind} principals names nobody; remove it or add principals",
                    Severity.WARNING,
                )
            offsets = at.items_at(value)
            for index, item in enumerate(value):
                _read_one(kind, item, offsets[index], f"{path}.{kind}[{index}]", log, principals)
        else:
            _read_one(kind, value, at.member_at(element, kind), f"{path}.{kind}", log, principals)
    return tuple(principals)


def _read_one(
    kind: str, value: object, offset: int, path: str, log: IssueLog, principals: list[Principal]
) -> None:
    if not isinstance(value, str):
        log.add(offset, path, "not-a-string", "a principal must be a string")
        return
    problem = principal_problem(kind, value)
    if problem:
        log.add(offset, path, "bad-principal", problem, aa_code=_aa_code(kind, value))
    principals.append(Principal(kind, value))


def _aa_code(kind: str, value: str) -> str | None:
    """Access Analyzer's code for a principal AWS rejects (INVALID_PRINCIPAL_FORMAT unless more precise)."""
    if kind == "Service" and "*" not in value:
        return "INVALID_SERVICE_PRINCIPAL_FORMAT"
    if value != "*" and ("*" in value or "?" in value):
        return "UNSUPPORTED_WILDCARD_IN_PRINCIPAL"
    return None


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
