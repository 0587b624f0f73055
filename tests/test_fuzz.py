"""No input string crashes the brain or the knowledge-base loader."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.brain.brain import Brain
from bot.kb.loader import KnowledgeError, load_knowledge
from bot.render.plain import render_plain
from bot.shared.normalise import normalise
from tests.fakes.databases import once

WORDS = st.sampled_from(
    ["is", "zoom", "vs", "jitsi", "whatsap", "safe", "room", "more", "yes", "e2ee", "for", "clients", "?", "🙂"]
)
QUESTIONS = st.one_of(st.text(max_size=300), st.lists(WORDS, max_size=12).map(" ".join))

pytestmark = once  # slow, and no database in it: the default pass runs it


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=QUESTIONS)
def test_brain_answers_anything(brain: Brain, question: str) -> None:
    answer = brain.ask(question, user="fuzz")
    assert answer.title
    assert render_plain(answer)
    for platform in answer.platforms:
        assert platform in brain.knowledge.platforms


@settings(max_examples=1000)
@given(text=st.text(max_size=500))
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(st.text(max_size=400), st.binary(max_size=200).map(lambda raw: raw.decode("latin-1"))))
def test_loader_never_crashes_on_any_file(tmp_path: Path, content: str) -> None:
    root = tmp_path / "knowledge"
    (root / "platforms").mkdir(parents=True, exist_ok=True)
    (root / "platforms" / "any.yaml").write_text(content, encoding="utf-8", errors="surrogatepass")
    try:
        load_knowledge(root)
    except KnowledgeError as error:
        assert error.problems
        assert all(problem.startswith(("knowledge/platforms/any.yaml: ", str(root))) for problem in error.problems)
