"""Located issues collected while one policy document is read."""

from __future__ import annotations

from sojourn.policy.located_json import LineIndex
from sojourn.policy.model import Located, PolicyIssue, Severity


class IssueLog:
    """Turns offsets into line and column (or 0:0 when the document came without text) and keeps issues."""

    def __init__(self, source: str, lines: LineIndex | None) -> None:
        self.source, self.lines = source, lines
        self.issues: list[PolicyIssue] = []

    def place(self, offset: int, path: str) -> Located:
        if self.lines is None:
            return Located(path)
        line, col = self.lines.position(offset)
        return Located(path, line, col)

    def add(
        self, offset: int, path: str, code: str, message: str, severity: Severity = Severity.ERROR
    ) -> None:
        self.add_at(self.place(offset, path), code, message, severity)

    def add_at(self, place: Located, code: str, message: str, severity: Severity = Severity.ERROR) -> None:
        self.issues.append(
            PolicyIssue(self.source, place.line, place.col, place.path, code, severity, message)
        )
