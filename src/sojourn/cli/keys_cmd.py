"""`sojourn keys rotate` and `keys status`: an IAM user's access key rotated through Secrets Manager."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from sojourn.cli.consoles import screen
from sojourn.cli.runtime import runtime
from sojourn.service.key_rotation import RotationRefused
from sojourn.workflow.key_rotation import KeyRotation, Step

keys_app = typer.Typer(help="Rotate IAM users' access keys through Secrets Manager.", no_args_is_help=True)
console = screen()
errors = screen(stderr=True)
EndpointOption = Annotated[str | None, typer.Option("--endpoint-url", help="AWS endpoint")]
DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL of Sojourn's database")
]


@keys_app.command("rotate")
def rotate(
    user: Annotated[str, typer.Option("--user", help="the IAM user whose access key is rotated")],
    secret: Annotated[str, typer.Option("--secret", help="the Secrets Manager secret that holds the key")],
    grace_days: Annotated[
        int | None,
        typer.Option(min=0, max=365, help="days the old key stays inactive before it is deleted (settings)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the rotation as JSON")] = False,
    endpoint_url: EndpointOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create a new key, store it as AWSPENDING, verify it, make it AWSCURRENT, deactivate the old key and
    delete it after the grace period; run again to resume an interrupted rotation or finish its grace."""
    with runtime(endpoint_url=endpoint_url, database_url=database_url) as rt:
        grace = timedelta(days=rt.settings.key_grace_days if grace_days is None else grace_days)
        try:
            rotation = rt.key_rotator().rotate(user, secret, grace)
        except RotationRefused as refused:
            errors.print(f"error: {refused}", markup=False, highlight=False)
            errors.print("  hint: see docs/key-rotation.md for the states Sojourn rotates from", markup=False)
            raise typer.Exit(1) from None
    if as_json:
        console.print_json(json.dumps(rotation_document(rotation)))
    else:
        console.print(describe(rotation), highlight=False, markup=False)
    if rotation.step is Step.FAILED:
        raise typer.Exit(1)


@keys_app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="print the rotations as JSON")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """The latest rotations and where each stands."""
    with runtime(database_url=database_url) as rt:
        rotations = rt.store().key_rotations.recent()
    if as_json:
        console.print_json(json.dumps([rotation_document(r) for r in rotations]))
        return
    table = Table("rotation", "user", "secret", "step", "old key", "new key", "started", "note")
    for r in rotations:
        waiting = f"old key deleted after {r.delete_after:%Y-%m-%d %H:%M}" if r.step is Step.GRACE else ""
        note = r.error or waiting
        table.add_row(
            r.id, r.user, r.secret_id, r.step.value, r.old_key_id or "-", r.new_key_id or "-",
            f"{r.started_at:%Y-%m-%d %H:%M}", note or "",
        )  # fmt: skip
    console.print(table)


def describe(rotation: KeyRotation) -> str:
    r = rotation
    if r.step is Step.DONE:
        return (
            f"{r.id}: {r.user}'s key {r.new_key_id} is current in {r.secret_id}; "
            f"old key {r.old_key_id} deleted"
        )
    if r.step is Step.GRACE:
        return (
            f"{r.id}: {r.user}'s key {r.new_key_id} is current in {r.secret_id}; old key {r.old_key_id} is "
            f"inactive and is deleted after {r.delete_after:%Y-%m-%d %H:%M} (the worker, or run this again)"
        )
    if r.step is Step.FAILED:
        return f"{r.id}: rotation of {r.user}'s key failed ({r.error}); the old key {r.old_key_id} is kept"
    return f"{r.id}: {r.user}'s rotation stopped at {r.step.value}; run it again to resume"


def rotation_document(r: KeyRotation) -> dict[str, object]:
    return {
        "id": r.id,
        "user": r.user,
        "secret_id": r.secret_id,
        "step": r.step.value,
        "old_key_id": r.old_key_id,
        "new_key_id": r.new_key_id,
        "version": r.version,
        "started_at": r.started_at.isoformat(),
        "deactivated_at": r.deactivated_at.isoformat() if r.deactivated_at else None,
        "delete_after": r.delete_after.isoformat() if r.delete_after else None,
        "finished_at": r.finished_at.isoformat() if r.finished_at else None,
        "error": r.error,
    }
