"""`sojourn review start | list | show | decide | remind | close | export`: access review campaigns.

Like the just-in-time commands, the CLI acts on Sojourn's database as the person given by --as (or
SOJOURN_ACTOR); reviewers elsewhere use the API. A closed campaign's revocations become a configuration
file (`close --write`), so `sojourn plan` shows the removals and `sojourn apply` makes them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from sojourn.access.issues import ConfigInvalid
from sojourn.access.review import Campaign, CampaignNotFound, ReviewScope, Status, Verdict
from sojourn.access.review_evidence import evidence_csv, evidence_html
from sojourn.bootstrap import Runtime, runtime_from_environment
from sojourn.cli.consoles import screen
from sojourn.service.review_outcome import config_change, evidence, remove_outside
from sojourn.service.reviews import ReviewRefused, ReviewService
from sojourn.settings import Settings

review_app = typer.Typer(help="Access reviews: certify or revoke standing access.", no_args_is_help=True)
console = screen()
errors = screen(stderr=True)
ConfigOption = Annotated[Path, typer.Option("--config", "-c", help="configuration directory")]
AsOption = Annotated[str | None, typer.Option("--as", help="who is acting (default: SOJOURN_ACTOR)")]
Many = Annotated[list[str] | None, typer.Option()]


@contextmanager
def _reviews(config: Path) -> Iterator[tuple[Runtime, ReviewService]]:
    rt = runtime_from_environment()
    try:
        yield rt, rt.review_service(config)
    except (ReviewRefused, CampaignNotFound) as error:
        errors.print(f"[red]refused:[/red] {escape(str(error.args[0] if error.args else error))}")
        raise typer.Exit(1) from None
    except ConfigInvalid as invalid:
        for issue in invalid.issues:
            errors.print(f"[red]error:[/red] {escape(str(issue))}")
        raise typer.Exit(1) from None
    finally:
        rt.close()


def _actor(value: str | None) -> str:
    return value or Settings.from_environment().actor


@review_app.command("start")
def start(
    name: Annotated[str, typer.Option(help="what the campaign is, e.g. 'Q4 production access'")] = "",
    account: Annotated[
        list[str] | None, typer.Option(help="only this account (name or id; repeatable)")
    ] = None,
    permission_set: Annotated[
        list[str] | None, typer.Option(help="only this permission set (repeatable)")
    ] = None,
    team: Annotated[list[str] | None, typer.Option(help="only this team's access (repeatable)")] = None,
    config: ConfigOption = Path("access"),
    actor: AsOption = None,
) -> None:
    """Start a campaign over the standing assignments in scope (all of them when no filter is given)."""
    scope = ReviewScope(tuple(account or ()), tuple(permission_set or ()), tuple(team or ()))
    with _reviews(config) as (_, reviews):
        campaign = reviews.start(name, scope, _actor(actor))
    unassignable = campaign.unassignable()
    console.print(
        f"Started {campaign.campaign_id} ({escape(campaign.name)}): {len(campaign.items)} item(s), "
        f"deadline {campaign.deadline:%Y-%m-%d %H:%M} UTC, then {campaign.deadline_action.value}."
    )
    if unassignable:
        errors.print(
            f"warning: {len(unassignable)} item(s) have no reviewer but the person under review; add "
            "team_leads, account_owners or people under `reviews:` in the configuration",
            markup=False,
        )


@review_app.command("list")
def list_campaigns(
    status: Annotated[Status | None, typer.Option(help="only open or closed campaigns")] = None,
    config: ConfigOption = Path("access"),
) -> None:
    """Every campaign, newest first, with how many of its items are decided."""
    with _reviews(config) as (_, reviews):
        found = reviews.campaigns(status)
    for c in found:
        print(
            f"{c.campaign_id}  {c.status.value:6}  {c.decided}/{c.items} decided  "
            f"deadline {c.deadline:%Y-%m-%d %H:%M}  {c.name}"
        )


@review_app.command("show")
def show(
    campaign_id: Annotated[str | None, typer.Argument(help="the campaign (omit with --mine)")] = None,
    mine: Annotated[bool, typer.Option("--mine", help="only items waiting for me (--as)")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    config: ConfigOption = Path("access"),
    actor: AsOption = None,
) -> None:
    """A campaign's items with reviewer and decision; with --mine, the items waiting for you everywhere."""
    with _reviews(config) as (_, reviews):
        if mine or campaign_id is None:
            pending = reviews.pending(_actor(actor))
            if as_json:
                rows = [
                    {"campaign": c, "item": i.item_id, "subject": i.subject}
                    | {"account": i.assignment.account_id, "permission_set": i.assignment.permission_set}
                    for c, i in pending
                ]
                sys.stdout.write(json.dumps(rows, indent=1) + "\n")
                return
            for cid, item in pending:
                a = item.assignment
                where = item.account_name or a.account_id
                print(f"{cid} {item.item_id}  {item.subject}  {a.permission_set} on {where}")
            return
        campaign = reviews.show(campaign_id)
    if as_json:
        sys.stdout.write(json.dumps(_campaign_json(campaign), indent=1) + "\n")
        return
    _table(campaign)


