"""Validate an exported event against the OCSF schema shipped by ocsf-json-schema (OCSF 1.5.0).

The schema of the event's class, with the cloud profile it declares, is generated from the schema
export in that package; object references resolve within it. Nothing is fetched from the network.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from ocsf_json_schema.schema import OcsfJsonSchema
from referencing import Registry, Resource

from sojourn.access.audit_ocsf_model import OCSF_VERSION


@cache
def ocsf_schema() -> OcsfJsonSchema:
    text = (resources.files("ocsf_json_schema") / "ocsf" / f"{OCSF_VERSION}.json").read_text()
    return OcsfJsonSchema(json.loads(text))


def _retrieve(uri: str) -> Resource[Any]:
    return Resource.from_contents(ocsf_schema().get_schema_from_uri(uri))


@cache
def _registry() -> Registry[Any]:
    return Registry(retrieve=_retrieve)  # type: ignore[call-arg]


def class_name_of(event: dict[str, Any]) -> str:
    return ocsf_schema().lookup_class_name_from_uid(int(event["class_uid"]))


def ocsf_problems(event: dict[str, Any]) -> list[str]:
    """Every way EVENT breaks the OCSF schema of its class (empty when it validates)."""
    profiles = list(event.get("metadata", {}).get("profiles", []))
    schema = ocsf_schema().get_class_schema(class_name_of(event), profiles)
    validator = Draft202012Validator(schema, registry=_registry())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(event)]
