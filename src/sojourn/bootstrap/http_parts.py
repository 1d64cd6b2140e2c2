"""The composition root's HTTP side: API tokens, OpenID Connect, the API app, the web pages and what
`sojourn serve` serves."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING

from sojourn.bootstrap.runtime_core import RuntimeCore
from sojourn.service.config_files import read_config_sources
from sojourn.service.planning import load_config
from sojourn.service.tokens import ApiTokens

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.types import ASGIApp

    from sojourn.api.auth_oidc import OidcVerifier
    from sojourn.service.access_graph import SnapshotAnalysis
    from sojourn.web.oidc_client import OidcSignIn


class HttpParts(RuntimeCore):
    """Builds the HTTP edges over the core's use cases."""

    def api_tokens(self, config: Path | None = None) -> ApiTokens:
        """Issue, check and revoke API tokens, kept (as digests) in the store and audited there; tokens
        bound to a person need the configuration at `config`, which names the people."""
        store = self.store()

        def people() -> Collection[str]:
            return () if config is None else load_config(read_config_sources(config)).people

        return ApiTokens(store.tokens, store.audit, self.clock, people)

    def oidc_verifier(self) -> OidcVerifier | None:
        """OpenID Connect sign-in when SOJOURN_OIDC_ISSUER is set."""
        from sojourn.api.auth_oidc import OidcSettings, OidcVerifier

        issuer = self.settings.oidc_issuer
        if issuer is None:
            return None
        role_map = json.loads(self.settings.oidc_role_map)
        return OidcVerifier(OidcSettings(issuer, self.settings.oidc_audience, role_map=role_map))

    def api_app(self, config: Path, worker_health: Callable[[], str | None] | None = None) -> FastAPI:
        """The HTTP API over the configuration at `config`; `worker_health` when a worker runs beside it."""
        from sojourn.api.app import ApiContext, create_app

        store = self.store()
        context = ApiContext(
            self.jit_service(config),
            store.tokens,
            store.audit,
            self.clock,
            self.oidc_verifier(),
            max_body_bytes=self.settings.max_body_bytes,
            reviews=self.review_service(config),
            worker_health=worker_health,
        )
        return create_app(context)

    def web_sign_in(self) -> OidcSignIn | None:
        """The web pages' OpenID Connect sign-in (code flow with PKCE) when SOJOURN_OIDC_ISSUER is set."""
        from sojourn.web.oidc_client import OidcSignIn, SignInSettings

        issuer = self.settings.oidc_issuer
        if issuer is None:
            return None
        return OidcSignIn(
            SignInSettings(
                issuer,
                self.settings.oidc_client_id,
                self.settings.oidc_client_secret,
                role_map=json.loads(self.settings.oidc_role_map),
            )
        )

    def snapshot_analysis(self) -> Callable[[], SnapshotAnalysis] | None:
        """The access graph of the snapshot at SOJOURN_SNAPSHOT, rebuilt when the file changes."""
        from sojourn.service.access_graph import SnapshotAnalysis
        from sojourn.service.snapshots import load_snapshot

        path = self.settings.snapshot_file
        if path is None:
            return None
        kept: dict[float, SnapshotAnalysis] = {}

        def analysis() -> SnapshotAnalysis:
            changed = path.stat().st_mtime if path.exists() else 0.0
            if changed not in kept:
                kept.clear()
                kept[changed] = SnapshotAnalysis(load_snapshot(path), self.catalog())
            return kept[changed]

        return analysis

    def web_app(self, config: Path) -> FastAPI:
        """The web pages over the configuration at `config` (the same use cases as the API)."""
        from sojourn.web.app import create_web_app
        from sojourn.web.context import WebContext

        snapshot = self.settings.snapshot_file
        context = WebContext(
            self.jit_service(config),
            self.audit_trail(),
            self.clock,
            self.web_sign_in(),
            self.settings.session_key.encode(),
            reviews=self.review_service(config),
            analysis=self.snapshot_analysis(),
            snapshot_name=snapshot.name if snapshot else "",
            web_url=self.settings.web_url,
        )
        return create_web_app(context)

    def serve_app(self, config: Path, worker_health: Callable[[], str | None] | None = None) -> ASGIApp:
        """What `sojourn serve` serves: the API under /v1 (and /health, /openapi.json), the pages beside;
        `worker_health` says what is wrong with the worker running beside them (for /health)."""
        from sojourn.web.mount import beside_api

        return beside_api(self.api_app(config, worker_health), self.web_app(config))
