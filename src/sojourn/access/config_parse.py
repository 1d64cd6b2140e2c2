"""YAML sources -> AccessConfig, collecting every problem with its file, line and field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import ValidationError

from sojourn.access.config import (
    AccessConfig,
    DriftMode,
    EligibilityRule,
    IdentitySource,
    OnCallSchedule,
    Origin,
    Rule,
    Selector,
    Settings,
    Team,
    TeamMember,
)
from sojourn.access.config_eligibility import eligibility_rule, on_call_schedule
from sojourn.access.config_model import (
    BreakGlassModel,
    EligibilityModel,
    FileModel,
    MemberModel,
    PermissionSetModel,
    PersonModel,
    SelectorModel,
    SettingsModel,
)
from sojourn.access.config_permission_set import permission_set_spec
from sojourn.access.config_review import review_settings, revocation
from sojourn.access.config_salvage import salvage
from sojourn.access.issues import ConfigIssue
from sojourn.access.review_settings import ReviewSettings, Revocation
from sojourn.access.state import (
    PermissionSetSpec,
    UserSpec,
)
from sojourn.access.yaml_source import LocatedDocument, Path, load_located, render_path


@dataclass(frozen=True, slots=True)
class ConfigResult:
    config: AccessConfig | None
    issues: tuple[ConfigIssue, ...]
    partial: AccessConfig | None = None
    """What could be built despite the issues (for the checks that need the organisation), if anything."""

    @property
    def ok(self) -> bool:
        return self.config is not None and not self.issues


def parse_config(sources: Mapping[str, str]) -> ConfigResult:
    """Parse and cross-check every file; the config is returned only when there is no issue."""
    issues: list[ConfigIssue] = []
    files: list[tuple[LocatedDocument, FileModel]] = []
    dropped: set[tuple[str, str]] = set()
    unreadable = False
    for name in sorted(sources):
        loaded = load_located(name, sources[name])
        if isinstance(loaded, ConfigIssue):
            issues.append(loaded)
            unreadable = True
            continue
        model = _validate_file(loaded, issues)
        if model is not None:
            files.append((loaded, model))
        elif isinstance(loaded.data, dict):  # the entries valid alone are still cross-checked
            salvaged, lost = salvage(loaded.data)
            files.append((loaded, salvaged))
            dropped |= lost
        else:
            unreadable = True
    if not sources:
        issues.append(
            ConfigIssue(
                "<config>", 1, 1, "", "no configuration files found; give a .yaml file or a directory"
            )
        )
    if unreadable or not sources:
        return ConfigResult(None, tuple(issues))
    builder = _Builder(issues, frozenset(dropped))
    for document, model in files:
        builder.add(document, model)
    config = builder.finish()
    return ConfigResult(None if issues else config, tuple(issues), partial=config)


def _validate_file(document: LocatedDocument, issues: list[ConfigIssue]) -> FileModel | None:
    if not isinstance(document.data, dict):
        issues.append(document.issue((), "the file must be a mapping with keys such as people, teams, rules"))
        return None
    try:
        return FileModel.model_validate(document.data)
    except ValidationError as error:
        for problem in error.errors():
            if problem["type"] == "string_type" and isinstance(problem.get("input"), dict):
                continue  # a mapping where a name or a mapping may stand: the mapping's own issue says more
            path = _pydantic_path(problem["loc"])
            issues.append(document.issue(path, _explain(problem)))
        return None


def _pydantic_path(loc: tuple[int | str, ...]) -> Path:
    """Drop the union-branch labels pydantic inserts (e.g. 'str', 'MemberModel') from a location."""
    branch_labels = {"str", "MemberModel", "dict[str,any]", "function-after[_duration(), str]"}
    return tuple(part for part in loc if not (isinstance(part, str) and part in branch_labels))


def _explain(problem: Mapping[str, object]) -> str:
    kind = problem.get("type")
    if kind == "extra_forbidden":
        return "unknown field; check the spelling against docs/configuration.md"
    if kind == "missing":
        return "required field is missing"
    message = str(problem.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


class _Builder:
    def __init__(self, issues: list[ConfigIssue], dropped: frozenset[tuple[str, str]] = frozenset()) -> None:
        self.issues = issues
        self.dropped = dropped
        """(kind, name) of entries that failed their schema: already reported, so never "unknown"."""
        self.settings: Settings | None = None
        self.people: dict[str, UserSpec] = {}
        self.teams: dict[str, Team] = {}
        self.groups: dict[str, str] = {}
        self.permission_sets: dict[str, PermissionSetSpec] = {}
        self.supersedes: dict[str, frozenset[str]] = {}
        self.rules: list[Rule] = []
        self.origins: dict[str, Origin] = {}
        self.references: list[tuple[str, str, Origin]] = []
        self.eligibility: list[EligibilityRule] = []
        self.on_call: list[OnCallSchedule] = []
        self.reviews: ReviewSettings | None = None
        self.revocations: list[Revocation] = []

    def add(self, document: LocatedDocument, model: FileModel) -> None:
        if model.settings is not None:
            self._add_settings(document, model.settings)
        for index, person in enumerate(model.people):
            if self._declare(document, f"person:{person.user_name}", ("people", index, "user_name")):
                self.people[person.user_name] = _user_spec(person)
        for index, group in enumerate(model.groups):
            if self._declare(document, f"group:{group.name}", ("groups", index, "name")):
                self.groups[group.name] = group.description
        for index, team in enumerate(model.teams):
            self._add_team(document, index, team.name, team)
        for index, permission_set in enumerate(model.permission_sets):
            self._add_permission_set(document, index, permission_set)
        for index, rule in enumerate(model.rules):
            self._add_rule(document, index, rule)
        self._add_on_call(document, model)
        self._add_eligibility(document, model)
        self._add_reviews(document, model)

    def _add_reviews(self, document: LocatedDocument, model: FileModel) -> None:
        if model.reviews is not None:
            if self.reviews is not None:
                self.issues.append(document.issue(("reviews",), "reviews are set in two files; keep one"))
            self.reviews, references = review_settings(model.reviews, self._origin(document, ("reviews",)))
            self.references += references
        for index, entry in enumerate(model.revocations):
            found, references = revocation(entry, self._origin(document, ("revocations", index)))
            self.revocations.append(found)
            self.references += references

    def _add_settings(self, document: LocatedDocument, s: SettingsModel) -> None:
        if self.settings is not None:
            self.issues.append(document.issue(("settings",), "settings are given in two files; keep one"))
        self.settings = Settings(
            s.region, s.instance_arn, IdentitySource(s.identity_source), DriftMode(s.drift)
        )

    def _add_on_call(self, document: LocatedDocument, model: FileModel) -> None:
        for index, schedule_model in enumerate(model.on_call):
            if self._declare(document, f"on_call:{schedule_model.name}", ("on_call", index, "name")):
                origin = self._origin(document, ("on_call", index))
                schedule, refs = on_call_schedule(
                    schedule_model, _selector(schedule_model.where), origin, self.issues
                )
                self.on_call.append(schedule)
                self.references += refs

    def _add_eligibility(self, document: LocatedDocument, model: FileModel) -> None:
        """Eligibility and break-glass entries; each name is declared once per kind."""
        entries: list[tuple[str, int, EligibilityModel | BreakGlassModel]] = [
            *(("eligibility", i, e) for i, e in enumerate(model.eligibility)),
            *(("break_glass", i, e) for i, e in enumerate(model.break_glass)),
        ]
        for key, index, entry in entries:
            if not self._declare(document, f"{key}:{entry.name}", (key, index, "name")):
                continue
            origin = self._origin(document, (key, index))
            found, references = eligibility_rule(entry, _selector(entry.where), origin, self.issues)
            self.eligibility.append(found)
            self.references += references

    def _declare(self, document: LocatedDocument, key: str, path: Path) -> bool:
        line, col = document.locate(path)
        if key in self.origins:
            first = self.origins[key]
            kind, name = key.split(":", 1)
            self.issues.append(
                ConfigIssue(
                    document.file,
                    line,
                    col,
                    render_path(path),
                    f"duplicate {kind.replace('_', ' ')} {name!r}, "
                    f"first declared at {first.file}:{first.line}; keep one of them",
                )
            )
            return False
        self.origins[key] = Origin(document.file, line, col, render_path(path))
        return True

    def _origin(self, document: LocatedDocument, path: Path) -> Origin:
        line, col = document.locate(path)
        return Origin(document.file, line, col, render_path(path))

    def _add_team(self, document: LocatedDocument, index: int, name: str, team: object) -> None:
        from sojourn.access.config_model import TeamModel

        assert isinstance(team, TeamModel)
        if not self._declare(document, f"team:{name}", ("teams", index, "name")):
            return
        members: list[TeamMember] = []
        for position, member in enumerate(team.members):
            path = ("teams", index, "members", position)
            if isinstance(member, MemberModel):
                if member.since and member.until and member.until < member.since:
                    self.issues.append(document.issue(path, "'until' is before 'from'; swap them"))
                members.append(TeamMember(member.person, member.since, member.until))
            else:
                members.append(TeamMember(member))
            person = members[-1].person
            self.references.append(("person", person, self._origin(document, path)))
        self.teams[name] = Team(
            name,
            team.description,
            _selector(team.accounts) if team.accounts else None,
            tuple(members),
            self._origin(document, ("teams", index)),
        )

    def _add_permission_set(self, document: LocatedDocument, index: int, model: PermissionSetModel) -> None:
        path: Path = ("permission_sets", index)
        if not self._declare(document, f"permission_set:{model.name}", (*path, "name")):
            return
        self.permission_sets[model.name] = permission_set_spec(document, path, model, self.issues)
        self.supersedes[model.name] = frozenset(model.supersedes)
        for position, other in enumerate(model.supersedes):
            self.references.append(
                ("permission_set", other, self._origin(document, (*path, "supersedes", position)))
            )

    def _add_rule(self, document: LocatedDocument, index: int, model: object) -> None:
        from sojourn.access.config_model import RuleModel

        assert isinstance(model, RuleModel)
        path: Path = ("rules", index)
        if not self._declare(document, f"rule:{model.name}", (*path, "name")):
            return
        if not (model.who.teams or model.who.people or model.who.groups):
            self.issues.append(
                document.issue((*path, "who"), "say who the rule is for: teams, people or groups")
            )
        for kind, names in (
            ("team", model.who.teams),
            ("person", model.who.people),
            ("group", model.who.groups),
        ):
            for position, name in enumerate(names):
                if not _is_glob(name):
                    self.references.append(
                        (
                            kind,
                            name,
                            self._origin(
                                document,
                                (*path, "who", f"{kind}s" if kind != "person" else "people", position),
                            ),
                        )
                    )
        for position, name in enumerate(model.what):
            self.references.append(
                ("permission_set", name, self._origin(document, (*path, "what", position)))
            )
        if model.where.own and not model.who.teams:
            self.issues.append(document.issue((*path, "where", "own"), "'own' needs the rule to name teams"))
        self.rules.append(
            Rule(
                model.name,
                tuple(model.who.teams),
                tuple(model.who.people),
                tuple(model.who.groups),
                _selector(model.where),
                tuple(model.what),
                self._origin(document, path),
            )
        )

    def finish(self) -> AccessConfig:
        known: dict[str, Mapping[str, object]] = {
            "person": self.people,
            "team": self.teams,
            "group": self.groups,
            "permission_set": self.permission_sets,
            "on_call": {s.name: s for s in self.on_call},
        }
        settings = self.settings or Settings()
        team_groups = settings.identity_source is IdentitySource.IDENTITY_CENTER
        for kind, name, origin in self.references:
            if (kind, name) in self.dropped or (kind == "group" and ("team", name) in self.dropped):
                continue
            if name not in known[kind] and not (kind == "group" and team_groups and name in self.teams):
                self.issues.append(
                    origin.issue(
                        f"unknown {kind.replace('_', ' ')} {name!r}; declare it under "
                        f"{'people' if kind == 'person' else kind + 's'} or fix the name"
                    )
                )
        if settings.identity_source is IdentitySource.IDENTITY_CENTER:
            for group in self.groups:
                if group in self.teams:
                    origin = self.origins[f"group:{group}"]
                    message = f"group {group!r} has the name of a team; teams become groups of that name"
                    self.issues.append(origin.issue(message))
        return AccessConfig(
            settings,
            self.people,
            self.teams,
            self.groups,
            self.permission_sets,
            self.supersedes,
            tuple(self.rules),
            self.origins,
            tuple(self.eligibility),
            tuple(self.on_call),
            self.reviews or ReviewSettings(),
            tuple(self.revocations),
        )


def _user_spec(person: PersonModel) -> UserSpec:
    """Identity Store requires given and family names; derive them from the display name when absent."""
    display = person.display_name or person.user_name
    words = display.split()
    given = person.given_name or (words[0] if words else person.user_name)
    family = person.family_name or (" ".join(words[1:]) if len(words) > 1 else given)
    return UserSpec(person.user_name, display, person.email, given, family)


def _selector(model: SelectorModel) -> Selector:
    return Selector(
        model.all,
        tuple(model.ids),
        tuple(model.names),
        tuple(model.ous),
        tuple(sorted(model.tags.items())),
        model.own,
        _selector(model.exclude) if model.exclude else None,
    )


def _is_glob(name: str) -> bool:
    return any(ch in name for ch in "*?[")
