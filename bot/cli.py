"""The `confidant` command. Imports are lazy so that `confidant ask` starts fast."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="confidant", description="Is this platform safe for my clients?")
    commands = parser.add_subparsers(dest="command", required=True)
    kb = commands.add_parser("kb", help="check or list the knowledge base")
    kb_commands = kb.add_subparsers(dest="kb_command", required=True)
    kb_commands.add_parser("check", help="validate every entry")
    kb_list = kb_commands.add_parser("list", help="one row per entry")
    kb_list.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "kb":
        from bot.kb.check import check, listing
        from bot.kb.loader import bundled_knowledge_dir

        import os

        root = Path(os.environ.get("CONFIDANT_KNOWLEDGE_DIR") or bundled_knowledge_dir())
        if args.kb_command == "check":
            return check(root, sys.stdout, sys.stderr)
        return listing(root, sys.stdout, sys.stderr, as_json=args.json)
    return 2
