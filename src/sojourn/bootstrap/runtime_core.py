"""The heart of the composition root: the store, AWS, the clock, notifications, and the just-in-time,
review, worker and key-rotation use cases built over them."""

from __future__ import annotations

import os
import signal
import socket
import threading
from collections.abc import Callable
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Self

from sojourn.activity.rules_file import load_event_rules
from sojourn.aws.faults import faults_from_settings, inject_faults
from sojourn.aws.gateway import Boto3IdentityCenter
from sojourn.aws.key_vault import Boto3KeyVault
from sojourn.aws.settings import AwsSettings
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
from sojourn.service.ports.provider import Provider
from sojourn.service.ports.schedule import OnCallSource
from sojourn.service.provisioning import TickReport
from sojourn.service.registration import WorkerName
from sojourn.service.reviews import ReviewService
from sojourn.settings import Settings
from sojourn.store import Store, open_store
from sojourn.store.audit_checkpoints import CheckpointDirectory, create_signing_key
from sojourn.usage.rules import EventRules
from sojourn.worker.runner import Worker, run_loop
from sojourn.worker.supervisor import STALE_TICKS, Supervisor, WorkerPulse

DISPATCHER_DRAIN_SECONDS = 5.0


class RuntimeCore:
    """The store, AWS, the clock, notifications and the use cases over them, built on first use."""

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

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def with_clock(self, clock: Clock) -> Self:
        """The same adapters on another clock (the demo's simulated hours); closing it closes nothing."""
        other = type(self)(self.settings, clock)
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

    def check_config(self, config: Path) -> None:
        """Read the configuration at `config` once: a worker or server refuses to start on one it cannot
        read (once running, an unreadable configuration is logged at each tick and grants still end)."""
        load_config(read_config_sources(config))

    def supervised_worker(self, config: Path, *, interval: float) -> Supervisor:
        """The worker on a thread that is started again whenever it ends (`sojourn serve`); its pulse says
        whether it is ticking. Call `start()` on it."""
        pulse = WorkerPulse(max(self.settings.worker_stale_after, STALE_TICKS * interval))
        return Supervisor(
            lambda stop: self.run_worker(config, interval=interval, stop=stop, pulse=pulse.beat), pulse
        )

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

    def provider(self, *, region: str | None = None, instance_arn: str | None = None) -> Provider:
        """The cloud the control plane manages, as the provider port (AWS IAM Identity Center today).

        `region` and `instance_arn` are the AWS part of a configuration's settings, pinning the instance.
        """
        return self.gateway(region=region, instance_arn=instance_arn)

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
