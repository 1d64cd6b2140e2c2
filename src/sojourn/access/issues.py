"""Configuration problems as values that name the file, line, column and field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConfigIssue:
    file: str
    line: int
    col: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ConfigInvalid(Exception):
    """Raised at the service edge when configuration has errors; carries every issue found."""

    def __init__(self, issues: tuple[ConfigIssue, ...]) -> None:
        super().__init__("\n".join(str(issue) for issue in issues))
        self.issues = issues
