"""The /remind wizard: one message, edited step by step, for a break reminder (time, days,
mode, break length, resume) or an evening check (time).

Its draft lives in FSM data, tied to the message it edits (see `draft`), so a tap on an
older wizard message, or after /cancel or the draft's expiry, says the menu has expired
instead of acting on the wrong draft. Taps only touch Redis: they check the link
themselves and are not throttled, since choosing days alone takes several quick taps.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import time
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.reminders.models import Kind, Mode, ReminderDraft, parse_time
from bot.services.reminders import DuplicateReminder, TooManyReminders
from bot.storage.links import Link
from bot.telegram.callbacks import RemindStep
from bot.telegram.deps import Services
from bot.telegram.handlers.reminders.draft import (
    BREAK_STEPS,
    CLOSE_STEPS,
    DEFAULT_DAYS,
    DONE,
    DRAFT,
    draft_of,
    new_draft,
)
from bot.telegram.handlers.reminders.keyboards import BREAK_LENGTHS
from bot.telegram.handlers.reminders.views import duplicate_view, limit_text, saved_view, step_view
from bot.telegram.replies import require_link, show
from bot.telegram.states import RemindStates
from bot.telegram.view import UserView

# Taps are answered after the handler, so a handler can put a short note in the answer.
ANSWER_AFTER = {"callback_answer": {"pre": False}}
OTHER_TIME = "o"  # the value of the "Other time…" button


async def save_reminder(telegram_id: int, draft: ReminderDraft, view: UserView,
                        services: Services) -> tuple[str, InlineKeyboardMarkup | None]:
    """Create the reminder: the confirmation, or the refusal (a duplicate, the limit)."""
    try:
        created = await services.reminders.create(telegram_id, draft)
    except DuplicateReminder as same:
        return duplicate_view(same.existing, view.t)
    except TooManyReminders as full:
        return limit_text(full.count, view.t), None
    return saved_view(created, await services.reminders.zone(telegram_id), view.now(), view.t)


async def start_wizard(state: FSMContext, message_id: int, kind: Kind) -> dict[str, Any]:
    draft = new_draft(message_id, kind)
    await state.set_state(RemindStates.wizard)
    await state.update_data({DRAFT: draft})
    return draft


async def _finish(state: FSMContext, done_message_id: int | None) -> None:
    """Drop the draft; leave another conversation's state alone."""
    current = await state.get_state()
    if current is not None and current in RemindStates:
        await state.set_state(None)
    data = await state.get_data()
    data.pop(DRAFT, None)
    data[DONE] = done_message_id
    await state.set_data(data)


async def _tapped_draft(query: CallbackQuery, state: FSMContext, steps: tuple[str, ...], view: UserView,
                        callback_answer: CallbackAnswer) -> dict[str, Any] | None:
    """The draft this tap belongs to, at one of `steps`; else None, having told the user."""
    data = await state.get_data()
    draft = data.get(DRAFT)
    message_id = query.message.message_id if query.message is not None else None
    if not isinstance(draft, dict) or draft.get("msg") != message_id:
        if message_id is not None and data.get(DONE) == message_id:
            callback_answer.text = view.t("remind.already_saved")  # a second tap on "save"
            return None
        callback_answer.text = view.t("remind.expired")
        await show(query, view.t("remind.expired"))
        return None
    if draft.get("step") not in steps:
        # A late second tap on a step already done: this message shows the next step now.
        callback_answer.text = view.t("unknown_button")
        return None
    return draft


def _parse_hhmm(value: str) -> time | None:
    if len(value) != 4 or not value.isdigit():
        return None
    return parse_time(f"{value[:2]}:{value[2:]}")


@dataclass(frozen=True)
class Tap:
    """A tap on the wizard's message, at a step it belongs to."""

    query: CallbackQuery
    value: str
    draft: dict[str, Any]
    state: FSMContext
    view: UserView
    services: Services
    answer: CallbackAnswer

    def refuse(self) -> None:
        """A value none of our buttons carries (forged, or from another version)."""
        self.answer.text = self.view.t("unknown_button")

    async def advance(self) -> None:
        """Keep the draft and show its step."""
        await self.state.update_data({DRAFT: self.draft})
        zone_name = await self.services.reminders.zone(self.query.from_user.id)
        await show(self.query, *step_view(self.draft, zone_name, self.view.t))

    async def grid_time(self, typing: str, typing_state: State) -> time | None:
        """The time tapped on a grid. For "Other time…", None, having moved the draft to
        `typing` (the time comes as a message in `typing_state`); None also for a value
        no grid button carries."""
        if self.value == OTHER_TIME:
            self.draft["step"] = typing
            await self.state.set_state(typing_state)
            await self.advance()
            return None
        at = _parse_hhmm(self.value)
        if at is None:
            self.refuse()
        return at

    async def save(self) -> None:
        text, markup = await save_reminder(self.query.from_user.id, draft_of(self.draft), self.view, self.services)
        await _finish(self.state, self.draft["msg"])
        await show(self.query, text, markup)


StepHandler = Callable[[Tap], Awaitable[None]]
TapHandler = Callable[..., Awaitable[None]]


