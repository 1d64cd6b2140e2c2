"""The AWS part of the configuration's rules: what Organizations and IAM Identity Center accept.

The configuration schema (config_model.py) is otherwise provider-neutral; these are the checks it makes
only because AWS is the provider Sojourn ships. A second provider brings its own rules here-beside and the
schema chooses by provider; until then they apply to every configuration.
"""

from __future__ import annotations

import re

ACCOUNT_ID = re.compile(r"\d{12}")
MANAGED_POLICY_ARN = re.compile(r"arn:aws[a-z-]*:iam::aws:policy/[\w+=,.@/-]+")
PERMISSION_SET_NAME = r"^[A-Za-z0-9+=,.@_-]{1,32}$"
SESSION_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?$")
SESSION_MINUTES = range(60, 12 * 60 + 1)


def check_account_id(account_id: str) -> str:
    """The id itself, or ValueError when it is not a 12-digit AWS account id."""
    if not ACCOUNT_ID.fullmatch(account_id):
        raise ValueError(f"{account_id!r} is not a 12-digit AWS account id")
    return account_id


def check_managed_policy_arn(arn: str) -> str:
    """The ARN itself, or ValueError when it is not an AWS managed policy's ARN."""
    if not MANAGED_POLICY_ARN.fullmatch(arn):
        raise ValueError(f"{arn!r} is not an AWS managed policy ARN (arn:aws:iam::aws:policy/NAME)")
    return arn


def check_session_duration(value: str) -> str:
    """The duration itself, or ValueError unless it is an ISO-8601 duration Identity Center allows."""
    match = SESSION_DURATION.fullmatch(value)
    minutes = int(match.group(1) or 0) * 60 + int(match.group(2) or 0) if match else -1
    if minutes not in SESSION_MINUTES:
        raise ValueError(f"{value!r} must be an ISO-8601 duration between PT1H and PT12H, e.g. PT4H")
    return value
