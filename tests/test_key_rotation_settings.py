"""The key rotation schedule's settings: targets, maximum age, grace period and interval from SOJOURN_*."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sojourn.bootstrap import Runtime
from sojourn.settings import Settings, SettingsError


def test_rotation_settings_from_the_environment_and_their_defaults() -> None:
    env = {
        "SOJOURN_DATABASE_URL": "sqlite://",
        "SOJOURN_KEY_ROTATION_TARGETS": "ci=prod/ci-key, web = prod/web-key",
        "SOJOURN_KEY_MAX_AGE_DAYS": "30",
        "SOJOURN_KEY_GRACE_DAYS": "0",
        "SOJOURN_KEY_ROTATION_EVERY": "60",
    }
    settings = Settings.from_environment(env)
    assert settings.key_rotation_targets == (("ci", "prod/ci-key"), ("web", "prod/web-key"))
    assert (settings.key_max_age_days, settings.key_grace_days, settings.key_rotation_every) == (30, 0, 60)
    schedule = Runtime(settings).rotation_schedule()
    assert [(t.user, t.secret_id) for t in schedule.targets] == [
        ("ci", "prod/ci-key"),
        ("web", "prod/web-key"),
    ]
    assert (schedule.max_age, schedule.grace, schedule.every) == (
        timedelta(days=30),
        timedelta(0),
        timedelta(seconds=60),
    )
    defaults = Settings.from_environment({"SOJOURN_DATABASE_URL": "sqlite://"})
    assert defaults.key_rotation_targets == ()
    assert (defaults.key_max_age_days, defaults.key_grace_days, defaults.key_rotation_every) == (90, 7, 3600)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SOJOURN_KEY_ROTATION_TARGETS", "ci", "USER=SECRET_ID"),
        ("SOJOURN_KEY_ROTATION_TARGETS", "=secret", "USER=SECRET_ID"),
        ("SOJOURN_KEY_MAX_AGE_DAYS", "0", "from 1"),
        ("SOJOURN_KEY_GRACE_DAYS", "-1", "from 0"),
    ],
)
def test_bad_rotation_settings_name_the_variable(variable: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message) as raised:
        Settings.from_environment({"SOJOURN_DATABASE_URL": "sqlite://", variable: value})
    assert variable in str(raised.value)
