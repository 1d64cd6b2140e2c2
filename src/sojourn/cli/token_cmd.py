"""`sojourn token create | list | revoke`: API tokens for automation or for a person, issued by the operator
(audited as SOJOURN_ACTOR), shown once, kept as a digest."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sojourn.access.api_token import SCOPE_ALIASES, scope_names
from sojourn.access.config_model import span_minutes
from sojourn.access.issues import ConfigInvalid
from sojourn.bootstrap import Runtime, runtime_from_environment
from sojourn.service.actor import acting_as
from sojourn.service.tokens import ApiTokens, TokenIssuer, TokenNotFound

token_app = typer.Typer(help="API tokens for automation, or acting for a person.", no_args_is_help=True)
errors = Console(stderr=True, soft_wrap=True)
ROLES = ("requester", "approver", "admin", "auditor")
SCOPE_HELP = ", ".join(f"{s} ({a})" for a, s in SCOPE_ALIASES.items())


def _fail(message: str) -> typer.Exit:
    errors.print(f"[red]error:[/red] {message}")
    return typer.Exit(1)


@contextmanager
def _tokens(config: Path | None = None) -> Iterator[tuple[Runtime, ApiTokens]]:
    rt = runtime_from_environment()
    try:
        yield rt, rt.api_tokens(config)
    finally:
        rt.close()


def lifetime_of(expires: str) -> timedelta:
    """The --expires span as a timedelta; ValueError with a hint for anything else, however large."""
    try:
        return timedelta(minutes=span_minutes(expires))
    except OverflowError:
        raise ValueError(f"--expires {expires} is longer than any token may live; give e.g. 30d") from None


@token_app.command("create")
def create_token(
    name: Annotated[str | None, typer.Option(help="what the token is for (default: the person)")] = None,
    scopes: Annotated[str, typer.Option("--scopes", help=f"comma-separated scopes: {SCOPE_HELP}")] = "",
    scope: Annotated[list[str] | None, typer.Option(help="one scope (repeatable)")] = None,
    role: Annotated[
        list[str] | None,
        typer.Option(help=f"role(s): {', '.join(ROLES)} (default: what the scopes need)"),
    ] = None,
    person: Annotated[
        str | None, typer.Option(help="a person of the configuration the token acts for")
    ] = None,
    config: Annotated[
        Path, typer.Option("--config", "-c", help="configuration naming the people (with --person)")
    ] = Path("access"),
    expires: Annotated[str, typer.Option(help="lifetime, e.g. 30d (at most 366d)")] = "30d",
) -> None:
    """Create a token; it is printed once and only its digest is stored. Audited as SOJOURN_ACTOR."""
    wanted = [s for s in scopes.split(",") if s.strip()] + list(scope or [])
    unknown_roles = sorted(set(role or ()) - set(ROLES))
    if unknown_roles:
        raise _fail(f"unknown role(s) {unknown_roles}; known: {', '.join(ROLES)}")
    if not wanted:
        raise _fail(f"give --scopes, e.g. --scopes request,approve; known: {SCOPE_HELP}")
    if name is None and person is None:
        raise _fail("give --name (what the token is for) or --person (whom it acts for)")
    with _tokens(config if person is not None else None) as (rt, tokens):
        try:
            issued = tokens.issue(
                name or str(person),
                role or (),
                scope_names(wanted),
                lifetime_of(expires),
                TokenIssuer(_issuer(rt)),
                person=person,
            )
        except ConfigInvalid as invalid:
            for issue in invalid.issues:
                errors.print(f"[red]error:[/red] {issue}")
            raise typer.Exit(1) from None
        except (ValueError, OSError) as error:
            raise _fail(str(error)) from None
    record = issued.record
    acting = f" acting for {record.person}" if record.person else ""
    errors.print(
        f"token {record.token_id} ({record.name}{acting}; {', '.join(sorted(record.scopes))}), expires "
        f"{record.expires_at:%Y-%m-%d %H:%M} UTC; shown once:"
    )
    print(issued.plaintext)


def _issuer(rt: Runtime) -> str:
    """Who the audit record names: SOJOURN_ACTOR, the OS user or the AWS caller; refuses when none."""
    actor = acting_as(rt.settings.actor, rt.provider)
    if not actor:
        raise _fail("nobody to record as the issuer: set SOJOURN_ACTOR to your name")
    return actor


@token_app.command("list")
def list_tokens() -> None:
    """Every token: id, name, person, scopes, expiry and revocation (never a secret)."""
    with _tokens() as (_, tokens):
        for t in tokens.list_tokens():
            state = (
                f"revoked {t.revoked_at:%Y-%m-%d %H:%M}"
                if t.revoked_at
                else f"expires {t.expires_at:%Y-%m-%d %H:%M}"
            )
            person = f" for {t.person}" if t.person else ""
            print(f"{t.token_id}  {t.name}{person}  {','.join(sorted(t.scopes))}  {state}")


@token_app.command("revoke")
def revoke_token(
    token_id: Annotated[str, typer.Argument(help="the token's id (sjt_<id>_..., or from `token list`)")],
    reason: Annotated[str, typer.Option(help="why, for the audit log")] = "",
) -> None:
    """Revoke a token at once; every later use is refused. Audited as SOJOURN_ACTOR."""
    if token_id.startswith("sjt_"):
        token_id = token_id.split("_")[1]
    with _tokens() as (rt, tokens):
        try:
            record = tokens.revoke(token_id, TokenIssuer(_issuer(rt)), reason)
        except (TokenNotFound, ValueError) as error:
            raise _fail(str(error.args[0] if error.args else error)) from None
    errors.print(f"token {record.token_id} ({record.name}) revoked")
