"""AWS IAM Identity Center and Organizations as a provider (the port is service/ports/provider.py)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime
from itertools import chain

from sojourn.access.changes import AssignmentChange, Change
from sojourn.access.organization import Organization
from sojourn.access.outcome import ChangeOutcome, ReadResult
from sojourn.access.state import Assignment
from sojourn.aws.calls import Caller, CallLog, RetryPolicy
from sojourn.aws.clients import AwsClients, build_clients, client_factory
from sojourn.aws.identity_center_calls import InstanceCalls
from sojourn.aws.identity_center_reader import IdentityCenterReader
from sojourn.aws.identity_center_writer import IdentityCenterWriter
from sojourn.aws.identity_index import IdentityIndex, InstanceRef
from sojourn.aws.organization_reader import read_organization
from sojourn.aws.pacing import AdaptiveRate, OutstandingWindow, Pacing
from sojourn.aws.settings import AwsSettings


class NoIdentityCenter(Exception):
    """No (or more than one) Identity Center instance where one was expected."""


class Boto3IdentityCenter:
    """Identity Center and Organizations through boto3, with counted, retried calls."""

    def __init__(
        self,
        settings: AwsSettings,
        clients: AwsClients | None = None,
        instance_arn: str | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.settings = settings
        self.clients = clients or build_clients(settings)
        self.log = CallLog()
        self.window = OutstandingWindow(settings.max_outstanding)
        self.pacing = Pacing({"sso-admin": AdaptiveRate(settings.sso_rate)}, self.window)
        self.call = Caller(self.log, retry or RetryPolicy(max_attempts=settings.max_attempts), self.pacing)
        self.index = IdentityIndex()
        self.instance = self._discover(instance_arn)
        self.reader = IdentityCenterReader(
            self.call,
            self.clients,
            self.instance,
            self.index,
            settings.max_concurrency,
            settings.read_strategy,
        )
        calls = InstanceCalls(
            self.call, self.clients, self.instance, self.index, settings.poll_interval, settings.poll_timeout
        )
        self.writer = IdentityCenterWriter(calls, self.window)

    def _discover(self, instance_arn: str | None) -> InstanceRef:
        instances = list(self.call.pages(self.clients.sso_admin, "list_instances", "Instances"))
        if instance_arn:
            instances = [i for i in instances if i["InstanceArn"] == instance_arn]
        if len(instances) != 1:
            found = ", ".join(i["InstanceArn"] for i in instances) or "none"
            raise NoIdentityCenter(
                f"expected one IAM Identity Center instance in {self.settings.region}, found {found}; "
                "enable Identity Center or set settings.instance_arn"
            )
        return InstanceRef(instances[0]["InstanceArn"], instances[0]["IdentityStoreId"])

    @property
    def instance_id(self) -> str:
        """The Identity Center instance's ARN."""
        return self.instance.instance_arn

    def config_settings(self) -> Mapping[str, str]:
        """The AWS part of a configuration's settings: the region and the instance."""
        return {"region": self.settings.region, "instance_arn": self.instance.instance_arn}

    def caller_identity(self) -> str:
        """The ARN of the credentials in use, from sts get-caller-identity."""
        sts = client_factory(self.settings)("sts")
        return str(self.call(sts, "get_caller_identity")["Arn"])

    def read_organization(self, *, with_tags: bool = True) -> Organization:
        return read_organization(self.call, self.clients.organizations, with_tags=with_tags)

    def read_state(
        self, organization: Organization, known_pairs: Collection[tuple[str, str]] = ()
    ) -> ReadResult:
        """The instance's state; `known_pairs` (account id, permission set) help the pair strategy."""
        self.writer.forget_assignments()
        return self.reader.read(organization, known_pairs)

    def apply_change(self, change: Change) -> ChangeOutcome:
        return self.writer.apply(change)

    def apply_changes(
        self, changes: Iterable[Change], *, on_outcome: Callable[[ChangeOutcome], None]
    ) -> list[ChangeOutcome]:
        """Changes at once: enough workers to keep the assignment window full (each waits on its own
        operation, and an ended one on the next FAILED listing, FAILED_EVERY seconds at most, with its
        place in the window already free), while the window and the call rate, not the workers, bound
        what AWS is asked."""
        pending = iter(changes)
        first = next(pending, None)
        if first is None:
            return []
        workers = self.settings.max_concurrency
        if isinstance(first, AssignmentChange):
            workers = max(workers, 8 * self.settings.max_outstanding)
        return run_bounded(self.apply_change, chain([first], pending), workers, on_outcome)

    def forget_assignments(self) -> None:
        self.writer.forget_assignments()

    def assignment_exists(self, assignment: Assignment) -> bool:
        return self.writer.assignment_exists(assignment)

    def revoke_sessions(
        self, permission_set: str, people: Sequence[tuple[str, datetime]], now: datetime
    ) -> str:
        return self.writer.revoke_sessions(permission_set, people, now)

    @property
    def unsupported(self) -> tuple[str, ...]:
        return tuple(sorted(self.reader.unsupported | self.writer.unsupported))


def run_bounded(
    apply: Callable[[Change], ChangeOutcome],
    changes: Iterable[Change],
    limit: int,
    on_outcome: Callable[[ChangeOutcome], None],
) -> list[ChangeOutcome]:
    """At most `limit` changes in flight; `on_outcome` runs in the caller's thread as each finishes."""
    outcomes: list[ChangeOutcome] = []
    pending = iter(changes)
    with ThreadPoolExecutor(max(1, limit)) as pool:
        running: set[Future[ChangeOutcome]] = set()
        for change in pending:
            running.add(pool.submit(apply, change))
            if len(running) >= limit:
                break
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                outcome = future.result()
                outcomes.append(outcome)
                on_outcome(outcome)
                following = next(pending, None)
                if following is not None:
                    running.add(pool.submit(apply, following))
    return outcomes
