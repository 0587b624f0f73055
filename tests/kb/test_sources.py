"""The source rules `confidant kb check` enforces: refused hosts, customer subdomains, cosmetic URL problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb.loader import KnowledgeError, load_knowledge
from bot.kb.sources import REFUSED_KINDS, refused_kind, source_problems
from tests.kb.test_loader import TODAY, platform, topic, write


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://bit.ly/3abcde", "link shortener"),
        ("https://pkg.go.dev/github.com/someone/facetime", "package index"),
        ("https://docs.rs/zoom-api/latest/zoom_api/", "package index"),
        ("https://www.npmjs.com/package/whatsapp-web", "package index"),
        ("https://group-telegram.com/it/channel/2322", "mirror"),
        ("https://cointelegraph.com.cach3.com/news/x", "mirror"),
        ("https://webcache.googleusercontent.com/search?q=cache:x", "mirror"),
        ("https://git.flatuslifir.is/simplex/simplex-chat", "mirror"),
        ("https://www.scribd.com/document/123/apple-guidelines", "document-sharing"),
        ("https://online.documentine.com/viber-privacy-policy.html", "document-sharing"),
        ("https://imba.missouri.edu/google-chat", "spam or fake"),
        ("https://coindesk.cc/story", "spam or fake"),
        ("https://iq.wiki/wiki/kik", "content farm"),
        ("https://staygreenonslack.com/slack-status-icons", "content farm"),
        ("https://www.websleuths.com/forums/threads/1", "forum or social-media"),
        ("https://vendasta.zoom.us/gdpr", "customer's site under zoom.us"),
        ("https://support.zoom.com.", "trailing dot"),
        ("https://signal.org:443/blog/", "default port"),
        ("https://example.org/a?utm_source=x&id=3", "tracking"),
        ("https://example.org/a?fbclid=abc", "tracking"),
        ("https://x.com/signalapp/status/1?s=20", "tracking or share"),
    ],
)
def test_refused(url: str, words: str) -> None:
    problems = source_problems(url)
    assert problems, url
    assert any(words in problem for problem in problems), problems
    assert all(problem.startswith(repr(url)) for problem in problems)


@pytest.mark.parametrize(
    "url",
    [
        "https://signal.org/blog/spqr/",
        "https://support.zoom.us/hc/en-us/articles/360032554051-Presence-status",
        "https://zoom.us/trust",
        "https://blog.zoom.us/zooms-term-service-ai/",
        "https://www.zoom.com/en/trust/",
        "https://github.com/simplex-chat/simplex-chat/blob/stable/PRIVACY.md",
        "https://faq.whatsapp.com/3307102709559968/?locale=en_US&cms_platform=web",
        "https://www.bit.lyrics.example/page",  # only the host and its parents match, never a prefix
        "https://notscribd.com/page",
        "https://example.org/search?q=s",
    ],
)
def test_accepted(url: str) -> None:
    assert source_problems(url) == []


def test_parent_domains_match_but_not_children_of_other_names() -> None:
    assert refused_kind("a.b.cach3.com") is not None
    assert refused_kind("cach3.com.example.org") is None


def test_every_kind_says_what_to_do_instead() -> None:
    for kind in REFUSED_KINDS:
        assert "; cite" in kind.problem
        assert all(host == host.lower().strip(".") and "/" not in host for host in kind.hosts)


def test_loader_names_the_field(tmp_path: Path) -> None:
    kb = tmp_path / "knowledge"
    write(
        kb,
        "platforms",
        platform(
            sources=["https://example.org/a", "https://bit.ly/x"],
            incidents=[{"date": "2024-01-01", "what": "A leak.", "source": "https://dokumen.tips/documents/x"}],
        ),
    )
    write(kb, "topics", topic(sources=["https://example.org/a", "https://example.org/b?utm_medium=mail"]))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb, today=TODAY)
    found = caught.value.problems
    shortener = "knowledge/platforms/acme.yaml: sources[1]: 'https://bit.ly/x' is a link shortener"
    assert any(line.startswith(shortener) for line in found)
    assert any(line.startswith("knowledge/platforms/acme.yaml: incidents[0].source: ") for line in found)
    assert any(line.startswith("knowledge/topics/basics.yaml: sources[1]: ") and "utm_medium" in line for line in found)


def test_the_shipped_knowledge_base_passes() -> None:
    from bot.kb.loader import bundled_knowledge_dir

    load_knowledge(bundled_knowledge_dir())
