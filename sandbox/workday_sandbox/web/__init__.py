"""The sandbox page: a Telegram-like web chat over the fake Telegram server."""
