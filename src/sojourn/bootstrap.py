"""The composition root: the one place that builds adapters and use cases from one `Settings`.

The CLI, the API, the worker and the demo ask a `Runtime` for what they need and build nothing themselves.
Adapters are built on first use and shared for the Runtime's life; the action catalogue once per process.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
from collections.abc import Callable, Collection
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from sojourn.activity.athena_trail import AthenaTrail
from sojourn.activity.local_files import LocalTrail
from sojourn.activity.rules_file import load_event_rules
from sojourn.activity.s3_files import S3Trail
from sojourn.aws.authorization_file import snapshot_from_details
from sojourn.aws.clients import client_factory
from sojourn.aws.faults import faults_from_settings, inject_faults
from sojourn.aws.gateway import Boto3IdentityCenter
from sojourn.aws.hygiene_reader import Boto3HygieneSource, identity_center_assignments
from sojourn.aws.key_vault import Boto3KeyVault
from sojourn.aws.settings import AwsSettings
from sojourn.aws.snapshot_reader import Boto3PolicySource
from sojourn.catalog.catalog import ActionCatalog
from sojourn.catalog.loader import load_catalog
from sojourn.clock import Clock, FixedClock, SystemClock
from sojourn.feeds.feed_cache import FeedCache
from sojourn.notify.dispatcher import Dispatcher
from sojourn.notify.message import notifier, rotation_notifier
from sojourn.notify.review_reminder import ReviewReminders
from sojourn.notify.settings import channels_from_environment
from sojourn.service.audit import AuditTrail, checkpointing_steps
from sojourn.service.config_files import read_config_sources
from sojourn.service.jit import JitService
from sojourn.service.jit_runtime import (
    CachedDirectory,
    account_names_of,
    on_call_source,
    session_revoker,
    standing_lookup,
)
from sojourn.service.key_rotation import KeyRotator, RotationSchedule, RotationTarget
from sojourn.service.planning import load_config
from sojourn.service.ports.activity import TrailSource, UsageRepository
from sojourn.service.ports.hygiene import AccessState, AssignmentsReader, HygieneSource
from sojourn.service.ports.provider import DetailsReader, PolicySource, Provider
from sojourn.service.ports.schedule import OnCallSource
from sojourn.service.provisioning import TickReport
from sojourn.service.registration import WorkerName
from sojourn.service.reviews import ReviewService
from sojourn.service.tokens import ApiTokens
from sojourn.settings import Settings
from sojourn.store import Store, open_store
from sojourn.store.audit_checkpoints import CheckpointDirectory, create_signing_key
from sojourn.usage.athena_sql import AthenaStatus, AthenaTable
from sojourn.usage.rules import EventRules
from sojourn.worker.runner import Worker, run_loop
from sojourn.worker.supervisor import STALE_TICKS, Supervisor, WorkerPulse

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.types import ASGIApp

    from sojourn.api.auth_oidc import OidcVerifier
    from sojourn.service.access_graph import SnapshotAnalysis
    from sojourn.web.oidc_client import OidcSignIn

DISPATCHER_DRAIN_SECONDS = 5.0


class Runtime:
    """Everything one process needs, built from `settings` on first use; `close()` releases it."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock: Clock = clock or drill_or_system_clock(settings)
        self._store: Store | None = None
        self._gateway: Boto3IdentityCenter | None = None
        self._directories: dict[Path, CachedDirectory] = {}
        self._feeds: FeedCache | None = None
        self._dispatcher: Dispatcher | None = None
        self._dispatcher_built = False
        self._owns_adapters = True

    def __enter__(self) -> Runtime:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def with_clock(self, clock: Clock) -> Runtime:
        """The same adapters on another clock (the demo's simulated hours); closing it closes nothing."""
        other = Runtime(self.settings, clock)
        other._store, other._gateway = self.store(), self.gateway()
        other._owns_adapters = False
        return other

    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings.database_url)
        return self._store

    def audit_checkpoints(self) -> CheckpointDirectory:
        """Where signed audit checkpoints are kept, outside the database, and the key that signs them."""
        directory, key = self.settings.audit_checkpoint_paths()
        return CheckpointDirectory(directory, key)

    def create_audit_key(self, path: Path) -> str:
        """Write a new checkpoint signing key at `path` (0600, never over an existing one); its key id."""
        return create_signing_key(path)

    def audit_trail(self) -> AuditTrail:
        """The audit log with its signed checkpoints: verify, checkpoint, query, export."""
        return AuditTrail(
            self.store().audit, self.audit_checkpoints(), every=self.settings.audit_checkpoint_every
        )

    def aws_settings(self, *, region: str | None = None, max_concurrency: int = 8) -> AwsSettings:
        rate = float(self.settings.aws_call_rate)
        return AwsSettings(
            region=region or self.settings.aws_region,
            endpoint_url=self.settings.aws_endpoint_url,
            max_concurrency=max_concurrency,
            sso_rate=rate,
            iam_rate=rate,
        )

    def gateway(self, *, region: str | None = None, instance_arn: str | None = None) -> Boto3IdentityCenter:
        if self._gateway is None:
            aws = self.aws_settings(region=region, max_concurrency=self.settings.max_concurrency)
            self._gateway = Boto3IdentityCenter(aws, instance_arn=instance_arn)
            clients = self._gateway.clients
            for plan in faults_from_settings(self.settings.aws_faults, seed=os.getpid()):
                inject_faults([clients.organizations, clients.sso_admin, clients.identitystore], plan)
        return self._gateway

    def directory(self, config: Path) -> CachedDirectory:
        """The configuration at `config` and the organisation, re-read at most once a minute."""
        if config not in self._directories:
            self._directories[config] = CachedDirectory(config, self.gateway())
        return self._directories[config]

    def on_call(self, config: Path) -> OnCallSource:
        """Who is on call, from the configuration's rotations and its iCalendar feeds."""
        if self._feeds is None:
            self._feeds = FeedCache()
        return on_call_source(self.directory(config), self._feeds)

    def jit_service(self, config: Path) -> JitService:
        """The just-in-time use cases over the configuration at `config`."""
        return JitService(
            self.store().grants, self.clock, self.directory(config), on_call=self.on_call(config)
        )

    def review_service(self, config: Path) -> ReviewService:
        """The access review use cases over the configuration at `config`; reminders through the channels."""
        dispatcher = self.dispatcher()
        return ReviewService(
            self.store().reviews,
            self.clock,
            config,
            lambda region, instance_arn: self.gateway(region=region, instance_arn=instance_arn),
            grants=self.store().grants,
            audit=self.store().audit,
            remind=ReviewReminders(dispatcher) if dispatcher else None,
        )

    def dispatcher(self) -> Dispatcher | None:
        """The notification channels the settings name (none: no dispatcher); drained on `close()`."""
        if not self._dispatcher_built:
            channels = channels_from_environment(self.settings.notify_environment)
            self._dispatcher = Dispatcher(channels) if channels else None
            self._dispatcher_built = True
        return self._dispatcher

    def worker(
        self, config: Path, *, name: str = "worker", pulse: Callable[[], None] = lambda: None
    ) -> Worker:
        """A worker named `name` on this host (a restarted worker of the same name takes back its leases
        and its assignment claims; `run_worker` keeps a second live one out); `pulse` is called whenever it
        makes progress."""
        directory = self.directory(config)
        dispatcher = self.dispatcher()
        return Worker(
            self.store().grants,
            self.gateway(),
            self.clock,
            owner=f"{socket.gethostname()}:{name}",
            standing=standing_lookup(directory, self._today),
            revoke_sessions=session_revoker(self.gateway(), self.clock),
            checkpoint=checkpointing_steps(
                self.audit_trail(), self.clock, crash_checkpoint(self.settings.crash_at)
            ),
            on_call=self.on_call(config),
            concurrency=self.settings.worker_concurrency,
            notify=notifier(dispatcher, account_names_of(directory)) if dispatcher else None,
            jobs=(self.rotation_schedule(),),
            claims=self.store().claims,
            pulse=pulse,
        )

    def run_worker(
        self,
        config: Path,
        *,
        name: str = "worker",
        once: bool = False,
        interval: float = 1.0,
        on_report: Callable[[TickReport], None] = lambda report: None,
        stop: threading.Event | None = None,
        pulse: Callable[[], None] = lambda: None,
    ) -> None:
        """Run the worker named `name`: a tick every `interval` seconds (one with `once`), each report
        that did something passed to `on_report`, until `stop` is set. WorkerNameTaken when a live process
        already runs under that name; WorkerNameLost when another one took the name meanwhile."""
        worker = self.worker(config, name=name, pulse=pulse)
        held = WorkerName(self.store().workers, self.clock, worker.owner)
        with held.kept():
            run_loop(
                worker,
                once=once,
                interval=interval,
                on_report=on_report,
                stop=stop,
                allowed=lambda: not held.lost,
            )
        held.check()

    def supervised_worker(self, config: Path, *, interval: float) -> Supervisor:
        """The worker on a thread that is started again whenever it ends (`sojourn serve`); its pulse says
        whether it is ticking. Call `start()` on it."""
        pulse = WorkerPulse(max(self.settings.worker_stale_after, STALE_TICKS * interval))
        return Supervisor(
            lambda stop: self.run_worker(config, interval=interval, stop=stop, pulse=pulse.beat), pulse
        )

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

    def _today(self) -> date:
        return self.clock.now().date()

    def close(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.close(DISPATCHER_DRAIN_SECONDS)
            self._dispatcher = None
        if self._store is not None and self._owns_adapters:
            self._store.close()

    def catalog(self) -> ActionCatalog:
        """The IAM action catalogue, loaded once per process (every Runtime shares it)."""
        return _catalog()

    def event_rules(self) -> EventRules:
        """The event-to-permission exceptions shipped with Sojourn, loaded once per process."""
        return _event_rules()

    def local_trail(self, directory: Path) -> TrailSource:
        """CloudTrail log files under `directory`, aggregated by DuckDB; close it when done."""
        return LocalTrail(directory, self.event_rules(), catalog=self.catalog())

    def s3_trail(self, bucket: str, prefix: str) -> TrailSource:
        """CloudTrail log files under s3://bucket/prefix (the settings' AWS endpoint and region)."""
        aws = self.aws_settings()
        return S3Trail(client_factory(aws)("s3"), bucket, prefix, self.event_rules(), catalog=self.catalog())

    def athena_trail(
        self,
        table: AthenaTable,
        *,
        workgroup: str,
        output: str,
        on_status: Callable[[AthenaStatus], None] | None = None,
    ) -> TrailSource:
        """The trail's Athena table, aggregated by Athena in account/region/day slices."""
        aws = self.aws_settings()
        return AthenaTrail(
            client_factory(aws)("athena"),
            table,
            self.event_rules(),
            workgroup=workgroup,
            output=output,
            now=self.clock.now,
            on_status=on_status,
        )

    def usage(self) -> UsageRepository:
        """The usage table and the ingested log files, in Sojourn's database."""
        return self.store().usage

    def provider(self, *, region: str | None = None, instance_arn: str | None = None) -> Provider:
        """The cloud the control plane manages, as the provider port (AWS IAM Identity Center today).

        `region` and `instance_arn` are the AWS part of a configuration's settings, pinning the instance.
        """
        return self.gateway(region=region, instance_arn=instance_arn)

    def policy_source(self, read_role: str) -> PolicySource:
        """Every account's policies for analysis, read through the role `read_role` assumed in each."""
        aws = self.aws_settings()
        return Boto3PolicySource(aws, read_role)

    def key_rotator(self) -> KeyRotator:
        """Rotates IAM users' access keys through Secrets Manager; SOJOURN_CRASH_AT kills it at a step."""
        aws = self.aws_settings()
        dispatcher = self.dispatcher()
        return KeyRotator(
            Boto3KeyVault(aws),
            self.store().key_rotations,
            self.clock,
            self.settings.actor,
            checkpoint=crash_checkpoint(self.settings.crash_at),
            notify=rotation_notifier(dispatcher) if dispatcher else None,
        )

    def rotation_schedule(self) -> RotationSchedule:
        """The worker's key rotation job from the settings (targets, maximum key age, grace period)."""
        settings = self.settings
        return RotationSchedule(
            self.key_rotator(),
            tuple(RotationTarget(user, secret) for user, secret in settings.key_rotation_targets),
            max_age=timedelta(days=settings.key_max_age_days),
            grace=timedelta(days=settings.key_grace_days),
            every=timedelta(seconds=settings.key_rotation_every),
        )

    def hygiene_source(self, read_role: str) -> HygieneSource:
        """Every account's credential facts from IAM, read through the role `read_role` assumed in each."""
        aws = self.aws_settings()
        return Boto3HygieneSource(aws, read_role)

    def assignments_reader(self) -> AssignmentsReader:
        """Identity Center's observed assignments, every user and group asked (for idle assignments)."""
        aws = self.aws_settings()

        def read() -> AccessState:
            return identity_center_assignments(aws)

        return read

    def details_reader(self) -> DetailsReader:
        """Snapshots from saved `aws iam get-account-authorization-details` output."""
        return snapshot_from_details


def runtime_from_environment(
    *, database_url: str | None = None, endpoint_url: str | None = None, region: str | None = None
) -> Runtime:
    """A Runtime from the SOJOURN_* environment, the given options winning."""
    settings = Settings.from_environment(database_url=database_url, endpoint_url=endpoint_url, region=region)
    return Runtime(settings)


def drill_or_system_clock(settings: Settings) -> Clock:
    """The wall clock, or a clock frozen at SOJOURN_NOW for drills and tests."""
    return FixedClock(settings.now) if settings.now is not None else SystemClock()


def crash_checkpoint(step_to_die_at: str | None) -> Callable[[str], None]:
    """A worker checkpoint that kills the process (SIGKILL) at the named step: crash drills."""

    def checkpoint(step: str) -> None:
        if step == step_to_die_at:
            os.kill(os.getpid(), signal.SIGKILL)

    return checkpoint


@cache
def _catalog() -> ActionCatalog:
    return load_catalog()


@cache
def _event_rules() -> EventRules:
    return load_event_rules()
