"""How every benchmark prints its rows: a table with the peer beside ours, or one JSON object."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

COLUMNS = ("metric", "ours", "peer", "peer_name", "unit", "target", "meets_target")


def emit(title: str, rows: list[dict[str, Any]], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"rows": rows}))
        return
    table = Table(title=title)
    for column in COLUMNS:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[column]) for column in COLUMNS))
    Console(width=200).print(table)
