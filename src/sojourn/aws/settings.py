"""How to reach AWS: region, optional endpoint (a moto server), concurrency and retry limits."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AwsSettings:
    region: str = "us-east-1"
    endpoint_url: str | None = None
    profile: str | None = None
    max_concurrency: int = 8
    max_attempts: int = 8
    poll_interval: float = 0.2
    poll_timeout: float = 300.0
    sso_rate: float = 20.0
    """Calls a second to sso-admin at most: Identity Center's collective limit; throttles lower it."""
    iam_rate: float = 20.0
    """Calls a second to IAM at most when taking a snapshot; throttles lower it."""
    max_outstanding: int = 10
    """Account-assignment operations in progress at once at most: Identity Center's limit."""
    read_strategy: str = "auto"
    """"auto", "principal" or "pair": how assignments are listed (see docs/aws.md)."""
