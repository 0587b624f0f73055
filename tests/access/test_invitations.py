"""Invitation codes: random enough, read forgivingly, never mistaken for something else."""

from __future__ import annotations

import math

import pytest

from bot.access.invitations import ALPHABET, LENGTH, grouped, join_argument, new_code, read_code


def test_a_code_carries_at_least_64_random_bits() -> None:
    assert LENGTH * math.log2(len(ALPHABET)) >= 80
    codes = {new_code() for _ in range(2_000)}
    assert len(codes) == 2_000
    assert all(len(code) == LENGTH and set(code) <= set(ALPHABET) for code in codes)
    # Every position uses the whole alphabet: no fixed or biased characters.
    for position in range(LENGTH):
        assert len({code[position] for code in codes}) == len(ALPHABET)


def test_codes_come_from_the_injected_random_source() -> None:
    assert new_code(lambda size: bytes(size)) == "0" * LENGTH
    assert new_code(lambda size: b"\xff" * size) == "Z" * LENGTH


@pytest.mark.parametrize(
    "typed",
    ["7K3M-Q9XD-2HPR-A4VB", "7k3m q9xd 2hpr a4vb", " 7K3MQ9XD2HPRA4VB ", "7k3m-q9xd-2hpr-a4vb", "7K3M.Q9XD_2HPR A4VB"],
)
def test_case_spaces_and_dashes_do_not_matter(typed: str) -> None:
    assert read_code(typed) == "7K3MQ9XD2HPRA4VB"


def test_letters_read_as_digits_are_read_as_digits() -> None:
    assert read_code("OOOO-IIII-LLLL-0000") == "0000111111110000"


@pytest.mark.parametrize(
    "typed", ["", "7K3M", "7K3M-Q9XD-2HPR-A4VBX", "7K3M-Q9XD-2HPR-A4VU", "is zoom safe?", "x" * 500]
)
def test_anything_else_is_not_a_code(typed: str) -> None:
    assert read_code(typed) is None


def test_a_code_is_shown_in_fours() -> None:
    assert grouped("7K3MQ9XD2HPRA4VB") == "7K3M-Q9XD-2HPR-A4VB"


@pytest.mark.parametrize(
    ("text", "argument"),
    [
        ("join 7K3M-Q9XD-2HPR-A4VB", "7K3M-Q9XD-2HPR-A4VB"),
        ("/join 7K3M Q9XD", "7K3M Q9XD"),
        ("JOIN  abc ", "abc"),
        ("/start 7K3MQ9XD2HPRA4VB", "7K3MQ9XD2HPRA4VB"),
        ("join", None),
        ("/start", None),
        ("how do I join a zoom call", None),
        ("rejoin 7K3M-Q9XD-2HPR-A4VB", None),
    ],
)
def test_what_is_a_request_to_join(text: str, argument: str | None) -> None:
    assert join_argument(text) == argument
