"""Telegram through the Bot API, with python-telegram-bot 22 (polling loop and webhook server of our own)."""
