"""Policy text -> Policy plus every problem with its line, column and path; never raises on bad input."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sojourn.policy.located_json import JsonSyntaxError, LineIndex, Node, parse_located
from sojourn.policy.model import (
    QUOTAS,
    Condition,
    Effect,
    Located,
    Policy,
    PolicyIssue,
    PolicyKind,
    Principal,
    Severity,
    Statement,
)
from sojourn.policy.operators import split_operator

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
PRINCIPAL_KINDS = ("AWS", "Service", "Federated", "CanonicalUser")
ACTION = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9*?]*$")
ARN = re.compile(r"^arn:(\*|[a-z0-9*?-]*):[^:]*:[^:]*:[^:]*:.*$", re.S)
CONDITION_KEY = re.compile(r"^[A-Za-z0-9-]+:[^\s]+$")
SID = re.compile(r"^[A-Za-z0-9]*$")
PRINCIPAL_KINDS_WITH_PRINCIPAL = frozenset(
    {PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.ENDPOINT, PolicyKind.RCP}
)


@dataclass(frozen=True, slots=True)
class ParseResult:
    policy: Policy | None
    issues: tuple[PolicyIssue, ...]

    @property
    def ok(self) -> bool:
        return self.policy is not None and not any(i.severity is Severity.ERROR for i in self.issues)


def parse_policy(
    text: str, *, source: str = "<policy>", kind: PolicyKind = PolicyKind.IDENTITY
) -> ParseResult:
    """Parse and structurally validate a policy document given as JSON text."""
    lines = LineIndex(text)
    try:
        node = parse_located(text)
    except JsonSyntaxError as error:
        line, col = lines.position(error.offset)
        hint = '; a policy is a JSON object such as {"Version": "2012-10-17", "Statement": [...]}'
        return ParseResult(
            None,
            (
                PolicyIssue(
                    source,
                    line,
                    col,
                    "",
                    "json-syntax",
                    Severity.ERROR,
                    f"invalid JSON: {error.message}{hint}",
                ),
            ),
        )
    return _Reader(source, kind, lines, text).read(node)


def parse_policy_document(
    document: object, *, source: str = "<policy>", kind: PolicyKind = PolicyKind.IDENTITY
) -> ParseResult:
    """Parse an already-decoded policy (no positions: every issue is at 1:1)."""
    try:
        text = json.dumps(document)
    except (TypeError, ValueError) as error:
        return ParseResult(
            None,
            (
                PolicyIssue(
                    source, 1, 1, "", "not-json", Severity.ERROR, f"the document is not JSON data: {error}"
                ),
            ),
        )
    return parse_policy(text, source=source, kind=kind)


class _Reader:
    def __init__(self, source: str, kind: PolicyKind, lines: LineIndex, text: str) -> None:
        self.source, self.kind, self.lines, self.text = source, kind, lines, text
        self.issues: list[PolicyIssue] = []

    def issue(
        self, offset: int, path: str, code: str, message: str, severity: Severity = Severity.ERROR
    ) -> None:
        line, col = self.lines.position(offset)
        self.issues.append(PolicyIssue(self.source, line, col, path, code, severity, message))

    def place(self, offset: int, path: str) -> Located:
        line, col = self.lines.position(offset)
        return Located(path, line, col)

    def read(self, node: Node) -> ParseResult:
        if not isinstance(node.value, dict):
            self.issue(
                node.offset, "", "not-an-object", "a policy must be a JSON object with Version and Statement"
            )
            return ParseResult(None, tuple(self.issues))
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
        statements = self._statements(node)
        size = self._size()
        limit, _ = QUOTAS[self.kind]
        if size > limit:
            self.issue(
                0,
                "",
                "quota",
                f"the policy has {size:,} characters; a {self.kind.value} policy may have {limit:,}",
            )
        policy_id = document.get("Id")
        policy = Policy(
            self.source,
            self.kind,
            version,
            policy_id.value if policy_id is not None and isinstance(policy_id.value, str) else None,
            tuple(statements),
            size,
        )
        return ParseResult(policy, tuple(self.issues))

    def _size(self) -> int:
        _, ignores_space = QUOTAS[self.kind]
        if not ignores_space:
            return len(self.text)
        return len(re.sub(r"\s+", "", self.text))

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
                f'Version must be "2012-10-17" (or the old "2008-10-17"), not {version.value!r}',
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
        principals = self._principals(body.get("Principal"), f"{path}.Principal")
        not_principals = self._principals(body.get("NotPrincipal"), f"{path}.NotPrincipal")
        has_principal = principals is not None or not_principals is not None
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
        conditions = self._conditions(body.get("Condition"), f"{path}.Condition")
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
                f'Effect must be "Allow" or "Deny", not {effect.value!r}{hint}',
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
        else:
            message = f"action {value!r} has characters an action name cannot have"
        self.issues.append(
            PolicyIssue(self.source, place.line, place.col, place.path, "bad-action", Severity.ERROR, message)
        )

    def _check_resource(self, value: str, place: Located) -> None:
        if value == "*" or ARN.match(value):
            return
        self.issues.append(
            PolicyIssue(
                self.source,
                place.line,
                place.col,
                place.path,
                "bad-arn",
                Severity.ERROR,
                f"resource {value!r} is not an ARN (arn:partition:service:region:account:resource) or *",
            )
        )

    def _principals(self, node: Node | None, path: str) -> tuple[Principal, ...] | None:
        if node is None:
            return None
        if node.value == "*":
            return (Principal("*", "*"),)
        if isinstance(node.value, str):
            self.issue(
                node.offset,
                path,
                "bad-principal",
                f'Principal {node.value!r} must be written as {{"AWS": {node.value!r}}}; AWS rejects a bare '
                "string other than *",
            )
            return (Principal("AWS", node.value),)
        if not isinstance(node.value, dict):
            self.issue(
                node.offset,
                path,
                "bad-principal",
                'Principal must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}',
            )
            return ()
        principals: list[Principal] = []
        for kind, value in node.value.items():
            if kind not in PRINCIPAL_KINDS:
                self.issue(
                    node.keys[kind],
                    f"{path}.{kind}",
                    "bad-principal-kind",
                    f"unknown principal type {kind!r}; use AWS, Service, Federated or CanonicalUser"
                    + _did_you_mean(kind, PRINCIPAL_KINDS),
                )
                continue
            strings, places = self._strings(value, f"{path}.{kind}")
            for text, place in zip(strings or (), places, strict=True):
                self._check_principal(kind, text, place)
                principals.append(Principal(kind, text))
        return tuple(principals)

    def _check_principal(self, kind: str, value: str, place: Located) -> None:
        problem = None
        if kind == "AWS" and not (value == "*" or re.fullmatch(r"\d{12}", value) or value.startswith("arn:")):
            problem = f"AWS principal {value!r} must be an account id, an ARN or *"
        elif (
            kind == "Service" and value != "*" and not value.endswith((".amazonaws.com", ".amazonaws.com.cn"))
        ):
            problem = f"service principal {value!r} should look like service.amazonaws.com"
        if problem:
            self.issues.append(
                PolicyIssue(
                    self.source, place.line, place.col, place.path, "bad-principal", Severity.ERROR, problem
                )
            )

    def _conditions(self, node: Node | None, path: str) -> tuple[Condition, ...]:
        if node is None:
            return ()
        if not isinstance(node.value, dict):
            self.issue(
                node.offset, path, "bad-condition", "Condition must be an object of operator -> {key: value}"
            )
            return ()
        conditions: list[Condition] = []
        for operator, block in node.value.items():
            op_path = f"{path}.{operator}"
            parts = split_operator(operator)
            if parts is None:
                self.issue(
                    node.keys[operator],
                    op_path,
                    "unknown-operator",
                    f"unknown condition operator {operator!r}" + _operator_hint(operator),
                )
                continue
            qualifier, base, if_exists = parts
            if not isinstance(block.value, dict):
                self.issue(
                    block.offset, op_path, "bad-condition", "an operator takes an object of key -> values"
                )
                continue
            for key, values in block.value.items():
                key_path = f"{op_path}.{key}"
                if not CONDITION_KEY.match(key):
                    self.issue(
                        block.keys[key],
                        key_path,
                        "bad-condition-key",
                        f"condition key {key!r} must look like prefix:name, e.g. aws:SourceIp",
                    )
                items = values.value if isinstance(values.value, list) else [values]
                texts: list[str] = []
                for item in items:
                    if isinstance(item.value, bool):
                        texts.append("true" if item.value else "false")
                    elif isinstance(item.value, str | int | float):
                        texts.append(str(item.value))
                    else:
                        self.issue(
                            item.offset,
                            key_path,
                            "bad-condition-value",
                            f"a condition value must be a string, number or boolean, not {_kind(item.value)}",
                        )
                conditions.append(
                    Condition(
                        operator,
                        base,
                        qualifier,
                        if_exists,
                        key,
                        tuple(texts),
                        self.place(block.keys[key], key_path),
                    )
                )
        return tuple(conditions)


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def _did_you_mean(word: str, choices: frozenset[str] | tuple[str, ...]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _operator_hint(operator: str) -> str:
    from sojourn.policy.operators import BASE_OPERATORS

    return _did_you_mean(operator.split(":")[-1].removesuffix("IfExists"), tuple(BASE_OPERATORS))
