"""The `confidant signal …` command line, kept apart from its implementation (bot/transports/signal/admin.py)
so that building the parser imports nothing heavy: every `confidant` command builds it at start."""

from __future__ import annotations

import argparse

CAPTCHA_PAGE = "https://signalcaptchas.org/challenge/generate.html"


def add_signal_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    signal = subparsers.add_parser(
        "signal", help="Signal operator commands (status, link, rate-limit challenge, trust)"
    )
    commands = signal.add_subparsers(dest="signal_command", required=True, metavar="SIGNAL_COMMAND")
    commands.add_parser("status", help="check signal-cli-rest-api and list what needs the operator")
    link = commands.add_parser(
        "link",
        help="link the bot to a phone's Signal account: prints the QR code to scan, in the terminal",
        description="On the phone with the bot's own, dedicated number: Signal → Settings → Linked devices → +, "
        "then scan the code printed here. Needs no browser on the server.",
    )
    link.add_argument("--device-name", default="confidant", help="the name the phone shows (default: confidant)")
    link.add_argument(
        "--wait",
        type=float,
        default=180.0,
        help="seconds to wait for the scan before giving up (default: 180; 0 prints the code and returns)",
    )
    link.add_argument("--uri", action="store_true", help="print the sgnl:// link instead of a QR code")
    challenge = commands.add_parser(
        "challenge",
        help="lift a Signal rate limit with a solved captcha",
        description=f"Solve the captcha at {CAPTCHA_PAGE}, copy the signalcaptcha://… link and pass it here.",
    )
    challenge.add_argument("captcha", help="the signalcaptcha://… value")
    challenge.add_argument("--token", help="challenge token (default: the one saved when the limit was hit)")
    trust = commands.add_parser(
        "trust",
        help="trust a person's new safety number after checking it with them",
        description="Check the safety number with the person (in person or by a call) before trusting it.",
    )
    trust.add_argument("who", help="pseudonym from the log line, or the person's number or Signal UUID")
    trust.add_argument("--safety-number", help="the verified safety number (default: trust all known keys)")


