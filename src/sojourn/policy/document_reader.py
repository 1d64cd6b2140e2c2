"""A decoded policy document -> Policy: every element read and checked, each issue logged with its place."""

from __future__ import annotations

import difflib
import re
from typing import Any

from sojourn.policy.condition_hints import check_condition_hints
from sojourn.policy.conditions import read_conditions
from sojourn.policy.element_syntax import check_actions, check_resources
from sojourn.policy.issue_log import IssueLog
from sojourn.policy.located_json import ARRAYS, kind_of, members, shown
from sojourn.policy.model import (
    IDENTITY_POLICY_KINDS,
    Effect,
    Located,
    Policy,
    PolicyKind,
    Severity,
    Statement,
)
from sojourn.policy.principals import read_principals
from sojourn.policy.quotas import (
    IAM_CHARACTER_SET_KINDS,
    IAM_OUTSIDE_CHARACTER_SET,
    policy_size,
    quota_access_analyzer_code,
    quota_problems,
)

VERSIONS = ("2012-10-17", "2008-10-17")
TOP_KEYS = frozenset({"Version", "Id", "Statement"})
STATEMENT_KEYS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
SID = re.compile(r"[A-Za-z0-9]*\Z")
PRINCIPAL_KINDS_WITH_PRINCIPAL = frozenset(
    {PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.ENDPOINT, PolicyKind.RCP}
)


