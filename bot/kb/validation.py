"""pydantic's side of the schema: each dataclass of bot/kb/schema.py checked as a strict model made from its own
fields, so that `confidant kb check` names every problem as `field: problem` in pydantic's words.

Only the validating loader imports this module (through the hooks in bot/kb/rules.py); answering a question from
a snapshot never does.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, TypeVar, get_type_hints

from annotated_types import MinLen
from pydantic import AfterValidator, BaseModel, ConfigDict, GetCoreSchemaHandler, StringConstraints, TypeAdapter
from pydantic import create_model as _create_model
from pydantic_core import core_schema

from bot.kb.rules import Rule, Validated

# Unknown fields are typos. Strings are stripped: YAML's block scalars end in a newline.
STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

Entry = TypeVar("Entry", bound=Validated)


def rule_schema(rule: Rule, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
    if rule.check is not None:
        return handler(Annotated[source, AfterValidator(rule.check)])
    if source is str:
        constraints = StringConstraints(min_length=rule.min_length, max_length=rule.max_length, pattern=rule.pattern)
        return handler(Annotated[source, constraints])
    # A tuple: the lengths count its items.
    return handler(Annotated[source, MinLen(rule.min_length or 0)])


_models: dict[type[Validated], type[BaseModel]] = {}
_adapters: dict[type[Validated], TypeAdapter[Any]] = {}


def _model(entry: type[Validated]) -> type[BaseModel]:
    if entry in _models:
        return _models[entry]
    hints = get_type_hints(entry, include_extras=True)
    fields: dict[str, Any] = {
        field.name: (hints[field.name], ... if field.default is dataclasses.MISSING else field.default)
        for field in dataclasses.fields(entry)  # type: ignore[arg-type]
    }
    # The model's name is the dataclass's: pydantic's messages name it ("a valid dictionary or instance of E2EE").
    model: type[BaseModel] = _create_model(entry.__name__, __config__=STRICT, **fields)
    _models[entry] = model
    return model


def entry_schema(entry: type[Validated], handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
    model = _model(entry)
    names = tuple(model.model_fields)

    def build(checked: BaseModel) -> Validated:
        # The dataclass's __post_init__ checks the rules across fields; its ValueError becomes pydantic's error.
        return entry(**{name: getattr(checked, name) for name in names})

    return core_schema.no_info_after_validator_function(build, handler(model))


def validate(entry: type[Entry], data: object) -> Entry:
    """`data` as an `entry`; raises pydantic's ValidationError listing every problem."""
    adapter = _adapters.get(entry) or _adapters.setdefault(entry, TypeAdapter(entry))
    checked: Entry = adapter.validate_python(data)
    return checked
