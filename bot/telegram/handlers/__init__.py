"""One router per feature, in the order they are tried. Routers are built per dispatcher,
so tests (and a benchmark) can run several bots in one process."""

from __future__ import annotations

from aiogram import Router

from bot.telegram.handlers import (
    admin,
    card_updates,
    errors,
    fallback,
    groups,
    linking,
    reminder_buttons,
    reminders,
    repair,
    start,
    team,
    timezone,
    week,
    workday,
)


def get_routers() -> list[Router]:
    # Commands come before the conversation states, so /status works mid-conversation;
    # the fallback router is last and takes whatever nobody else did.
    return [
        errors.create_router(),
        groups.create_router(),
        start.create_router(),
        admin.create_router(),
        workday.create_router(),
        week.create_router(),
        team.create_router(),
        linking.create_router(),
        repair.create_router(),
        reminder_buttons.create_router(),
        reminders.create_router(),
        timezone.create_router(),
        card_updates.create_router(),
        fallback.create_router(),
    ]
