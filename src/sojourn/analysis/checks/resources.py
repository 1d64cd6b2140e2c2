"""Actions paired with resources they cannot act on (needs the catalogue; without it nothing is found).

An Allow whose Resource list names only ARNs (no "*") grants an action only if one listed ARN can be a
resource of a type the action supports. A listed ARN and a type's ARN pattern are compared as two
wildcard patterns that may overlap: a policy `*` or `${variable}` is any text; a type's `${...}` is any
text too, except `${Partition}`, `${Region}`, `${Account}` and `${BucketName}`, which never hold "/" or
":" (so "arn:aws:s3:::bucket/*" is an object, never a bucket). Letters compare case-insensitively.

Decided limits, all to avoid false alarms: wildcard actions are not judged; an action whose catalogue
entry lacks a type's ARN is skipped; an action that supports no resource type ("*" only) is reported
unless a listed ARN ends in a bare `*` resource part (e.g. "arn:aws:s3:::*"), which AWS accepts for
several such actions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from sojourn.analysis.checks.common import has_wildcard, same_service_possible, statement_finding
from sojourn.analysis.finding import AnalysisContext, CheckMeta, Finding, Risk
from sojourn.catalog import ActionCatalog
from sojourn.policy.model import Effect, Policy, Statement
from sojourn.policy.wildcards import parts_match

ANY = "\x00any"
SEGMENT = "\x00segment"
ONE = "\x00one"
STARS = frozenset({ANY, SEGMENT})
SEGMENT_VARIABLES = frozenset({"partition", "region", "account", "bucketname"})
_TOKEN = re.compile(r"\$\{([^}]*)\}|.", re.S)

ACTION_RESOURCE_MISMATCH = CheckMeta(
    id="action-resource-mismatch",
    severity=Risk.LOW,
    title="Action allowed only on resources it never acts on",
    remediation='List the ARNs of the resource types the action supports, or "*" for actions that '
    "support no resource type.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", '
    '"Resource": "arn:aws:s3:::reports/*"}]}',
)


@lru_cache(maxsize=65_536)
def _tokens(pattern: str, segment_variables: frozenset[str]) -> tuple[str, ...]:
    tokens: list[str] = []
    for match in _TOKEN.finditer(pattern):
        variable, char = match.group(1), match.group(0)
        if variable is not None:
            tokens.append(SEGMENT if variable.lower() in segment_variables else ANY)
        else:
            tokens.append(ANY if char == "*" else ONE if char == "?" else char.lower())
    return tuple(tokens)


@lru_cache(maxsize=16_384)
def _single_tokens(arn: str) -> tuple[str, ...]:
    """The type pattern's tokens with every letter one character long (a lower-cased letter can be two)."""
    return tuple(
        part
        for token in _tokens(arn, SEGMENT_VARIABLES)
        for part in ((token,) if token[0] == "\x00" else token)
    )


def reads_as_type(text: str, arn: str) -> bool:
    """Whether the type's ARN pattern matches the policy resource read literally (`text`, lower case).

    The pattern's wildcards are followed as a set of positions, one character at a time, so the time is
    bounded by len(text) x len(pattern) whatever the input (a backtracking regular expression can take
    exponential time on a long resource against a pattern with several wildcards).
    """
    tokens = _single_tokens(arn)
    end = len(tokens)

    def closure(states: set[int]) -> set[int]:
        todo = list(states)
        while todo:
            at = todo.pop()
            if at < end and tokens[at] in STARS and at + 1 not in states:
                states.add(at + 1)
                todo.append(at + 1)
        return states

    states = closure({0})
    for char in text:
        following: set[int] = set()
        for at in states:
            if at == end:
                continue
            token = tokens[at]
            if token == ANY or (token == SEGMENT and char not in "/:"):
                following.add(at)
            elif token in (ONE, char):
                following.add(at + 1)
        if not following:
            return False
        states = closure(following)
    return end in states