@review_app.command("decide")
def decide_item(
    campaign_id: Annotated[str, typer.Argument(help="the campaign")],
    item: Annotated[list[str], typer.Argument(help="item id(s), e.g. i000001")],
    certify: Annotated[bool, typer.Option("--certify", help="the access stays")] = False,
    revoke: Annotated[
        bool, typer.Option("--revoke", help="the access goes (say why with --comment)")
    ] = False,
    comment: Annotated[str, typer.Option(help="why; recorded on the audit log")] = "",
    config: ConfigOption = Path("access"),
    actor: AsOption = None,
) -> None:
    """Certify or revoke items assigned to you; nobody reviews their own access."""
    if certify == revoke:
        errors.print("[red]error:[/red] give exactly one of --certify or --revoke")
        raise typer.Exit(1)
    verdict = Verdict.CERTIFY if certify else Verdict.REVOKE
    with _reviews(config) as (_, reviews):
        for item_id in item:
            decision = reviews.decide(campaign_id, item_id, _actor(actor), verdict, comment)
            console.print(f"{item_id}: {decision.verdict.value} by {escape(decision.reviewer)}")


@review_app.command("remind")
def remind(
    campaign_id: Annotated[str | None, typer.Argument(help="the campaign (default: every open one)")] = None,
    due: Annotated[
        bool, typer.Option("--due", help="only campaigns not reminded within reviews.remind_every (cron)")
    ] = False,
    config: ConfigOption = Path("access"),
) -> None:
    """Remind every reviewer with undecided items, through the configured notification channels."""
    with _reviews(config) as (rt, reviews):
        told = reviews.remind_due() if due else reviews.remind(campaign_id)
        channels = rt.dispatcher() is not None
    for reviewer, count in told.items():
        console.print(
            f"{escape(reviewer)}: {count} item(s) waiting" + ("" if channels else " (no channel set)")
        )
    if not told:
        console.print("Nobody has items waiting.")


@review_app.command("close")
def close(
    campaign_id: Annotated[str | None, typer.Argument(help="the campaign (or --due)")] = None,
    write: Annotated[
        bool,
        typer.Option(
            "--write",
            help="write the revocations into the configuration and remove revoked "
            "assignments outside it from AWS (default: print the patch)",
        ),
    ] = False,
    early: Annotated[
        bool, typer.Option("--early", help="close before the deadline; undecided stay so")
    ] = False,
    due: Annotated[bool, typer.Option("--due", help="close every campaign past its deadline (cron)")] = False,
    config: ConfigOption = Path("access"),
    actor: AsOption = None,
) -> None:
    """Close at or after the deadline (undecided items are revoked or reported, as configured), then write
    the outcome: a configuration file of revocations for `sojourn plan`/`apply`."""
    if (campaign_id is None) == (not due):
        errors.print("[red]error:[/red] give a campaign id, or --due for every campaign past its deadline")
        raise typer.Exit(1)
    failed = False
    with _reviews(config) as (_, reviews):
        if campaign_id is None:
            closed = reviews.close_due(_actor(actor) or "sojourn")
            if not closed:
                console.print("No campaign is past its deadline.")
        else:
            closed = [campaign_id]
            campaign = reviews.show(campaign_id)
            if campaign.status is Status.OPEN:
                reviews.close(campaign_id, _actor(actor), early=early)
            else:
                console.print(f"{campaign_id} was closed already; its outcome:")
        for each in closed:
            failed |= _outcome(reviews, each, write=write, actor=_actor(actor))
    if failed:
        raise typer.Exit(1)


