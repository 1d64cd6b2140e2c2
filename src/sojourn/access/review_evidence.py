"""Evidence of a campaign for auditors: one row per item (who reviewed what, when, the decision, the
comment, what changed in the provider), as CSV text and as a printable HTML page."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from sojourn.access.review import Campaign

COLUMNS = (
    "item",
    "subject",
    "account_id",
    "account_name",
    "permission_set",
    "source",
    "granted_by",
    "reviewer",
    "decision",
    "decided_by",
    "decided_at",
    "comment",
    "changed_in_aws",
)


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    item: str
    subject: str
    account_id: str
    account_name: str
    permission_set: str
    source: str
    granted_by: str
    reviewer: str
    decision: str
    decided_by: str
    decided_at: str
    comment: str
    changed_in_aws: str

    def values(self) -> tuple[str, ...]:
        return tuple(getattr(self, column) for column in COLUMNS)


def evidence_rows(campaign: Campaign, changed: Mapping[str, str]) -> list[EvidenceRow]:
    """Every item with its decision; `changed` maps item id to what was done in the provider (if anything)."""
    recorded = dict(campaign.changes) | dict(changed)
    rows = []
    for item in campaign.items:
        decision = campaign.decision_of(item.item_id)
        rows.append(
            EvidenceRow(
                item.item_id,
                item.subject,
                item.assignment.account_id,
                item.account_name,
                item.assignment.permission_set,
                item.source.value,
                "; ".join(item.why),
                item.reviewer or "(unassignable)",
                decision.verdict.value if decision else "undecided",
                decision.reviewer if decision else "",
                decision.at.isoformat(timespec="seconds") if decision else "",
                decision.comment if decision else "",
                recorded.get(item.item_id, ""),
            )
        )
    return rows


def evidence_csv(rows: Sequence[EvidenceRow]) -> str:
    """The rows as CSV with a header; cells that a spreadsheet would run as a formula are quoted with '."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_inert(value) for value in row.values()])
    return out.getvalue()


def evidence_html(campaign: Campaign, rows: Sequence[EvidenceRow]) -> str:
    """A self-contained printable page: the campaign's facts, counts, and the table of rows."""
    decided = sum(1 for r in rows if r.decision != "undecided")
    revoked = sum(1 for r in rows if r.decision == "revoke")
    facts = [
        ("Campaign", f"{campaign.campaign_id}: {campaign.name}"),
        ("Started", f"{campaign.created_at:%Y-%m-%d %H:%M} UTC by {campaign.created_by}"),
        ("Deadline", f"{campaign.deadline:%Y-%m-%d %H:%M} UTC (then: {campaign.deadline_action.value})"),
        (
            "Status",
            campaign.status.value
            + (f" at {campaign.closed_at:%Y-%m-%d %H:%M} UTC" if campaign.closed_at else ""),
        ),
        ("Items", f"{len(rows)}; decided {decided}; revoked {revoked}; certified {decided - revoked}"),
    ]
    head = "".join(f"<th scope='col'>{escape(c.replace('_', ' '))}</th>" for c in COLUMNS)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{escape(value)}</td>" for value in row.values()) + "</tr>" for row in rows
    )
    fact_rows = "".join(f"<tr><th scope='row'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Access review {escape(campaign.campaign_id)}: evidence</title>
<style>
body {{ font: 12px/1.4 sans-serif; margin: 1.5em; color: #111; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #999; padding: 2px 4px; text-align: left; vertical-align: top; }}
thead th {{ background: #eee; }}
@media print {{ thead {{ display: table-header-group; }} tr {{ break-inside: avoid; }} }}
</style></head>
<body>
<h1>Access review evidence</h1>
<table class="facts">{fact_rows}</table>
<h2>Items</h2>
<table><thead><tr>{head}</tr></thead>
<tbody>
{body}
</tbody></table>
</body></html>
"""


def _inert(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
