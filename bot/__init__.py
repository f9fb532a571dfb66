"""Telegram bot for the Bitrix24 workday (timeman)."""

__version__ = "0.1.0"
