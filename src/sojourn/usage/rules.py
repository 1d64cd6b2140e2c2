"""The exceptions to "eventName is the action name", as data: parsed from the JSON document that ships in
usage/data (the reading happens in an adapter; this module only turns the decoded document into values)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


class RulesInvalid(ValueError):
    """The event rules document does not have the expected shape."""


@dataclass(frozen=True, slots=True)
class VersionedNames:
    """Event names with an API version appended (Lambda's GetFunction20150331v2)."""

    source: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class HttpVerbs:
    """Services whose actions are HTTP verbs (API Gateway's GetResource needs apigateway:GET)."""

    source: str
    prefix: str
    verbs: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ArnVariable:
    """Where the value of a catalogue ARN template variable comes from in an event's request."""

    variable: str
    parameters: tuple[str, ...]
    any_value: bool = False
    name_suffix: str = ""


@dataclass(frozen=True, slots=True)
class EventRules:
    """Every exception the event-to-permission mapping knows; see usage/data/event_actions.json."""

    source_prefixes: Mapping[str, str]
    renamed: Mapping[tuple[str, str], tuple[str, ...]]
    versioned: tuple[VersionedNames, ...]
    http_verbs: Mapping[str, HttpVerbs]
    permissionless: frozenset[tuple[str, str]]
    denied_error_codes: frozenset[str]
    not_api_calls: frozenset[str]
    data_events: frozenset[tuple[str, str]]
    arn_variables: Mapping[str, ArnVariable]

    def resource_parameters(self) -> tuple[str, ...]:
        """Request parameters that name resources: the ingest keeps these and no others."""
        names = {p for v in self.arn_variables.values() for p in v.parameters}
        return tuple(sorted(names))


def parse_event_rules(document: Mapping[str, object]) -> EventRules:
    """The rules from the decoded JSON document; RulesInvalid names the first entry that is wrong."""
    try:
        return EventRules(
            source_prefixes={
                _str(e, "source"): _str(e, "prefix") for e in _entries(document, "source_prefixes")
            },
            renamed={
                (_str(e, "source"), _str(e, "event")): tuple(_strs(e, "actions"))
                for e in _entries(document, "renamed")
            },
            versioned=tuple(
                VersionedNames(_str(e, "source"), re.compile(_str(e, "pattern")))
                for e in _entries(document, "versioned_names")
            ),
            http_verbs={
                _str(e, "source"): HttpVerbs(_str(e, "source"), _str(e, "prefix"), _str_map(e, "verbs"))
                for e in _entries(document, "http_verbs")
            },
            permissionless=frozenset(
                (_str(e, "source"), _str(e, "event")) for e in _entries(document, "permissionless")
            ),
            denied_error_codes=frozenset(_strs(document, "denied_error_codes")),
            not_api_calls=frozenset(_strs(document, "not_api_calls")),
            data_events=frozenset(
                (_str(e, "source"), name)
                for e in _entries(document, "data_events")
                for name in _strs(e, "events")
            ),
            arn_variables={
                _str(e, "variable"): ArnVariable(
                    _str(e, "variable"),
                    tuple(_strs(e, "parameters")) if "parameters" in e else (),
                    bool(e.get("any_value", False)),
                    str(e.get("name_suffix", "")),
                )
                for e in _entries(document, "arn_variables")
            },
        )
    except re.error as error:
        raise RulesInvalid(f"a versioned_names pattern does not compile: {error}") from error


def _entries(document: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
    value = document.get(key)
    if not isinstance(value, list) or not all(isinstance(e, Mapping) for e in value):
        raise RulesInvalid(f"{key}: expected a list of objects")
    return value


def _str(entry: Mapping[str, object], key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise RulesInvalid(f"{dict(entry)!r}: {key} must be a non-empty string")
    return value


def _strs(entry: Mapping[str, object], key: str) -> Sequence[str]:
    value = entry.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RulesInvalid(f"{key}: expected a list of strings")
    return value


def _str_map(entry: Mapping[str, object], key: str) -> Mapping[str, str]:
    value = entry.get(key)
    if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
        raise RulesInvalid(f"{key}: expected an object of strings")
    return {str(k): str(v) for k, v in value.items()}
