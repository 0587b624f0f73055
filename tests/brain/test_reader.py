"""How questions are read, against the bundled knowledge base."""

from __future__ import annotations

import pytest

from bot.brain.brain import Brain
from bot.brain.phone import REPLY_LIMIT, plain_length
from bot.render.plain import render_plain
from bot.shared.answer import Intent


@pytest.mark.parametrize(
    ("question", "platforms"),
    [
        ("Is it ok to use WhatsApp with my clients?", ("whatsapp",)),
        ("ＩＳ ＺＯＯＭ ＳＡＦＥ", ("zoom",)),
        ("is whatsаpp safe", ("whatsapp",)),  # Cyrillic а
        ("is zoom safe?? 🙏", ("zoom",)),
        ("face time for sessions", ("facetime",)),
        ("briar messenger?", ("briar",)),  # "messenger" is part of the name, not Facebook Messenger
        ("facebook messenger encrypted?", ("messenger",)),
        ("what about wire", ("wire",)),  # an everyday-word name in the slot of a platform question
        ("is element secure", ("element",)),
        ("my next session is at 3, is zoom ok", ("zoom",)),  # "session" is not the Session app
    ],
)
def test_platform_questions(brain: Brain, question: str, platforms: tuple[str, ...]) -> None:
    reading = brain.read(question)
    assert reading.intent is Intent.PLATFORM
    assert reading.platforms == platforms


def test_compare_keeps_the_order_of_the_question(brain: Brain) -> None:
    reading = brain.read("skype vs zoom vs teams vs signal")
    assert reading.intent is Intent.COMPARE
    assert reading.platforms == ("skype", "zoom", "microsoft-teams")  # at most three side by side


@pytest.mark.parametrize("question", ["is tiktok safe", "is kakaotalk safe for clients", "is clubhouse ok", "oovoo?"])
def test_unknown_platform_names_no_other(brain: Brain, question: str) -> None:
    reading = brain.read(question)
    assert reading.intent is Intent.UNKNOWN
    assert reading.platforms == ()
    text = render_plain(brain.answer(reading, text=question))
    names = {platform.name for platform in brain.knowledge.platforms.values()}
    assert not [name for name in names if name in text]
    if question != "oovoo?":
        assert "no reviewed entry" in text


def test_unknown_beside_a_known_one_is_named_as_unknown(brain: Brain) -> None:
    answer = brain.ask("zoom vs myspace")
    assert answer.platforms == ("zoom",)
    assert "no reviewed entry for “myspace”" in render_plain(answer)


def test_typo_is_read_and_said(brain: Brain) -> None:
    reading = brain.read("is whatsap secure")
    assert reading.platforms == ("whatsapp",)
    assert reading.corrections == (("whatsap", "WhatsApp"),)
    assert "I read “whatsap” as “WhatsApp”" in render_plain(brain.answer(reading))


def test_everyday_words_are_not_corrected_into_platforms(brain: Brain) -> None:
    for question in ("room please", "the phone line is bad", "I love my team", "is loom safe"):
        assert "zoom" not in brain.read(question).platforms, question
        assert "line" not in brain.read(question).platforms, question


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("how do I secure my jitsi meeting", "room-security"),
        ("what browser should I use for jitsi", "browser"),
        ("can my clients see when I'm online", "presence"),
        ("do I need a BAA", "hipaa"),
    ],
)
def test_topic_questions(brain: Brain, question: str, topic: str) -> None:
    reading = brain.read(question)
    assert reading.intent is Intent.TOPIC
    assert reading.topic == topic


@pytest.mark.parametrize(
    ("question", "use"),
    [
        ("what's the safest video app", "video-sessions"),
        ("which messaging app is best for clients", "messaging"),
        ("recommend an email provider", "email"),
    ],
)
def test_recommendations(brain: Brain, question: str, use: str) -> None:
    reading = brain.read(question)
    assert reading.intent is Intent.RECOMMEND
    assert reading.use == use
    answer = brain.answer(reading)
    assert answer.sections[0].heading is not None and answer.sections[0].lines


