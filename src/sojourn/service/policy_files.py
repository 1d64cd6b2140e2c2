"""Policy files as the commands read them: plain documents, or IAM's GetPolicyVersion answers."""

from __future__ import annotations

import json
from pathlib import Path

from sojourn.inputs.bounded_json import POLICY_MAX_BYTES, JsonInputError, load_json
from sojourn.policy import ParseResult, PolicyIssue, PolicyKind, Severity, parse_policy
from sojourn.service.input_files import InputFileError, read_text


def document_text(path: Path) -> str:
    """A policy file, or IAM's GetPolicyVersion answer (the document is then taken out of it).

    Raises InputFileError for a file that is too large, not UTF-8, or nested or numbered past the limits;
    text that is merely not JSON is returned as it is, for the parser to place the mistake.
    """
    text = read_text(path, POLICY_MAX_BYTES)
    try:
        wrapped = load_json(text, max_bytes=POLICY_MAX_BYTES)
    except JsonInputError as error:
        if error.code == "json-syntax":
            return text
        failure = InputFileError(path, error.message, error.line, error.column)
        failure.code = error.code
        raise failure from None
    if isinstance(wrapped, dict) and isinstance(wrapped.get("PolicyVersion"), dict):
        return json.dumps(wrapped["PolicyVersion"].get("Document"), indent=2)
    return text


def parse_file(path: Path, kind: PolicyKind) -> ParseResult:
    """A file that cannot be read is an error of that file, so one bad file never stops a folder's run."""
    try:
        text = document_text(path)
    except InputFileError as error:
        issue = PolicyIssue(
            str(path), error.line, error.column, "", error.code, Severity.ERROR, error.message
        )
        return ParseResult(None, (issue,))
    return parse_policy(text, source=str(path), kind=kind)


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
