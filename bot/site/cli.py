"""`confidant kb site DIR`: build the website and say where it went and how long it took."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TextIO

from bot.kb.check import load_or_report


def run_site_command(root: Path, out_dir: str, site_url: str | None, out: TextIO, err: TextIO) -> int:
    started = time.perf_counter()
    knowledge = load_or_report(root, err)
    if knowledge is None:
        return 1
    from bot.site.build import build_site

    target = Path(out_dir)
    try:
        report = build_site(knowledge, target, site_url=site_url)
    except OSError as error:
        print(f"{target}: cannot write the site: {error.strerror or error}", file=err)
        return 1
    seconds = time.perf_counter() - started
    for warning in knowledge.warnings:
        print(f"warning: {warning}", file=err)
    print(
        f"wrote {report.pages} pages ({report.platforms} platforms, {report.topics} topics) "
        f"to {target} in {seconds:.2f} s",
        file=out,
    )
    print(f"open {target / 'index.html'} in a browser, or publish the folder as it is", file=out)
    if site_url is None:
        print("set CONFIDANT_SITE_URL to the address you publish it at, for links that can be shared", file=out)
    return 0
