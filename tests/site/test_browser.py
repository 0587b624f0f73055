"""The built website in a real browser (Debian's headless Chromium): what a person sees, on a phone, a desktop
and paper, in the light and the dark scheme, and what axe-core finds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.kb.loader import KnowledgeBase
from bot.site.scorecard import numbered_sources
from tests.site.browser import Browser, View

pytestmark = pytest.mark.browser

PHONE = 360
DESKTOP = 1280
# A4 landscape is 297 mm wide; the print stylesheet's margins are 10 mm each side. CSS has 96 px to the inch.
A4_LANDSCAPE_PRINT_WIDTH = int((297 - 2 * 10) / 25.4 * 96)
PAGES = {
    "index": "index.html",
    "whatsapp": "platforms/whatsapp/index.html",
    "topic": "topics/e2ee/index.html",
    "reviewing": "reviewing/index.html",
}
SHOWN = ("index", "whatsapp")  # the pages photographed


def url(site_dir: Path, page: str) -> str:
    return (site_dir / PAGES[page]).as_uri()


def run_axe(browser: Browser, axe_source: str) -> list[dict[str, Any]]:
    browser.evaluate(axe_source + ";true")
    result: str = browser.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations.map(v => ({"
        "id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.html)}))))"
    )
    violations: list[dict[str, Any]] = json.loads(result)
    return violations


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_axe_finds_no_violations(
    browser: Browser, axe_source: str, site_dir: Path, page: str, scheme: str, width: int
) -> None:
    browser.open(url(site_dir, page), View(width, scheme=scheme))
    assert browser.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") is (scheme == "dark")
    violations = run_axe(browser, axe_source)
    assert violations == [], json.dumps(violations, indent=2)


def test_the_scorecard_shows_a_row_per_platform(browser: Browser, site_dir: Path, knowledge: KnowledgeBase) -> None:
    browser.open(url(site_dir, "index"), View(DESKTOP))
    names = browser.evaluate(
        "[...document.querySelectorAll('table.scorecard tbody tr')]"
        ".filter(row => row.getBoundingClientRect().height > 0)"
        ".map(row => row.querySelector('th').innerText.trim())"
    )
    assert sorted(names) == sorted(platform.name for platform in knowledge.platforms.values())
    assert browser.evaluate("document.querySelectorAll('h1').length") == 1


def test_the_whatsapp_page_shows_its_sources(browser: Browser, site_dir: Path, knowledge: KnowledgeBase) -> None:
    browser.open(url(site_dir, "whatsapp"), View(DESKTOP))
    shown = browser.evaluate(
        "[...document.querySelectorAll('ol.sources li a')]"
        ".filter(link => link.getBoundingClientRect().width > 0).map(link => link.href)"
    )
    assert shown == list(numbered_sources(knowledge.platforms["whatsapp"]))
    assert browser.evaluate("document.querySelector('h1').innerText") == "WhatsApp"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_phone_never_scrolls_the_page_sideways(browser: Browser, site_dir: Path, page: str) -> None:
    browser.open(url(site_dir, page), View(PHONE, height=740))
    assert browser.evaluate("innerWidth") == PHONE
    assert browser.evaluate("document.documentElement.scrollWidth") <= PHONE
    if page == "index":
        # The table keeps its columns and scrolls inside its own box instead.
        boxes = browser.evaluate(
            "[...document.querySelectorAll('.scroll')].map(box => [box.scrollWidth, box.clientWidth])"
        )
        assert boxes and all(inner > outer for inner, outer in boxes)


def test_print_keeps_every_column_on_an_a4_landscape_page(browser: Browser, site_dir: Path, screenshots: Path) -> None:
    width = A4_LANDSCAPE_PRINT_WIDTH
    browser.open(url(site_dir, "index"), View(width, media="print"))
    assert browser.evaluate("matchMedia('print').matches")
    layout = browser.evaluate(
        """(() => {
          const cells = [...document.querySelectorAll('table.scorecard th, table.scorecard td')];
          return {
            right: Math.max(...cells.map(cell => cell.getBoundingClientRect().right)),
            overflowing: cells.filter(cell => cell.scrollWidth > cell.clientWidth + 1)
              .map(cell => cell.outerHTML.slice(0, 80)),
            page: document.documentElement.scrollWidth,
            head: [...document.querySelectorAll('table.scorecard thead')].map(h => getComputedStyle(h).display),
            rows: [...document.querySelectorAll('table.scorecard tbody tr')].map(r => getComputedStyle(r).breakInside),
            filters: getComputedStyle(document.querySelector('[data-filters]')).display,
            buttons: [...document.querySelectorAll('table.scorecard thead button')]
              .filter(button => getComputedStyle(button).display !== 'none').length,
          };
        })()"""
    )
    assert layout["right"] <= width + 0.5, layout["right"]
    assert layout["overflowing"] == []
    assert layout["page"] <= width
    assert set(layout["head"]) == {"table-header-group"}  # repeated on every printed page
    assert set(layout["rows"]) == {"avoid"}  # no row split across two pages
    assert layout["filters"] == "none"
    # Chromium paints a button blank in the header row it repeats on later pages: sort buttons stay off paper.
    assert layout["buttons"] == 0
    pdf = browser.pdf(screenshots / "index-print-a4-landscape.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_without_javascript_the_table_is_complete(
    browser: Browser, site_dir: Path, knowledge: KnowledgeBase
) -> None:
    browser.open(url(site_dir, "index"), View(DESKTOP, scripts=False))
    assert browser.evaluate("document.querySelectorAll('table.scorecard tbody tr').length") == len(knowledge.platforms)
    assert browser.evaluate("document.querySelector('[data-filters]').hidden") is True
    assert browser.evaluate("document.querySelectorAll('table.scorecard th button.sort').length") == 0


def test_with_javascript_the_table_filters_and_sorts(browser: Browser, site_dir: Path) -> None:
    browser.open(url(site_dir, "index"), View(DESKTOP))
    visible = (
        "[...document.querySelectorAll('table.scorecard tbody tr')].filter(r => !r.hidden)"
        ".map(r => r.querySelector('th').innerText.trim())"
    )
    browser.evaluate(
        "(() => { const q = document.querySelector('#filter-name'); q.value = 'whats app';"
        " q.dispatchEvent(new Event('input')); })()"
    )
    assert browser.evaluate(visible) == ["WhatsApp"]
    assert browser.evaluate("document.querySelector('[data-status]').innerText").startswith("Showing 1 of ")
    assert browser.evaluate("[...document.querySelectorAll('section.group')].filter(s => !s.hidden).length") == 1
    browser.evaluate(
        "(() => { const q = document.querySelector('#filter-name'); q.value = '';"
        " q.dispatchEvent(new Event('input'));"
        " const v = document.querySelector('#filter-verdict'); v.value = 'recommended';"
        " v.dispatchEvent(new Event('change')); })()"
    )
    verdicts = browser.evaluate(
        "[...document.querySelectorAll('table.scorecard tbody tr')].filter(r => !r.hidden).map(r => r.dataset.verdict)"
    )
    assert verdicts and set(verdicts) == {"recommended"}
    # Sort by name, then again for the reverse order; every group's table follows.
    browser.evaluate("document.querySelector('table.scorecard thead th button.sort').click()")
    browser.evaluate("document.querySelector('table.scorecard thead th button.sort').click()")
    first_table = browser.evaluate(
        "[...document.querySelector('table.scorecard').tBodies[0].rows].map(r => r.cells[0].dataset.sort)"
    )
    assert first_table == sorted(first_table, reverse=True)
    assert browser.evaluate("document.querySelector('table.scorecard thead th').getAttribute('aria-sort')") == (
        "descending"
    )


@pytest.mark.parametrize("page", SHOWN)
@pytest.mark.parametrize(("device", "width"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_screenshots(browser: Browser, site_dir: Path, screenshots: Path, page: str, device: str, width: int) -> None:
    browser.open(url(site_dir, page), View(width, height=800))
    shot = browser.screenshot(screenshots / f"{page}-{device}.png")
    assert shot.read_bytes().startswith(b"\x89PNG")
