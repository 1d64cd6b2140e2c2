"""Create example organisations in a moto server through boto3 (the AWS stand-in for demo and tests)."""

from __future__ import annotations

import contextlib
from typing import Any

import boto3

S1_LAYOUT: tuple[tuple[str, str, str], ...] = (
    ("team-a-dev", "dev", "team-a"),
    ("team-a-prod", "prod", "team-a"),
    ("team-b-dev", "dev", "team-b"),
    ("team-b-prod", "prod", "team-b"),
    ("shared-services", "shared", "platform"),
    ("billing", "finance", "finance"),
)


def seed_s1_organization(endpoint_url: str, region: str = "us-east-1") -> dict[str, str]:
    """Scenario S1's organisation: OUs dev, prod, shared, finance and six accounts; returns name -> id."""
    client = boto3.client("organizations", endpoint_url=endpoint_url, region_name=region)
    return create_organization(client, S1_LAYOUT)


def create_organization(client: Any, layout: tuple[tuple[str, str, str], ...]) -> dict[str, str]:
    """Create the organisation, one OU per distinct OU name, and the accounts tagged with their team."""
    with contextlib.suppress(client.exceptions.AlreadyInOrganizationException):
        client.create_organization(FeatureSet="ALL")
    root_id = client.list_roots()["Roots"][0]["Id"]
    units: dict[str, str] = {}
    accounts: dict[str, str] = {}
    for name, unit, team in layout:
        if unit not in units:
            units[unit] = client.create_organizational_unit(ParentId=root_id, Name=unit)[
                "OrganizationalUnit"
            ]["Id"]
        status = client.create_account(
            AccountName=name, Email=f"{name}@example.com", Tags=[{"Key": "team", "Value": team}]
        )["CreateAccountStatus"]
        account_id = status["AccountId"]
        client.move_account(AccountId=account_id, SourceParentId=root_id, DestinationParentId=units[unit])
        accounts[name] = account_id
    return accounts


def synthetic_layout(n_accounts: int, n_units: int) -> tuple[tuple[str, str, str], ...]:
    """A large organisation: accounts spread over `n_units` OUs, named acct-NNNN, tagged by OU."""
    return tuple(
        (f"acct-{i:04d}", f"ou-{i % n_units:02d}", f"ou-{i % n_units:02d}") for i in range(n_accounts)
    )
