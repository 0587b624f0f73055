from __future__ import annotations

import pytest

from bot.shared.pseudonym import Keyer


def test_a_conversation_has_one_pseudonym_per_transport_and_chat() -> None:
    keyer = Keyer(b"k" * 32)
    first = keyer.conversation("signal", "+447700900123")
    assert first == keyer.conversation("signal", "+447700900123")
    assert len(first) == 10
    assert "447700900123" not in first
    # The same id on another messenger is another person.
    assert first != keyer.conversation("telegram", "+447700900123")
    # Useless to another installation.
    assert first != Keyer(b"o" * 32).conversation("signal", "+447700900123")


def test_user_and_message_keys_never_collide_with_each_other() -> None:
    keyer = Keyer(b"k" * 32)
    assert keyer.user_key("signal", "x") != keyer.message_key("signal:x")


def test_short_secrets_are_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        Keyer(b"short")
