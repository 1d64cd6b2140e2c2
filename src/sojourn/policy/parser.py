"""Policy text -> Policy plus every problem with its line, column and path; never raises on bad input."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass

from sojourn.policy.conditions import read_conditions
from sojourn.policy.issue_log import IssueLog
from sojourn.policy.located_json import JsonSyntaxError, LineIndex, Node, from_python, parse_located, plain
from sojourn.policy.model import (
    Effect,
    Located,
    Policy,
    PolicyIssue,
    PolicyKind,
    Severity,
    Statement,
)
from sojourn.policy.principals import read_principals
from sojourn.policy.quotas import (
    IAM_CHARACTER_SET_KINDS,
    IAM_OUTSIDE_CHARACTER_SET,
    policy_size,
    quota_problems,
)
from sojourn.policy.variables import variable_problem

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
ACTION = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9*?]*$")
ARN = re.compile(r"^arn:(\*|[a-z0-9*?-]*):[^:]*:[^:]*:[^:]*:.*$", re.S)
SID = re.compile(r"^[A-Za-z0-9]*$")
PRINCIPAL_KINDS_WITH_PRINCIPAL = frozenset(
    {PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.ENDPOINT, PolicyKind.RCP}
)


@dataclass(frozen=True, slots=True)
class ParseResult:
    """A policy (None when the document is not a policy at all) and every issue found."""

    policy: Policy | None
    issues: tuple[PolicyIssue, ...]

    @property
    def ok(self) -> bool:
        return self.policy is not None and not any(i.severity is Severity.ERROR for i in self.issues)


def parse_policy(
    text: str, *, source: str = "<policy>", kind: PolicyKind = PolicyKind.IDENTITY
) -> ParseResult:
    """Parse and structurally validate a policy document given as JSON text."""
    return _parse_text(text, source, kind, positions=True)


def parse_policy_document(
    document: object, *, source: str = "<policy>", kind: PolicyKind = PolicyKind.IDENTITY
) -> ParseResult:
    """Parse an already-decoded policy; issues carry paths but no line and column (0:0)."""
    try:
        text = json.dumps(document, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as error:
        issue = PolicyIssue(
            source, 0, 0, "", "not-json", Severity.ERROR, f"the document is not JSON data: {error}"
        )
        return ParseResult(None, (issue,))
    log = IssueLog(source, None)
    return _Reader(kind, log, text).read(from_python(document))


def _parse_text(text: str, source: str, kind: PolicyKind, *, positions: bool) -> ParseResult:
    lines = LineIndex(text)
    log = IssueLog(source, lines if positions else None)
    try:
        node = parse_located(text)
    except JsonSyntaxError as error:
        hint = '; a policy is a JSON object such as {"Version": "2012-10-17", "Statement": [...]}'
        log.add(error.offset, "", "json-syntax", f"invalid JSON: {error.message}{hint}")
        return ParseResult(None, tuple(log.issues))
    except RecursionError:
        log.add(0, "", "json-syntax", "invalid JSON: the document is nested too deeply")
        return ParseResult(None, tuple(log.issues))
    return _Reader(kind, log, text).read(node)


class _Reader:
    def __init__(self, kind: PolicyKind, log: IssueLog, text: str) -> None:
        self.kind, self.log, self.text = kind, log, text
        self.issue, self.place = log.add, log.place
        self.variables = False

    def read(self, node: Node) -> ParseResult:
        if not isinstance(node.value, dict):
            self.issue(
                node.offset, "", "not-an-object", "a policy must be a JSON object with Version and Statement"
            )
            return ParseResult(None, tuple(self.log.issues))
        document = node.value
        for key in document:
            if key not in TOP_KEYS:
                self.issue(
                    node.keys[key],
                    key,
                    "unknown-element",
                    f"unknown element {key!r}; a policy has Version, Id and Statement",
                )
        version = self._version(node)
        self.variables = version == "2012-10-17"
        statements = self._statements(node)
        size = policy_size(self.text, self.kind)
        for code, severity, message in quota_problems(size, self.kind):
            self.issue(0, "", code, message, severity)
        self._characters()
        policy_id = document.get("Id")
        policy = Policy(
            self.log.source,
            self.kind,
            version,
            policy_id.value if policy_id is not None and isinstance(policy_id.value, str) else None,
            tuple(statements),
            size,
        )
        return ParseResult(policy, tuple(self.log.issues))

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

    def _version(self, node: Node) -> str | None:
        assert isinstance(node.value, dict)
        version = node.value.get("Version")
        if version is None:
            self.issue(
                node.offset,
                "Version",
                "missing-version",
                'no Version; add "Version": "2012-10-17" (without it policy variables are not expanded)',
                Severity.WARNING,
            )
            return None
        if version.value not in VERSIONS:
            self.issue(
                version.offset,
                "Version",
                "bad-version",
                f'Version must be "2012-10-17" (or the old "2008-10-17"), not {plain(version)!r}',
            )
            return None
        return str(version.value)

    def _statements(self, node: Node) -> list[Statement]:
        assert isinstance(node.value, dict)
        body = node.value.get("Statement")
        if body is None:
            self.issue(
                node.offset, "Statement", "missing-statement", "no Statement; add at least one statement"
            )
            return []
        items = body.value if isinstance(body.value, list) else [body]
        single = not isinstance(body.value, list)
        statements: list[Statement] = []
        sids: dict[str, int] = {}
        for index, item in enumerate(items):
            path = "Statement" if single else f"Statement[{index}]"
            statement = self._statement(item, index, path, sids)
            if statement is not None:
                statements.append(statement)
        if not items:
            self.issue(
                body.offset, "Statement", "empty-statement", "Statement is empty; add at least one statement"
            )
        return statements

    def _statement(self, node: Node, index: int, path: str, sids: dict[str, int]) -> Statement | None:
        if not isinstance(node.value, dict):
            self.issue(node.offset, path, "statement-not-object", "a statement must be a JSON object")
            return None
        body = node.value
        for key in body:
            if key not in STATEMENT_KEYS:
                self.issue(
                    node.keys[key],
                    f"{path}.{key}",
                    "unknown-element",
                    f"unknown element {key!r} in a statement" + _did_you_mean(key, STATEMENT_KEYS),
                )
        sid = self._sid(body.get("Sid"), path, sids)
        effect = self._effect(node, path)
        actions, action_places = self._strings(body.get("Action"), f"{path}.Action")
        not_actions, not_action_places = self._strings(body.get("NotAction"), f"{path}.NotAction")
        resources, resource_places = self._strings(body.get("Resource"), f"{path}.Resource")
        not_resources, not_resource_places = self._strings(body.get("NotResource"), f"{path}.NotResource")
        self._exclusive(node, path, "Action", "NotAction", required=True)
        self._exclusive(node, path, "Resource", "NotResource", required=self.kind not in (PolicyKind.TRUST,))
        for value, place in zip(
            actions or not_actions or (), action_places or not_action_places, strict=True
        ):
            self._check_action(value, place)
        for value, place in zip(
            resources or not_resources or (), resource_places or not_resource_places, strict=True
        ):
            self._check_resource(value, place)
        principals = read_principals(body.get("Principal"), f"{path}.Principal", self.log)
        not_principals = read_principals(body.get("NotPrincipal"), f"{path}.NotPrincipal", self.log)
        has_principal = principals is not None or not_principals is not None
        if not_principals is not None and effect is Effect.ALLOW:
            self.issue(
                body["NotPrincipal"].offset,
                f"{path}.NotPrincipal",
                "not-principal-with-allow",
                "Allow with NotPrincipal grants to everyone not listed, anonymous callers included; "
                "name the principals in Principal instead",
                Severity.WARNING,
            )
        if principals is not None and not_principals is not None:
            self.issue(
                body["NotPrincipal"].offset,
                f"{path}.NotPrincipal",
                "both-elements",
                "a statement has either Principal or NotPrincipal, not both",
            )
        if has_principal and self.kind not in PRINCIPAL_KINDS_WITH_PRINCIPAL:
            self.issue(
                node.offset,
                path,
                "principal-not-allowed",
                f"a {self.kind.value} policy cannot name a Principal; remove it",
            )
        if not has_principal and self.kind in (PolicyKind.RESOURCE, PolicyKind.TRUST):
            self.issue(
                node.offset,
                path,
                "missing-principal",
                f"a {self.kind.value} policy statement needs a Principal",
            )
        conditions = read_conditions(body.get("Condition"), f"{path}.Condition", self.log, self.variables)
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
            where=self.place(node.offset, path),
            action_places=tuple(action_places or not_action_places),
            resource_places=tuple(resource_places or not_resource_places),
        )

    def _sid(self, node: Node | None, path: str, sids: dict[str, int]) -> str | None:
        if node is None:
            return None
        if not isinstance(node.value, str):
            self.issue(node.offset, f"{path}.Sid", "bad-sid", "Sid must be a string")
            return None
        sid = node.value
        if self.kind is PolicyKind.IDENTITY and not SID.match(sid):
            self.issue(
                node.offset,
                f"{path}.Sid",
                "bad-sid",
                f"Sid {sid!r} may contain only letters and digits in an identity policy",
            )
        if sid and sid in sids:
            self.issue(
                node.offset,
                f"{path}.Sid",
                "duplicate-sid",
                f"Sid {sid!r} is also used by Statement[{sids[sid]}]; make Sids unique",
            )
        sids.setdefault(sid, int(path.split("[")[-1].rstrip("]")) if "[" in path else 0)
        return sid

    def _effect(self, node: Node, path: str) -> Effect:
        assert isinstance(node.value, dict)
        effect = node.value.get("Effect")
        if effect is None:
            self.issue(
                node.offset, f"{path}.Effect", "missing-effect", 'no Effect; add "Effect": "Allow" or "Deny"'
            )
            return Effect.DENY
        if effect.value not in ("Allow", "Deny"):
            hint = " (Effect is case-sensitive)" if str(effect.value).lower() in ("allow", "deny") else ""
            self.issue(
                effect.offset,
                f"{path}.Effect",
                "bad-effect",
                f'Effect must be "Allow" or "Deny", not {plain(effect)!r}{hint}',
            )
            return Effect.DENY if str(effect.value).lower() == "deny" else Effect.ALLOW
        return Effect(effect.value)

    def _exclusive(self, node: Node, path: str, one: str, other: str, *, required: bool) -> None:
        assert isinstance(node.value, dict)
        if one in node.value and other in node.value:
            self.issue(
                node.keys[other],
                f"{path}.{other}",
                "both-elements",
                f"a statement has either {one} or {other}, not both",
            )
        elif required and one not in node.value and other not in node.value:
            self.issue(node.offset, path, f"missing-{one.lower()}", f"the statement needs {one} or {other}")

    def _strings(self, node: Node | None, path: str) -> tuple[tuple[str, ...] | None, list[Located]]:
        if node is None:
            return None, []
        items = node.value if isinstance(node.value, list) else [node]
        values: list[str] = []
        places: list[Located] = []
        for index, item in enumerate(items):
            item_path = f"{path}[{index}]" if isinstance(node.value, list) else path
            if not isinstance(item.value, str):
                self.issue(
                    item.offset, item_path, "not-a-string", f"expected a string, found {_kind(item.value)}"
                )
                continue
            values.append(item.value)
            places.append(self.place(item.offset, item_path))
        if isinstance(node.value, list) and not node.value:
            self.issue(
                node.offset,
                path,
                "empty-list",
                "an empty list matches nothing; remove it or add values",
                Severity.WARNING,
            )
        return tuple(values), places

    def _check_action(self, value: str, place: Located) -> None:
        if value == "*" or ACTION.match(value):
            return
        if ":" not in value:
            message = f"action {value!r} must be service:Action, e.g. s3:GetObject, or *"
        elif value != value.strip() or " " in value:
            message = f"action {value!r} contains white space, so it matches nothing"
        elif "," in value:
            message = f"action {value!r} contains a comma; list actions as separate strings"
        elif "${" in value:
            message = f"action {value!r} uses a policy variable; Action does not expand variables"
        else:
            message = f"action {value!r} has characters an action name cannot have"
        self.log.add_at(place, "bad-action", message)

    def _check_resource(self, value: str, place: Located) -> None:
        if value != "*" and not ARN.match(value):
            self.log.add_at(
                place,
                "bad-arn",
                f"resource {value!r} is not an ARN (arn:partition:service:region:account:resource) or *",
            )
            return
        if "${" not in value:
            return
        if not self.variables:
            self.log.add_at(
                place,
                "variable-without-version",
                f'{value!r} looks like a policy variable, but only Version "2012-10-17" expands variables; '
                "here it is matched literally",
                Severity.WARNING,
            )
            return
        problem = variable_problem(value)
        if problem:
            self.log.add_at(place, "bad-variable", problem)


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def _did_you_mean(word: str, choices: frozenset[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""
