"""Where each page of the website lives. Pure functions: the brain imports this without the template engine."""

from __future__ import annotations

PLATFORMS = "platforms"
TOPICS = "topics"
REVIEWING = "reviewing/"


def folder(section: str, entry_id: str) -> str:
    """An entry's page as a folder, `platforms/whatsapp/`, so its address stays the same whatever serves it."""
    return f"{section}/{entry_id}/"


def page_path(section: str, entry_id: str) -> str:
    """The page's file inside the site folder: `platforms/whatsapp/index.html`."""
    return folder(section, entry_id) + "index.html"


def absolute(site_url: str, relative_folder: str) -> str:
    """`relative_folder` ("" for the home page) under the site's public address."""
    return f"{site_url.rstrip('/')}/{relative_folder}"


def platform_url(site_url: str, platform_id: str) -> str:
    """`https://example.org/platforms/whatsapp/`: the stable address of one platform's page."""
    return absolute(site_url, folder(PLATFORMS, platform_id))
