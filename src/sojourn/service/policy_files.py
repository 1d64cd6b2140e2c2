"""Policy files as the commands read them: plain documents, or IAM's GetPolicyVersion answers."""

from __future__ import annotations

import json
from pathlib import Path

from sojourn.policy import ParseResult, PolicyIssue, PolicyKind, Severity, parse_policy


def document_text(path: Path) -> str:
    """A policy file, or IAM's GetPolicyVersion answer (the document is then taken out of it)."""
    text = path.read_text(encoding="utf-8")
    try:
        wrapped = json.loads(text)
    except json.JSONDecodeError:
        return text
    if isinstance(wrapped, dict) and isinstance(wrapped.get("PolicyVersion"), dict):
        return json.dumps(wrapped["PolicyVersion"].get("Document"), indent=2)
    return text


def parse_file(path: Path, kind: PolicyKind) -> ParseResult:
    """A file that cannot be read is an error of that file, so one bad file never stops a folder's run."""
    try:
        text = document_text(path)
    except OSError as error:
        return _unreadable(path, f"cannot be read: {error.strerror}")
    except UnicodeDecodeError as error:
        return _unreadable(path, f"is not UTF-8 text ({error.reason} at byte {error.start})")
    return parse_policy(text, source=str(path), kind=kind)


def _unreadable(path: Path, why: str) -> ParseResult:
    issue = PolicyIssue(str(path), 0, 0, "", "unreadable-file", Severity.ERROR, f"the file {why}")
    return ParseResult(None, (issue,))


class PolicyPathError(ValueError):
    """A path given for analysis is missing, or a folder that holds no policy files."""


def policy_files(paths: list[Path]) -> list[Path]:
    """The files named, and in each folder named its files ending in .json or with no ending (sorted)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p
                for p in path.iterdir()
                if p.is_file() and p.suffix in ("", ".json") and not p.name.startswith(".")
            )
            if not inside:
                raise PolicyPathError(f"{path}: the folder holds no .json files")
            found += inside
        elif path.exists():
            found.append(path)
        else:
            raise PolicyPathError(f"{path}: no such file or folder")
    return found
