"""Closing a day at a time the user gives: finish time, reason, close.

Two days need it. One left open from an earlier date (EXPIRED): Bitrix24 refuses to start
today until it is closed with a time and a reason (docs/bitrix24.md#expired-day), so the card
offers the suggested time in one tap, or another time. And today's, from "I left at…" on the
forgot-to-close nudge: a close with a time needs a reason too on most schedules
(docs/bitrix24.md#closing-a-day).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.services.workday import FinishTimeError, day_key, parse_finish_time
from bot.storage.links import Link
from bot.telegram import formatting as fmt
from bot.bitrix24 import Workday, WorkdayStatus
from bot.telegram.callbacks import RepairAction
from bot.telegram.deps import Services
from bot.telegram.handlers.workday import BITRIX24, REASON_LIMIT, reply
from bot.telegram.keyboards import Button, button, keyboard
from bot.telegram.replies import busy, show
from bot.telegram.states import RepairStates
from bot.telegram.view import UserView


_EXPIRED, _TODAY = "expired", "today"
_STILL_OPEN = (WorkdayStatus.EXPIRED, WorkdayStatus.OPENED, WorkdayStatus.PAUSED)


def _moment(minutes: int, offset_minutes: int) -> datetime:
    return datetime.fromtimestamp(minutes * 60, UTC).astimezone(timezone(timedelta(minutes=offset_minutes)))


def _cancel_button(view: UserView, day: int) -> list[Button]:
    return [button(view.t("btn.cancel"), RepairAction(action="cancel", day=day))]


def _reason_keyboard(view: UserView, day: int) -> InlineKeyboardMarkup:
    return keyboard([button(view.t("btn.reason_forgot"), RepairAction(action="reason", day=day))],
                    _cancel_button(view, day))


def _cancel_keyboard(view: UserView, day: int) -> InlineKeyboardMarkup:
    return keyboard(_cancel_button(view, day))


def _flow_for(callback_data: RepairAction, day: Workday | None) -> str | None:
    """Which close-at-a-time flow a tap leads to: the repair of an EXPIRED day (also from
    "I left at…" on a day that expired since), today's day closed at an earlier time, or
    none, when the day is no longer the one the button was for."""
    if day is None or day_key(day.started_at) != callback_data.day:
        return None
    if day.status is WorkdayStatus.EXPIRED and (callback_data.action != "suggested" or day.suggested_finish):
        return _EXPIRED
    if day.status in (WorkdayStatus.OPENED, WorkdayStatus.PAUSED) and callback_data.action == "left":
        return _TODAY
    return None


async def _given_reason(state: FSMContext, day: int) -> str | None:
    """The reason typed with `/close …` on this expired day, if any."""
    data = await state.get_data()
    return data.get("repair_reason") if data.get("repair_reason_day") == day else None


async def choose_time(query: CallbackQuery, callback_data: RepairAction, bot: Bot, state: FSMContext, link: Link,
                      view: UserView, services: Services) -> None:
    # The day's offset is needed to read "18:30"; one status read also proves the card is current.
    report = await services.workday.status(link.bitrix_id)
    day = report.day
    if report.failure is not None:
        await reply(query, report, view, services)
        return
    flow = _flow_for(callback_data, day)
    if flow is None:
        closed = (callback_data.action == "left" and day is not None and day.status is WorkdayStatus.CLOSED
                  and day_key(day.started_at) == callback_data.day)
        await reply(query, report, view, services, preface=view.t("change.already_closed" if closed else "repair.stale"))
        return
    assert day is not None and day.started_at is not None
    offset = int((day.started_at.utcoffset() or timedelta(0)).total_seconds() // 60)
    zone = view.zone(day)
    await state.update_data(repair_day=callback_data.day, repair_offset=offset, repair_today=flow == _TODAY)
    if callback_data.action == "suggested":
        assert day.suggested_finish is not None
        at = int(day.suggested_finish.timestamp()) // 60
        await state.update_data(repair_at=at)
        if reason := await _given_reason(state, callback_data.day):
            await _close(query, bot, reason, state, link, view, services)
            return
        await state.set_state(RepairStates.reason)
        await show(query, view.t("repair.ask_reason", date=fmt.date(day.started_at, zone, view.t),
                                 time=fmt.clock(day.suggested_finish, zone)),
                   _reason_keyboard(view, callback_data.day))
        return
    await state.set_state(RepairStates.time)
    start = fmt.clock(day.started_at, zone)
    if flow == _TODAY:
        text = view.t("left.ask_time", start=start, now=fmt.clock(view.now(), zone))
    else:
        text = view.t("repair.ask_time", date=fmt.date(day.started_at, zone, view.t), start=start)
        if callback_data.action == "left":  # it expired since the nudge: say so before asking
            text = view.t("change.needs_repair", date=fmt.date(day.started_at, zone, view.t)) + "\n" + text
    await show(query, text, _cancel_keyboard(view, callback_data.day))


async def time_entered(message: Message, bot: Bot, state: FSMContext, link: Link | None, view: UserView,
                       services: Services) -> None:
    data = await state.get_data()
    started = _moment(data["repair_day"], data["repair_offset"])
    zone = view.zone() if view.profile.time_zone else started.tzinfo
    assert zone is not None
    parsed = parse_finish_time(message.text or "", started.astimezone(zone), view.now())
    if isinstance(parsed, FinishTimeError):
        key = {
            FinishTimeError.FORMAT: "repair.bad_time",
            FinishTimeError.BEFORE_START: "repair.before_start",
            FinishTimeError.IN_FUTURE: "repair.in_future",
        }[parsed]
        await message.answer(view.t(key, start=fmt.clock(started, zone)),
                             reply_markup=_cancel_keyboard(view, data["repair_day"]))
        return
    await state.update_data(repair_at=int(parsed.timestamp()) // 60)
    # Unthrottled (a time is no Bitrix24 call), except when the reason is already known.
    if link is not None and (reason := await _given_reason(state, data["repair_day"])):
        await _close(message, bot, reason, state, link, view, services)
        return
    await state.set_state(RepairStates.reason)
    key = "left.ask_reason" if data.get("repair_today") else "repair.ask_reason"
    await message.answer(
        view.t(key, date=fmt.date(started, zone, view.t), time=fmt.clock(parsed, zone)),
        reply_markup=_reason_keyboard(view, data["repair_day"]),
    )


async def _close(event: Message | CallbackQuery, bot: Bot, reason: str, state: FSMContext, link: Link,
                 view: UserView, services: Services) -> None:
    data = await state.get_data()
    at = _moment(data["repair_at"], data["repair_offset"])
    chat_id = event.chat.id if isinstance(event, Message) else event.from_user.id
    async with busy(bot, chat_id):
        if data.get("repair_today"):
            report = await services.workday.close(link.bitrix_id, reason, card_day=data["repair_day"], at=at)
        else:
            report = await services.workday.repair(link.bitrix_id, at, reason)
    if report.failure is not None and report.failure.value == "report_needed":
        await show(event, view.t("fail.report_needed"), _reason_keyboard(view, data["repair_day"]))
        return
    if report.failure is not None and report.failure.value == "wrong_time":
        await state.set_state(RepairStates.time)
        await show(event, view.t("fail.wrong_time") + "\n" + view.t("repair.bad_time"),
                   _cancel_keyboard(view, data["repair_day"]))
        return
    await state.clear()
    # No "Try again" on a failure: the card's retry would close now, not at the time given.
    await reply(event, report, view, services, can_retry=False)


async def reason_entered(message: Message, bot: Bot, state: FSMContext, link: Link, view: UserView,
                         services: Services) -> None:
    reason = (message.text or "").strip()
    if len(reason) > REASON_LIMIT:
        await message.answer(view.t("repair.reason_too_long", limit=REASON_LIMIT))
        return
    await _close(message, bot, reason, state, link, view, services)


async def reason_chosen(query: CallbackQuery, bot: Bot, state: FSMContext, link: Link, view: UserView,
                        services: Services) -> None:
    await _close(query, bot, view.t("repair.reason_forgot"), state, link, view, services)


async def cancel(query: CallbackQuery, callback_data: RepairAction, state: FSMContext, link: Link,
                 view: UserView, services: Services) -> None:
    await state.clear()
    # "Still open" only when Bitrix24 says so: an old prompt's Cancel may come after the day
    # was closed some other way, and then the card says what is true.
    report = await services.workday.status(link.bitrix_id)
    day = report.day
    if (day is not None and day.status in _STILL_OPEN and day_key(day.started_at) == callback_data.day):
        started = datetime.fromtimestamp(callback_data.day * 60, UTC)
        await show(query, view.t("repair.cancelled", date=fmt.date(started, view.zone(), view.t)))
        return
    await reply(query, report, view, services, preface=view.t("cancelled"))


async def reason_out_of_flow(query: CallbackQuery, link: Link, view: UserView,
                             services: Services) -> None:
    """A reason tapped after /cancel or once the flow is done: its state is gone; show the day."""
    report = await services.workday.status(link.bitrix_id)
    await reply(query, report, view, services, preface=view.t("repair.stale"))


def create_router() -> Router:
    router = Router(name="repair")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.callback_query.register(choose_time, RepairAction.filter(F.action.in_({"suggested", "other", "left"})),
                                   flags=BITRIX24)
    router.message.register(time_entered, RepairStates.time, F.text, ~F.text.startswith("/"))
    router.message.register(reason_entered, RepairStates.reason, F.text, ~F.text.startswith("/"), flags=BITRIX24)
    router.callback_query.register(reason_chosen, RepairStates.reason, RepairAction.filter(F.action == "reason"), flags=BITRIX24)
    router.callback_query.register(cancel, RepairAction.filter(F.action == "cancel"), flags=BITRIX24)
    router.callback_query.register(reason_out_of_flow, RepairAction.filter(F.action == "reason"), flags=BITRIX24)
    return router