def test_recommendations_only_list_recommended_platforms(brain: Brain) -> None:
    text = render_plain(brain.ask("which app should I use for messaging clients"))
    assert "Signal" in text
    assert "WhatsApp" not in text and "Telegram" not in text


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("hi", Intent.GREETING),
        ("hello there", Intent.GREETING),
        ("thanks!", Intent.GREETING),
        ("/help", Intent.HELP),
        ("list", Intent.LIST),
        ("what do you store about me", Intent.PRIVACY),
        ("forget me", Intent.FORGET),
        ("room for 3pm", Intent.ROOM),
        ("link for my 3pm", Intent.ROOM),
        ("region uk", Intent.SETTINGS),
    ],
)
def test_commands_and_small_talk(brain: Brain, question: str, intent: Intent) -> None:
    assert brain.read(question).intent is intent


def test_did_you_mean_then_yes(brain: Brain) -> None:
    reading = brain.read("is sigmla safe")  # two typos on a six-letter name: one more than we accept
    assert reading.intent is Intent.UNKNOWN
    assert reading.suggestion == "signal"
    assert reading.platforms == ()
    question = brain.answer(reading, user="u")
    assert question.title.startswith("Did you mean ")
    follow = brain.ask("yes", user="u")
    assert follow.intent is Intent.PLATFORM and follow.platforms == (reading.suggestion,)


def test_more_and_memory_are_per_user(brain: Brain) -> None:
    brain.ask("is signal safe", user="a")
    brain.ask("what is e2ee", user="b")
    assert brain.ask("more", user="a").platforms == ("signal",)
    assert brain.ask("more", user="b").topic == "e2ee"
    assert brain.ask("more", user="c").title == "More about what?"


def test_stale_entries_say_so(brain: Brain) -> None:
    from datetime import date, timedelta

    later = Brain(brain.knowledge, today=lambda: date.today() + timedelta(days=200))
    text = render_plain(later.ask("is zoom safe"))
    assert "Platforms change" in text
    assert "Platforms change" not in render_plain(brain.ask("is zoom safe"))


@pytest.mark.parametrize(
    "question",
    [
        "make me a room",
        "can you set up a call with my client at 2pm",
        "set up a meeting for 3",
        "start a video call",
        "gimme a link",
        "send me a secure meeting link",
    ],
)
def test_room_requests_in_many_shapes(brain: Brain, question: str) -> None:
    assert brain.read(question).intent is Intent.ROOM


@pytest.mark.parametrize("question", ["is a meeting link safe to share", "how do I make my room secure"])
def test_questions_about_rooms_are_not_requests(brain: Brain, question: str) -> None:
    assert brain.read(question).intent is not Intent.ROOM


@pytest.mark.parametrize(
    ("question", "platforms"),
    [
        ("wire vs signal", ("wire", "signal")),
        ("signal or session for clients?", ("signal", "session")),
        ("element or wire", ("element", "wire")),
        ("is session better than signal", ("session", "signal")),
    ],
)
def test_everyday_word_names_in_comparisons(brain: Brain, question: str, platforms: tuple[str, ...]) -> None:
    reading = brain.read(question)
    assert reading.intent is Intent.COMPARE
    assert reading.platforms == platforms


def test_should_i_use_a_topic_is_the_topic(brain: Brain) -> None:
    assert brain.read("should I use a vpn at home").topic == "network-security"
    assert brain.read("should I use incognito").topic == "private-window"
    assert brain.read("should I use jitsi").platforms == ("jitsi-meet",)


def test_the_most_specific_topic_phrase_wins(brain: Brain) -> None:
    assert brain.read("how to secure my home router").topic == "network-security"


def test_unknown_product_with_a_product_word_is_not_a_recommendation(brain: Brain) -> None:
    reading = brain.read("jami app safe?")
    assert reading.intent is Intent.UNKNOWN
    assert reading.unknown_name == "jami app"