def wizard_step(*steps: str, typing: str | None = None, linked: bool = True) -> Callable[[StepHandler], TapHandler]:
    """The opening every wizard tap shares: a linked user (unless `linked` is False), and
    the draft of the tapped message at one of `steps`. With `typing`, the step where a
    time is typed instead also takes a tap on the time grid, except on "Other time…"."""

    def decorate(step: StepHandler) -> TapHandler:
        async def handler(query: CallbackQuery, callback_data: RemindStep, state: FSMContext, link: Link | None,
                          view: UserView, services: Services, callback_answer: CallbackAnswer) -> None:
            if linked and not await require_link(query, link, view):
                return
            allowed = steps if typing is None or callback_data.value == OTHER_TIME else (*steps, typing)
            draft = await _tapped_draft(query, state, allowed, view, callback_answer)
            if draft is None:
                return
            await step(Tap(query, callback_data.value, draft, state, view, services, callback_answer))

        handler.__name__ = handler.__qualname__ = step.__name__
        return handler

    return decorate


@wizard_step("time", typing="typing")
async def time_chosen(tap: Tap) -> None:
    """A break time from the grid, or "Other time…"."""
    at = await tap.grid_time("typing", RemindStates.time)
    if at is None:
        return
    tap.draft.update(at=f"{at:%H:%M}", days=tap.draft.get("days", DEFAULT_DAYS), step="days")
    await tap.state.set_state(RemindStates.wizard)
    await tap.advance()


@wizard_step("days")
async def day_toggled(tap: Tap) -> None:
    if tap.value not in tuple("0123456"):
        tap.refuse()
        return
    days = set(tap.draft.get("days", ""))
    days ^= {tap.value}
    tap.draft["days"] = "".join(sorted(days))
    tap.draft.pop("warn", None)
    await tap.advance()


@wizard_step("days")
async def days_done(tap: Tap) -> None:
    if not tap.draft.get("days"):
        tap.answer.text = tap.view.t("remind.no_days")
        tap.answer.show_alert = True
        tap.draft["warn"] = True
    else:
        tap.draft.pop("warn", None)
        tap.draft["step"] = "mode"
    await tap.advance()


@wizard_step("mode")
async def mode_chosen(tap: Tap) -> None:
    if tap.value not in (Mode.ASK.value, Mode.AUTO.value):
        tap.refuse()
        return
    tap.draft.update(mode=tap.value, step="length")
    await tap.advance()


@wizard_step("length")
async def length_chosen(tap: Tap) -> None:
    if tap.value not in ("0", *(str(minutes) for minutes in BREAK_LENGTHS)):
        tap.refuse()
        return
    tap.draft["len"] = int(tap.value)
    if tap.draft["len"]:
        tap.draft["step"] = "resume"
        await tap.advance()
        return
    await tap.save()


@wizard_step("resume")
async def resume_chosen(tap: Tap) -> None:
    tap.draft["resume"] = tap.value == "1"
    await tap.save()


@wizard_step("close", typing="close_typing")
async def close_time_chosen(tap: Tap) -> None:
    at = await tap.grid_time("close_typing", RemindStates.close_time)
    if at is None:
        return
    tap.draft["at"] = f"{at:%H:%M}"
    await tap.save()


@wizard_step(*BREAK_STEPS, *CLOSE_STEPS, linked=False)
async def wizard_cancelled(tap: Tap) -> None:
    await _finish(tap.state, None)
    await show(tap.query, tap.view.t("remind.cancelled"))


async def _typed_time(message: Message, bot: Bot, state: FSMContext, link: Link | None, view: UserView,
                      services: Services, kind: Kind) -> None:
    if not await require_link(message, link, view):
        return
    assert message.from_user is not None
    data = await state.get_data()
    draft = data.get(DRAFT)
    typing = "typing" if kind is Kind.BREAK else "close_typing"
    if not isinstance(draft, dict) or draft.get("step") != typing:
        await state.set_state(None)
        await message.answer(view.t("remind.expired"))
        return
    at = parse_time((message.text or "").strip())
    if at is None:
        await message.answer(view.t("remind.bad_time"))
        return
    # The prompt above is done with: take its Cancel button away; carry on below.
    try:
        await bot.edit_message_reply_markup(chat_id=message.chat.id, message_id=draft["msg"], reply_markup=None)
    except TelegramBadRequest:
        pass
    draft["at"] = f"{at:%H:%M}"
    if kind is Kind.CLOSE:
        text, markup = await save_reminder(message.from_user.id, draft_of(draft), view, services)
        sent = await message.answer(text, reply_markup=markup)
        await _finish(state, sent.message_id)
        return
    draft.update(days=draft.get("days", DEFAULT_DAYS), step="days")
    text, markup = step_view(draft, await services.reminders.zone(message.from_user.id), view.t)
    sent = await message.answer(text, reply_markup=markup)
    draft["msg"] = sent.message_id
    await state.set_state(RemindStates.wizard)
    await state.update_data({DRAFT: draft})


async def break_time_typed(message: Message, bot: Bot, state: FSMContext, link: Link | None, view: UserView,
                           services: Services) -> None:
    await _typed_time(message, bot, state, link, view, services, Kind.BREAK)


async def close_time_typed(message: Message, bot: Bot, state: FSMContext, link: Link | None, view: UserView,
                           services: Services) -> None:
    await _typed_time(message, bot, state, link, view, services, Kind.CLOSE)


def register(router: Router) -> None:
    router.message.register(break_time_typed, RemindStates.time, F.text, ~F.text.startswith("/"))
    router.message.register(close_time_typed, RemindStates.close_time, F.text, ~F.text.startswith("/"))
    steps = {"t": time_chosen, "d": day_toggled, "n": days_done, "m": mode_chosen, "b": length_chosen,
             "r": resume_chosen, "c": close_time_chosen, "x": wizard_cancelled}
    for step, handler in steps.items():
        router.callback_query.register(handler, RemindStep.filter(F.step == step), flags=ANSWER_AFTER)
