"""`sojourn hygiene`: root keys and MFA, users without MFA, unused and old credentials, idle identities."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from sojourn.analysis.finding import Risk
from sojourn.analysis.hygiene_facts import Thresholds
from sojourn.cli.consoles import screen
from sojourn.cli.graph_cmd import Format
from sojourn.cli.rows import finding_row
from sojourn.cli.runtime import runtime
from sojourn.cli.sarif import findings_to_sarif
from sojourn.service.findings_report import html_report
from sojourn.service.hygiene import hygiene_report, read_hygiene_facts

console = screen()
errors = screen(stderr=True)
Days = Annotated[int, typer.Option(min=1, max=3650)]


def hygiene(
    output: Annotated[Format, typer.Option("--format", help="table, json, sarif or html")] = Format.TABLE,
    as_json: Annotated[bool, typer.Option("--json", help="the same as --format json")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="write the report to this file instead of the screen")
    ] = None,
    unused_days: Days = 90,
    key_age_days: Days = 90,
    idle_days: Days = 90,
    read_role: Annotated[
        str, typer.Option(help="role assumed in each member account to read it")
    ] = "SojournReadOnly",
    identity_center: Annotated[
        bool, typer.Option(help="judge standing Identity Center assignments against the usage table")
    ] = True,
    fail_on: Annotated[Risk | None, typer.Option(help="exit 2 at a finding this severe or worse")] = None,
    endpoint_url: Annotated[str | None, typer.Option("--endpoint-url", help="AWS endpoint")] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="SQLAlchemy URL of Sojourn's database")
    ] = None,
) -> None:
    """Credential hygiene of every account: IAM's credential report, keys, MFA, roles and activity."""
    if as_json:
        output = Format.JSON
    limits = Thresholds(unused_days=unused_days, key_age_days=key_age_days, idle_days=idle_days)
    with runtime(endpoint_url=endpoint_url, database_url=database_url) as rt:
        now = rt.clock.now()
        facts = read_hygiene_facts(
            rt.hygiene_source(read_role),
            rt.usage(),
            rt.assignments_reader() if identity_center else None,
            now,
            lambda name, done, total: errors.print(f"read {done}/{total} accounts ({name})", highlight=False),
        )
    report = hygiene_report(facts, now, limits)
    found = list(report.findings)
    if output is Format.JSON:
        text = json.dumps([finding_row(f) for f in found], indent=1) + "\n"
    elif output is Format.SARIF:
        text = json.dumps(findings_to_sarif(found), indent=1) + "\n"
    elif output is Format.HTML:
        text = html_report(f"Sojourn credential hygiene {now:%Y-%m-%d}", found, [], list(facts.notes))
    else:
        text = "".join(f"{finding}\n" for finding in found) + f"{len(found)} finding(s)\n"
    for note in facts.notes:
        errors.print(f"note: {note}", highlight=False, markup=False)
    if out is not None:
        out.write_text(text, encoding="utf-8")
        errors.print(f"wrote {len(found)} finding(s) to {out}", highlight=False)
    elif output is Format.TABLE:
        console.print(text, end="", highlight=False, markup=False)
    else:
        sys.stdout.write(text)
    if fail_on is not None and report.reaching(fail_on):
        raise typer.Exit(2)