def patterns_overlap(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    """Whether some text matches both token patterns: dynamic programming over both suffixes, row by row.

    A cell holds whether left[i:] and right[j:] overlap; a star may match nothing (move down or right) or
    eat the other side's next character when it fits (a segment star never eats "/" or ":").
    """
    n, m = len(left), len(right)
    right_star = [t in STARS for t in right]
    below = [False] * (m + 1)
    below[m] = True
    for j in range(m - 1, -1, -1):
        below[j] = right_star[j] and below[j + 1]
    for i in range(n - 1, -1, -1):
        p = left[i]
        p_star = p in STARS
        p_fits = p == ONE or (p != "/" and p != ":")
        row = [False] * (m + 1)
        row[m] = p_star and below[m]
        for j in range(m - 1, -1, -1):
            q = right[j]
            if (p_star and below[j]) or (right_star[j] and row[j + 1]):
                row[j] = True
            elif p_star:
                row[j] = (
                    not right_star[j] and row[j + 1] and (p == ANY or q == ONE or (q != "/" and q != ":"))
                )
            elif right_star[j]:
                row[j] = below[j] and (q == ANY or p_fits)
            else:
                row[j] = below[j + 1] and (p in (q, ONE) or q == ONE)
        below = row
    return below[0]


Piece = tuple[int, str]
"""The tokens between two colons of a pattern, as (kind, text); the text is the literal of LITERAL and
what follows the segment star of SEGMENT_THEN (it starts with "/"), else empty."""
LITERAL, SEGMENT_ONLY, SEGMENT_THEN, OTHER = range(4)


_ANY, _SEGMENT = "\ue100", "\ue101"
"""One character per star in the coded text of an ASCII pattern (so these never occur literally)."""
_CODED = {_ANY: ANY, _SEGMENT: SEGMENT}
_VARIABLE = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True, slots=True)
class Shape:
    """A pattern as one character per token, cut at its first and last ANY, for the fast comparisons."""

    coded: str
    head: tuple[Piece, ...]
    """The pieces before the first ANY (all of them when there is none); the last one ends at that ANY."""
    middle: tuple[str, ...] | None
    """The texts between consecutive ANYs; None when one of them is not all literal."""
    tail: str | None
    """The text after the last ANY, "" when the pattern ends with one; None when it is not all literal."""
    first: int
    """Index of the first ANY, -1 when there is none."""
    last: int

    def tokens(self, start: int = 0, stop: int | None = None) -> tuple[str, ...]:
        return tuple(_CODED.get(ch, ch) for ch in self.coded[start:stop])


def _piece(text: str) -> Piece:
    if _SEGMENT not in text:
        return LITERAL, text
    if text == _SEGMENT:
        return SEGMENT_ONLY, ""
    rest = text[1:]
    if text[0] == _SEGMENT and rest[0] == "/" and _SEGMENT not in rest:
        return SEGMENT_THEN, rest
    return OTHER, ""


@lru_cache(maxsize=65_536)
def shape(pattern: str, segment_variables: frozenset[str]) -> Shape | None:
    """None outside ASCII (where lower-casing per character and per text can differ) and with a ONE."""
    if not pattern.isascii() or "?" in pattern:
        return None
    coded = pattern.lower()
    if "${" in coded:
        coded = _VARIABLE.sub(lambda m: _SEGMENT if m.group(1) in segment_variables else _ANY, coded)
    coded = coded.replace("*", _ANY)
    first, last = coded.find(_ANY), coded.rfind(_ANY)
    head = tuple(_piece(text) for text in (coded[:first] if first >= 0 else coded).split(":"))
    if first < 0:
        return Shape(coded, head, (), "", first, last)
    middle = tuple(coded[first + 1 : last].split(_ANY)) if last > first else ()
    tail = coded[last + 1 :]
    return Shape(
        coded,
        head,
        None if any(_SEGMENT in text for text in middle) else middle,
        None if _SEGMENT in tail else tail,
        first,
        last,
    )


def _fits(text: str, piece: Piece) -> bool | None:
    """Whether the piece matches the whole text (which holds no colon); None when not decided here."""
    kind, literal = piece
    if kind == LITERAL:
        return text == literal
    if kind == SEGMENT_ONLY:
        return "/" not in text
    if kind == SEGMENT_THEN:
        at = text.find("/")
        return at >= 0 and text[at:] == literal
    return None


def _begins(text: str, piece: Piece) -> bool | None:
    """Whether the text (no colon) is the beginning of a string the piece matches."""
    kind, literal = piece
    if kind == LITERAL:
        return literal.startswith(text)
    if kind == SEGMENT_ONLY:
        return "/" not in text
    if kind == SEGMENT_THEN:
        at = text.find("/")
        return at < 0 or literal.startswith(text[at:])
    return None


def _leads(text: str, piece: Piece) -> int | None:
    """Length of the shortest string the piece matches that begins the text; -1 when there is none."""
    kind, literal = piece
    if kind == LITERAL:
        return len(literal) if text.startswith(literal) else -1
    if kind == SEGMENT_ONLY:
        return 0
    if kind == SEGMENT_THEN:
        at = text.find("/")
        return at + len(literal) if at >= 0 and text.startswith(literal, at) else -1
    return None


def _heads_meet(parts: list[str], pieces: tuple[Piece, ...], closed: bool) -> bool | None:
    """Whether text cut at its colons into parts begins a string of the pieces, or (unless closed, where
    the pieces are the whole pattern) a string of the pieces begins the text. Colons align: no piece
    matches one.
    """
    k, n = len(parts) - 1, len(pieces) - 1
    if closed and k > n:
        return False
    for i in range(min(k, n)):
        fit = _fits(parts[i], pieces[i])
        if not fit:
            return fit
    if k < n or closed:
        return _begins(parts[k], pieces[k])
    lead = _leads(parts[n], pieces[n])
    if k > n or (lead is not None and lead >= 0):
        return None if lead is None else lead >= 0
    return _begins(parts[k], pieces[k])


