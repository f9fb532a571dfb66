"""Inline keyboards, built in one place: every button carries packed callback data."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

Button = InlineKeyboardButton
Row = Sequence[InlineKeyboardButton]


def button(text: str, data: CallbackData) -> Button:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def keyboard(*rows: Row) -> InlineKeyboardMarkup:
    """Rows top to bottom."""
    return InlineKeyboardMarkup(inline_keyboard=[list(row) for row in rows])


def grid(buttons: Sequence[Button], per_row: int) -> list[Row]:
    return [buttons[i:i + per_row] for i in range(0, len(buttons), per_row)]
