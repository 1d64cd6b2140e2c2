"""Located issues collected while one policy document is read."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from sojourn.policy.located_json import LineIndex, Positions
from sojourn.policy.model import Located, PolicyIssue, Severity


class IssueLog:
    """Turns offsets into line and column (or 0:0 when the document came without text) and keeps issues."""

    def __init__(self, source: str, lines: LineIndex | None, positions: Positions | None = None) -> None:
        self.source, self.lines = source, lines
        self.positions = Positions() if positions is None else positions
        self.issues: list[PolicyIssue] = []

    def place(self, offset: int, path: str) -> Located:
        if self.lines is None:
            return _unplaced(path)
        line, col = self.lines.position(offset)
        return Located(path, line, col)

    def item_places(self, array: Sequence[object], path: str) -> tuple[Located, ...]:
        """The places of every item of an array at path: path[0], path[1], ..."""
        if self.lines is None:
            return _unplaced_items(path, len(array))
        offsets = self.positions.items_at(array)
        return tuple(self.place(offset, f"{path}[{index}]") for index, offset in enumerate(offsets))

    def add(
        self,
        offset: int,
        path: str,
        code: str,
        message: str,
        severity: Severity = Severity.ERROR,
        aa_code: str | None = None,
    ) -> None:
        self.add_at(self.place(offset, path), code, message, severity, aa_code)

    def add_at(
        self,
        place: Located,
        code: str,
        message: str,
        severity: Severity = Severity.ERROR,
        aa_code: str | None = None,
    ) -> None:
        self.issues.append(
            PolicyIssue(self.source, place.line, place.col, place.path, code, severity, message, aa_code)
        )


# Without text a place is only its path, and documents share paths (Statement[0].Action[0], ...), so
# the places are made once and shared; that saves most of the objects a policy would otherwise make.
@lru_cache(maxsize=16384)
def _unplaced(path: str) -> Located:
    return Located(path)


@lru_cache(maxsize=4096)
def _unplaced_items(path: str, count: int) -> tuple[Located, ...]:
    return tuple(_unplaced(f"{path}[{index}]") for index in range(count))
