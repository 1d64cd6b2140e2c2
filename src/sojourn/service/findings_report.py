"""A self-contained HTML report of findings and escalation paths (no scripts, no external files)."""

from __future__ import annotations

from html import escape

from sojourn.analysis.finding import Finding, Risk

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1d1d1f; }
table { border-collapse: collapse; width: 100%; margin-bottom: 2rem; }
th, td { border: 1px solid #ccc; padding: .35rem .6rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
.critical { color: #fff; background: #b00020; } .high { background: #f4b400; }
.medium { background: #ffe9a8; } .low, .info { background: #e8f0fe; }
code { font-size: .9em; }
"""


def html_report(title: str, findings: list[Finding], paths: list[str], notes: list[str]) -> str:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.check.severity.value] = counts.get(finding.check.severity.value, 0) + 1
    worst_first = sorted(counts.items(), key=lambda item: -Risk(item[0]).rank)
    summary = ", ".join(f"{n} {s}" for s, n in worst_first) or "no findings"
    rows = "\n".join(
        f'<tr><td class="{escape(f.check.severity.value)}">{escape(f.check.severity.value)}</td>'
        f"<td><code>{escape(f.check.id)}</code><br>{escape(f.check.title)}</td>"
        f"<td><code>{escape(f.source)}</code>{_where(f)}</td><td>{escape(f.detail)}</td>"
        f"<td>{escape(f.check.remediation)}</td></tr>"
        for f in findings
    )
    path_items = "\n".join(f"<li><code>{escape(p)}</code></li>" for p in paths)
    note_items = "\n".join(f"<li>{escape(n)}</li>" for n in notes)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1><p>{escape(summary)}</p>"
        "<h2>Findings</h2><table><tr><th>Severity</th><th>Check</th><th>Where</th><th>Detail</th>"
        f"<th>Remediation</th></tr>\n{rows}\n</table>"
        f"<h2>Paths to administrator</h2><ul>\n{path_items}\n</ul>"
        f"<h2>Notes</h2><ul>\n{note_items}\n</ul></body></html>\n"
    )


def _where(finding: Finding) -> str:
    if not finding.line:
        return ""
    return f" line {finding.line}, column {finding.col} <code>{escape(finding.path)}</code>"
