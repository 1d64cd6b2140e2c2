"""`sojourn right-size`: a generated least-privilege policy as an edit of the access-as-code configuration."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sojourn.access.config_edit import ConfigEditRefused, find_entry, set_entry_keys, unified_patch
from sojourn.access.state import PermissionSetSpec, canonical_policy_json
from sojourn.access.yaml_source import MAX_CONFIG_CHARACTERS
from sojourn.analysis.snapshot import OrgSnapshot, Role, User
from sojourn.catalog.catalog import ActionCatalog
from sojourn.policy.model import Policy, PolicyKind
from sojourn.policy.parser import parse_policy_document
from sojourn.service.config_files import read_config_sources
from sojourn.service.config_plans import ConfigUnreadable
from sojourn.service.planning import load_config
from sojourn.service.policy_review import AnalysisReview
from sojourn.service.ports.activity import UsageRepository
from sojourn.service.right_sizing_moves import MoveRefused, eligibility_move, idle_people, idle_people_move
from sojourn.service.usage_report import SSO_ROLE_PREFIX, PermissionSetUnknown
from sojourn.usage.caller import permission_set_of
from sojourn.usage.generation import GeneratedPolicy, Target, generate_policy
from sojourn.usage.lines import UsageLine

SECTION = "permission_sets"


class RightSizeRefused(ValueError):
    """Right-sizing cannot be proposed safely for this subject; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Proposal:
    """The generated policy and, for a permission set, the configuration edit that makes it real."""

    generated: GeneratedPolicy
    before: Mapping[str, str] = field(default_factory=dict)
    after: Mapping[str, str] = field(default_factory=dict)
    """Changed files only: path -> new text."""
    note: str = ""

    @property
    def patch(self) -> str:
        return unified_patch(
            {_shown(f): t for f, t in self.before.items()}, {_shown(f): t for f, t in self.after.items()}
        )


def right_size_permission_set(
    usage: UsageRepository,
    catalog: ActionCatalog,
    config: Path,
    name: str,
    *,
    since: datetime,
    snapshot: OrgSnapshot | None = None,
    approvers: Sequence[str] = (),
) -> Proposal:
    """A new version of permission set `name`: its inline policy becomes the policy generated from the use
    of everyone who held it since `since`, within what its inline and managed policies grant today (the
    managed ones replaced by it). A set nobody used is moved from standing rules to eligibility instead,
    approved by the teams `approvers`. Raises ConfigUnreadable, ConfigInvalid, PermissionSetUnknown,
    RightSizeRefused."""
    try:
        sources = read_config_sources(config)
    except OSError as error:
        raise ConfigUnreadable(str(error)) from error
    access = load_config(sources)
    spec = access.permission_sets.get(name)
    if spec is None:
        known = ", ".join(sorted(access.permission_sets)) or "none"
        raise PermissionSetUnknown(f"no permission set named {name!r} in the configuration (it has: {known})")
    lines = [
        line
        for line in usage.lines(principal_like=f"{SSO_ROLE_PREFIX}{name}_", since=since)
        if permission_set_of(line.principal) == name
    ]
    subject, review = f"permission set {name}", AnalysisReview(catalog)
    if not [line for line in lines if not line.denied]:
        try:
            after = eligibility_move(sources, access, name, approvers)
        except MoveRefused as error:
            raise RightSizeRefused(str(error)) from error
        note = f"nobody used {name} since {since:%Y-%m-%d}: " + (
            "its standing rules move to eligibility"
            if after
            else "no standing rule grants it; nothing to change"
        )
        nothing = generate_policy(subject, (), catalog, (), Target.PERMISSION_SET_INLINE, review)
        return Proposal(nothing, {f: sources[f] for f in after}, after, note)
    today = _permission_set_policies(spec, snapshot)
    generated = generate_policy(subject, lines, catalog, today, Target.PERMISSION_SET_INLINE, review)
    if generated.empty:
        return Proposal(generated, note="nothing used is granted today; no policy to propose")
    if not generated.fits:
        return Proposal(
            generated, note=f"the policy does not fit {generated.target.limit:,} characters; not proposed"
        )
    try:
        place = find_entry(sources, SECTION, name)
        edited = set_entry_keys(
            sources[place.file],
            place.file,
            SECTION,
            name,
            {"managed_policies": None, "inline_policy": generated.document},
        )
    except ConfigEditRefused as error:
        raise RightSizeRefused(str(error)) from error
    _check_edit(sources, place.file, edited, name, generated)
    files = {**sources, place.file: edited}
    users = {line.session for line in lines if not line.denied and line.session}
    note = ""
    if approvers:
        try:
            moved_files, moved = idle_people_move(files, access, name, users, approvers)
        except MoveRefused as error:
            raise RightSizeRefused(str(error)) from error
        files.update(moved_files)
        note = f"moved to eligibility, as they did not use {name}: {', '.join(moved)}" if moved else ""
    elif idle := idle_people(access, name, users):
        note = f"{', '.join(idle)} did not use {name}: pass --approver TEAM to move them to eligibility"
    after = {f: t for f, t in files.items() if t != sources[f]}
    return Proposal(generated, {f: sources[f] for f in after}, after, note)


