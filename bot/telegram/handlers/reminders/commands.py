"""/remind (a text shortcut, or the menu) and /reminders with its switch and delete buttons,
and the nudges' switches under them.

Typed commands carry the `bitrix24` flag (linked users only, throttled). Menu and list
taps only touch Redis: they check the link themselves and are not throttled. List buttons
carry only a reminder id; the service only acts on the tapper's own reminders.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.reminders.models import NUDGE_KINDS, Kind, ParseError, parse_remind_args
from bot.services.reminders import MAX_REMINDERS
from bot.storage.links import Link
from bot.telegram.callbacks import NudgeToggle, ReminderEdit, RemindMenu
from bot.telegram.deps import Services
from bot.telegram.fit import quote
from bot.telegram.handlers.reminders.views import list_view, menu_view, step_view
from bot.telegram.handlers.reminders.wizard import ANSWER_AFTER, save_reminder, start_wizard
from bot.telegram.handlers.workday import BITRIX24
from bot.telegram.replies import require_link, show
from bot.telegram.view import UserView

CLOSE_WORDS = ("close", "закрыть")


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
        await start_wizard(state, sent.message_id, Kind.CLOSE)
        return
    try:
        parsed = parse_remind_args(args)
    except ParseError as error:
        await message.answer(view.t(error.key, token=quote(error.token), **error.params))
        return
    text, markup = await save_reminder(telegram_id, parsed, view, services)
    await message.answer(text, reply_markup=markup)


async def _list(telegram_id: int, view: UserView, services: Services, notice: str | None = None,
                confirm: int | None = None) -> tuple[str, InlineKeyboardMarkup]:
    items = await services.reminders.list(telegram_id)
    nudges = await services.nudges.list(telegram_id)
    return list_view(items, await services.reminders.zone(telegram_id), view.now(), view.t, notice=notice,
                     confirm=confirm, nudges=nudges)


async def reminders_command(message: Message, view: UserView, services: Services) -> None:
    assert message.from_user is not None
    text, markup = await _list(message.from_user.id, view, services)
    await message.answer(text, reply_markup=markup)


async def menu_button(query: CallbackQuery, callback_data: RemindMenu, state: FSMContext, link: Link | None,
                      view: UserView, services: Services) -> None:
    if not await require_link(query, link, view):
        return
    telegram_id = query.from_user.id
    if callback_data.action == "list":
        await show(query, *await _list(telegram_id, view, services))
        return
    zone_name = await services.reminders.zone(telegram_id)
    kind = Kind.CLOSE if callback_data.action == "close" else Kind.BREAK
    if kind is Kind.BREAK and not await services.reminders.has_room(telegram_id, kind):
        await show(query, view.t("remind.limit", limit=MAX_REMINDERS))
        return
    if query.message is None:  # pragma: no cover - Telegram always sends the message of an inline button
        return
    draft = await start_wizard(state, query.message.message_id, kind)
    await show(query, *step_view(draft, zone_name, view.t))


async def reminder_edited(query: CallbackQuery, callback_data: ReminderEdit, link: Link | None, view: UserView,
                          services: Services, callback_answer: CallbackAnswer) -> None:
    if not await require_link(query, link, view):
        return
    telegram_id = query.from_user.id
    t = view.t
    if callback_data.action in ("ask", "keep"):  # the delete button's first tap, or "Keep"
        mine = await services.reminders.owned(telegram_id, callback_data.rid) is not None
        confirm = callback_data.rid if callback_data.action == "ask" and mine else None
        notice = t("reminders.confirm_delete") if confirm else None if mine else t("reminders.not_found")
        callback_answer.text = notice
        await show(query, *await _list(telegram_id, view, services, notice, confirm=confirm))
        return
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
    await show(query, *await _list(telegram_id, view, services, notice))


async def nudge_toggled(query: CallbackQuery, callback_data: NudgeToggle, link: Link | None, view: UserView,
                        services: Services, callback_answer: CallbackAnswer) -> None:
    if not await require_link(query, link, view):
        return
    kind = Kind(callback_data.kind) if callback_data.kind in {k.value for k in NUDGE_KINDS} else None
    result = await services.nudges.set_enabled(query.from_user.id, kind, callback_data.on) if kind else None
    if result is None:
        notice = view.t("reminders.not_found")
    else:
        notice = view.t("reminders.switched_on" if result.reminder.enabled else "reminders.switched_off")
    callback_answer.text = notice
    await show(query, *await _list(query.from_user.id, view, services, notice))


def register(router: Router) -> None:
    router.message.register(remind_command, Command("remind"), flags=BITRIX24)
    router.message.register(reminders_command, Command("reminders"), flags=BITRIX24)
    router.callback_query.register(menu_button, RemindMenu.filter())
    router.callback_query.register(reminder_edited, ReminderEdit.filter(), flags=ANSWER_AFTER)
    router.callback_query.register(nudge_toggled, NudgeToggle.filter(), flags=ANSWER_AFTER)
