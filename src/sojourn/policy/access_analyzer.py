"""IAM Access Analyzer's ValidatePolicy issue codes for Sojourn's own issue codes.

Sojourn reports its own codes (stable, kebab-case) and AA's code beside them, so that a user comparing the
two tools can match findings line by line. Where one Sojourn code covers several AA checks the element the
issue is about decides (an empty list in Action is EMPTY_ARRAY_ACTION, in Resource EMPTY_ARRAY_RESOURCE);
where the reader knows better (a size quota of a resource policy, an unknown global key) it records AA's
code on the issue itself. docs/policy-evaluation.md has the whole table, with AA's checks Sojourn does not
make and why.
"""

from __future__ import annotations

BY_CODE: dict[str, str | None] = {
    "json-syntax": "JSON_SYNTAX_ERROR",
    "not-json": "JSON_SYNTAX_ERROR",
    "too-deep": "JSON_SYNTAX_ERROR",
    "not-an-object": "DATA_TYPE_MISMATCH",
    "statement-not-object": "DATA_TYPE_MISMATCH",
    "not-a-string": "DATA_TYPE_MISMATCH",
    "bad-condition": "DATA_TYPE_MISMATCH",
    "unknown-element": "INVALID_POLICY_ELEMENT",
    "missing-version": "MISSING_VERSION",
    "bad-version": "INVALID_VERSION",
    "missing-statement": "MISSING_STATEMENT",
    "empty-statement": "MISSING_STATEMENT",
    "missing-effect": "MISSING_EFFECT",
    "bad-effect": "INVALID_EFFECT",
    "missing-action": "MISSING_ACTION",
    "missing-resource": "MISSING_RESOURCE",
    "missing-principal": "MISSING_PRINCIPAL",
    "principal-not-allowed": "UNSUPPORTED_PRINCIPAL",
    "both-elements": "UNSUPPORTED_ELEMENT_COMBINATION",
    "bad-sid": "UNSUPPORTED_SID",
    "duplicate-sid": "UNIQUE_SIDS_REQUIRED",
    "bad-action": "INVALID_ACTION",
    "unknown-action": "INVALID_ACTION",
    "pattern-matches-nothing": "INVALID_ACTION",
    "unknown-service": "INVALID_SERVICE_IN_ACTION",
    "unknown-resource-service": "INVALID_SERVICE",
    "retired-service": None,
    "bad-arn": "INVALID_ARN_PREFIX",
    "unknown-partition": "INVALID_PARTITION",
    "wildcard-in-service": "WILDCARD_IN_SERVICE_NAME",
    "empty-sid": "EMPTY_SID_VALUE",
    "duplicate-condition-key": "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
    "null-with-qualifier": "NULL_WITH_QUALIFIER",
    "bool-both-values": "INVALID_CONDITION_MULTIPLE_BOOLEAN",
    "private-source-ip": "PRIVATE_IP_ADDRESS",
    "ip-range-host-bits": "IMPROVE_IP_RANGE",
    "bad-variable": "MISSING_BRACE_IN_VARIABLE",
    "variable-without-version": "VARIABLE_UNSUPPORTED_IN_VERSION",
    "variable-not-allowed": "INVALID_VARIABLE_FOR_OPERATOR",
    "unknown-operator": "INVALID_CONDITION_OPERATOR",
    "bad-condition-key": "INVALID_CONDITION_KEY_FORMAT",
    "unknown-condition-key": "INVALID_SERVICE_CONDITION_KEY",
    "bad-condition-value": "INVALID_CONDITION_DATA_TYPE",
    "empty-condition": "EMPTY_OBJECT_CONDITION",
    "bad-principal": "INVALID_PRINCIPAL_FORMAT",
    "bad-principal-kind": "INVALID_PRINCIPAL_KEY",
    "not-principal-with-allow": "ALLOW_WITH_NOT_PRINCIPAL",
    "operator-type-mismatch": "TYPE_MISMATCH",
    "multivalued-key-without-qualifier": "MISSING_QUALIFIER",
    "qualifier-on-single-valued-key": "FOR_ALL_VALUES_WITH_SINGLE_VALUED_KEY",
    "null-with-if-exists": "NULL_WITH_IF_EXISTS",
    "quota": "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
    "inline-quota": "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
    "arn-region-not-allowed": "ARN_REGION_NOT_ALLOWED",
    "arn-region-missing": "MISSING_ARN_REGION",
    "bad-arn-region": "INVALID_ARN_REGION",
    "arn-account-not-allowed": "ARN_ACCOUNT_NOT_ALLOWED",
    "arn-account-missing": "MISSING_ARN_ACCOUNT",
    "bad-arn-account": "INVALID_ARN_ACCOUNT",
    "bad-region": "INVALID_REGION",
}
"""Sojourn issue code -> AA issue code (None: AA has no such check)."""

EMPTY_ARRAY = {
    "Action": "EMPTY_ARRAY_ACTION",
    "NotAction": "EMPTY_ARRAY_ACTION",
    "Resource": "EMPTY_ARRAY_RESOURCE",
    "NotResource": "EMPTY_ARRAY_RESOURCE",
    "Principal": "EMPTY_ARRAY_PRINCIPAL",
    "NotPrincipal": "EMPTY_ARRAY_PRINCIPAL",
    "Condition": "EMPTY_ARRAY_CONDITION",
}
VALUE_TYPE = {
    "Numeric": "TYPE_MISMATCH_NUMBER",
    "Date": "TYPE_MISMATCH_DATE",
    "Bool": "TYPE_MISMATCH_BOOLEAN",
    "IPAddress": "TYPE_MISMATCH_IP_RANGE",
}
"""Operator family -> AA's code for a condition value that is not of the family's type."""


def access_analyzer_code(code: str, path: str) -> str | None:
    """AA's issue code for a Sojourn issue code about the element at path, or None."""
    if code == "empty-list":
        elements = [part.split("[")[0] for part in path.split(".")]
        for element in reversed(elements):
            if element in EMPTY_ARRAY:
                return EMPTY_ARRAY[element]
        return None
    return BY_CODE.get(code)
