"""The consoles every command prints to: as wide as the terminal, and not cut at 80 columns without one."""

from __future__ import annotations

from typing import Any

from rich.console import Console, ConsoleDimensions

WITHOUT_TERMINAL_WIDTH = 240
"""Written to a file or a pipe (CI logs, `> report.txt`), tables get this much room, not rich's 80."""


class FittingConsole(Console):
    """A rich console whose tables fit the terminal, or a generous width when there is none.

    The width is read when printing, not when the console is made at import: `COLUMNS` set later (a
    resized terminal, a test runner's environment) is honoured."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        if options.get("width") is None:
            self._width = None

    @property
    def size(self) -> ConsoleDimensions:
        found = Console.size.fget(self)  # type: ignore[attr-defined]
        if self.is_terminal or self._width is not None or "COLUMNS" in self._environ:
            return found  # type: ignore[no-any-return]
        return ConsoleDimensions(WITHOUT_TERMINAL_WIDTH, found.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


def screen(**options: Any) -> Console:
    """The console of a command's output (`stderr=True`: of its messages); rich's highlighter is off: it is
    quadratic on long data and colours what users wrote."""
    return FittingConsole(soft_wrap=True, highlight=False, **options)