def _outcome(reviews: ReviewService, campaign_id: str, *, write: bool, actor: str) -> bool:
    """Print (or write) a closed campaign's configuration change and direct removals; True if one failed."""
    campaign = reviews.show(campaign_id)
    console.print(f"Closed {campaign_id}: {len(campaign.decisions)}/{len(campaign.items)} decided.")
    change = config_change(reviews, campaign_id, write=write)
    removals = remove_outside(reviews, campaign_id, actor) if write else []
    undecided = len(campaign.pending())
    if undecided:
        console.print(f"{undecided} item(s) undecided, reported (deadline action: report or closed early).")
    if write:
        console.print(f"Wrote {change.revocations} revocation(s) to {change.path}; now run `sojourn plan`.")
    elif change.patch:
        sys.stdout.write(change.patch)
        console.print(f"Write it with --write (to {change.path}), or commit the patch for review.")
    for removal in removals:
        verdict = "removed" if removal.ok else f"FAILED ({removal.detail})"
        a = removal.assignment
        console.print(
            f"{verdict}: {a.permission_set} for {a.principal} on {a.account_id} (outside the configuration)"
        )
    return any(not r.ok for r in removals)


@review_app.command("export")
def export(
    campaign_id: Annotated[str, typer.Argument(help="the campaign")],
    format_: Annotated[str, typer.Option("--format", help="csv or html")] = "csv",
    out: Annotated[Path | None, typer.Option(help="file to write (default: standard output)")] = None,
    config: ConfigOption = Path("access"),
) -> None:
    """Evidence for auditors: who reviewed what, when, the decision, the comment, what changed in AWS."""
    if format_ not in ("csv", "html"):
        errors.print("[red]error:[/red] --format is csv or html")
        raise typer.Exit(1)
    with _reviews(config) as (_, reviews):
        campaign, rows = evidence(reviews, campaign_id)
    text = evidence_csv(rows) if format_ == "csv" else evidence_html(campaign, rows)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        errors.print(f"wrote {len(rows)} row(s) to {out}", markup=False)


def _campaign_json(c: Campaign) -> dict[str, object]:
    decisions = {d.item_id: d for d in c.decisions}
    return {
        "id": c.campaign_id,
        "name": c.name,
        "status": c.status.value,
        "deadline": c.deadline.isoformat(),
        "deadline_action": c.deadline_action.value,
        "items": [
            {
                "item": i.item_id,
                "subject": i.subject,
                "account": i.assignment.account_id,
                "permission_set": i.assignment.permission_set,
                "source": i.source.value,
                "reviewer": i.reviewer,
                "decision": decisions[i.item_id].verdict.value if i.item_id in decisions else None,
            }
            for i in c.items
        ],
    }


def _table(c: Campaign) -> None:
    table = Table(
        title=f"{c.campaign_id} {c.name} ({c.status.value}, deadline {c.deadline:%Y-%m-%d %H:%M} UTC)"
    )
    for column in ("item", "who", "permission set", "account", "source", "reviewer", "decision"):
        table.add_column(column)
    for i in c.items:
        d = c.decision_of(i.item_id)
        table.add_row(
            i.item_id,
            escape(i.subject),
            escape(i.assignment.permission_set),
            escape(i.account_name or i.assignment.account_id),
            i.source.value,
            escape(i.reviewer or "(unassignable)"),
            f"{d.verdict.value} by {escape(d.reviewer)}" if d else "",
        )
    console.print(table)
