"""Effects to and from JSON values, as the outbox stores them: every effect type, with a decoder that says
exactly what is wrong with a body it cannot read.

Rows written before effects carried their request's fields hold only the kind's own fields (`accounts`,
`revoke_sessions_before`, `event`, `to`); `effect_from_json` completes them from the request they belong to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sojourn.workflow.effects import Audit, Deprovision, Effect, Notify, Provision
from sojourn.workflow.grant_request import GrantRequest

EFFECT_KINDS: dict[type[Any], str] = {
    Provision: "provision",
    Deprovision: "deprovision",
    Notify: "notify",
    Audit: "audit",
}
"""The stored name of each effect type; written in the row's `kind` column and the body's `kind` key."""
REMOVALS_FIRST = EFFECT_KINDS[Deprovision]
"""The kind workers take before any other when several are due: the end of a grant is the promise."""


class EffectDecodeError(ValueError):
    """A stored effect body that is not an effect this version knows, with where it is wrong."""


def effect_kind(effect: Effect) -> str:
    """The stored name of the effect's type."""
    return EFFECT_KINDS[type(effect)]


def effect_to_json(effect: Effect) -> dict[str, Any]:
    """The JSON value of an effect; `effect_from_json` reads it back to an equal effect."""
    if isinstance(effect, Provision):
        return {"kind": "provision", **_grant_fields(effect)}
    if isinstance(effect, Deprovision):
        return {
            "kind": "deprovision",
            **_grant_fields(effect),
            "revoke_sessions_before": effect.revoke_sessions_before.isoformat(),
        }
    if isinstance(effect, Notify):
        return {
            "kind": "notify",
            "event": effect.kind,
            "request_id": effect.request_id,
            "to": list(effect.to),
        }
    return {"kind": "audit", "action": effect.action, "actor": effect.actor, "reason": effect.reason}


def _grant_fields(effect: Provision | Deprovision) -> dict[str, Any]:
    return {
        "request_id": effect.request_id,
        "person": effect.person,
        "permission_set": effect.permission_set,
        "accounts": list(effect.accounts),
    }


def effect_from_json(value: object, *, request: GrantRequest | None = None) -> Effect:
    """The effect a stored body describes; fields missing from older rows are taken from `request`."""
    if not isinstance(value, Mapping):
        raise EffectDecodeError(f"effect: expected a JSON object, got {_kind_of(value)}")
    kind = value.get("kind")
    if not isinstance(kind, str) or kind not in _DECODERS:
        known = ", ".join(sorted(_DECODERS))
        raise EffectDecodeError(f"effect.kind: unknown kind {kind!r} (expected one of {known})")
    return _DECODERS[kind](_Body(value, kind, request))


class _Body:
    """One body being decoded: typed field access with the field's location in every error."""

    def __init__(self, value: Mapping[Any, Any], kind: str, request: GrantRequest | None) -> None:
        self.value, self.kind, self.request = value, kind, request
        self.read: set[str] = {"kind"}

    def text(self, key: str, fallback: str | None = None) -> str:
        found = self._get(key, fallback)
        if not isinstance(found, str):
            raise EffectDecodeError(f"effect({self.kind}).{key}: expected a string, got {_kind_of(found)}")
        return found

    def texts(self, key: str, fallback: tuple[str, ...] | None = None) -> tuple[str, ...]:
        found = self._get(key, list(fallback) if fallback is not None else None)
        if not isinstance(found, list) or not all(isinstance(item, str) for item in found):
            raise EffectDecodeError(
                f"effect({self.kind}).{key}: expected a list of strings, got {_kind_of(found)}"
            )
        return tuple(found)

    def instant(self, key: str) -> datetime:
        text = self.text(key)
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            raise EffectDecodeError(f"effect({self.kind}).{key}: {text!r} is not an ISO 8601 time") from None

    def request_field(self, key: str) -> str:
        known = getattr(self.request, "id" if key == "request_id" else key, None)
        return self.text(key, known if isinstance(known, str) else None)

    def done(self, effect: Effect) -> Effect:
        extra = sorted(str(key) for key in self.value if key not in self.read)
        if extra:
            raise EffectDecodeError(f"effect({self.kind}): unknown field(s) {', '.join(extra)}")
        return effect

    def _get(self, key: str, fallback: object) -> object:
        self.read.add(key)
        if key in self.value:
            return self.value[key]
        if fallback is not None:
            return fallback
        raise EffectDecodeError(f"effect({self.kind}).{key}: missing")


def _kind_of(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _provision(body: _Body) -> Effect:
    return body.done(
        Provision(
            body.request_field("request_id"),
            body.request_field("person"),
            body.request_field("permission_set"),
            body.texts("accounts"),
        )
    )


def _deprovision(body: _Body) -> Effect:
    return body.done(
        Deprovision(
            body.request_field("request_id"),
            body.request_field("person"),
            body.request_field("permission_set"),
            body.texts("accounts"),
            body.instant("revoke_sessions_before"),
        )
    )


def _notify(body: _Body) -> Effect:
    return body.done(Notify(body.text("event"), body.request_field("request_id"), body.texts("to", ())))


def _audit(body: _Body) -> Effect:
    return body.done(Audit(body.text("action"), body.text("actor"), body.text("reason")))


_DECODERS: dict[str, Callable[[_Body], Effect]] = {
    "provision": _provision,
    "deprovision": _deprovision,
    "notify": _notify,
    "audit": _audit,
}
