"""Read the organisation: every account with the path of OUs above it, and tags when asked."""

from __future__ import annotations

from typing import Any

from sojourn.access.organization import Account, Organization
from sojourn.aws.calls import Caller


def read_organization(call: Caller, organizations: Any, *, with_tags: bool = True) -> Organization:
    """Walk the OU tree from the root; one listing per OU, one tag call per account if asked."""
    roots = list(call.pages(organizations, "list_roots", "Roots"))
    accounts: list[Account] = []
    pending: list[tuple[str, str]] = [(root["Id"], "/") for root in roots]
    while pending:
        parent_id, path = pending.pop()
        for account in call.pages(organizations, "list_accounts_for_parent", "Accounts", ParentId=parent_id):
            tags: dict[str, str] = {}
            if with_tags:
                tags = {
                    t["Key"]: t["Value"]
                    for t in call.pages(
                        organizations, "list_tags_for_resource", "Tags", ResourceId=account["Id"]
                    )
                }
            accounts.append(
                Account(account["Id"], account["Name"], path, tags, account.get("Status", "ACTIVE"))
            )
        for unit in call.pages(
            organizations, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent_id
        ):
            pending.append((unit["Id"], path.rstrip("/") + "/" + unit["Name"]))
    return Organization(tuple(sorted(accounts, key=lambda a: a.name)))