def test_video_recommendations_rank_the_usable_ones_by_encryption(brain: Brain) -> None:
    answer = brain.ask("best app for video sessions")
    [video] = [section for section in answer.sections if section.heading == "For video sessions"]
    assert any(line.startswith("Signal: ") for line in video.lines)
    with_care = next(line for line in video.lines if line.startswith("Usable with care: "))
    # On by default first; "only if switched on" (Zoom) never before it.
    assert with_care.startswith("Usable with care: FaceTime")
    assert "Zoom" not in with_care or with_care.index("FaceTime") < with_care.index("Zoom")
    assert "Telegram" not in with_care and "Skype" not in with_care


@pytest.mark.parametrize(
    ("question", "known"),
    [
        ("is myspace like signal", "signal"),
        ("is myspace as safe as zoom", "zoom"),
        ("should I use myspace instead of zoom", "zoom"),
    ],
)
def test_an_unknown_name_beside_a_known_one_is_said(brain: Brain, question: str, known: str) -> None:
    reading = brain.read(question)
    assert reading.platforms == (known,)
    assert reading.also_unknown == "myspace"
    assert "no reviewed entry for “myspace”" in render_plain(brain.answer(reading))


def test_comparisons_say_what_they_leave_out(brain: Brain) -> None:
    text = render_plain(brain.ask("compare zoom, whatsapp, signal and telegram"))
    assert "ask again for Telegram" in text
    text = render_plain(brain.ask("zoom vs teamviewer vs whatsapp"))
    assert "no reviewed entry for “teamviewer”" in text


def test_an_old_suggestion_is_not_answered_by_a_later_yes(brain: Brain) -> None:
    assert brain.ask("is sigmla safe", user="u").title.startswith("Did you mean")
    brain.ask("is myspace safe", user="u")
    assert brain.ask("yes", user="u").platforms == ()


def test_a_typo_of_a_two_word_name_is_only_a_suggestion(brain: Brain) -> None:
    reading = brain.read("is elementary safe")
    assert reading.platforms == ()


@pytest.mark.parametrize(
    ("question", "platforms"),
    [
        ("I'm a therapist in Leeds, is zoom ok?", ("zoom",)),  # "therapist" is not a typo of TheraNest
        ("what do I need to do under GDPR as a sole trader therapist?", ()),
        ("can I message clients on LinkedIn?", ()),  # "I message" is English first, and LinkedIn is unknown
        ("Can I text clients with iMessage since we both have iPhones?", ("imessage",)),
        ("sms reminders ok?", ("sms",)),
        ("texting clients ok?", ("sms",)),  # a context alias counts when nothing else is named
        ("whtsapp ok?", ("whatsapp",)),  # two spellings of one name are no tie
    ],
)
def test_typos_only_where_names_go_and_context_aliases(brain: Brain, question: str, platforms: tuple[str, ...]) -> None:
    assert brain.read(question).platforms == platforms


@pytest.mark.parametrize(
    ("question", "intent", "line"),
    [
        ("ok great thank you", Intent.GREETING, "You're welcome"),
        ("🙂 thank you so much that really helped", Intent.GREETING, "You're welcome"),
        ("bye", Intent.GREETING, "Goodbye"),
        ("list all the apps you've reviewed", Intent.LIST, "I have reviewed"),
    ],
)
def test_small_talk_and_list_variants(brain: Brain, question: str, intent: Intent, line: str) -> None:
    answer = brain.ask(question)
    assert answer.intent is intent
    assert line in render_plain(answer)


def test_a_context_alias_gives_way_to_a_topic(brain: Brain) -> None:
    reading = brain.read("does the company know who I message")
    assert reading.intent is Intent.TOPIC
    assert reading.topic == "metadata"


def test_a_recommendation_without_a_use_names_each_use_within_a_phone_screen(brain: Brain) -> None:
    answer = brain.ask("what do you recommend")
    text = render_plain(answer)
    assert plain_length(answer) <= REPLY_LIMIT
    for line in ("Video sessions: Signal", "Messaging clients: Signal", "Email: Proton Mail"):
        assert line in text
    assert "for the reasons" in text  # and the follow-up it names gives them
    reasons = brain.ask("what do you recommend for video sessions?")
    assert any(line.startswith("Signal: ") for section in reasons.sections for line in section.lines)