def right_size_principal(
    usage: UsageRepository,
    catalog: ActionCatalog,
    principal: str,
    *,
    since: datetime,
    snapshot: OrgSnapshot | None,
) -> Proposal:
    """The policy generated for one IAM role or user from its use since `since`, within its policies in the
    snapshot; IAM principals are not in the configuration, so it is printed, not written."""
    if permission_set_of(principal) is not None:
        raise RightSizeRefused(
            f"{principal} is an Identity Center role: right-size its permission set with --permission-set "
            f"{permission_set_of(principal)}"
        )
    if snapshot is None:
        raise RightSizeRefused(
            "a principal's policies are read from a snapshot: take one with `sojourn snapshot` "
            "and pass --snapshot"
        )
    lines: list[UsageLine] = [
        line for line in usage.lines(principal_like=principal, since=since) if line.principal == principal
    ]
    today = principal_policies(snapshot, principal)
    review = AnalysisReview(catalog)
    return Proposal(generate_policy(principal, lines, catalog, today, Target.IDENTITY_INLINE, review))


def principal_policies(snapshot: OrgSnapshot, principal: str) -> tuple[Policy, ...]:
    """The identity policies (inline, managed, and for a user its groups') of `principal` in `snapshot`."""
    for account in snapshot.accounts:
        holders: list[Role | User] = [*account.roles, *account.users]
        for holder in holders:
            if holder.arn != principal:
                continue
            documents = [(f"{holder.name} inline {p.name}", p.document) for p in holder.inline]
            managed = list(holder.managed)
            groups = holder.groups if isinstance(holder, User) else ()
            for group in account.groups:
                if group.name in groups:
                    documents += [(f"group {group.name} inline {p.name}", p.document) for p in group.inline]
                    managed += group.managed
            for arn in managed:
                document = snapshot.policy(account, arn)
                if document is None:
                    raise RightSizeRefused(f"the snapshot lacks the document of {arn}; take a new snapshot")
                documents.append((arn, document))
            return tuple(_parsed(source, document, PolicyKind.IDENTITY) for source, document in documents)
    raise RightSizeRefused(f"{principal} is not in the snapshot; take a new one with `sojourn snapshot`")


def _permission_set_policies(spec: PermissionSetSpec, snapshot: OrgSnapshot | None) -> tuple[Policy, ...]:
    if spec.customer_managed_policies:
        names = ", ".join(ref.name for ref in spec.customer_managed_policies)
        raise RightSizeRefused(
            f"permission set {spec.name} attaches customer managed policies ({names}), "
            "whose documents differ per account; right-sizing covers inline and AWS managed policies: "
            "move them inline first"
        )
    policies = []
    if spec.inline_policy is not None:
        policies.append(
            _parsed("inline_policy", json.loads(spec.inline_policy), PolicyKind.PERMISSION_SET_INLINE)
        )
    missing = [arn for arn in spec.managed_policies if snapshot is None or arn not in snapshot.aws_policies]
    if missing:
        raise RightSizeRefused(
            f"permission set {spec.name} attaches {', '.join(missing)}, not known offline; "
            "pass --snapshot with a snapshot (`sojourn snapshot`) of an account where it is used, "
            "so what it grants can be read"
        )
    for arn in spec.managed_policies:
        assert snapshot is not None
        policies.append(_parsed(arn, snapshot.aws_policies[arn], PolicyKind.AWS_MANAGED))
    return tuple(policies)


def _parsed(source: str, document: object, kind: PolicyKind) -> Policy:
    parsed = parse_policy_document(document, source=source, kind=kind)
    if parsed.policy is None:
        raise RightSizeRefused(f"{source}: today's policy cannot be read: {parsed.issues[0]}")
    return parsed.policy


def _check_edit(
    sources: Mapping[str, str], file: str, edited: str, name: str, generated: GeneratedPolicy
) -> None:
    """The edited configuration still parses and gives the set exactly the generated policy."""
    changed = dict(sources)
    changed[file] = edited
    spec = load_config(changed).permission_sets[name]
    if spec.inline_policy != canonical_policy_json(generated.document) or spec.managed_policies:
        raise RightSizeRefused(f"{file}: the edit did not give {name} the generated policy; edit it by hand")


def write_proposal(proposal: Proposal) -> list[Path]:
    """Write each changed file through a temporary file and a rename, after checking that nobody changed
    it since it was read; returns the files written."""
    written = []
    for file, text in proposal.after.items():
        path = Path(file)
        if len(text) > MAX_CONFIG_CHARACTERS:
            raise RightSizeRefused(
                f"{file}: the edited file would be past {MAX_CONFIG_CHARACTERS:,} characters"
            )
        if path.exists() and path.read_text(encoding="utf-8") != proposal.before.get(file, ""):
            raise RightSizeRefused(f"{file} changed since it was read; run right-size again")
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(path)
    return written


def _shown(file: str) -> str:
    """The path the patch names: relative to the working directory when inside it (for `patch -p1`)."""
    relative = os.path.relpath(file)
    return file if relative.startswith("..") or Path(relative).is_absolute() else relative
