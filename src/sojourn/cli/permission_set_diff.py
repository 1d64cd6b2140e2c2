"""What a permission-set update changes, line by line, as a reviewer reads a diff."""

from __future__ import annotations

import difflib
import json

from sojourn.access.state import PermissionSetSpec


def permission_set_diff(before: PermissionSetSpec, after: PermissionSetSpec) -> list[str]:
    """Lines starting with "+" (added), "-" (removed) or " " (context); empty when nothing differs."""
    lines: list[str] = []
    for label, old, new in (
        ("description", before.description, after.description),
        ("session duration", before.session_duration, after.session_duration),
        ("permissions boundary", _boundary(before), _boundary(after)),
    ):
        if old != new:
            lines += [f"- {label}: {old}", f"+ {label}: {new}"]
    lines += _set_diff("managed policy", before.managed_policies, after.managed_policies)
    lines += _set_diff(
        "customer managed policy",
        tuple(f"{r.path}{r.name}" for r in before.customer_managed_policies),
        tuple(f"{r.path}{r.name}" for r in after.customer_managed_policies),
    )
    lines += _set_diff(
        "tag", tuple(f"{k}={v}" for k, v in before.tags), tuple(f"{k}={v}" for k, v in after.tags)
    )
    if before.inline_policy != after.inline_policy:
        lines.append("  inline policy:")
        diff = difflib.unified_diff(
            _pretty(before.inline_policy), _pretty(after.inline_policy), lineterm="", n=2
        )
        lines += [f"{line[0]}   {line[1:]}" for line in diff if not line.startswith(("---", "+++", "@@"))]
    return lines


def _set_diff(label: str, old: tuple[str, ...], new: tuple[str, ...]) -> list[str]:
    removed = [f"- {label}: {item}" for item in sorted(set(old) - set(new))]
    return removed + [f"+ {label}: {item}" for item in sorted(set(new) - set(old))]


def _boundary(spec: PermissionSetSpec) -> str:
    boundary = spec.permissions_boundary
    if boundary is None:
        return "none"
    if boundary.managed_policy_arn:
        return boundary.managed_policy_arn
    ref = boundary.customer_managed
    return f"{ref.path}{ref.name}" if ref else "none"


def _pretty(policy: str | None) -> list[str]:
    if policy is None:
        return []
    return json.dumps(json.loads(policy), indent=2, sort_keys=True).splitlines()
