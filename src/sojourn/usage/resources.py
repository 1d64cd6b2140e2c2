"""The resource ARN an action was used on, filled into the catalogue's ARN template from the event."""

from __future__ import annotations

import re

from sojourn.catalog.catalog import ActionCatalog
from sojourn.usage.event import EventCall
from sojourn.usage.rules import EventRules

_VARIABLE = re.compile(r"\$\{([^}]+)\}")
ANY = "*"


def partition_of(region: str | None) -> str:
    if region and region.startswith("cn-"):
        return "aws-cn"
    if region and region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def resource_of(call: EventCall, action: str, catalog: ActionCatalog, rules: EventRules) -> str:
    """The first of the action's resource types whose ARN the event fills completely; else the ARN of the
    record's `resources`; else "*" (the event does not say, or the action takes no resource)."""
    info = catalog.action(action)
    if info is None or info.wildcard_only:
        return ANY
    for requirement in info.resource_types:
        arn = _fill(requirement.arn, call, rules)
        if arn is not None:
            return arn
    return call.resource_arn or ANY


def _fill(template: str, call: EventCall, rules: EventRules) -> str | None:
    values: dict[str, str] = {
        "Partition": partition_of(call.region),
        "Region": call.region or "",
        "Account": call.account or "",
    }
    for name in _VARIABLE.findall(template):
        if name in values:
            continue
        value = _variable_value(name, call, rules)
        if value is None:
            return None
        if value.startswith("arn:"):
            return value
        values[name] = value
    if not values["Region"] and "${Region}" in template:
        return None
    if not values["Account"] and "${Account}" in template:
        return None
    return _VARIABLE.sub(lambda m: values[m.group(1)], template)


def _variable_value(name: str, call: EventCall, rules: EventRules) -> str | None:
    variable = rules.arn_variables.get(name)
    if variable is None:
        return None
    if variable.any_value:
        return ANY
    for parameter in variable.parameters:
        value = call.parameter(parameter)
        if value:
            return value if value.startswith("arn:") else value + variable.name_suffix
    return None
