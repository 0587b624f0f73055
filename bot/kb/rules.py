"""Field rules that cost nothing until something validates.

The schema's dataclasses (bot/kb/schema.py) load on every start of the program, `confidant ask` included, and
importing pydantic alone takes about ten times as long as starting a bare interpreter. So the rules are written
here as plain data; pydantic reads them only when the validating loader runs (bot/kb/validation.py), through the
`__get_pydantic_core_schema__` hook it documents for types that describe their own validation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rule:
    """Constraints on one field: lengths (of a string, or of a tuple's items), a pattern, or a check function
    that returns the value or raises ValueError with the sentence a curator reads."""

    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    check: Callable[[str], str] | None = None

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from bot.kb.validation import rule_schema

        return rule_schema(self, source, handler)


class Validated:
    """Base of the schema's dataclasses. pydantic validates each as a strict model made from its fields (unknown
    fields are typos), then builds the dataclass, whose `__post_init__` checks the rules across fields."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        from bot.kb.validation import entry_schema

        return entry_schema(cls, handler)
