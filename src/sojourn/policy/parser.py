"""Policy text -> Policy plus every problem with its line, column and path; never raises on bad input."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sojourn.policy.document_reader import DocumentReader
from sojourn.policy.issue_log import IssueLog
from sojourn.policy.located_json import JsonSyntaxError, LineIndex, parse_located
from sojourn.policy.model import Policy, PolicyIssue, PolicyKind, Severity


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
    return _read(DocumentReader(kind, log, text), document)


def _read(reader: DocumentReader, document: object) -> ParseResult:
    """Reading nests as deeply as the document does; a document too deep for that is an issue, not a crash."""
    try:
        policy = reader.read(document)
    except RecursionError:
        reader.log.issues.clear()
        reader.issue(0, "", "too-deep", "the document is nested too deeply to be a policy")
        return ParseResult(None, tuple(reader.log.issues))
    return ParseResult(policy, tuple(reader.log.issues))


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
    return _read(DocumentReader(kind, log, text), document)
