"""A permission set nobody used: its standing rules become eligibility (just-in-time) entries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sojourn.access.config import AccessConfig
from sojourn.access.config_edit import (
    ConfigEditRefused,
    find_entry,
    insert_entry,
    remove_entry,
    set_entry_keys,
)
from sojourn.service.planning import load_config

DEFAULT_MAX_DURATION = "4h"


class MoveRefused(ValueError):
    """The standing rules cannot be moved to eligibility as written; the message says what to do."""


def eligibility_move(
    sources: Mapping[str, str], access: AccessConfig, name: str, approvers: Sequence[str]
) -> dict[str, str]:
    """Changed files: every rule granting `name` loses it (the rule goes when it granted nothing else) and an
    eligibility entry with the rule's who and where, approved by the teams `approvers`, takes its place."""
    rules = [rule for rule in access.rules if name in rule.what]
    if not rules:
        return {}
    if not approvers:
        raise MoveRefused(
            f"nobody used {name} in the period: name who approves requests for it (--approver TEAM) "
            "to move its standing rules to eligibility"
        )
    files = dict(sources)
    for rule in rules:
        if rule.groups:
            raise MoveRefused(f"rule {rule.name} grants {name} to groups; eligibility names teams or people")
        try:
            place = find_entry(files, "rules", rule.name)
            text = files[place.file]
            if len(rule.what) == 1:
                text = remove_entry(text, place)
            else:
                what = [w for w in rule.what if w != name]
                text = set_entry_keys(text, place.file, "rules", rule.name, {"what": what})
            who: dict[str, object] = {}
            if rule.teams:
                who["teams"] = list(rule.teams)
            if rule.people:
                who["people"] = list(rule.people)
            entry = {
                "name": f"{rule.name}-{name}-on-request",
                "who": who,
                "permission_set": name,
                "where": place.data["where"],
                "max_duration": DEFAULT_MAX_DURATION,
                "approvers": {"teams": list(approvers)},
            }
            files[place.file] = insert_entry(text, "eligibility", entry)
        except ConfigEditRefused as error:
            raise MoveRefused(str(error)) from error
    load_config(files)
    return {f: t for f, t in files.items() if t != sources[f]}


def idle_people_move(
    sources: Mapping[str, str], access: AccessConfig, name: str, users: set[str], approvers: Sequence[str]
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Changed files and the people moved: people a rule names directly who did not use `name` lose the
    standing grant and become eligible for it (rules that grant only `name`; team members are not moved,
    since a team's rule cannot leave one member out)."""
    files = dict(sources)
    moved: list[str] = []
    for rule in access.rules:
        idle = [person for person in rule.people if person not in users]
        if rule.what != (name,) or not idle:
            continue
        try:
            place = find_entry(files, "rules", rule.name)
            text = files[place.file]
            keep = [person for person in rule.people if person in users]
            if keep or rule.teams or rule.groups:
                who: dict[str, object] = dict(_mapping(place.data.get("who")))
                if keep:
                    who["people"] = keep
                else:
                    who.pop("people", None)
                text = set_entry_keys(text, place.file, "rules", rule.name, {"who": who})
            else:
                text = remove_entry(text, place)
            entry = {
                "name": f"{rule.name}-idle-on-request",
                "who": {"people": idle},
                "permission_set": name,
                "where": place.data["where"],
                "max_duration": DEFAULT_MAX_DURATION,
                "approvers": {"teams": list(approvers)},
            }
            files[place.file] = insert_entry(text, "eligibility", entry)
        except ConfigEditRefused as error:
            raise MoveRefused(str(error)) from error
        moved += idle
    if moved:
        load_config(files)
    return {f: t for f, t in files.items() if t != sources[f]}, tuple(moved)


def idle_people(access: AccessConfig, name: str, users: set[str]) -> tuple[str, ...]:
    """People that rules granting only `name` name directly and who did not use it."""
    return tuple(
        sorted({p for rule in access.rules if rule.what == (name,) for p in rule.people if p not in users})
    )


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, dict) else {}
