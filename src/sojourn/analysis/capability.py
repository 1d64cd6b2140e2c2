"""Escalation capabilities derived from the action catalogue: which actions let a principal gain the power
of another principal, and whose power each one yields.

- change permissions: IAM "Permissions management" actions that add or replace a user's, role's or group's
  policies, a managed policy's default version, or a permissions boundary; Identity Center permission-set
  policies (with the provisioning that applies them);
- take over credentials: IAM actions that create or reset a user's access key, console password,
  service-specific credential or SSH key; Identity Center account assignments and group memberships;
- change trust: a role's trust policy, the identity providers (SAML, OIDC) and Roles Anywhere trust anchors
  that trust policies name;
- run code as a role: actions whose request takes both a role (or instance profile) and code, a template,
  a script, an image or user data (from AWS's API models, or a catalogue condition key naming a role), with
  iam:PassRole for the service; resources that only run when invoked also need an action that invokes them;
- take over existing code: actions whose request carries code and that act on a resource type that those
  actions create (a function, an instance, a stack, a project, a job...), without creating it;
- assume: sts:AssumeRole, decided against each role's trust policy in the access graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from sojourn.catalog import ActionCatalog, ActionInfo
from sojourn.catalog.parameters import ParameterIndex, load_action_parameters

SERVICE_PRINCIPALS = {
    "ec2": ("ec2.amazonaws.com",),
    "ssm": ("ec2.amazonaws.com",),
    "ec2-instance-connect": ("ec2.amazonaws.com",),
    "ecs": ("ecs-tasks.amazonaws.com",),
    "apprunner": ("tasks.apprunner.amazonaws.com", "build.apprunner.amazonaws.com"),
    "elasticmapreduce": ("elasticmapreduce.amazonaws.com", "ec2.amazonaws.com"),
    "states": ("states.amazonaws.com",),
}
"""Services whose roles are not trusted by "<prefix>.amazonaws.com"; every other prefix follows that rule."""

IDENTITY_SERVICES = frozenset({"iam", "sts", "sso", "identitystore", "organizations"})
PERMISSION_WRITE = re.compile(
    r"^(put|attach|add|createpolicyversion|setdefaultpolicyversion|delete\w*permissionsboundary)"
)
PERMISSION_SET_WRITE = re.compile(
    r"^(put|attach|delete\w*permissionsboundary)\w*topermissionset$|^delete\w*boundary"
)
CREDENTIAL_WRITE = re.compile(
    r"^(create(accesskey|loginprofile|servicespecificcredential)|updateloginprofile"
    r"|resetservicespecificcredential|uploadsshpublickey)$"
)
"""Hand out a new secret (changing a key's status or deleting one hands out nothing)."""
SIGN_IN_WRITE = re.compile(r"^create(accountassignment|groupmembership)$")
PROVIDER_WRITE = re.compile(r"^(create|update|add)\w*(samlprovider|openidconnectprovider\w*)$")
TRUST_ANCHOR_WRITE = re.compile(r"^(create|update)trustanchor$")
STARTER = re.compile(r"^(invoke|start|run|execute)")
SESSION = re.compile(r"^(start\w*session|executecommand|create\w*presigned\w*url)$")
"""Open a shell or a signed-in console on a running resource."""
UNDOES = re.compile(r"^(delete|remove|stop|cancel|untag|tag|detach|disassociate|reject|deregister)")
"""Verbs that take away or halt: never a way to give code."""
CREATES = re.compile(r"^(create|register|run|request)(\w+)$")
ROLE_KEY = re.compile(r"^[\w-]+:\w*role(arn)?$", re.IGNORECASE)
VARIABLE = re.compile(r"\$\{[^}]*\}")


class Capability(StrEnum):
    PERMISSIONS = "change-permissions"
    CREDENTIALS = "take-over-credentials"
    TRUST = "change-trust"
    RUN_CODE = "run-code-as-role"
    EXISTING_CODE = "take-over-code"
    ASSUME = "assume"


class Yields(StrEnum):
    """Whose power a step hands over."""

    PRINCIPAL = "the user or role it acts on"
    GROUP_MEMBERS = "the members of the group it acts on"
    GROUP_POWER = "what the group it adds a user to holds"
    POLICY_HOLDERS = "the holders of the policy it acts on"
    SSO_ROLES = "the roles of Identity Center permission sets"
    FEDERATED_ROLES = "the roles that trust an identity provider"
    SERVICE_ROLES = "the roles that trust the service"


@dataclass(frozen=True, slots=True)
class Step:
    """One action that yields another principal's power, with what else must be allowed with it."""

    capability: Capability
    action: str
    yields: Yields
    needs: tuple[tuple[str, ...], ...] = ()
    """Each group: at least one of these actions must be allowed too."""
    services: tuple[str, ...] = ()
    """Service principals whose roles it reaches (run code, existing code, trust anchors)."""
    passes_role: bool = False
    """iam:PassRole must be allowed for one of the services."""

    @property
    def actions(self) -> tuple[str, ...]:
        return (self.action, *(group[0] for group in self.needs))


def service_principals(prefix: str) -> tuple[str, ...]:
    return SERVICE_PRINCIPALS.get(prefix, (f"{prefix}.amazonaws.com",))


@lru_cache(maxsize=4)
def default_steps(catalog: ActionCatalog) -> tuple[Step, ...]:
    """The steps of this catalogue with the packaged parameter data (read on the first call)."""
    return capability_steps(catalog, load_action_parameters())


@lru_cache(maxsize=4)
def capability_steps(catalog: ActionCatalog, parameters: ParameterIndex) -> tuple[Step, ...]:
    """Every step the catalogue and the parameter data give, in a fixed order."""
    run_code = _run_code_steps(catalog, parameters)
    return (
        *_permission_steps(catalog),
        *_credential_steps(catalog),
        *_trust_steps(catalog),
        *run_code,
        *_existing_code_steps(catalog, parameters, run_code),
    )


def _actions(catalog: ActionCatalog, prefix: str) -> list[ActionInfo]:
    service = catalog.service(prefix)
    return sorted(service.actions.values(), key=lambda a: a.name) if service else []


def _short(info: ActionInfo) -> str:
    return info.name.partition(":")[2].lower()


def _types(info: ActionInfo) -> set[str]:
    return {r.name.lower() for r in info.resource_types}


def _permission_steps(catalog: ActionCatalog) -> list[Step]:
    by_type = {
        "user": Yields.PRINCIPAL,
        "role": Yields.PRINCIPAL,
        "group": Yields.GROUP_MEMBERS,
        "policy": Yields.POLICY_HOLDERS,
    }
    steps = []
    for info in _actions(catalog, "iam"):
        if info.access_level not in ("Permissions management", "Write") or not PERMISSION_WRITE.match(
            _short(info)
        ):
            continue
        yields = next((by_type[t] for t in sorted(_types(info)) if t in by_type), None)
        if yields is Yields.GROUP_MEMBERS and "user" in _types(info):
            yields = Yields.GROUP_POWER
        if yields is not None:
            steps.append(Step(Capability.PERMISSIONS, info.name, yields))
    provision = tuple(i.name for i in _actions(catalog, "sso") if _short(i) == "provisionpermissionset")
    for info in _actions(catalog, "sso"):
        if "permissionset" in _types(info) and PERMISSION_SET_WRITE.match(_short(info)) and provision:
            steps.append(Step(Capability.PERMISSIONS, info.name, Yields.SSO_ROLES, (provision,)))
    return steps


def _credential_steps(catalog: ActionCatalog) -> list[Step]:
    steps = [
        Step(Capability.CREDENTIALS, info.name, Yields.PRINCIPAL)
        for info in _actions(catalog, "iam")
        if "user" in _types(info) and CREDENTIAL_WRITE.match(_short(info))
    ]
    for prefix in ("sso", "identitystore"):
        steps += [
            Step(Capability.CREDENTIALS, info.name, Yields.SSO_ROLES)
            for info in _actions(catalog, prefix)
            if SIGN_IN_WRITE.match(_short(info))
        ]
    return steps


def _trust_steps(catalog: ActionCatalog) -> list[Step]:
    steps = []
    for info in _actions(catalog, "iam"):
        if (
            "role" in _types(info)
            and "assumerolepolicy" in _short(info)
            and _short(info).startswith("update")
        ):
            steps.append(Step(Capability.TRUST, info.name, Yields.PRINCIPAL))
        elif PROVIDER_WRITE.match(_short(info)):
            steps.append(Step(Capability.TRUST, info.name, Yields.FEDERATED_ROLES))
    profiles = tuple(
        i.name for i in _actions(catalog, "rolesanywhere") if _short(i) in ("createprofile", "updateprofile")
    )
    steps += [
        Step(
            Capability.TRUST,
            info.name,
            Yields.SERVICE_ROLES,
            (profiles,) if profiles else (),
            ("rolesanywhere.amazonaws.com",),
        )
        for info in _actions(catalog, "rolesanywhere")
        if TRUST_ANCHOR_WRITE.match(_short(info))
    ]
    return steps


def takes_role(info: ActionInfo, parameters: ParameterIndex) -> bool:
    """A request member names a role, or a condition key of the action names one."""
    found = parameters.get(info.name)
    return bool(found and found.roles) or any(ROLE_KEY.match(k) for k in info.condition_keys)


def _run_code_steps(catalog: ActionCatalog, parameters: ParameterIndex) -> list[Step]:
    """Launchers: a role and code in one request, or a role at creation and code in a later request on
    the created resource type (an interpreter created with a role, then given code to run)."""
    steps = []
    for name in parameters.names():
        info = catalog.action(name)
        found = parameters.get(name)
        prefix = name.partition(":")[0].lower()
        if info is None or found is None or prefix in IDENTITY_SERVICES or info.access_level != "Write":
            continue
        if not takes_role(info, parameters):
            continue
        if found.code:
            starters = _starters(catalog, info)
        else:
            starters = _later_code(catalog, parameters, info)
            if not starters:
                continue
        steps.append(
            Step(
                Capability.RUN_CODE,
                info.name,
                Yields.SERVICE_ROLES,
                (starters,) if starters else (),
                service_principals(prefix),
                passes_role=True,
            )
        )
    return steps


def _noun(info: ActionInfo) -> str:
    match = CREATES.match(_short(info))
    return match.group(2) if match else ""


def _later_code(catalog: ActionCatalog, parameters: ParameterIndex, launch: ActionInfo) -> tuple[str, ...]:
    """Same-service actions that take code on the resource type the launch action creates."""
    noun = _noun(launch)
    if not noun:
        return ()
    prefix = launch.name.partition(":")[0]
    return tuple(
        i.name
        for i in _actions(catalog, prefix)
        if i.access_level == "Write"
        and not UNDOES.match(_short(i))
        and (found := parameters.get(i.name)) is not None
        and found.code
        and any(r.required and r.name.lower().replace("-", "") == noun for r in i.resource_types)
    )


def _starters(catalog: ActionCatalog, launch: ActionInfo) -> tuple[str, ...]:
    """Actions that run what the launch action creates, when it only runs on invocation (the service can
    invoke the resource type), else none: the resource runs once created. A starter acts on the resource
    type, or names it in a condition key (lambda:FunctionArn on CreateEventSourceMapping)."""
    required = [r.name.lower() for r in launch.resource_types if r.required]
    if not required or STARTER.match(_short(launch)):
        return ()
    prefix = launch.name.partition(":")[0]
    kind = required[0]
    key = f"{prefix}:{kind.replace('-', '')}arn".lower()
    writes = [i for i in _actions(catalog, prefix) if i.access_level == "Write"]
    same_type = [i for i in writes if kind in _types(i)]
    if not any(_short(i).startswith("invoke") for i in same_type):
        return ()
    wired = [
        i for i in writes if key in (k.lower() for k in i.condition_keys) and _short(i).startswith("create")
    ]
    return tuple(i.name for i in same_type if STARTER.match(_short(i))) + tuple(i.name for i in wired)


def _normalised(arn: str) -> str:
    return VARIABLE.sub("*", arn).lower()


def _running_types(catalog: ActionCatalog, run_code: list[Step]) -> dict[str, str]:
    """ARN patterns of the resources that run as a role -> the service in the ARN: every resource type of a
    launcher and of what it needs, and the type of its service it is named after (RunTask: task)."""
    running: dict[str, str] = {}
    for step in run_code:
        for name in (step.action, *(a for group in step.needs for a in group)):
            info = catalog.action(name)
            if info is None:
                continue
            types = list(info.resource_types)
            if noun := _noun(info):
                service = catalog.service(name.partition(":")[0])
                types += [
                    r
                    for other in (service.actions.values() if service else ())
                    for r in other.resource_types
                    if r.name.lower().replace("-", "") == noun
                ][:1]
            for requirement in types:
                if requirement.arn:
                    running.setdefault(_normalised(requirement.arn), requirement.arn.split(":")[2])
    return running


def _existing_code_steps(
    catalog: ActionCatalog, parameters: ParameterIndex, run_code: list[Step]
) -> list[Step]:
    """Actions that give code, a command or a session to a resource that already runs as a role."""
    running = _running_types(catalog, run_code)
    steps = []
    for info in (i for prefix in catalog.services() for i in _actions(catalog, prefix)):
        prefix = info.name.partition(":")[0].lower()
        if info.access_level != "Write" or prefix in IDENTITY_SERVICES or _creates(info):
            continue
        if UNDOES.match(_short(info)):
            continue
        found = parameters.get(info.name)
        if not (found is not None and found.code) and not SESSION.match(_short(info)):
            continue
        services = sorted(
            {running[_normalised(r.arn)] for r in info.resource_types if _normalised(r.arn) in running}
        )
        if services:
            principals = tuple(p for s in services for p in service_principals(s))
            steps.append(Step(Capability.EXISTING_CODE, info.name, Yields.SERVICE_ROLES, (), principals))
    return steps


def _creates(info: ActionInfo) -> bool:
    """The action creates the resource it is asked on (CreateFunction on a function, RunInstances...)."""
    match = CREATES.match(_short(info))
    if match is None:
        return False
    noun = match.group(2)
    required = [r.name.lower().replace("-", "") for r in info.resource_types if r.required]
    return not required or any(noun.startswith(t) or t.startswith(noun) for t in required)
