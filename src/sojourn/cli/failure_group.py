"""The one place where an error that escapes any command becomes a line for the user, never a traceback."""

from __future__ import annotations

import tempfile
import traceback
from typing import Any

import typer
from rich.markup import escape
from typer.core import TyperGroup

from sojourn.cli.consoles import screen
from sojourn.failures import explain_failure

errors = screen(stderr=True)


class FailureTranslatingGroup(TyperGroup):
    """Runs a command; a known error prints what went wrong and what to do, and the command exits 1."""

    def invoke(self, ctx: Any) -> Any:  # typer vendors click; its Context type is private
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as error:
            report(error)
            raise typer.Exit(1) from None


def report(error: BaseException) -> None:
    """Print `error` as the user should read it; an unknown one keeps its traceback in a file."""
    failure = explain_failure(error)
    if failure is not None:
        errors.print(f"[red]error:[/red] {escape(failure.what)}", highlight=False)
        errors.print(f"  hint: {failure.hint}", highlight=False, markup=False)
        return
    with tempfile.NamedTemporaryFile(
        "w", prefix="sojourn-error-", suffix=".txt", delete=False, encoding="utf-8"
    ) as kept:
        kept.write("".join(traceback.format_exception(error)))
    errors.print(f"error: {type(error).__name__}: {error}", highlight=False, markup=False)
    errors.print(
        f"  hint: this is a bug in Sojourn; please report it with the traceback kept in {kept.name}",
        highlight=False,
        markup=False,
    )
