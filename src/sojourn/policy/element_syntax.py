"""The syntax of Action and Resource entries: service:Action names, ARNs, and the policy variables in them."""

from __future__ import annotations

import re

from sojourn.policy.issue_log import IssueLog
from sojourn.policy.model import Located, Severity
from sojourn.policy.variables import variable_problem

ACTION = re.compile(r"\*\Z|[A-Za-z0-9-]+:[A-Za-z0-9*?]*\Z")
ACTION_WITH_SERVICE_PATTERN = re.compile(r"[A-Za-z0-9*?-]+:[A-Za-z0-9*?]*\Z")
ARN = re.compile(r"\*\Z|arn:(\*|[a-z0-9*?-]*):[^:]*:[^:]*:[^:]*:.*$", re.S)
PARTITIONS = frozenset(
    {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
)
KNOWN_PARTITION = re.compile(
    r"\*\Z|arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[bef]|aws-eusc|[^:]*[*?][^:]*|):"
)
WELL_FORMED = re.compile(
    r"\*\Z|arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[bef]|aws-eusc|[a-z0-9-]*[*?][a-z0-9*?-]*|)"
    r":[^:]*:[^:]*:[^:]*:(?:(?!\$\{).)*$",
    re.S,
)
"""An ARN (or *) in a known partition without a policy variable: the common case, checked in one pass."""


def check_actions(log: IssueLog, values: tuple[str, ...], places: tuple[Located, ...]) -> None:
    if all(map(ACTION.match, values)):
        return
    for value, place in zip(values, places, strict=True):
        if ACTION.match(value):
            continue
        if ACTION_WITH_SERVICE_PATTERN.match(value):
            log.add_at(
                place,
                "wildcard-in-service",
                f"action {value!r} has a wildcard in its service prefix, which may match services you did "
                "not mean, today's and future ones; name the services",
                Severity.WARNING,
            )
        else:
            _bad_action(log, value, place)


def check_resources(
    log: IssueLog, values: tuple[str, ...], places: tuple[Located, ...], variables: bool
) -> None:
    if all(map(WELL_FORMED.match, values)):
        return
    for value, place in zip(values, places, strict=True):
        if not ARN.match(value):
            log.add_at(
                place,
                "bad-arn",
                f"resource {value!r} is not an ARN (arn:partition:service:region:account:resource) or *",
                aa_code="MISSING_ARN_FIELD" if value.startswith("arn:") else "INVALID_ARN_PREFIX",
            )
            continue
        if not KNOWN_PARTITION.match(value):
            partition = value.split(":")[1]
            log.add_at(
                place,
                "unknown-partition",
                f"{partition!r} in {value!r} is not an AWS partition ({', '.join(sorted(PARTITIONS))})",
            )
        if "${" in value:
            _check_variables(log, value, place, variables)


def _bad_action(log: IssueLog, value: str, place: Located) -> None:
    if ":" not in value:
        message = f"action {value!r} must be service:Action, e.g. s3:GetObject, or *"
    elif value != value.strip() or " " in value:
        message = f"action {value!r} contains white space, so it matches nothing"
    elif "," in value:
        message = f"action {value!r} contains a comma; list actions as separate strings"
    elif "${" in value:
        message = f"action {value!r} uses a policy variable; Action does not expand variables"
        log.add_at(place, "bad-action", message, aa_code="VARIABLE_UNSUPPORTED_IN_ELEMENT")
        return
    else:
        message = f"action {value!r} has characters an action name cannot have"
    log.add_at(place, "bad-action", message)


def _check_variables(log: IssueLog, value: str, place: Located, variables: bool) -> None:
    if not variables:
        log.add_at(
            place,
            "variable-without-version",
            f'{value!r} looks like a policy variable, but only Version "2012-10-17" expands variables; '
            "here it is matched literally",
            Severity.WARNING,
        )
        return
    problem = variable_problem(value)
    if problem:
        log.add_at(place, "bad-variable", problem)