class DocumentReader:
    """Reads a decoded policy document into a Policy, logging every issue; where each value was written
    comes from the log's Positions."""

    def __init__(self, kind: PolicyKind, log: IssueLog, text: str) -> None:
        self.kind, self.log, self.text = kind, log, text
        self.issue, self.place, self.at = log.add, log.place, log.positions
        self.variables = False

    def read(self, document: object) -> Policy | None:
        """The policy, or None when the document is not an object at all."""
        if not isinstance(document, dict):
            self.issue(
                self.at.root, "", "not-an-object", "a policy must be a JSON object with Version and Statement"
            )
            return None
        if not document.keys() <= TOP_KEYS:
            for key in members(document):
                if key not in TOP_KEYS:
                    self.issue(
                        self.at.key_at(document, key),
                        key,
                        "unknown-element",
                        f"unknown element {key!r}; a policy has Version, Id and Statement",
                    )
        version = self._version(document)
        self.variables = version == "2012-10-17"
        statements = self._statements(document)
        size = policy_size(self.text, self.kind)
        for code, severity, message in quota_problems(size, self.kind):
            self.issue(0, "", code, message, severity, quota_access_analyzer_code(self.kind))
        self._characters()
        policy_id = document.get("Id")
        policy = Policy(
            self.log.source,
            self.kind,
            version,
            policy_id if isinstance(policy_id, str) else None,
            tuple(statements),
            size,
        )
        return policy

    def _characters(self) -> None:
        if self.kind not in IAM_CHARACTER_SET_KINDS:
            return
        bad = IAM_OUTSIDE_CHARACTER_SET.search(self.text)
        if bad:
            self.issue(
                bad.start(),
                "",
                "bad-character",
                "IAM accepts only tab, line breaks and U+0020..U+00FF in a policy, "
                f"not U+{ord(bad.group()):04X}",
            )

    def _version(self, document: dict[Any, object]) -> str | None:
        if "Version" not in document:
            self.issue(
                self.at.root,
                "Version",
                "missing-version",
                'no Version; add "Version": "2012-10-17" (without it policy variables are not expanded)',
                Severity.WARNING,
            )
            return None
        version = document["Version"]
        if version not in VERSIONS:
            self.issue(
                self.at.member_at(document, "Version"),
                "Version",
                "bad-version",
                f'Version must be "2012-10-17" (or the old "2008-10-17"), not {shown(version)!r}',
            )
            return None
        return str(version)

    def _statements(self, document: dict[Any, object]) -> list[Statement]:
        if "Statement" not in document:
            self.issue(
                self.at.root, "Statement", "missing-statement", "no Statement; add at least one statement"
            )
            return []
        body = document["Statement"]
        sids: dict[str, int] = {}
        if not isinstance(body, ARRAYS):
            statement = self._statement(body, self.at.member_at(document, "Statement"), 0, "Statement", sids)
            return [] if statement is None else [statement]
        if not body:
            self.issue(
                self.at.member_at(document, "Statement"),
                "Statement",
                "empty-statement",
                "Statement is empty; add at least one statement",
            )
        statements: list[Statement] = []
        for index, (item, offset) in enumerate(zip(body, self.at.items_at(body), strict=True)):
            statement = self._statement(item, offset, index, f"Statement[{index}]", sids)
            if statement is not None:
                statements.append(statement)
        return statements

    def _statement(
        self, body: object, offset: int, index: int, path: str, sids: dict[str, int]
    ) -> Statement | None:
        if not isinstance(body, dict):
            self.issue(offset, path, "statement-not-object", "a statement must be a JSON object")
            return None
        if not body.keys() <= STATEMENT_KEYS:
            for key in members(body):
                if key not in STATEMENT_KEYS:
                    self.issue(
                        self.at.key_at(body, key),
                        f"{path}.{key}",
                        "unknown-element",
                        f"unknown element {key!r} in a statement" + _did_you_mean(key, STATEMENT_KEYS),
                    )
        sid = self._sid(body, path, sids)
        effect = self._effect(body, offset, path)
        actions, action_places = self._strings(body, "Action", path)
        not_actions, not_action_places = self._strings(body, "NotAction", path)
        resources, resource_places = self._strings(body, "Resource", path)
        not_resources, not_resource_places = self._strings(body, "NotResource", path)
        self._exclusive(body, offset, path, "Action", "NotAction", required=True)
        self._exclusive(
            body, offset, path, "Resource", "NotResource", required=self.kind not in (PolicyKind.TRUST,)
        )
        action_places = action_places or not_action_places
        resource_places = resource_places or not_resource_places
        check_actions(self.log, actions or not_actions or (), action_places)
        check_resources(self.log, resources or not_resources or (), resource_places, self.variables)
        principals = read_principals(body, "Principal", path, self.log)
        not_principals = read_principals(body, "NotPrincipal", path, self.log)
        has_principal = principals is not None or not_principals is not None
        if not_principals is not None and effect is Effect.ALLOW:
            self.issue(
                self.at.member_at(body, "NotPrincipal"),
                f"{path}.NotPrincipal",
                "not-principal-with-allow",
                "Allow with NotPrincipal grants to everyone not listed, anonymous callers included; "
                "name the principals in Principal instead",
                Severity.WARNING,
            )
        if principals is not None and not_principals is not None:
            self.issue(
                self.at.member_at(body, "NotPrincipal"),
                f"{path}.NotPrincipal",
                "both-elements",
                "a statement has either Principal or NotPrincipal, not both",
            )
        if has_principal and self.kind not in PRINCIPAL_KINDS_WITH_PRINCIPAL:
            self.issue(
                offset,
                path,
                "principal-not-allowed",
                f"a {self.kind.value} policy cannot name a Principal; remove it",
                aa_code="SCP_SYNTAX_ERROR_PRINCIPAL" if self.kind is PolicyKind.SCP else None,
            )
        if not has_principal and self.kind in (PolicyKind.RESOURCE, PolicyKind.TRUST):
            self.issue(
                offset,
                path,
                "missing-principal",
                f"a {self.kind.value} policy statement needs a Principal",
            )
        conditions = read_conditions(body, path, self.log, self.variables)
        if conditions:
            check_condition_hints(conditions, self.log)
        return Statement(
            index=index,
            sid=sid,
            effect=effect,
            actions=actions,
            not_actions=not_actions,
            resources=resources,
            not_resources=not_resources,
            principals=principals,
            not_principals=not_principals,
            conditions=conditions,
            where=self.place(offset, path),
            action_places=action_places,
            resource_places=resource_places,
        )

    def _sid(self, body: dict[Any, object], path: str, sids: dict[str, int]) -> str | None:
        if "Sid" not in body:
            return None
        sid = body["Sid"]
        offset = self.at.member_at(body, "Sid")
        if not isinstance(sid, str):
            self.issue(offset, f"{path}.Sid", "bad-sid", "Sid must be a string")
            return None
        if not sid:
            self.issue(
                offset,
                f"{path}.Sid",
                "empty-sid",
                "Sid is empty; remove it or name the statement",
                Severity.WARNING,
            )
        if self.kind in IDENTITY_POLICY_KINDS and not SID.match(sid):
            self.issue(
                offset,
                f"{path}.Sid",
                "bad-sid",
                f"Sid {sid!r} may contain only letters and digits in an identity policy",
            )
        if sid and sid in sids:
            self.issue(
                offset,
                f"{path}.Sid",
                "duplicate-sid",
                f"Sid {sid!r} is also used by Statement[{sids[sid]}]; make Sids unique",
            )
        sids.setdefault(sid, int(path.split("[")[-1].rstrip("]")) if "[" in path else 0)
        return sid

    def _effect(self, body: dict[Any, object], offset: int, path: str) -> Effect:
        if "Effect" not in body:
            self.issue(
                offset, f"{path}.Effect", "missing-effect", 'no Effect; add "Effect": "Allow" or "Deny"'
            )
            return Effect.DENY
        effect = body["Effect"]
        if effect == "Allow":
            return Effect.ALLOW
        if effect == "Deny":
            return Effect.DENY
        hint = " (Effect is case-sensitive)" if str(effect).lower() in ("allow", "deny") else ""
        self.issue(
            self.at.member_at(body, "Effect"),
            f"{path}.Effect",
            "bad-effect",
            f'Effect must be "Allow" or "Deny", not {shown(effect)!r}{hint}',
        )
        return Effect.DENY if str(effect).lower() == "deny" else Effect.ALLOW

    def _exclusive(
        self, body: dict[Any, object], offset: int, path: str, one: str, other: str, *, required: bool
    ) -> None:
        if one in body and other in body:
            self.issue(
                self.at.key_at(body, other),
                f"{path}.{other}",
                "both-elements",
                f"a statement has either {one} or {other}, not both",
            )
        elif required and one not in body and other not in body:
            self.issue(offset, path, f"missing-{one.lower()}", f"the statement needs {one} or {other}")

    def _strings(
        self, body: dict[Any, object], name: str, path: str
    ) -> tuple[tuple[str, ...] | None, tuple[Located, ...]]:
        if name not in body:
            return None, ()
        value = body[name]
        path = f"{path}.{name}"
        if isinstance(value, str):
            return (value,), (self.place(self.at.member_at(body, name), path),)
        if not isinstance(value, ARRAYS):
            self.issue(
                self.at.member_at(body, name),
                path,
                "not-a-string",
                f"expected a string, found {kind_of(value)}",
            )
            return (), ()
        if not value:
            self.issue(
                self.at.member_at(body, name),
                path,
                "empty-list",
                "an empty list matches nothing; remove it or add values",
                Severity.WARNING,
            )
        if all(isinstance(item, str) for item in value):
            return tuple(value), self.log.item_places(value, path)
        strings: list[str] = []
        places: list[Located] = []
        for index, (item, offset) in enumerate(zip(value, self.at.items_at(value), strict=True)):
            if isinstance(item, str):
                strings.append(item)
                places.append(self.place(offset, f"{path}[{index}]"))
            else:
                self.issue(
                    offset, f"{path}[{index}]", "not-a-string", f"expected a string, found {kind_of(item)}"
                )
        return tuple(strings), tuple(places)


def _did_you_mean(word: str, choices: frozenset[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""
