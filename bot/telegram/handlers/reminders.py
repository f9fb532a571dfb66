"""/remind (a text shortcut, or a menu and a button wizard) and /reminders.

The wizard keeps its draft in FSM data (Redis), tied to the one message it edits, so a
tap on an older wizard message, or after /cancel or the draft's expiry, says the menu
has expired instead of acting on the wrong draft. /reminders buttons carry only a
reminder id; the service only acts on the tapper's own reminders.

Typed commands carry the `bitrix24` flag (linked users only, throttled). Wizard and list
taps only touch Redis: they check the link themselves and are not throttled, since
choosing days alone takes several quick taps.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.i18n import Translator
from bot.reminders.models import (
    EVERY_DAY,
    WEEKDAYS,
    Kind,
    Mode,
    ParseError,
    Reminder,
    ReminderDraft,
    parse_remind_args,
    parse_time,
)
from bot.services.reminders import MAX_REMINDERS, Scheduled, TooManyReminders
from bot.storage.links import Link
from bot.telegram import formatting as fmt
from bot.telegram.callbacks import ReminderEdit, RemindMenu, RemindStep, TimeZoneAction
from bot.telegram.deps import Services
from bot.telegram.fit import quote
from bot.telegram.handlers.workday import BITRIX24
from bot.telegram.replies import require_link, show
from bot.telegram.states import RemindStates
from bot.telegram.view import UserView

# Taps are answered after the handler, so a handler can put a short note in the answer.
ANSWER_AFTER = {"callback_answer": {"pre": False}}

DRAFT = "remind_draft"  # FSM data: the wizard's draft, with the id of the message it edits
DONE = "remind_done"  # FSM data: the id of the last wizard message that saved a reminder

BREAK_TIMES = ("11:30", "12:00", "12:30", "13:00", "13:30", "14:00")
CLOSE_TIMES = ("17:00", "17:30", "18:00", "18:30", "19:00", "19:30", "20:00")
BREAK_LENGTHS = (15, 30, 45, 60)
ICONS = {Kind.BREAK: "🍽", Kind.CLOSE: "🌙", Kind.MORNING: "🌅"}
CLOSE_WORDS = ("close", "закрыть")
DEFAULT_DAYS = "".join(str(day) for day in sorted(WEEKDAYS))

Button = InlineKeyboardButton


# --- describing reminders ------------------------------------------------------------


def days_text(days: frozenset[int], t: Translator) -> str:
    """"every day", "Mon–Fri", "Mon, Wed, Fri", "Mon–Wed, Sat"."""
    if days == EVERY_DAY:
        return t("remind.days_every")
    names = fmt.weekdays(t)
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{names[run[0]]}–{names[run[-1]]}")
        else:
            parts.extend(names[day] for day in run)
    return ", ".join(parts)


def summary(reminder: Reminder | ReminderDraft, t: Translator) -> str:
    """One line: icon, time, kind, days, and for a break its mode and length."""
    parts = [f"{ICONS[reminder.kind]} <b>{reminder.at:%H:%M}</b> {t(f'remind.name_{reminder.kind.value}')}",
             days_text(reminder.days, t)]
    if reminder.kind is Kind.BREAK:
        parts.append(t(f"remind.mode_{reminder.mode.value}"))
        if reminder.break_minutes:
            key = "remind.length_resume" if reminder.auto_resume else "remind.length_remind"
            parts.append(t(key, minutes=reminder.break_minutes))
    return " · ".join(parts)


def when_text(moment: datetime, zone: ZoneInfo, now: datetime, t: Translator) -> str:
    local = moment.astimezone(zone)
    today = now.astimezone(zone).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return t("remind.today", time=clock)
    if local.date() == today + timedelta(days=1):
        return t("remind.tomorrow", time=clock)
    return t("remind.on_date", date=fmt.date(moment, zone, t), time=clock)


def saved_text(created: list[Scheduled], zone_name: str, now: datetime, t: Translator) -> str:
    main = created[0]
    reminder = main.reminder
    explain = {
        Kind.BREAK: f"remind.explain_{reminder.mode.value}",
        Kind.CLOSE: "remind.explain_close",
        Kind.MORNING: "remind.explain_morning",
    }[reminder.kind]
    lines = [t("remind.saved"), summary(reminder, t), t(explain)]
    for extra in created[1:]:
        if extra.reminder.kind is Kind.MORNING:
            lines.append(t("remind.also_morning", time=f"{extra.reminder.at:%H:%M}"))
    if main.next_at is not None:
        lines.append(t("remind.next", when=when_text(main.next_at, ZoneInfo(zone_name), now, t), zone=zone_name))
    return "\n".join(lines)


# --- views -----------------------------------------------------------------------------


def _new_buttons(t: Translator) -> list[Button]:
    return [Button(text=t("btn.rem_new"), callback_data=RemindMenu(action="new").pack()),
            Button(text=t("btn.rem_close"), callback_data=RemindMenu(action="close").pack())]


def menu_view(zone_name: str, t: Translator) -> tuple[str, InlineKeyboardMarkup]:
    return t("remind.menu", zone=zone_name), InlineKeyboardMarkup(inline_keyboard=[
        [Button(text=t("btn.rem_new"), callback_data=RemindMenu(action="new").pack())],
        [Button(text=t("btn.rem_close"), callback_data=RemindMenu(action="close").pack())],
        [Button(text=t("btn.rem_list"), callback_data=RemindMenu(action="list").pack()),
         Button(text=t("btn.rem_tz"), callback_data=TimeZoneAction(action="show").pack())],
    ])


def list_view(items: list[Scheduled], zone_name: str, now: datetime, t: Translator,
              notice: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    zone = ZoneInfo(zone_name)
    rows: list[list[Button]] = []
    if not items:
        text = t("reminders.empty")
    else:
        lines = [t("reminders.title", zone=zone_name)]
        for number, item in enumerate(items, 1):
            reminder = item.reminder
            if not reminder.enabled:
                state = t("reminders.off")
            elif item.next_at is not None:
                state = t("reminders.on_next", when=when_text(item.next_at, zone, now, t))
            else:
                state = t("reminders.on")
            lines.append(f"\n{number}. {summary(reminder, t)}\n      {state}")
            switch = "off" if reminder.enabled else "on"
            rows.append([
                Button(text=t(f"btn.rem_{switch}", n=number),
                       callback_data=ReminderEdit(action=switch, rid=reminder.id).pack()),
                Button(text=t("btn.rem_delete", n=number),
                       callback_data=ReminderEdit(action="del", rid=reminder.id).pack()),
            ])
        text = "\n".join(lines)
    rows.append(_new_buttons(t))
    if notice:
        text = f"{notice}\n\n{text}"
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def _cancel_row(t: Translator) -> list[Button]:
    return [Button(text=t("btn.cancel"), callback_data=RemindStep(step="x").pack())]


def _time_grid(step: str, choices: tuple[str, ...], t: Translator) -> InlineKeyboardMarkup:
    buttons = [Button(text=choice, callback_data=RemindStep(step=step, value=choice.replace(":", "")).pack())
               for choice in choices]
    per_row = 4 if len(buttons) > 6 else 3
    rows = [buttons[i:i + per_row] for i in range(0, len(buttons), per_row)]
    rows.append([Button(text=t("btn.rem_other_time"), callback_data=RemindStep(step=step, value="o").pack())])
    rows.append(_cancel_row(t))
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _draft_of(data: dict[str, Any]) -> ReminderDraft:
    """The draft as it stands (fields not chosen yet take their defaults)."""
    at = data.get("at") or "00:00"
    hour, minute = (int(part) for part in at.split(":"))
    return ReminderDraft(
        kind=Kind(data.get("kind", Kind.BREAK.value)),
        at=time(hour, minute),
        days=frozenset(int(ch) for ch in data.get("days", DEFAULT_DAYS)),
        mode=Mode(data.get("mode") or Mode.ASK.value),
        break_minutes=int(data.get("len") or 0),
        auto_resume=bool(data.get("resume")),
    )


def step_view(draft: dict[str, Any], zone_name: str, t: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """What the wizard's message shows at the draft's current step."""
    step = draft["step"]
    if step == "time":
        return t("remind.ask_time", zone=zone_name), _time_grid("t", BREAK_TIMES, t)
    if step == "close":
        return t("remind.close_ask_time", zone=zone_name), _time_grid("c", CLOSE_TIMES, t)
    if step in ("typing", "close_typing"):
        return t("remind.type_time"), InlineKeyboardMarkup(inline_keyboard=[_cancel_row(t)])
    current = _draft_of(draft)
    at = f"{current.at:%H:%M}"
    if step == "days":
        names = fmt.weekdays(t)
        toggles = [Button(text=f"✓ {names[day]}" if day in current.days else names[day],
                          callback_data=RemindStep(step="d", value=str(day)).pack()) for day in range(7)]
        text = t("remind.ask_days", time=at)
        if draft.get("warn"):
            text += f"\n⚠️ {t('remind.no_days')}"
        return text, InlineKeyboardMarkup(inline_keyboard=[
            toggles[:4], toggles[4:],
            [Button(text=t("btn.rem_next"), callback_data=RemindStep(step="n").pack())],
            _cancel_row(t),
        ])
    days = days_text(current.days, t)
    if step == "mode":
        return t("remind.ask_mode", time=at, days=days), InlineKeyboardMarkup(inline_keyboard=[
            [Button(text=t("btn.rem_ask"), callback_data=RemindStep(step="m", value=Mode.ASK.value).pack()),
             Button(text=t("btn.rem_auto"), callback_data=RemindStep(step="m", value=Mode.AUTO.value).pack())],
            _cancel_row(t),
        ])
    mode = t(f"remind.mode_{current.mode.value}")
    if step == "length":
        lengths = [Button(text=t("btn.rem_no_break"), callback_data=RemindStep(step="b", value="0").pack())]
        lengths += [Button(text=t("fmt.minutes", m=minutes),
                           callback_data=RemindStep(step="b", value=str(minutes)).pack())
                    for minutes in BREAK_LENGTHS]
        return t("remind.ask_length", time=at, days=days, mode=mode), InlineKeyboardMarkup(inline_keyboard=[
            lengths[:1], lengths[1:], _cancel_row(t),
        ])
    # step == "resume"
    return (t("remind.ask_resume", time=at, days=days, mode=mode, minutes=current.break_minutes),
            InlineKeyboardMarkup(inline_keyboard=[
                [Button(text=t("btn.rem_resume_remind"), callback_data=RemindStep(step="r", value="0").pack())],
                [Button(text=t("btn.rem_resume_auto"), callback_data=RemindStep(step="r", value="1").pack())],
                _cancel_row(t),
            ]))


# --- helpers ---------------------------------------------------------------------------


def _limit_text(count: int, t: Translator) -> str:
    if count < MAX_REMINDERS:  # room for one, but a close check brings its morning check
        return t("remind.limit_close", count=count, limit=MAX_REMINDERS)
    return t("remind.limit", limit=MAX_REMINDERS)


async def _create(telegram_id: int, draft: ReminderDraft, view: UserView,
                  services: Services) -> tuple[str, bool]:
    """Create the reminder; the confirmation (or the limit message) and whether it was saved."""
    try:
        created = await services.reminders.create(telegram_id, draft)
    except TooManyReminders as full:
        return _limit_text(full.count, view.t), False
    zone_name = await services.reminders.zone(telegram_id)
    return saved_text(created, zone_name, view.now(), view.t), True


def _after_save_markup(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [Button(text=t("btn.rem_list"), callback_data=RemindMenu(action="list").pack())],
    ])


async def _start(state: FSMContext, message_id: int, kind: Kind) -> dict[str, Any]:
    draft: dict[str, Any] = {"msg": message_id, "kind": kind.value,
                             "step": "time" if kind is Kind.BREAK else "close"}
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


async def _advance(query: CallbackQuery, state: FSMContext, draft: dict[str, Any], view: UserView,
                   services: Services) -> None:
    await state.update_data({DRAFT: draft})
    text, markup = step_view(draft, await services.reminders.zone(query.from_user.id), view.t)
    await show(query, text, markup)


async def _save_from_tap(query: CallbackQuery, state: FSMContext, draft: dict[str, Any], view: UserView,
                         services: Services) -> None:
    text, saved = await _create(query.from_user.id, _draft_of(draft), view, services)
    await _finish(state, draft["msg"])
    await show(query, text, _after_save_markup(view.t) if saved else None)


def _parse_hhmm(value: str) -> time | None:
    if len(value) != 4 or not value.isdigit():
        return None
    return parse_time(f"{value[:2]}:{value[2:]}")


# --- commands --------------------------------------------------------------------------


async def remind_command(message: Message, command: CommandObject, state: FSMContext, view: UserView,
                         services: Services) -> None:
    assert message.from_user is not None
    telegram_id = message.from_user.id
    args = (command.args or "").strip()
    zone_name = await services.reminders.zone(telegram_id)
    if not args:
        text, markup = menu_view(zone_name, view.t)
        await message.answer(text, reply_markup=markup)
        return
    if args.lower() in CLOSE_WORDS:  # "/remind close" without a time: pick one
        text, markup = step_view({"step": "close"}, zone_name, view.t)
        sent = await message.answer(text, reply_markup=markup)
        await _start(state, sent.message_id, Kind.CLOSE)
        return
    try:
        parsed = parse_remind_args(args)
    except ParseError as error:
        await message.answer(view.t(error.key, token=quote(error.token), **error.params))
        return
    text, saved = await _create(telegram_id, parsed, view, services)
    await message.answer(text, reply_markup=_after_save_markup(view.t) if saved else None)


async def reminders_command(message: Message, view: UserView, services: Services) -> None:
    assert message.from_user is not None
    telegram_id = message.from_user.id
    items = await services.reminders.list(telegram_id)
    text, markup = list_view(items, await services.reminders.zone(telegram_id), view.now(), view.t)
    await message.answer(text, reply_markup=markup)


# --- the menu and the wizard -----------------------------------------------------------


async def menu_button(query: CallbackQuery, callback_data: RemindMenu, state: FSMContext, link: Link | None,
                      view: UserView, services: Services) -> None:
    if not await require_link(query, link, view):
        return
    telegram_id = query.from_user.id
    zone_name = await services.reminders.zone(telegram_id)
    if callback_data.action == "list":
        items = await services.reminders.list(telegram_id)
        await show(query, *list_view(items, zone_name, view.now(), view.t))
        return
    kind = Kind.CLOSE if callback_data.action == "close" else Kind.BREAK
    if kind is Kind.BREAK and not await services.reminders.has_room(telegram_id, kind):
        await show(query, view.t("remind.limit", limit=MAX_REMINDERS))
        return
    if query.message is None:  # pragma: no cover - Telegram always sends the message of an inline button
        return
    draft = await _start(state, query.message.message_id, kind)
    await show(query, *step_view(draft, zone_name, view.t))


async def time_chosen(query: CallbackQuery, callback_data: RemindStep, state: FSMContext, link: Link | None,
                      view: UserView, services: Services, callback_answer: CallbackAnswer) -> None:
    """A break time from the grid, or "Other time…"."""
    if not await require_link(query, link, view):
        return
    steps = ("time",) if callback_data.value == "o" else ("time", "typing")
    draft = await _tapped_draft(query, state, steps, view, callback_answer)
    if draft is None:
        return
    if callback_data.value == "o":
        draft["step"] = "typing"
        await state.set_state(RemindStates.time)
        await _advance(query, state, draft, view, services)
        return
    at = _parse_hhmm(callback_data.value)
    if at is None:
        callback_answer.text = view.t("unknown_button")
        return
    draft.update(at=f"{at:%H:%M}", days=draft.get("days", DEFAULT_DAYS), step="days")
    await state.set_state(RemindStates.wizard)
    await _advance(query, state, draft, view, services)


async def day_toggled(query: CallbackQuery, callback_data: RemindStep, state: FSMContext, link: Link | None,
                      view: UserView, services: Services, callback_answer: CallbackAnswer) -> None:
    if not await require_link(query, link, view):
        return
    draft = await _tapped_draft(query, state, ("days",), view, callback_answer)
    if draft is None:
        return
    if callback_data.value not in tuple("0123456"):
        callback_answer.text = view.t("unknown_button")
        return
    days = set(draft.get("days", ""))
    days ^= {callback_data.value}
    draft["days"] = "".join(sorted(days))
    draft.pop("warn", None)
    await _advance(query, state, draft, view, services)


async def days_done(query: CallbackQuery, state: FSMContext, link: Link | None, view: UserView,
                    services: Services, callback_answer: CallbackAnswer) -> None:
    if not await require_link(query, link, view):
        return
    draft = await _tapped_draft(query, state, ("days",), view, callback_answer)
    if draft is None:
        return
    if not draft.get("days"):
        callback_answer.text = view.t("remind.no_days")
        callback_answer.show_alert = True
        draft["warn"] = True
    else:
        draft.pop("warn", None)
        draft["step"] = "mode"
    await _advance(query, state, draft, view, services)


async def mode_chosen(query: CallbackQuery, callback_data: RemindStep, state: FSMContext, link: Link | None,
                      view: UserView, services: Services, callback_answer: CallbackAnswer) -> None:
    if not await require_link(query, link, view):
        return
    draft = await _tapped_draft(query, state, ("mode",), view, callback_answer)
    if draft is None:
        return
    if callback_data.value not in (Mode.ASK.value, Mode.AUTO.value):
        callback_answer.text = view.t("unknown_button")
        return
    draft.update(mode=callback_data.value, step="length")
    await _advance(query, state, draft, view, services)


async def length_chosen(query: CallbackQuery, callback_data: RemindStep, state: FSMContext, link: Link | None,
                        view: UserView, services: Services, callback_answer: CallbackAnswer) -> None:
    if not await require_link(query, link, view):
        return
    draft = await _tapped_draft(query, state, ("length",), view, callback_answer)
    if draft is None:
        return
    if callback_data.value not in ("0", *(str(minutes) for minutes in BREAK_LENGTHS)):
        callback_answer.text = view.t("unknown_button")
        return
    draft["len"] = int(callback_data.value)
    if draft["len"]:
        draft["step"] = "resume"
        await _advance(query, state, draft, view, services)
        return
    await _save_from_tap(query, state, draft, view, services)


async def resume_chosen(query: CallbackQuery, callback_data: RemindStep, state: FSMContext, link: Link | None,
                        view: UserView, services: Services, callback_answer: CallbackAnswer) -> None:
    if not await require_link(query, link, view):
        return
    draft = await _tapped_draft(query, state, ("resume",), view, callback_answer)
    if draft is None:
        return
    draft["resume"] = callback_data.value == "1"
    await _save_from_tap(query, state, draft, view, services)


async def close_time_chosen(query: CallbackQuery, callback_data: RemindStep, state: FSMContext, link: Link | None,
                            view: UserView, services: Services,
                            callback_answer: CallbackAnswer) -> None:
    if not await require_link(query, link, view):
        return
    steps = ("close",) if callback_data.value == "o" else ("close", "close_typing")
    draft = await _tapped_draft(query, state, steps, view, callback_answer)
    if draft is None:
        return
    if callback_data.value == "o":
        draft["step"] = "close_typing"
        await state.set_state(RemindStates.close_time)
        await _advance(query, state, draft, view, services)
        return
    at = _parse_hhmm(callback_data.value)
    if at is None:
        callback_answer.text = view.t("unknown_button")
        return
    draft["at"] = f"{at:%H:%M}"
    await _save_from_tap(query, state, draft, view, services)


async def wizard_cancelled(query: CallbackQuery, state: FSMContext, view: UserView,
                           callback_answer: CallbackAnswer) -> None:
    draft = await _tapped_draft(query, state, ("time", "typing", "days", "mode", "length", "resume", "close",
                                               "close_typing"), view, callback_answer)
    if draft is None:
        return
    await _finish(state, None)
    await show(query, view.t("remind.cancelled"))


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
        text, saved = await _create(message.from_user.id, _draft_of(draft), view, services)
        sent = await message.answer(text, reply_markup=_after_save_markup(view.t) if saved else None)
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


# --- /reminders buttons ----------------------------------------------------------------


async def reminder_edited(query: CallbackQuery, callback_data: ReminderEdit, link: Link | None, view: UserView,
                          services: Services, callback_answer: CallbackAnswer) -> None:
    if not await require_link(query, link, view):
        return
    telegram_id = query.from_user.id
    t = view.t
    if callback_data.action == "del":
        done = await services.reminders.delete(telegram_id, callback_data.rid)
        notice = t("reminders.deleted") if done else None
    elif callback_data.action in ("on", "off"):
        result = await services.reminders.set_enabled(telegram_id, callback_data.rid, callback_data.action == "on")
        done = result is not None
        notice = t(f"reminders.switched_{callback_data.action}") if done else None
    else:
        done, notice = False, None
    if not done:
        notice = t("reminders.not_found")
    callback_answer.text = notice
    items = await services.reminders.list(telegram_id)
    zone_name = await services.reminders.zone(telegram_id)
    await show(query, *list_view(items, zone_name, view.now(), t, notice=notice))


def create_router() -> Router:
    router = Router(name="reminders")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.message.register(remind_command, Command("remind"), flags=BITRIX24)
    router.message.register(reminders_command, Command("reminders"), flags=BITRIX24)
    router.message.register(break_time_typed, RemindStates.time, F.text, ~F.text.startswith("/"))
    router.message.register(close_time_typed, RemindStates.close_time, F.text, ~F.text.startswith("/"))
    router.callback_query.register(menu_button, RemindMenu.filter())
    router.callback_query.register(time_chosen, RemindStep.filter(F.step == "t"), flags=ANSWER_AFTER)
    router.callback_query.register(day_toggled, RemindStep.filter(F.step == "d"), flags=ANSWER_AFTER)
    router.callback_query.register(days_done, RemindStep.filter(F.step == "n"), flags=ANSWER_AFTER)
    router.callback_query.register(mode_chosen, RemindStep.filter(F.step == "m"), flags=ANSWER_AFTER)
    router.callback_query.register(length_chosen, RemindStep.filter(F.step == "b"), flags=ANSWER_AFTER)
    router.callback_query.register(resume_chosen, RemindStep.filter(F.step == "r"), flags=ANSWER_AFTER)
    router.callback_query.register(close_time_chosen, RemindStep.filter(F.step == "c"), flags=ANSWER_AFTER)
    router.callback_query.register(wizard_cancelled, RemindStep.filter(F.step == "x"), flags=ANSWER_AFTER)
    router.callback_query.register(reminder_edited, ReminderEdit.filter(), flags=ANSWER_AFTER)
    return router
