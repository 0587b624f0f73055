"""Renders the knowledge base into static pages with Jinja2, and writes them with the stylesheet and script.

`render_site` is pure (entries in, `{path: html}` out) so tests read pages without touching disk; `build_site`
writes them. Autoescaping is on for every template: entry text is curator-written and must never become markup.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.kb.knowledge import FAIL_AFTER_DAYS, READER_NOTICE_DAYS, REVIEW_DUE_DAYS, KnowledgeBase
from bot.kb.schema import E2EEState, Platform, Topic, Verdict
from bot.kb.words import VERDICT_LABELS
from bot.site.scorecard import (
    SURFACE_LABELS,
    Row,
    Surface,
    is_stale,
    lead,
    numbered_sources,
    sections,
)
from bot.site.urls import PLATFORMS, REVIEWING, TOPICS, absolute, folder, page_path

HERE = Path(__file__).parent
STATIC = HERE / "static"
ASSETS = "assets"
DESCRIPTION_MAX_CHARS = 200

VERDICT_MEANINGS = {
    Verdict.RECOMMENDED: "End-to-end encrypted by default for what it is recommended for, with no ads or ad tracking.",
    Verdict.CARE: "Can be used with the right plan and settings: its page says what to change.",
    Verdict.AVOID: "Not safe enough for client work: the company can read, hear or sell too much.",
    Verdict.RETIRED: "No longer available: its page names what to use instead.",
}
# The direct answers to what counsellors ask, in the order the page shows them; absent ones are left out.
ASPECT_QUESTIONS = (
    ("recording", "Recording"),
    ("groups", "Group chats and group sessions"),
    ("mobile", "On a phone"),
    ("accounts", "What your client needs to join"),
    ("cost", "Cost"),
    ("ai_features", "Built-in AI"),
    ("backups", "Chat history and backups"),
)
REGIONS = (("uk", "United Kingdom"), ("eu", "European Union"), ("us", "United States"))


@dataclass(frozen=True)
class LegendItem:
    verdict: Verdict
    meaning: str


@dataclass(frozen=True)
class SiteReport:
    pages: int
    platforms: int
    topics: int


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def short_date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["long_date"] = long_date
    environment.filters["short_date"] = short_date
    environment.filters["lead"] = lead
    environment.globals.update(
        verdict_labels=VERDICT_LABELS,
        verdicts=Verdict,
        platform_path=lambda entry_id: page_path(PLATFORMS, entry_id),
        topic_path=lambda entry_id: page_path(TOPICS, entry_id),
    )
    return environment


def _clip(text: str, limit: int = DESCRIPTION_MAX_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


class _Site:
    """Everything a page may need, computed once per build."""

    def __init__(self, knowledge: KnowledgeBase, site_url: str | None, today: date) -> None:
        self.knowledge = knowledge
        self.site_url = site_url
        self.today = today
        self.sections = sections(knowledge.platforms.values(), today)
        self.rows: dict[str, Row] = {row.platform.id: row for section in self.sections for row in section.rows}
        self.environment = _environment()
        self.environment.globals.update(today=today, name_of=knowledge.name_of)

    def canonical(self, relative_folder: str) -> str | None:
        return None if self.site_url is None else absolute(self.site_url, relative_folder)

    def render(self, template: str, **context: Any) -> str:
        return self.environment.get_template(template).render(**context)

    def index(self) -> str:
        topics = sorted(self.knowledge.topics.values(), key=lambda topic: topic.name.casefold())
        count = len(self.knowledge.platforms)
        return self.render(
            "index.html",
            root="",
            title="Privacy scorecard for counsellors",
            description=_clip(
                f"{count} communication platforms rated for client work: end-to-end encryption, ads, who runs "
                "them, processor agreements, online status. Every fact sourced and dated."
            ),
            canonical=self.canonical(""),
            sections=self.sections,
            platform_count=count,
            legend=[LegendItem(verdict, meaning) for verdict, meaning in VERDICT_MEANINGS.items()],
            topics=topics,
        )

    def platform(self, platform: Platform) -> str:
        row = self.rows[platform.id]
        label = VERDICT_LABELS[platform.verdict]
        sources = numbered_sources(platform)
        e2ee = platform.e2ee
        e2ee_rows = [
            Surface(label_, getattr(e2ee, name))
            for name, label_ in SURFACE_LABELS.items()
            if getattr(e2ee, name) is not E2EEState.NOT_APPLICABLE
        ]
        aspects = [(question, value) for name, question in ASPECT_QUESTIONS if (value := getattr(platform, name))]
        return self.render(
            "platform.html",
            root="../../",
            title=f"{platform.name}: {label}",
            og_title=f"{platform.name}: {label} for client work",
            og_type="article",
            description=_clip(
                f"Verdict: {label}. {platform.summary.session} Reviewed {long_date(platform.reviewed)}."
            ),
            canonical=self.canonical(folder(PLATFORMS, platform.id)),
            p=platform,
            row=row,
            e2ee_rows=e2ee_rows,
            aspects=aspects,
            sources=sources,
            source_number={url: number for number, url in enumerate(sources, start=1)},
        )

    def topic(self, topic: Topic) -> str:
        laws = [(name, text) for key, name in REGIONS if topic.law is not None and (text := getattr(topic.law, key))]
        related = [(self._path_of(entry_id), self.knowledge.name_of(entry_id)) for entry_id in topic.related]
        return self.render(
            "topic.html",
            root="../../",
            title=topic.name,
            og_type="article",
            description=_clip(topic.short),
            canonical=self.canonical(folder(TOPICS, topic.id)),
            t=topic,
            stale=is_stale(topic.reviewed, self.today),
            laws=laws,
            related=related,
        )

    def reviewing(self) -> str:
        entries: list[Platform | Topic] = [*self.knowledge.platforms.values(), *self.knowledge.topics.values()]
        due = sorted(
            (
                (self._path_of(entry.id), entry.name, entry.reviewed)
                for entry in entries
                if is_stale(entry.reviewed, self.today)
            ),
            key=lambda item: item[2],
        )
        return self.render(
            "reviewing.html",
            root="../",
            title="How entries are reviewed",
            description="How every fact on the Confidant scorecard is sourced, dated, checked and kept up to date.",
            canonical=self.canonical(REVIEWING),
            notice_days=READER_NOTICE_DAYS,
            due_days=REVIEW_DUE_DAYS,
            fail_days=FAIL_AFTER_DAYS,
            due=due,
        )

    def _path_of(self, entry_id: str) -> str:
        return page_path(PLATFORMS if entry_id in self.knowledge.platforms else TOPICS, entry_id)

    def pages(self) -> Iterator[tuple[str, str]]:
        yield "index.html", self.index()
        for platform in self.knowledge.platforms.values():
            yield page_path(PLATFORMS, platform.id), self.platform(platform)
        for topic in self.knowledge.topics.values():
            yield page_path(TOPICS, topic.id), self.topic(topic)
        yield f"{REVIEWING}index.html", self.reviewing()


def render_site(knowledge: KnowledgeBase, *, site_url: str | None = None, today: date | None = None) -> dict[str, str]:
    """Every page as `{relative path: html}`; `site_url` adds canonical and Open Graph addresses."""
    return dict(_Site(knowledge, site_url, today or date.today()).pages())


def build_site(
    knowledge: KnowledgeBase, out_dir: Path, *, site_url: str | None = None, today: date | None = None
) -> SiteReport:
    """Write the site into `out_dir` (created if needed; files of an earlier build are overwritten)."""
    pages = render_site(knowledge, site_url=site_url, today=today)
    for relative, html in pages.items():
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    assets = out_dir / ASSETS
    assets.mkdir(parents=True, exist_ok=True)
    for asset in STATIC.iterdir():
        if asset.is_file():
            shutil.copyfile(asset, assets / asset.name)
    return SiteReport(pages=len(pages), platforms=len(knowledge.platforms), topics=len(knowledge.topics))
