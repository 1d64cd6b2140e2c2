"""`sojourn request`, `approve`, `deny`, `cancel`, `revoke`, `extend`, `requests`, `eligible`, `worker`.

The CLI acts locally on Sojourn's database as the person given by --as (or SOJOURN_ACTOR): it is the
operator's tool. People and automation elsewhere use the API, which authenticates them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from sojourn.access.config_model import span_minutes
from sojourn.access.issues import ConfigInvalid
from sojourn.bootstrap import Runtime, runtime_from_environment
from sojourn.cli import remote
from sojourn.cli.consoles import screen
from sojourn.cli.render import account_names
from sojourn.service.jit import JitService
from sojourn.service.ports.grants import RequestNotFound
from sojourn.service.provisioning import TickReport
from sojourn.settings import Settings
from sojourn.workflow.codec import request_to_json
from sojourn.workflow.grant_request import GrantRequest, State
from sojourn.workflow.transitions import IllegalTransition

console = screen()
errors = screen(stderr=True)
ConfigOption = Annotated[Path, typer.Option("--config", "-c", help="YAML file or directory of YAML files")]
AsOption = Annotated[str | None, typer.Option("--as", help="who is acting (default: SOJOURN_ACTOR)")]


@contextmanager
def _service(config: Path) -> Iterator[tuple[Runtime, JitService]]:
    rt = runtime_from_environment()
    try:
        yield rt, rt.jit_service(config)
    except (IllegalTransition, RequestNotFound) as error:
        errors.print(f"[red]refused:[/red] {escape(str(error))}")
        raise typer.Exit(1) from None
    except ConfigInvalid as invalid:
        for issue in invalid.issues:
            errors.print(f"[red]error:[/red] {escape(str(issue))}")
        raise typer.Exit(1) from None
    finally:
        rt.close()


def _duration(text: str) -> timedelta:
    try:
        return timedelta(minutes=span_minutes(text))
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def _actor(value: str | None) -> str:
    return value or Settings.from_environment().actor


def _names(rt: Runtime, config: Path) -> dict[str, str]:
    """Account id -> name from the organisation the service has just read (no further AWS calls)."""
    return {a.id: a.name for a in rt.directory(config)().organization.accounts}


def _accounts(ids: tuple[str, ...], names: Mapping[str, str]) -> str:
    return ", ".join(f"{names[a]} ({a})" if a in names else a for a in ids)


def _show(request: GrantRequest, as_json: bool, names: Mapping[str, str] | None = None) -> None:
    if as_json:
        print(json.dumps(request_to_json(request), indent=1))
        return
    end = _end(request)
    accounts = _accounts(request.accounts, names or {})
    console.print(
        f"request {request.id}: {request.person} {request.permission_set} on {accounts} "
        f"for {request.duration}: {request.state.value}{', ' + end if end else ''}",
        highlight=False,
    )
    if request.state is State.PENDING:
        console.print(f"approvers: {', '.join(sorted(request.approvers))}", highlight=False)


def _end(request: GrantRequest) -> str:
    """When the grant ends, ended or was cut short: a revoked grant ends at its revocation, not its plan."""
    if request.state is State.REVOKED and request.closed_at:
        by = f" by {request.closed_by}" if request.closed_by else ""
        return f"revoked at {request.closed_at:%Y-%m-%d %H:%M} UTC{by}"
    if request.ends_at is None:
        return ""
    verb = "ended" if request.state in (State.ENDED, State.FAILED) else "ends"
    return f"{verb} {request.ends_at:%Y-%m-%d %H:%M} UTC"


def request(
    permission_set: Annotated[str, typer.Argument(help="permission set, e.g. prod-admin")],
    account: Annotated[list[str], typer.Option("--account", "-a", help="account name or id (repeatable)")],
    duration: Annotated[str, typer.Option("--for", help="how long, e.g. 30m, 2h")],
    reason: Annotated[str, typer.Option(help="why (shown to approvers and kept in the audit log)")] = "",
    ticket: Annotated[str | None, typer.Option(help="ticket reference when the rule asks for one")] = None,
    break_glass: Annotated[bool, typer.Option("--break-glass", help="emergency: no approver, loud")] = False,
    who: AsOption = None,
    config: ConfigOption = Path("access"),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Ask for a permission set on one or more accounts for a while; prints who can approve."""
    if remote.api_url():
        body: dict[str, Any] = {
            "permission_set": permission_set,
            "accounts": list(account),
            "duration": duration,
        }
        body |= {"reason": reason, "ticket": ticket, "break_glass": break_glass}
        _show(remote.call("POST", "/v1/requests", body), as_json)
        return
    with _service(config) as (rt, service):
        made = service.request(
            _actor(who), permission_set, tuple(account), _duration(duration), reason, ticket, break_glass
        )
        names = _names(rt, config)
    _show(made, as_json, names)


