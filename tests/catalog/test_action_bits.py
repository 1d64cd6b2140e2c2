"""Action sets as bits agree with the catalogue's name expansion, for every service and random patterns."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sojourn.catalog import ACCESS_LEVELS, ActionCatalog, load_catalog

CATALOG = load_catalog()
NAMES = CATALOG.names(CATALOG.all_bits)


@pytest.fixture(scope="module")
def catalog() -> ActionCatalog:
    return CATALOG


def test_every_action_has_one_bit_and_names_come_back_sorted(catalog: ActionCatalog) -> None:
    assert len(NAMES) == len(set(NAMES)) > 20_000
    assert list(NAMES) == sorted(NAMES)
    assert catalog.names(catalog.bits_of(["s3:GetObject", "iam:PassRole", "no:SuchAction"])) == (
        "iam:PassRole",
        "s3:GetObject",
    )


@pytest.mark.parametrize("service", ["s3", "iam", "ec2", "s3-outposts", "s3express", "sts"])
def test_a_whole_service_and_its_prefixes_match_expand(catalog: ActionCatalog, service: str) -> None:
    for pattern in (f"{service}:*", f"{service}:Get*", f"{service}:*Policy*", f"{service}:?et*"):
        assert set(catalog.names(catalog.bits(pattern))) == catalog.expand(pattern), pattern


@st.composite
def patterns(draw: st.DrawFn) -> str:
    """A catalogue name with some letters turned into wildcards, in a random letter case."""
    name = draw(st.sampled_from(NAMES))
    prefix, _, action = name.partition(":")
    cut = draw(st.integers(0, len(action)))
    tail = draw(st.sampled_from(["", "*", "?", "*" + action[cut + 1 : cut + 3]]))
    pattern = f"{prefix}:{action[:cut]}{tail}"
    return pattern.upper() if draw(st.booleans()) else pattern.lower()


@settings(max_examples=300, deadline=None)
@given(st.lists(patterns(), max_size=12))
def test_union_of_patterns_is_the_union_of_their_expansions(chosen: list[str]) -> None:
    expected: set[str] = set()
    for pattern in chosen:
        expected |= CATALOG.expand(pattern)
    assert set(CATALOG.names(CATALOG.union_bits(chosen))) == expected
    assert set(CATALOG.names(CATALOG.not_action_bits(chosen))) == set(NAMES) - expected


def test_names_can_stop_after_a_few(catalog: ActionCatalog) -> None:
    everything = catalog.bits("*")
    assert catalog.names(everything, 3) == NAMES[:3]
    assert catalog.names(0) == ()


def test_access_level_counts_match_counting_name_by_name(catalog: ActionCatalog) -> None:
    chosen = catalog.union_bits(["s3:*", "iam:Get*", "ec2:Describe*"])
    by_name = dict.fromkeys(ACCESS_LEVELS, 0)
    for name in catalog.names(chosen):
        level = catalog.access_level(name)
        assert level is not None
        by_name[level] += 1
    assert catalog.access_level_counts(chosen) == by_name


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("s?:GetObject", {"s3:GetObject"}), ("s3.:GetObject", set()), ("[s]3:*", set()), ("(s3|iam):*", set())],
)
def test_service_parts_are_globs_not_regular_expressions(
    catalog: ActionCatalog, pattern: str, expected: set[str]
) -> None:
    assert catalog.expand(pattern) == expected
    assert set(catalog.names(catalog.bits(pattern))) == expected


def test_resource_types_carry_their_condition_keys(catalog: ActionCatalog) -> None:
    """ec2:InstanceType is a key of the instance resource type, not of the RunInstances action itself."""
    info = catalog.action("ec2:RunInstances")
    assert info is not None and "ec2:InstanceType" not in info.condition_keys
    instance = next(r for r in info.resource_types if r.name == "instance")
    assert "ec2:InstanceType" in instance.condition_keys and instance.arn.endswith("instance/${InstanceId}")
