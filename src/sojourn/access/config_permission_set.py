"""Permission-set entries of the configuration -> PermissionSetSpec values, inline policies checked first."""

from __future__ import annotations

from sojourn.access.config_model import PermissionSetModel
from sojourn.access.issues import ConfigIssue
from sojourn.access.state import (
    CustomerManagedPolicyRef,
    PermissionsBoundary,
    PermissionSetSpec,
    canonical_policy_json,
)
from sojourn.access.yaml_source import LocatedDocument, Path
from sojourn.inputs.bounded_json import POLICY_MAX_BYTES, JsonInputError, load_json

INLINE_POLICY_QUOTA = 32_768


def permission_set_spec(
    document: LocatedDocument, path: Path, model: PermissionSetModel, issues: list[ConfigIssue]
) -> PermissionSetSpec:
    """The permission set at `path`; problems with its inline policy or boundary go to `issues`."""
    inline = _inline_policy(document, (*path, "inline_policy"), model.inline_policy, issues)
    boundary = None
    if model.permissions_boundary is not None:
        b = model.permissions_boundary
        if (b.managed_policy_arn is None) == (b.customer_managed is None):
            issues.append(
                document.issue(
                    (*path, "permissions_boundary"),
                    "give exactly one of managed_policy_arn or customer_managed",
                )
            )
        boundary = PermissionsBoundary(
            b.managed_policy_arn,
            CustomerManagedPolicyRef(b.customer_managed.name, b.customer_managed.path)
            if b.customer_managed
            else None,
        )
    return PermissionSetSpec(
        name=model.name,
        description=model.description,
        session_duration=model.session_duration,
        managed_policies=tuple(sorted(set(model.managed_policies))),
        customer_managed_policies=tuple(
            sorted({CustomerManagedPolicyRef(c.name, c.path) for c in model.customer_managed_policies})
        ),
        inline_policy=inline,
        permissions_boundary=boundary,
        tags=tuple(sorted(model.tags.items())),
    )


def _inline_policy(
    document: LocatedDocument, path: Path, value: object, issues: list[ConfigIssue]
) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = load_json(value, max_bytes=POLICY_MAX_BYTES)
        except JsonInputError as error:
            issues.append(
                document.issue(
                    path,
                    f"inline policy is not valid JSON: {error.message} at line {error.line} "
                    f"column {error.column} of the policy; fix the JSON or write the policy as YAML",
                )
            )
            return None
    problem = _policy_shape_problem(value)
    if problem:
        issues.append(document.issue(path, problem))
        return None
    text = canonical_policy_json(value)
    if len(text) > INLINE_POLICY_QUOTA:
        issues.append(
            document.issue(
                path,
                f"inline policy is {len(text)} characters; Identity Center allows {INLINE_POLICY_QUOTA}",
            )
        )
    return text


def _policy_shape_problem(document: object) -> str | None:
    if not isinstance(document, dict):
        return "inline policy must be a JSON object with Version and Statement"
    statements = document.get("Statement")
    if statements is None:
        return "inline policy has no Statement; add at least one"
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        return "inline policy Statement must be an object or a non-empty list"
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict):
            return f"Statement[{index}] must be an object"
        if statement.get("Effect") not in ("Allow", "Deny"):
            return f'Statement[{index}].Effect must be "Allow" or "Deny"'
        if "Action" not in statement and "NotAction" not in statement:
            return f"Statement[{index}] needs Action or NotAction"
    return None
