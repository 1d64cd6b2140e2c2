"""Policy variables (${aws:username}, ${aws:PrincipalTag/x}, ${*}, ${?}, ${$}): checked and expanded."""

from __future__ import annotations

import re
from collections.abc import Mapping

from sojourn.policy.wildcards import LITERALS

VARIABLE = re.compile(r"\$\{([^}]*)\}")
SPECIAL = frozenset({"*", "?", "$"})
LITERAL = {char: stand_in for stand_in, char in LITERALS.items()}
NAME = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9_./:@+=-]+$")
DEFAULT = re.compile(r"""^\s*'[^']*'\s*$""")


def variable_problem(text: str) -> str | None:
    """Why a value's variables are malformed, or None: `${` must close and name a key or *, ? or $."""
    if "${" not in text:
        return None
    if text.count("${") != len(VARIABLE.findall(text)):
        return f"{text!r} has a '${{' without a closing '}}'"
    for inner in VARIABLE.findall(text):
        if inner in SPECIAL:
            continue
        name, comma, default = inner.partition(",")
        if not NAME.match(name.strip()):
            return f"'${{{inner}}}' does not name a condition key such as aws:username"
        if comma and not DEFAULT.match(default):
            return f"the default in '${{{inner}}}' must be a quoted string, e.g. ${{{name}, 'none'}}"
    return None


def substitute(text: str, context: Mapping[str, tuple[str, ...]], *, pattern: bool = False) -> str | None:
    """Expand variables from lower-case context keys (None if one is unresolved); ${*} stays literal."""
    if "${" not in text:
        return text
    missing = False

    def expand(match: re.Match[str]) -> str:
        nonlocal missing
        inner = match.group(1)
        if inner in SPECIAL:
            return LITERAL[inner] if pattern else inner
        name, _, default = inner.partition(",")
        values = context.get(name.strip().lower())
        if values and len(values) == 1:
            return values[0]
        if default.strip():
            return default.strip().strip("'\"")
        missing = True
        return ""

    result = VARIABLE.sub(expand, text)
    return None if missing else result
