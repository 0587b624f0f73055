"""Entries as plain data (what JSON holds) and back, for the knowledge-base snapshot (bot/kb/snapshot.py).

Going back builds the schema's own dataclasses, led by their type hints, and checks every value's type on the
way: a snapshot that is not what this code wrote fails here instead of reaching the brain. The dataclasses'
cross-field rules run again as they are built. String constraints (lengths, patterns, URLs) are not re-checked:
the validating loader checked them before it wrote the snapshot, and the snapshot's digest says it is unchanged.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from bot.kb.rules import Validated

Convert = Callable[[Any], Any]
Entry = TypeVar("Entry", bound=Validated)

_fields: dict[type[Validated], tuple[tuple[str, Convert], ...]] = {}


def to_plain(value: object) -> object:
    """A dataclass as a mapping of every field; tuples as lists, enums as their values, dates as ISO text."""
    if isinstance(value, Validated):
        return {field.name: to_plain(getattr(value, field.name)) for field in dataclasses.fields(value)}  # type: ignore[arg-type]
    if isinstance(value, tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def from_plain(kind: type[Entry], data: object) -> Entry:
    """`kind` from what `to_plain` made of one; raises TypeError, ValueError or KeyError for anything else."""
    fields = _fields.get(kind) or _fields.setdefault(kind, _converters(kind))
    mapping = _exactly(dict, data)
    if len(mapping) != len(fields):
        raise ValueError(f"{kind.__name__}: fields {sorted(mapping)}")
    return kind(**{name: convert(mapping[name]) for name, convert in fields})


def _converters(kind: type[Validated]) -> tuple[tuple[str, Convert], ...]:
    hints = get_type_hints(kind)  # without the Annotated rules: those are the validating loader's
    return tuple((field.name, _converter(hints[field.name])) for field in dataclasses.fields(kind))  # type: ignore[arg-type]


def _exactly(kind: type[Any], value: object) -> Any:
    if type(value) is not kind:
        raise TypeError(f"expected {kind.__name__}, found {type(value).__name__}")
    return value


def _converter(hint: Any) -> Convert:
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        return _converter(args[0])
    if origin in (Union, types.UnionType):
        (inner,) = [arg for arg in args if arg is not type(None)]
        convert = _converter(inner)
        return lambda value: None if value is None else convert(value)
    if origin is tuple:
        item = _converter(args[0])
        return lambda value: tuple(item(each) for each in _exactly(list, value))
    if origin is Literal:
        return lambda value: _chosen(value, args)
    if isinstance(hint, type) and issubclass(hint, Validated):
        return lambda value: from_plain(hint, value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return lambda value: hint(_exactly(str, value))
    if hint is date:
        return lambda value: date.fromisoformat(_exactly(str, value))
    if hint in (str, bool, int):
        return lambda value: _exactly(hint, value)
    raise TypeError(f"no plain form for {hint!r}")


def _chosen(value: object, choices: tuple[object, ...]) -> object:
    if value not in choices:
        raise ValueError(f"{value!r} is not one of {choices}")
    return value
