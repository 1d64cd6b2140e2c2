"""Use case: who an audit record names as the actor when nobody said (issue 14: never "unknown")."""

from __future__ import annotations

from collections.abc import Callable

from sojourn.service.ports.provider import Provider


def acting_as(configured: str, provider: Callable[[], Provider]) -> str:
    """SOJOURN_ACTOR, else the OS user (both already in `configured`), else the cloud caller's identity
    (AWS: the ARN sts get-caller-identity answers); "" when none is known, and the caller refuses."""
    if configured:
        return configured
    try:
        return provider().caller_identity()
    except Exception:  # no credentials, AWS unreachable: nobody to name, and the command refuses
        return ""
