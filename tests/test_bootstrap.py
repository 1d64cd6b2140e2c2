"""The composition root: one Settings, read once from the environment, builds what every edge uses."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sojourn.bootstrap import Runtime, drill_or_system_clock
from sojourn.clock import FixedClock, SystemClock
from sojourn.settings import Settings, SettingsError

SRC = Path(__file__).resolve().parents[1] / "src" / "sojourn"


def settings(**env: str) -> Settings:
    return Settings.from_environment({"SOJOURN_DATABASE_URL": "sqlite://", **env})


def test_the_drill_clock_is_read_from_sojourn_now() -> None:
    drill = settings(SOJOURN_NOW="2026-11-24T09:00:00+00:00")
    assert Runtime(drill).clock.now() == datetime(2026, 11, 24, 9, tzinfo=UTC)
    assert isinstance(drill_or_system_clock(drill), FixedClock)
    assert isinstance(Runtime(settings()).clock, SystemClock)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("tomorrow", r"SOJOURN_NOW='tomorrow' is not an ISO 8601 time"),
        ("2026-11-24T09:00", r"needs a time zone"),
    ],
)
def test_an_unusable_sojourn_now_names_the_variable(value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        settings(SOJOURN_NOW=value)


def test_secrets_stay_out_of_the_settings_repr() -> None:
    found = settings(SOJOURN_TOKEN="tok-123", SOJOURN_WEBHOOK_SECRET="s3cret", SOJOURN_API_URL="http://api")
    assert found.api_token == "tok-123" and found.api_url == "http://api"
    assert found.notify_environment["SOJOURN_WEBHOOK_SECRET"] == "s3cret"
    assert "tok-123" not in repr(found) and "s3cret" not in repr(found)


def test_notification_channels_come_from_the_settings_not_the_process_environment() -> None:
    quiet = Runtime(settings())
    assert quiet.dispatcher() is None
    loud = Runtime(settings(SOJOURN_WEBHOOK_URL="http://127.0.0.1:9/hook", SOJOURN_WEBHOOK_SECRET="s"))
    dispatcher = loud.dispatcher()
    assert dispatcher is not None and loud.dispatcher() is dispatcher
    loud.close()


def test_the_catalogue_is_loaded_once_per_process() -> None:
    assert Runtime(settings()).catalog() is Runtime(settings()).catalog()


def test_the_oidc_verifier_is_built_only_when_an_issuer_is_set() -> None:
    assert Runtime(settings()).oidc_verifier() is None
    verifier = Runtime(
        settings(SOJOURN_OIDC_ISSUER="https://idp.example", SOJOURN_OIDC_ROLE_MAP='{"admins": "admin"}')
    ).oidc_verifier()
    assert verifier is not None


@pytest.mark.parametrize("construction", [r"\bJitService\(", r"\bWorker\(", r"\bos\.environ\b"])
def test_only_the_composition_root_builds_services_and_reads_the_environment(construction: str) -> None:
    allowed = {*(SRC / "bootstrap").glob("*.py"), SRC / "settings.py"}
    found = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path not in allowed and re.search(construction, path.read_text())
    ]
    assert found == []


def test_the_worker_loop_imports_no_storage_technology() -> None:
    text = (SRC / "worker" / "runner.py").read_text()
    assert not re.search(r"^\s*(from|import) (sqlalchemy|sojourn\.store)\b", text, re.MULTILINE)


def test_aws_calls_are_paced_at_aws_limit_unless_the_environment_says_otherwise() -> None:
    assert Runtime(Settings.from_environment({})).aws_settings().sso_rate == 20
    paced = Runtime(Settings.from_environment({"SOJOURN_AWS_CALL_RATE": "500"})).aws_settings()
    assert (paced.sso_rate, paced.iam_rate) == (500, 500)
    with pytest.raises(SettingsError, match="SOJOURN_AWS_CALL_RATE"):
        Settings.from_environment({"SOJOURN_AWS_CALL_RATE": "0"})


def test_every_variable_settings_reads_is_listed_in_the_configuration_docs() -> None:
    """Errors about a variable point people at docs/configuration.md."""
    listed = (SRC.parents[1] / "docs" / "configuration.md").read_text(encoding="utf-8")
    read = set(re.findall(r'"(SOJOURN_[A-Z_]+)"', (SRC / "settings.py").read_text(encoding="utf-8")))
    assert read and {name for name in read if f"`{name}`" not in listed} == set()
