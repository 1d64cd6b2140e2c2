"""Conditions that are well formed but do not do what they seem to (Access Analyzer's condition checks):
a key written twice in different letter case, Null with a set qualifier, Bool asked for both true and
false, private addresses in aws:SourceIp, and CIDR ranges with host bits set."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from sojourn.policy.issue_log import IssueLog
from sojourn.policy.model import Condition, Severity

SOURCE_IP = "aws:sourceip"
PRIVATE_RANGES = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
"""RFC 1918 and RFC 4193 ranges: addresses inside a network, never the public source address of a call."""


def check_condition_hints(conditions: Sequence[Condition], log: IssueLog) -> None:
    """Log every hint about the conditions of one statement."""
    seen: dict[tuple[str, str], str] = {}
    for condition in conditions:
        lowered = (condition.operator, condition.key.lower())
        first = seen.setdefault(lowered, condition.key)
        if first != condition.key:
            log.add_at(
                condition.where,
                "duplicate-condition-key",
                f"{condition.key} and {first} under {condition.operator} are one key to IAM (keys ignore "
                "letter case), so only one of them takes effect; merge their values",
            )
        if condition.base == "Null" and condition.qualifier is not None:
            log.add_at(
                condition.where,
                "null-with-qualifier",
                f"{condition.qualifier}:Null is the same as Null; drop the qualifier",
                Severity.WARNING,
            )
        if condition.base == "Bool" and {"true", "false"} <= {v.lower() for v in condition.values}:
            log.add_at(
                condition.where,
                "bool-both-values",
                f"{condition.key} is asked to be both true and false, which any request with the key meets; "
                "keep one value",
            )
        if condition.base in ("IpAddress", "NotIpAddress"):
            _addresses(condition, log)


def _private(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    return any(
        network.version == r.version and network.subnet_of(r)  # type: ignore[arg-type]
        for r in PRIVATE_RANGES
    )


def _addresses(condition: Condition, log: IssueLog) -> None:
    networks = []
    for value in condition.values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            continue
        try:
            ipaddress.ip_network(value.strip())
        except ValueError:
            log.add_at(
                condition.where,
                "ip-range-host-bits",
                f"{value} has host bits set; write the range as {networks[-1]}",
                Severity.WARNING,
            )
    if condition.key.lower() != SOURCE_IP or not networks:
        return
    private = [str(n) for n in networks if _private(n)]
    if not private:
        return
    negated = condition.base == "NotIpAddress"
    if len(private) == len(networks):
        code = "PRIVATE_NOT_IP_ADDRESS" if negated else "PRIVATE_IP_ADDRESS"
    else:
        code = "PRIVATE_NOT_IP_ADDRESS_SUBSET" if negated else "PRIVATE_IP_ADDRESS_SUBSET"
    # AA calls the all-private case an error; IAM accepts the policy and evaluates it, so here it is a
    # warning like Sojourn's other conditions that never match (docs/policy-evaluation.md).
    log.add_at(
        condition.where,
        "private-source-ip",
        f"aws:SourceIp is a public address; {', '.join(private)} never matches it (requests through a VPC "
        "endpoint carry aws:VpcSourceIp instead)",
        Severity.WARNING,
        code,
    )
