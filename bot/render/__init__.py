"""Renderers: an `Answer` as text for one kind of screen (plain, Signal styled text, Telegram HTML)."""
