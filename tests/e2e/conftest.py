"""End-to-end fixtures: scenario S1's organisation in moto, the CLI run in-process, AWS read via boto3."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from sojourn.cli.main import app
from sojourn.demo.seed import seed_s1_organization

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "sojourn" / "demo" / "config"


@dataclass
class AwsView:
    """Reads Identity Center directly through boto3, independent of Sojourn's adapter."""

    endpoint: str
    accounts: dict[str, str]

    def __post_init__(self) -> None:
        self.sso = boto3.client("sso-admin", endpoint_url=self.endpoint, region_name="us-east-1")
        self.identity = boto3.client("identitystore", endpoint_url=self.endpoint, region_name="us-east-1")
        instance = self.sso.list_instances()["Instances"][0]
        self.instance, self.store_id = instance["InstanceArn"], instance["IdentityStoreId"]

    def permission_sets(self) -> dict[str, str]:
        arns = self.sso.list_permission_sets(InstanceArn=self.instance)["PermissionSets"]
        return {
            self.sso.describe_permission_set(InstanceArn=self.instance, PermissionSetArn=a)["PermissionSet"][
                "Name"
            ]: a
            for a in arns
        }

    def inline_policy(self, permission_set: str) -> dict:
        arn = self.permission_sets()[permission_set]
        text = self.sso.get_inline_policy_for_permission_set(InstanceArn=self.instance, PermissionSetArn=arn)
        return json.loads(text.get("InlinePolicy") or "{}")

    def user_id(self, user_name: str) -> str | None:
        users = self.identity.list_users(
            IdentityStoreId=self.store_id,
            Filters=[{"AttributePath": "UserName", "AttributeValue": user_name}],
        )["Users"]
        return users[0]["UserId"] if users else None

    def access_of(self, user_name: str) -> set[tuple[str, str]]:
        """(account name, permission set) pairs assigned to the user, by walking every account x set."""
        user_id = self.user_id(user_name)
        names = {v: k for k, v in self.accounts.items()}
        found: set[tuple[str, str]] = set()
        for ps_name, arn in self.permission_sets().items():
            for account_id in self.accounts.values():
                for item in self.sso.list_account_assignments(
                    InstanceArn=self.instance, AccountId=account_id, PermissionSetArn=arn
                )["AccountAssignments"]:
                    if item["PrincipalId"] == user_id and user_id is not None:
                        found.add((names[account_id], ps_name))
        return found

    def all_assignments(self) -> list[dict]:
        result = []
        for arn in self.permission_sets().values():
            for account_id in self.accounts.values():
                result += self.sso.list_account_assignments(
                    InstanceArn=self.instance, AccountId=account_id, PermissionSetArn=arn
                )["AccountAssignments"]
        return result


@dataclass
class Sojourn:
    """Runs the real CLI in-process against the moto endpoint and a database."""

    endpoint: str
    database_url: str
    config: Path

    def __call__(self, *args: str) -> tuple[int, str]:
        result = CliRunner().invoke(
            app,
            list(args),
            env={
                "SOJOURN_DATABASE_URL": self.database_url,
                "SOJOURN_AWS_ENDPOINT_URL": self.endpoint,
                "SOJOURN_ACTOR": "e2e-admin",
                "SOJOURN_AUDIT_CHECKPOINT_DIR": str(self.config.parent / "audit-checkpoints"),
                "SOJOURN_AUDIT_KEY_FILE": str(self.config.parent / "audit-key.pem"),
                "COLUMNS": "200",
            },
        )
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.output

    def write(self, name: str, text: str) -> None:
        (self.config / name).write_text(text, encoding="utf-8")


@pytest.fixture
def s1(moto_endpoint: str, database_url: str, tmp_path: Path) -> tuple[Sojourn, AwsView]:
    accounts = seed_s1_organization(moto_endpoint)
    config = tmp_path / "access"
    shutil.copytree(EXAMPLE, config)
    return Sojourn(moto_endpoint, database_url, config), AwsView(moto_endpoint, accounts)


Edit = Callable[[str], str]
