"""Derive, from AWS's API models (botocore), which IAM actions take a role and which take code.

An action "takes a role" when its request has a member naming a role or an instance profile (Role,
RoleArn, ExecutionRoleArn, ServiceRole, IamInstanceProfile...); it "takes code" when its request has a
member carrying code, a template, a script, a command, an image, an environment or user data. The
result is written beside the catalogue (src/sojourn/catalog/data/action_parameters.json), keyed by the
catalogue's action names; operations the catalogue does not name are left out.
Run: PYTHONPATH=src .venv/bin/python scripts/derive_action_parameters.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import botocore
import botocore.session

from sojourn.catalog import load_catalog

OUT = Path(__file__).resolve().parents[1] / "src" / "sojourn" / "catalog" / "data" / "action_parameters.json"
ROLE = re.compile(r"^(\w*role|\w*rolearn|\w*roles|iaminstanceprofile|instanceprofile\w*)$", re.IGNORECASE)
NOT_ROLE = re.compile(r"(session|name|policy|mapping|type|alias|description|tag)", re.IGNORECASE)
CODE = re.compile(
    r"^(code|zipfile|imageuri|\w*image|handler|layers|environment|environmentvariables\w*|userdata"
    r"|buildspec\w*|imageoverride|environmentvariablesoverride|containeroverrides|command|commands|entrypoint"
    r"|containerentrypoint|script|scripts|scriptlocation|\w*scripts3\w*|bootstrapactions"
    r"|templatebody|templateurl|templates3uri|containerdefinitions|lifecycleconfigname|onstart|oncreate"
    r"|documentname|sshpublickey|publickey|publickeys|sourceconfiguration|definition|definitionstring"
    r"|imagerepository|codeconfiguration|defaultarguments|arguments|steps)$",
    re.IGNORECASE,
)
DEPTH = 3


def members(model: dict, shape: str, path: str, depth: int, seen: frozenset[str]) -> list[tuple[str, str]]:
    """(dotted path, leaf name) of every member reachable from a shape, a few levels deep."""
    if depth > DEPTH or shape in seen:
        return []
    described = model["shapes"][shape]
    found: list[tuple[str, str]] = []
    if described["type"] == "structure":
        for name, member in described.get("members", {}).items():
            found.append((path + name, name))
            found += members(model, member["shape"], f"{path}{name}.", depth + 1, seen | {shape})
    elif described["type"] == "list":
        found += members(model, described["member"]["shape"], f"{path}[].", depth + 1, seen | {shape})
    return found


def is_role(model: dict, shape_of: str, name: str) -> bool:
    return bool(ROLE.match(name)) and not NOT_ROLE.search(name.lower().replace("role", "", 1))


def main() -> None:
    catalog = load_catalog()
    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    found: dict[str, dict[str, list[str]]] = {}
    for service in sorted(loader.list_available_services("service-2")):
        model = loader.load_service_model(service, "service-2")
        metadata = model["metadata"]
        prefix = metadata.get("signingName") or metadata.get("endpointPrefix") or service
        for operation, described in model["operations"].items():
            action = catalog.action(f"{prefix}:{operation}") or catalog.action(f"{service}:{operation}")
            if action is None or "input" not in described:
                continue
            leaves = members(model, described["input"]["shape"], "", 0, frozenset())
            roles = sorted({p for p, n in leaves if is_role(model, p, n)})
            code = sorted({p for p, n in leaves if CODE.match(n)})
            if roles or code:
                entry = found.setdefault(action.name, {"role": [], "code": []})
                entry["role"] = sorted(set(entry["role"]) | set(roles))
                entry["code"] = sorted(set(entry["code"]) | set(code))
    document = {
        "source": f"botocore {botocore.__version__} service models; {catalog.version}",
        "actions": dict(sorted(found.items())),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(document, indent=0, sort_keys=False) + "\n")
    print(f"{len(found)} actions written to {OUT}")


if __name__ == "__main__":
    main()
