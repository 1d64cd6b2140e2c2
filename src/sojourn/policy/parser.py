"""Policy text -> Policy plus every problem with its line, column and path; never raises on bad input."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any

from sojourn.policy.conditions import read_conditions
from sojourn.policy.issue_log import IssueLog
from sojourn.policy.located_json import (
    ARRAYS,
    JsonSyntaxError,
    LineIndex,
    kind_of,
    members,
    parse_located,
    shown,
)
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
ACTION = re.compile(r"\*\Z|[A-Za-z0-9-]+:[A-Za-z0-9*?]*\Z")
ARN = re.compile(r"\*\Z|arn:(\*|[a-z0-9*?-]*):[^:]*:[^:]*:[^:]*:.*$", re.S)
SID = re.compile(r"[A-Za-z0-9]*\Z")
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
    return _read(_Reader(kind, log, text), document)


def _read(reader: _Reader, document: object) -> ParseResult:
    """Reading nests as deeply as the document does; a document too deep for that is an issue, not a crash."""
    try:
        return reader.read(document)
    except RecursionError:
        reader.log.issues.clear()
        reader.issue(0, "", "too-deep", "the document is nested too deeply to be a policy")
        return ParseResult(None, tuple(reader.log.issues))


def _parse_text(text: str, source: str, kind: PolicyKind, *, positions: bool) -> ParseResult:
    lines = LineIndex(text)
    log = IssueLog(source, lines if positions else None)
    try:
        document, log.positions = parse_located(text)
    except JsonSyntaxError as error:
        hint = '; a policy is a JSON object such as {"Version": "2012-10-17", "Statement": [...]}'
        log.add(error.offset, "", "json-syntax", f"invalid JSON: {error.message}{hint}")
        return ParseResult(None, tuple(log.issues))
    except RecursionError:
        log.add(0, "", "json-syntax", "invalid JSON: the document is nested too deeply")
        return ParseResult(None, tuple(log.issues))
    return _read(_Reader(kind, log, text), document)


class _Reader:
    """Reads decoded JSON values; where each was written comes from the log's Positions."""

    def __init__(self, kind: PolicyKind, log: IssueLog, text: str) -> None:
        self.kind, self.log, self.text = kind, log, text
        self.issue, self.place, self.at = log.add, log.place, log.positions
        self.variables = False

    def read(self, document: object) -> ParseResult:
        if not isinstance(document, dict):
            self.issue(
                self.at.root, "", "not-an-object", "a policy must be a JSON object with Version and Statement"
            )
            return ParseResult(None, tuple(self.log.issues))
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
            self.issue(0, "", code, message, severity)
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
        self._check_actions(actions or not_actions or (), action_places)
        self._check_resources(resources or not_resources or (), resource_places)
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
            )
        if not has_principal and self.kind in (PolicyKind.RESOURCE, PolicyKind.TRUST):
            self.issue(
                offset,
                path,
                "missing-principal",
                f"a {self.kind.value} policy statement needs a Principal",
            )
        conditions = read_conditions(body, path, self.log, self.variables)
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
        if self.kind is PolicyKind.IDENTITY and not SID.match(sid):
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

    def _check_actions(self, values: tuple[str, ...], places: tuple[Located, ...]) -> None:
        if all(map(ACTION.match, values)):
            return
        for value, place in zip(values, places, strict=True):
            if not ACTION.match(value):
                self._bad_action(value, place)

    def _check_resources(self, values: tuple[str, ...], places: tuple[Located, ...]) -> None:
        if all(map(ARN.match, values)) and "${" not in "".join(values):
            return
        for value, place in zip(values, places, strict=True):
            if not ARN.match(value):
                self.log.add_at(
                    place,
                    "bad-arn",
                    f"resource {value!r} is not an ARN (arn:partition:service:region:account:resource) or *",
                )
            elif "${" in value:
                self._check_variables(value, place)

    def _bad_action(self, value: str, place: Located) -> None:
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

    def _check_variables(self, value: str, place: Located) -> None:
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


def _did_you_mean(word: str, choices: frozenset[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""
