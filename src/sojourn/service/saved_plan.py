"""A plan saved to a file: the plan itself, the desired state it aims at, and the base it was made from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sojourn.access.plan import Plan
from sojourn.access.plan_codec import plan_from_document, plan_to_json
from sojourn.access.state import AccessState
from sojourn.access.state_codec import state_from_document, state_to_json
from sojourn.inputs.bounded_json import DATA_MAX_BYTES
from sojourn.service.input_files import InputFileError, read_json_file

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class SavedPlan:
    plan: Plan
    desired: AccessState
    created_at: datetime
    config_path: str


def write_saved_plan(saved: SavedPlan, path: Path) -> None:
    document: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "created_at": saved.created_at.isoformat(),
        "config_path": saved.config_path,
        "plan": json.loads(plan_to_json(saved.plan)),
        "desired": json.loads(state_to_json(saved.desired)),
    }
    path.write_text(json.dumps(document, indent=1, sort_keys=True), encoding="utf-8")


def read_saved_plan(path: Path) -> SavedPlan:
    """The plan saved at `path`; raises ValueError naming the file and what to do for anything else."""
    try:
        document = read_json_file(path, DATA_MAX_BYTES)
    except InputFileError as error:
        raise ValueError(f"{error}; make a saved plan with `sojourn plan --out`") from None
    if not isinstance(document, dict):
        raise ValueError(f"{path}: not a saved plan (no JSON object); make one with `sojourn plan --out`")
    if document.get("format") != FORMAT_VERSION:
        raise ValueError(
            f"{path}: saved plan format {document.get('format')!r} is not {FORMAT_VERSION}; plan again"
        )
    try:
        return SavedPlan(
            plan=plan_from_document(document["plan"]),
            desired=state_from_document(document["desired"]),
            created_at=datetime.fromisoformat(document["created_at"]),
            config_path=str(document["config_path"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(
            f"{path}: the saved plan is damaged ({type(error).__name__}: {error}); plan again"
        ) from None
