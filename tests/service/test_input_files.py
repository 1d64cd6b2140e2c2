"""Every file reader of the service layer: size, depth, numbers, encodings and damaged content give one
error naming the file (and its line), fast, and never a traceback."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest

from sojourn.access.issues import ConfigInvalid
from sojourn.aws.authorization_file import snapshot_from_details
from sojourn.clock import FixedClock
from sojourn.inputs.bounded_json import POLICY_MAX_BYTES
from sojourn.policy import PolicyKind
from sojourn.service.config_files import MAX_CONFIG_BYTES, read_config_sources
from sojourn.service.input_files import InputFileError, read_json_file, read_text
from sojourn.service.policy_files import parse_file
from sojourn.service.saved_plan import read_saved_plan
from sojourn.service.snapshots import (
    DetailsFile,
    SnapshotUnavailable,
    load_snapshot,
    snapshot_from_details_files,
)

DEEP = "[" * 5000 + "]" * 5000
LONG_NUMBER = '{"format": ' + "9" * 5000 + "}"
CLOCK = FixedClock(datetime(2026, 3, 1, tzinfo=UTC))


@pytest.fixture
def timed():
    started = time.monotonic()
    yield
    assert time.monotonic() - started < 5


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def test_a_file_past_the_limit_is_refused_without_reading_it(tmp_path: Path, timed: None) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as stream:
        stream.truncate(30 * 1024 * 1024)
    with pytest.raises(InputFileError, match=r"big.yaml: the file is 30.0 MiB; more than the 4.0 MiB"):
        read_text(big, MAX_CONFIG_BYTES)


def test_invalid_utf8_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yaml", b"people:\n  - user_name: caf\xe9\n")
    with pytest.raises(InputFileError) as caught:
        read_text(path, 1000)
    assert str(caught.value).startswith(f"{path}:2:19: byte 0xe9 is not UTF-8 text")
    assert "save the file as UTF-8" in str(caught.value)


def test_configuration_files_too_large_or_not_utf8_are_config_issues_all_at_once(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", b"people: [\xff]\n")
    write(tmp_path / "b.yaml", "people: []\n" + "#" * MAX_CONFIG_BYTES)
    write(tmp_path / "c.yaml", "people: []\n")
    with pytest.raises(ConfigInvalid) as caught:
        read_config_sources(tmp_path)
    assert [(Path(i.file).name, i.line, i.col) for i in caught.value.issues] == [
        ("a.yaml", 1, 10),
        ("b.yaml", 1, 1),
    ]


def test_deep_json_or_a_long_number_is_one_error_with_its_place(tmp_path: Path, timed: None) -> None:
    with pytest.raises(InputFileError, match=r"deep.json:1:65: arrays and objects are nested more than 64"):
        read_json_file(write(tmp_path / "deep.json", DEEP), 1 << 20)
    with pytest.raises(InputFileError, match=r"long.json:1:12: a number has more than 4300 digits"):
        read_json_file(write(tmp_path / "long.json", LONG_NUMBER), 1 << 20)


@pytest.mark.parametrize(
    "content, code",
    [
        (DEEP, "too-deep"),
        (LONG_NUMBER, "long-number"),
        (b'{"a": "\xff"}', "unreadable-file"),
        ("[1, NaN]", "not-json"),
        (" " * (POLICY_MAX_BYTES + 1), "too-large"),
    ],
)
def test_a_policy_file_past_a_bound_is_one_issue_of_that_file(
    tmp_path: Path, timed: None, content: str | bytes, code: str
) -> None:
    result = parse_file(write(tmp_path / "p.json", content), PolicyKind.IDENTITY)
    assert result.policy is None
    [issue] = result.issues
    assert (issue.code, issue.source) == (code, str(tmp_path / "p.json"))


def test_a_snapshot_deep_damaged_or_not_an_object_is_refused(tmp_path: Path, timed: None) -> None:
    for name, content, reason in [
        ("deep.json", DEEP, "deep.json:1:65: arrays and objects are nested"),
        ("long.json", LONG_NUMBER, "long.json:1:12: a number has more"),
        ("list.json", "[]", "is not a Sojourn snapshot: it holds no JSON object"),
        ("damaged.json", '{"format": "sojourn-snapshot/2", "accounts": [{"id": 1}]}', "snapshot is damaged"),
        ("latin.json", b'{"format": "\xe9"}', "latin.json:1:13: byte 0xe9 is not UTF-8"),
    ]:
        with pytest.raises(SnapshotUnavailable, match=reason):
            load_snapshot(write(tmp_path / name, content))


def test_authorization_details_with_a_deep_encoded_policy_are_refused(tmp_path: Path, timed: None) -> None:
    role = {
        "Arn": "arn:aws:iam::111111111111:role/r",
        "RoleName": "r",
        "AssumeRolePolicyDocument": quote(DEEP),
        "RolePolicyList": [],
        "AttachedManagedPolicies": [],
    }
    details = write(tmp_path / "dev.json", json.dumps({"RoleDetailList": [role], "UserDetailList": []}))
    with pytest.raises(SnapshotUnavailable, match=r"dev.json: an entry lacks a field or is .*nested"):
        snapshot_from_details_files([DetailsFile(details)], CLOCK, snapshot_from_details)
    with pytest.raises(SnapshotUnavailable, match=r"deep.json:1:65: arrays and objects are nested"):
        snapshot_from_details_files(
            [DetailsFile(write(tmp_path / "deep.json", DEEP))], CLOCK, snapshot_from_details
        )


def test_a_saved_plan_that_is_deep_damaged_or_wrongly_dated_is_one_error(tmp_path: Path, timed: None) -> None:
    for name, content, reason in [
        ("deep.json", DEEP, "deep.json:1:65: arrays and objects are nested"),
        ("list.json", "[1]", "not a saved plan"),
        ("missing.json", '{"format": 1}', "the saved plan is damaged"),
        ("bad.bin", b"\xff\xfe", "bad.bin:1:1: byte 0xff is not UTF-8"),
    ]:
        with pytest.raises(ValueError, match=reason):
            read_saved_plan(write(tmp_path / name, content))
