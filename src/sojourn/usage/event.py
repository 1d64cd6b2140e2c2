"""One CloudTrail call, reduced to what decides the permission it needed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EventCall:
    """eventSource, eventName and the request's resource-naming parameters of one call (or of a group of
    identical calls)."""

    source: str
    name: str
    event_type: str | None = "AwsApiCall"
    category: str | None = None
    """eventCategory: Management, Data or Insight (absent before 2021: the rules' data_events decide)."""
    error_code: str | None = None
    region: str | None = None
    account: str | None = None
    parameters: tuple[tuple[str, str], ...] = ()
    """Only the scalar request parameters that name resources (EventRules.resource_parameters)."""
    resource_arn: str | None = None
    """The first ARN of the record's `resources`, when it names the resource (not S3: object keys)."""

    def parameter(self, name: str) -> str | None:
        for key, value in self.parameters:
            if key == name:
                return value
        return None

    @property
    def pair(self) -> tuple[str, str]:
        return (self.source, self.name)


def scalar_parameters(
    request: Mapping[str, object] | None, names: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    """The named request parameters that hold a string, sorted by name."""
    if not request:
        return ()
    return tuple((n, v) for n in sorted(names) if isinstance(v := request.get(n), str) and v)