def _reads_as(text: str, mine: Shape, theirs: Shape) -> bool | None:
    """Whether the type pattern (theirs) matches the policy resource read literally (text, lower case)."""
    parts = text.split(":")
    pieces = theirs.head
    n = len(pieces) - 1
    if theirs.first < 0:
        if len(parts) != len(pieces):
            return False
        fits = [_fits(part, piece) for part, piece in zip(parts, pieces, strict=True)]
        return False if False in fits else None if None in fits else True
    if theirs.middle is None or theirs.tail is None or len(parts) <= n:
        return None if theirs.middle is None or theirs.tail is None else False
    for i in range(n):
        fit = _fits(parts[i], pieces[i])
        if not fit:
            return fit
    lead = _leads(parts[n], pieces[n])
    if lead is None or lead < 0:
        return None if lead is None else False
    start = sum(len(part) + 1 for part in parts[:n]) + lead
    return parts_match(("", *theirs.middle, theirs.tail), text[start:])


def _overlap(mine: Shape, theirs: Shape) -> bool | None:
    """Whether the patterns overlap, for a policy pattern with an ANY: if both have one, exactly when
    their heads and their tails agree (a string can hold both middles between them); None if undecided.
    """
    parts = [text for kind, text in mine.head]
    if theirs.first >= 0:
        heads = _heads_meet(parts, theirs.head, False)
        if heads is None:
            heads = patterns_overlap(
                (*mine.tokens(0, mine.first), ANY), (*theirs.tokens(0, theirs.first), ANY)
            )
        if not heads:
            return False
        left, right = mine.tokens(mine.last + 1), theirs.tokens(theirs.last + 1)
        return not left or not right or patterns_overlap((ANY, *left), (ANY, *right))
    if mine.first == mine.last == len(mine.coded) - 1:
        return _heads_meet(parts, theirs.head, True)
    return None


def fits_type(resource: str, arn: str) -> bool:
    """Literal reading first, then overlap (same service only); string comparisons wherever they decide."""
    mine, theirs = shape(resource, frozenset()), shape(arn, SEGMENT_VARIABLES)
    literal = None
    if mine is not None and theirs is not None:
        literal = _reads_as(resource.lower(), mine, theirs)
    if literal is None:
        literal = reads_as_type(resource.lower(), arn)
    if literal:
        return True
    if not same_service_possible(resource, arn, index=2):
        return False
    if mine is not None and theirs is not None:
        if mine.first < 0:
            return False  # the literal reading is the policy pattern's only string
        found = _overlap(mine, theirs)
        if found is not None:
            return found
    return patterns_overlap(_tokens(resource, frozenset()), _tokens(arn, SEGMENT_VARIABLES))


@lru_cache(maxsize=65_536)
def resource_fits(resource: str, type_arns: tuple[str, ...]) -> bool:
    """Whether the policy resource can name a resource of one of the types (given by ARN pattern)."""
    return any(fits_type(resource, arn) for arn in type_arns)


def _bare_star(resource: str) -> bool:
    parts = resource.split(":", 5)
    return len(parts) == 6 and parts[5] == "*"


@lru_cache(maxsize=65_536)
def _supported(catalog: ActionCatalog, action: str) -> tuple[str, tuple[str, ...], str] | None:
    """The action's name, its types' ARN patterns and names; None when unknown or a type lacks an ARN."""
    info = catalog.action(action)
    if info is None or any(not r.arn for r in info.resource_types):
        return None
    arns = tuple(r.arn for r in info.resource_types)
    return info.name, arns, ", ".join(r.name for r in info.resource_types)


def _mismatch(
    catalog: ActionCatalog, action: str, resources: tuple[str, ...], fitting: dict[tuple[str, ...], bool]
) -> str | None:
    """`fitting` remembers, for one statement's resources, whether some resource fits a set of types:
    the actions of a service mostly share a few."""
    supported = _supported(catalog, action)
    if supported is None:
        return None
    name, arns, names = supported
    if not arns:
        if any(_bare_star(r) for r in resources):
            return None
        return f'{name} supports only Resource "*"; the listed ARNs never grant it'
    fits = fitting.get(arns)
    if fits is None:
        fits = fitting[arns] = any(resource_fits(resource, arns) for resource in resources)
    return None if fits else f"{name} acts on {names}; none of the listed resources is one"


def _specific(statement: Statement) -> tuple[str, ...] | None:
    resources = statement.resources
    if statement.effect is not Effect.ALLOW or not resources or "*" in resources:
        return None
    return resources


def action_resource_mismatch(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    catalog = context.catalog
    if catalog is None:
        return
    for statement in policy.statements:
        resources = _specific(statement)
        if resources is None:
            continue
        fitting: dict[tuple[str, ...], bool] = {}
        for action in statement.actions or ():
            problem = None if has_wildcard(action) else _mismatch(catalog, action, resources, fitting)
            if problem:
                yield statement_finding(ACTION_RESOURCE_MISMATCH, policy, statement, problem)
