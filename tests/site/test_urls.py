from __future__ import annotations

from bot.site.urls import page_path, platform_url


def test_platform_url_is_a_folder_under_the_site() -> None:
    assert platform_url("https://confidant.example", "whatsapp") == "https://confidant.example/platforms/whatsapp/"


def test_platform_url_ignores_a_trailing_slash_and_keeps_a_sub_path() -> None:
    assert platform_url("https://example.org/scorecard/", "jitsi-meet") == (
        "https://example.org/scorecard/platforms/jitsi-meet/"
    )


def test_page_path_is_the_folder_index() -> None:
    assert page_path("platforms", "zoom") == "platforms/zoom/index.html"
