"""YAML as people write it: `no`, `yes`, `on` and `off` stay words (YAML 1.1 would turn Norway into False)."""

from __future__ import annotations

import re
from typing import Any

import yaml

# libyaml's parser when PyYAML has it (the wheels do): about ten times faster, which is most of `ask`'s start-up.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class WordsLoader(_Base):  # type: ignore[valid-type,misc]
    """A SafeLoader that reads only true/false as booleans."""


WordsLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
WordsLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=WordsLoader)  # noqa: S506 - WordsLoader is a SafeLoader
