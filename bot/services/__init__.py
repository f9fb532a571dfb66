"""Business logic between the Telegram handlers and Bitrix24/Redis. No aiogram types here."""
