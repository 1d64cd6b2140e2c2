"""Any error that escapes a command, as one line of what went wrong and one of what to do.

The edges (CLI, demo) ask here instead of importing the adapters' libraries: AWS, database, settings and
file-system errors each have their own explanation; the cause chain is searched for the first one known.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sojourn.access.issues import ConfigInvalid
from sojourn.aws.failures import explain_aws_error
from sojourn.notify.settings import NotifySettingsError
from sojourn.service.registration import WorkerNameLost, WorkerNameTaken
from sojourn.settings import SettingsError
from sojourn.store.failures import explain_database_error


@dataclass(frozen=True, slots=True)
class Failure:
    what: str
    hint: str


def explain_failure(error: BaseException) -> Failure | None:
    """What went wrong and what to do, for the first error of the chain Sojourn knows; None if none is."""
    for link in _chain(error):
        for explain in (explain_aws_error, explain_database_error, _explain_local):
            found = explain(link)
            if found is not None:
                return Failure(*found)
    return None


def _explain_local(error: BaseException) -> tuple[str, str] | None:
    if isinstance(error, WorkerNameTaken | WorkerNameLost):
        return str(error), error.hint
    if isinstance(error, ConfigInvalid) and error.issues:
        more = len(error.issues) - 1
        first = f"{error.issues[0]}" + (f" (and {more} more problem(s))" if more else "")
        return first, "fix the configuration; `sojourn plan` lists every problem"
    if isinstance(error, SettingsError | NotifySettingsError):
        return str(error), "fix that environment variable (docs/configuration.md lists them)"
    if isinstance(error, PermissionError):
        return (
            f"permission denied: {error.filename or error}",
            "give this user access to it, or choose another path",
        )
    if isinstance(error, FileNotFoundError):
        return f"no such file or directory: {error.filename or error}", "check the path"
    if isinstance(error, IsADirectoryError | NotADirectoryError):
        return f"{error.strerror}: {error.filename}", "give a file where a file is expected"
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename or ''}".rstrip(": "), "check the path and the disk"
    return None


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__
