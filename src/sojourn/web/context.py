"""What the web pages serve: the use cases, sign-in, sessions and the snapshot for analysis pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sojourn.clock import Clock
from sojourn.service.access_graph import SnapshotAnalysis
from sojourn.service.access_overview import AccessOverview
from sojourn.service.audit import AuditTrail
from sojourn.service.jit import JitService
from sojourn.service.reviews import ReviewService
from sojourn.web.oidc_client import OidcSignIn


@dataclass
class WebContext:
    jit: JitService
    audit: AuditTrail
    clock: Clock
    sign_in: OidcSignIn | None
    session_key: bytes
    reviews: ReviewService | None = None
    analysis: Callable[[], SnapshotAnalysis] | None = None
    """The organisation snapshot's access graph (findings, paths); None when no snapshot is configured."""
    snapshot_name: str = ""
    web_url: str | None = None
    """The public address (the sign-in redirect goes to /auth/callback under it); None: the request's."""
    live_seconds: float = 2.0
    """How often live parts of a page ask for news."""

    def overview(self) -> AccessOverview:
        found: AccessOverview | None = getattr(self, "_overview", None)
        if found is None:
            found = AccessOverview(self.jit)
            self._overview = found
        return found
