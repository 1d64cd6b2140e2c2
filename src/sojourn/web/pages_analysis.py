"""Findings (the HTML report of `sojourn findings`, served) and escalation paths drawn hop by hop, from
the organisation snapshot named by SOJOURN_SNAPSHOT."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from sojourn.analysis.queries import UnknownTarget
from sojourn.service.access_graph import SnapshotAnalysis
from sojourn.service.findings_report import html_report
from sojourn.service.snapshots import SnapshotUnavailable
from sojourn.web.guard import OVERSEERS, SignedIn, Viewer, require
from sojourn.web.signin import context
from sojourn.web.templating import page, report_page

router = APIRouter()
NO_SNAPSHOT = (
    "No organisation snapshot is configured: take one with `sojourn snapshot --out FILE` and start Sojourn "
    "with SOJOURN_SNAPSHOT=FILE."
)


def _analysis(request: Request) -> SnapshotAnalysis | str:
    source = context(request).analysis
    if source is None:
        return NO_SNAPSHOT
    try:
        return source()
    except SnapshotUnavailable as error:
        return str(error)


def _unavailable(request: Request, who: Viewer, title: str, why: str) -> HTMLResponse:
    return page(request, "message.html", who, status=503, title=title, message=why)


@router.get("/findings", response_class=HTMLResponse)
def findings(request: Request, who: SignedIn) -> HTMLResponse:
    require(who, *OVERSEERS)
    analysis = _analysis(request)
    if isinstance(analysis, str):
        return _unavailable(request, who, "Findings", analysis)
    report = analysis.findings()
    counts: dict[str, int] = {}
    for f in report.findings:
        counts[f.check.severity.value] = counts.get(f.check.severity.value, 0) + 1
    return page(
        request, "findings.html", who, title="Findings", counts=sorted(counts.items()),
        total=len(report.findings), snapshot=context(request).snapshot_name,
    )  # fmt: skip


@router.get("/findings/report", response_class=HTMLResponse)
def findings_report(request: Request, who: SignedIn) -> HTMLResponse:
    require(who, *OVERSEERS)
    analysis = _analysis(request)
    if isinstance(analysis, str):
        return _unavailable(request, who, "Findings", analysis)
    report = analysis.findings()
    title = f"Sojourn findings: {context(request).snapshot_name}"
    return report_page(
        request, html_report(title, list(report.findings), list(report.admin_paths), list(report.notes))
    )


@router.get("/paths", response_class=HTMLResponse)
def paths(
    request: Request, who: SignedIn, to: Annotated[str, Query(max_length=512)] = "admin"
) -> HTMLResponse:
    require(who, *OVERSEERS)
    analysis = _analysis(request)
    if isinstance(analysis, str):
        return _unavailable(request, who, "Escalation paths", analysis)
    error = ""
    try:
        found = analysis.paths_to(to or "admin")
    except UnknownTarget as unknown:
        found, error = [], str(unknown)
    return page(
        request, "paths.html", who, status=404 if error else 200, title="Escalation paths",
        paths=found[:200], more=max(0, len(found) - 200), to=to, error=error,
    )  # fmt: skip