def _decide(verb: str) -> Callable[..., None]:
    def command(
        request_id: Annotated[str, typer.Argument(help="the request's id")],
        comment: Annotated[str, typer.Option(help="kept in the audit log")] = "",
        who: AsOption = None,
        config: ConfigOption = Path("access"),
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        if remote.api_url():
            _show(remote.call("POST", f"/v1/requests/{request_id}/{verb}", {"comment": comment}), as_json)
            return
        with _service(config) as (rt, service):
            actor = _actor(who)
            done = (
                service.approve(request_id, actor, comment)
                if verb == "approve"
                else service.deny(request_id, actor, comment)
            )
            names = _names(rt, config)
        _show(done, as_json, names)

    command.__doc__ = f"{verb.capitalize()} a pending request (never your own)."
    return command


approve = _decide("approve")
deny = _decide("deny")


def cancel(
    request_id: Annotated[str, typer.Argument()], who: AsOption = None, config: ConfigOption = Path("access")
) -> None:
    """Withdraw your own pending request."""
    if remote.api_url():
        _show(remote.call("POST", f"/v1/requests/{request_id}/cancel"), False)
        return
    with _service(config) as (rt, service):
        done = service.cancel(request_id, _actor(who))
        names = _names(rt, config)
    _show(done, False, names)


def revoke(
    request_id: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option(help="why")],
    admin: Annotated[bool, typer.Option("--admin", help="act as an administrator")] = False,
    who: AsOption = None,
    config: ConfigOption = Path("access"),
) -> None:
    """End a grant now (the holder, an approver or an administrator); live sessions end with it."""
    if remote.api_url():
        _show(remote.call("POST", f"/v1/requests/{request_id}/revoke", {"reason": reason}), False)
        return
    with _service(config) as (rt, service):
        done = service.revoke(request_id, _actor(who), reason, admin=admin)
        names = _names(rt, config)
    _show(done, False, names)


def extend(
    request_id: Annotated[str, typer.Argument()],
    by: Annotated[str, typer.Option("--by", help="how much longer, e.g. 1h")],
    admin: Annotated[bool, typer.Option("--admin")] = False,
    who: AsOption = None,
    config: ConfigOption = Path("access"),
) -> None:
    """Lengthen an active grant within the rule's maximum (an approver or administrator, never the holder)."""
    with _service(config) as (rt, service):
        done = service.extend(request_id, _actor(who), _duration(by), admin=admin)
        names = _names(rt, config)
    _show(done, False, names)


def requests(
    person: Annotated[str | None, typer.Option(help="only this person's")] = None,
    state: Annotated[list[State] | None, typer.Option(help="only in these states")] = None,
    config: ConfigOption = Path("access"),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Requests and grants, oldest first."""
    with _service(config) as (rt, service):
        found = service.requests(person, tuple(state or ()))
        names = _names(rt, config) if found and not as_json else {}
    if as_json:
        print(json.dumps([request_to_json(r) for r in found], indent=1))
        return
    table = Table()
    for column in ("id", "person", "permission set", "accounts", "state", "end"):
        table.add_column(column)
    for r in found:
        table.add_row(r.id, r.person, r.permission_set, _accounts(r.accounts, names), r.state.value, _end(r))
    console.print(table)


def eligible(
    who: AsOption = None,
    config: ConfigOption = Path("access"),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """What you may request: permission sets, accounts, longest duration and approvers."""
    with _service(config) as (rt, service):
        found = service.eligible(_actor(who))
        names = account_names(rt.provider())
    if as_json:
        rows = [
            {
                "rule": e.terms.rule,
                "permission_set": e.terms.permission_set,
                "accounts": [{"id": a, "name": names.get(a)} for a in sorted(e.accounts)],
                "max_duration_minutes": int(e.terms.max_duration.total_seconds() // 60),
                "approvers": sorted(e.approvers),
                "approvals_required": e.terms.approvals_required,
                "auto_approve": e.terms.auto_approve,
                "break_glass": e.terms.break_glass,
            }
            for e in found
        ]
        print(json.dumps(rows, indent=1))
        return
    table = Table()
    for column in ("rule", "permission set", "accounts", "max", "approvers", "kind"):
        table.add_column(column)
    for e in found:
        terms = e.terms
        kind = (
            "break-glass"
            if terms.break_glass
            else ("auto" if terms.auto_approve else f"{terms.approvals_required} approval(s)")
        )
        accounts = ", ".join(sorted(names.get(a, a) for a in e.accounts))
        approvers = ", ".join(sorted(e.approvers))
        table.add_row(terms.rule, terms.permission_set, accounts, str(terms.max_duration), approvers, kind)
    console.print(table)


def worker(
    once: Annotated[bool, typer.Option("--once", help="one tick, then exit")] = False,
    interval: Annotated[float, typer.Option(help="seconds between ticks")] = 1.0,
    name: Annotated[
        str, typer.Option(help="this worker's name; a restarted worker takes back its leases")
    ] = "worker",
    config: ConfigOption = Path("access"),
) -> None:
    """Provision approved grants, end expired ones, retry failures; several may run at once, each under its
    own --name."""
    with runtime_from_environment() as rt:
        rt.check_config(config)
        rt.run_worker(config, name=name, once=once, interval=interval, on_report=_show_report)


def _show_report(report: TickReport) -> None:
    errors.print(
        f"worker: {report.provisioned} provisioned, {report.deprovisioned} removed, {report.closed} closed, "
        f"{report.failed} failed, {len(report.overdue)} overdue",
        highlight=False,
    )
