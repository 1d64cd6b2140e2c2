"""`sojourn audit export --format ocsf` on a real database; the JSON-lines schema stays the default."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from sojourn.access.audit import SIEM_SCHEMA_VERSION, AuditEvent
from sojourn.cli.main import app
from sojourn.store import open_store
from tests.access.ocsf_schema import ocsf_problems

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _fill(url: str) -> None:
    store = open_store(url)
    try:
        store.audit.append(
            AuditEvent(AT, "ops", "apply.start", "quarterly", "1 changes", details={"instance": "i"})
        )
        store.audit.append(
            AuditEvent(
                AT,
                "ops",
                "assignment.create",
                "quarterly",
                "assign prod-admin to USER alice on 111111111111",
                person="alice",
                account_id="111111111111",
                permission_set="prod-admin",
                after={"principal_type": "USER", "principal": "alice"},
            )
        )
    finally:
        store.close()


def test_ocsf_export_writes_valid_events_and_jsonl_stays_the_default(database_url: str) -> None:
    _fill(database_url)
    runner = CliRunner()
    ocsf = runner.invoke(app, ["audit", "export", "--format", "ocsf", "--database-url", database_url])
    assert ocsf.exit_code == 0, ocsf.output
    events = [json.loads(line) for line in ocsf.output.splitlines()]
    assert [e["class_name"] for e in events] == ["API Activity", "User Access Management"]
    assert all(ocsf_problems(e) == [] for e in events)
    default = runner.invoke(app, ["audit", "export", "--database-url", database_url])
    assert [json.loads(line)["schema"] for line in default.output.splitlines()] == [SIEM_SCHEMA_VERSION] * 2


def test_an_unknown_format_is_refused_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    result = CliRunner().invoke(app, ["audit", "export", "--format", "cef", "--database-url", url])
    assert result.exit_code == 2 and "Traceback" not in result.output
