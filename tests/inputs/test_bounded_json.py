"""The bounded JSON reader: nesting, number length, constants and size give one error with a place, fast."""

from __future__ import annotations

import json
import time

import pytest

from sojourn.inputs.bounded_json import MAX_DEPTH, JsonInputError, load_json


def refused(text: str, **limits: int) -> JsonInputError:
    started = time.monotonic()
    with pytest.raises(JsonInputError) as caught:
        load_json(text, **limits)
    assert time.monotonic() - started < 5
    return caught.value


@pytest.mark.parametrize("opening, closing", [("[", "]"), ('{"a":', "}")])
def test_nesting_thousands_deep_is_one_error_at_the_first_level_too_deep(opening: str, closing: str) -> None:
    error = refused(opening * 5000 + "1" + closing * 5000)
    assert error.code == "too-deep"
    assert (error.line, error.column) == (1, MAX_DEPTH * len(opening) + 1)
    assert f"more than {MAX_DEPTH} levels" in error.message


def test_nesting_up_to_the_limit_is_read_and_brackets_inside_strings_do_not_count() -> None:
    assert load_json("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    assert load_json(json.dumps(["[" * 10_000, {"a": "{" * 10_000}])) == ["[" * 10_000, {"a": "{" * 10_000}]
    assert refused("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)).code == "too-deep"


def test_a_number_of_5000_digits_is_an_error_on_its_line() -> None:
    error = refused('{\n "Sid": ' + "9" * 5000 + "\n}")
    assert (error.code, error.line, error.column) == ("long-number", 2, 9)
    assert "more than 4300 digits" in error.message


def test_nan_and_infinity_are_not_json() -> None:
    error = refused("[1,\n Infinity]")
    assert (error.code, error.line, error.column) == ("not-json", 2, 2)


def test_text_past_the_size_limit_is_refused_before_decoding() -> None:
    error = refused("[" + "1," * 1000 + "1]", max_bytes=1000)
    assert error.code == "too-large"


def test_malformed_json_keeps_the_decoder_place() -> None:
    error = refused('{"a": [1, 2}')
    assert (error.code, error.line, error.column) == ("json-syntax", 1, 12)


def test_an_unterminated_string_is_a_syntax_error_not_a_crash() -> None:
    assert refused('["abc, [[[').code == "json-syntax"
