"""Reading an input file within a size limit as UTF-8 text, and JSON files through the bounded decoder.

Every failure is an `InputFileError` whose message names the file, the line and column when there is one,
and what to do; nothing larger than the limit is read into memory.
"""

from __future__ import annotations

from pathlib import Path

from sojourn.inputs.bounded_json import MAX_DEPTH, JsonInputError, check_size, load_json


class InputFileError(ValueError):
    """A file that cannot be read, is too large, is not UTF-8 or holds JSON past a limit."""

    def __init__(self, path: Path | str, message: str, line: int | None = None, column: int = 1) -> None:
        where = f"{path}:{line}:{column}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")
        self.path, self.message, self.line, self.column = str(path), message, line or 1, column
        self.code = "unreadable-file"


def read_text(path: Path, max_bytes: int) -> str:
    """The file's text; refuses files larger than `max_bytes` before reading them and bytes not UTF-8."""
    try:
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)
    except OSError as error:
        raise InputFileError(path, f"cannot be read: {error.strerror or error}") from None
    try:
        check_size(len(data) if len(data) <= max_bytes else _size(path, len(data)), max_bytes, "the file")
    except JsonInputError as error:
        too_large = InputFileError(path, f"{error.message}; split it or check that it is the right file")
        too_large.code = error.code
        raise too_large from None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputFileError(
            path,
            f"byte 0x{data[error.start]:02x} is not UTF-8 text ({error.reason}); save the file as UTF-8",
            line,
            column,
        ) from None


def read_json_file(path: Path, max_bytes: int, max_depth: int = MAX_DEPTH) -> object:
    """The decoded JSON of a file, within the size and nesting limits."""
    text = read_text(path, max_bytes)
    try:
        return load_json(text, max_depth=max_depth, max_bytes=max_bytes)
    except JsonInputError as error:
        failure = InputFileError(path, error.message, error.line, error.column)
        failure.code = error.code
        raise failure from None


def _size(path: Path, read: int) -> int:
    try:
        return max(path.stat().st_size, read)
    except OSError:
        return read
