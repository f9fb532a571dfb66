"""The fake Telegram Bot API server and its scripted users."""
