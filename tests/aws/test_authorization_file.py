"""get-account-authorization-details files: documents as objects or URL-encoded text, one account each."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from sojourn.aws.authorization_file import DetailsFileError, snapshot_from_details

ACCOUNT = "111122223333"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
}
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def details(account: str = ACCOUNT, encode: bool = False) -> dict:
    def document(value: dict) -> object:
        return quote(json.dumps(value)) if encode else value

    return {
        "RoleDetailList": [
            {
                "Arn": f"arn:aws:iam::{account}:role/open",
                "RoleName": "open",
                "AssumeRolePolicyDocument": document(TRUST),
                "RolePolicyList": [{"PolicyName": "all", "PolicyDocument": document(ADMIN)}],
                "AttachedManagedPolicies": [{"PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
            }
        ],
        "UserDetailList": [],
        "Policies": [
            {
                "Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "PolicyVersionList": [{"IsDefaultVersion": True, "Document": document(ADMIN)}],
            }
        ],
    }


@pytest.mark.parametrize("encode", [False, True])
def test_one_account_per_file_with_its_policies(encode: bool) -> None:
    snapshot = snapshot_from_details([("a.json", details(encode=encode), None)], "2026-12-01T00:00:00+00:00")
    (account,) = snapshot.accounts
    assert account.id == ACCOUNT and account.roles[0].trust == TRUST
    assert account.roles[0].inline[0].document == ADMIN
    assert snapshot.aws_policies == {"arn:aws:iam::aws:policy/ReadOnlyAccess": ADMIN}
    assert snapshot.notes and "a.json" in snapshot.notes[0]


def test_a_file_with_two_accounts_or_none_is_refused() -> None:
    mixed = details()
    mixed["RoleDetailList"].append(dict(mixed["RoleDetailList"][0], Arn="arn:aws:iam::444455556666:role/x"))
    with pytest.raises(DetailsFileError, match=r"mixed\.json: holds ARNs of 2 accounts"):
        snapshot_from_details([("mixed.json", mixed, None)], "")
    with pytest.raises(DetailsFileError, match=r"empty\.json: holds no user, group, role or policy ARN"):
        snapshot_from_details([("empty.json", {"RoleDetailList": []}, None)], "")


def test_an_entry_without_its_fields_is_named() -> None:
    broken = details()
    del broken["RoleDetailList"][0]["RoleName"]
    with pytest.raises(DetailsFileError, match=r"b\.json: an entry lacks a field"):
        snapshot_from_details([("b.json", broken, None)], "")


def test_an_account_named_for_a_file_without_arns_is_taken_as_given() -> None:
    snapshot = snapshot_from_details(
        [("a.json", details(), None), ("m.json", {"UserDetailList": []}, "123456789012")], ""
    )
    assert [a.id for a in snapshot.accounts] == [ACCOUNT, "123456789012"]
