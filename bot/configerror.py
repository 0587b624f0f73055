"""How a configuration problem stops the program: one human sentence per problem, naming the variable.

Apart from bot/config.py (which re-exports it) so that raising and catching it never imports pydantic: `confidant
ask` raises it for a broken knowledge base or key file without loading the settings' validation.
"""

from __future__ import annotations


class ConfigError(Exception):
    """Configuration that cannot be used; `lines` holds one human sentence per problem, naming the variable."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines
