"""/remind, /reminders and /timezone through the production dispatcher, the portal
emulator and Redis."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from aiogram.types import User
from redis.asyncio import Redis

from bot.i18n import Translator
from bot.reminders.models import EVERY_DAY, Kind, Mode, ReminderDraft
from bot.reminders.store import ReminderStore, recurring_job
from workday_sandbox.portal.emulator import PortalEmulator
from bot.services.reminders import MAX_REMINDERS, ReminderService, Scheduled
from bot.storage.keys import KeySpace
from bot.telegram.callbacks import ReminderEdit, RemindMenu, RemindStep, TimeZoneAction
from bot.telegram.handlers.reminders.views import days_text
from tests.bot.fixtures import ANNA_B24, ANNA_TG, BORIS_B24, BORIS_TG
from tests.bot.flows import link
from tests.bot.harness import Harness

KEYS = KeySpace("test")
# The harness clock: Monday 2 March 2026, 08:00 UTC = 09:00 in Berlin (CET).
BERLIN_1300_UTC = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
async def boris(harness: Harness, portal: PortalEmulator) -> User:
    user = harness.updates.user(BORIS_TG, first_name="Boris")
    await link(harness, portal, user, "boris@example.com", BORIS_B24)
    return user


def service(harness: Harness) -> ReminderService:
    return harness.services.reminders


async def stored(harness: Harness, telegram_id: int) -> list[Scheduled]:
    return await service(harness).list(telegram_id)


async def relax(redis: Redis) -> None:
    """Forget the per-user action counters: a test may type more commands than a person
    would in ten seconds."""
    keys = [key async for key in redis.scan_iter(match=KEYS("rate", "*"))]
    if keys:
        await redis.delete(*keys)


def sent_count(harness: Harness, telegram_id: int) -> int:
    return len(harness.session.by_chat[telegram_id])


def answer_of(harness: Harness) -> tuple[str | None, bool | None]:
    return list(harness.session.answered.values())[-1]


# --- text shortcuts ----------------------------------------------------------------------


@pytest.mark.parametrize(("command", "at", "days", "mode", "minutes", "words"), [
    ("/remind 13:00", time(13, 0), frozenset(range(5)), Mode.ASK, 0, ["Mon–Fri", "ask me"]),
    ("/remind 13:00 auto", time(13, 0), frozenset(range(5)), Mode.AUTO, 0, ["Mon–Fri", "pause automatically"]),
    ("/remind 13:00 auto 45m", time(13, 0), frozenset(range(5)), Mode.AUTO, 45,
     ["Mon–Fri", "pause automatically", "45 min break, then remind me"]),
    ("/remind 12:30 mon,wed,fri", time(12, 30), frozenset({0, 2, 4}), Mode.ASK, 0, ["Mon, Wed, Fri", "ask me"]),
])
async def test_text_shortcuts(harness: Harness, anna: User, command: str, at: time, days: frozenset[int],
                              mode: Mode, minutes: int, words: list[str]) -> None:
    reply = await harness.say(anna, command)
    [item] = await stored(harness, ANNA_TG)
    reminder = item.reminder
    assert (reminder.kind, reminder.at, reminder.days, reminder.mode, reminder.break_minutes) == (
        Kind.BREAK, at, days, mode, minutes)
    assert reminder.enabled and not reminder.auto_resume
    assert "Reminder saved" in reply.text
    assert f"<b>{at:%H:%M}</b>" in reply.text
    for word in words:
        assert word in reply.text
    # It is 09:00 in Berlin (Anna's Bitrix24 zone): the first one fires later today.
    assert f"Next: today at {at:%H:%M} (Europe/Berlin)" in reply.text
    assert item.next_at == datetime(2026, 3, 2, at.hour - 1, at.minute, tzinfo=UTC)
    assert reply.button("Reminders")


async def test_shortcut_with_auto_resume_and_weekend(harness: Harness, anna: User) -> None:
    reply = await harness.say(anna, "/remind 10:00 auto 30m resume weekends")
    [item] = await stored(harness, ANNA_TG)
    assert item.reminder.auto_resume and item.reminder.days == frozenset({5, 6})
    assert "30 min break, then resume automatically" in reply.text and "Sat, Sun" in reply.text
    assert "Next: Sat, 7 Mar at 10:00 (Europe/Berlin)" in reply.text


@pytest.mark.parametrize(("command", "expected"), [
    ("/remind 13:00 soonish", "I didn't understand “soonish”"),
    ("/remind 13:00 <b>", "I didn't understand “&lt;b&gt;”"),
    ("/remind auto", "Which time?"),
    ("/remind 13:00 600m", "from 1 to 480 minutes"),
    ("/remind close 18:30 auto", "for break reminders only"),
])
async def test_parse_errors_explain_and_create_nothing(harness: Harness, anna: User, command: str,
                                                       expected: str) -> None:
    reply = await harness.say(anna, command)
    assert expected in reply.text
    assert await stored(harness, ANNA_TG) == []


# --- the button wizard ---------------------------------------------------------------------


async def test_the_whole_break_wizard_edits_one_message(harness: Harness, anna: User) -> None:
    menu = await harness.say(anna, "/remind")
    assert "Reminders" in menu.text and "Europe/Berlin" in menu.text
    assert [label for label, _ in menu.buttons] == [
        "🍽 New break", "🌙 Close check", "📋 Reminders", "🌍 Time zone"]
    before = sent_count(harness, ANNA_TG)

    card = await harness.tap(anna, menu, menu.button("New break"))
    labels = [label for label, _ in card.buttons]
    assert labels[:6] == ["11:30", "12:00", "12:30", "13:00", "13:30", "14:00"]
    assert "🕐 Other time…" in labels

    card = await harness.tap(anna, card, card.button("12:30"))
    assert "Break at <b>12:30</b>" in card.text
    assert [label for label, _ in card.buttons][:7] == ["✓ Mon", "✓ Tue", "✓ Wed", "✓ Thu", "✓ Fri", "Sat", "Sun"]
    card = await harness.tap(anna, card, card.button("Tue"))
    card = await harness.tap(anna, card, card.button("Thu"))
    assert [label for label, _ in card.buttons][:7] == ["✓ Mon", "Tue", "✓ Wed", "Thu", "✓ Fri", "Sat", "Sun"]

    card = await harness.tap(anna, card, card.button("Next"))
    assert "Mon, Wed, Fri" in card.text and "[Pause now] [Skip] and [5] [10] [15 min]" in card.text
    card = await harness.tap(anna, card, card.button("Auto-pause"))
    # The likeliest lengths first; "no set length" (no come-back reminder) last.
    assert [label for label, _ in card.buttons][:5] == ["30 min", "60 min", "15 min", "45 min", "No set length"]
    card = await harness.tap(anna, card, card.button("45 min"))
    assert "45-minute break" in card.text
    card = await harness.tap(anna, card, card.button("Resume automatically"))

    assert sent_count(harness, ANNA_TG) == before  # every step edited the menu in place
    assert "Reminder saved" in card.text
    assert "<b>12:30</b> break · Mon, Wed, Fri · pause automatically · 45 min break, then resume automatically" \
        in card.text
    assert "I'll pause your day" in card.text and "Next: today at 12:30 (Europe/Berlin)" in card.text
    [item] = await stored(harness, ANNA_TG)
    reminder = item.reminder
    assert (reminder.at, reminder.days, reminder.mode, reminder.break_minutes, reminder.auto_resume) == (
        time(12, 30), frozenset({0, 2, 4}), Mode.AUTO, 45, True)
    assert await harness.dispatcher.storage.get_state(_key(harness, ANNA_TG)) is None


def _key(harness: Harness, telegram_id: int):  # noqa: ANN202 - aiogram's StorageKey
    from aiogram.fsm.storage.base import StorageKey

    return StorageKey(bot_id=harness.bot.id, chat_id=telegram_id, user_id=telegram_id)


async def test_wizard_other_time_empty_days_and_no_break(harness: Harness, anna: User) -> None:
    menu = await harness.say(anna, "/remind")
    card = await harness.tap(anna, menu, menu.button("New break"))
    card = await harness.tap(anna, card, card.button("Other time"))
    assert "Send the time like <code>12:45</code>" in card.text
    assert [label for label, _ in card.buttons] == ["✖️ Cancel"]

    assert "not a time I understand" in (await harness.say(anna, "25:00")).text
    assert "not a time I understand" in (await harness.say(anna, "lunch")).text
    days = await harness.say(anna, "10:15")
    assert "Break at <b>10:15</b>" in days.text
    assert days.message_id != card.message_id  # the wizard carries on below the typed time
    [taken] = harness.session.calls("editMessageReplyMarkup")  # the prompt's Cancel is taken away
    assert taken.message_id == card.message_id and taken.reply_markup is None

    for day in ("Mon", "Tue", "Wed", "Thu", "Fri"):
        days = await harness.tap(anna, days, days.button(day))
    days = await harness.tap(anna, days, days.button("Next"))
    assert "Choose at least one day" in days.text
    assert answer_of(harness) == ("Choose at least one day.", True)
    days = await harness.tap(anna, days, days.button("Sat"))
    assert "Choose at least one day" not in days.text
    card = await harness.tap(anna, days, days.button("Next"))
    card = await harness.tap(anna, card, card.button("Ask me"))
    card = await harness.tap(anna, card, card.button("No set length"))
    assert "Reminder saved" in card.text and "Sat" in card.text
    [item] = await stored(harness, ANNA_TG)
    assert (item.reminder.at, item.reminder.days, item.reminder.mode, item.reminder.break_minutes) == (
        time(10, 15), frozenset({5}), Mode.ASK, 0)
    assert "Next: Sat, 7 Mar at 10:15" in card.text


async def test_wizard_cancel_button_and_commands_mid_wizard(harness: Harness, anna: User) -> None:
    menu = await harness.say(anna, "/remind")
    card = await harness.tap(anna, menu, menu.button("New break"))
    card = await harness.tap(anna, card, card.button("Other time"))
    # A command mid-wizard is a command, not a time; the wizard waits.
    assert "Day not started" in (await harness.say(anna, "/status")).text
    assert await stored(harness, ANNA_TG) == []
    assert await harness.dispatcher.storage.get_state(_key(harness, ANNA_TG)) == "RemindStates:time"
    card = await harness.tap(anna, card, card.button("Cancel"))
    assert "Cancelled. No reminder was created." in card.text
    assert await harness.dispatcher.storage.get_state(_key(harness, ANNA_TG)) is None


async def test_expired_wizard_buttons_never_crash(harness: Harness, anna: User, redis: Redis) -> None:
    # After /cancel.
    menu = await harness.say(anna, "/remind")
    card = await harness.tap(anna, menu, menu.button("New break"))
    assert "Cancelled" in (await harness.say(anna, "/cancel")).text
    card = await harness.tap(anna, card, card.button("13:00"))
    assert card.text == "This menu has expired. Start again with /remind."
    assert answer_of(harness)[0] == "This menu has expired. Start again with /remind."

    # After the draft expired in Redis (its TTL), on a later step.
    menu = await harness.say(anna, "/remind")
    card = await harness.tap(anna, menu, menu.button("New break"))
    card = await harness.tap(anna, card, card.button("13:00"))
    next_data = card.button("Next")
    keys = [key async for key in redis.scan_iter(match=KEYS("fsm", "*"))]
    assert keys
    await redis.delete(*keys)
    card = await harness.tap(anna, card, next_data)
    assert "This menu has expired" in card.text

    # Every kind of wizard button, on a message that has no draft.
    stale = await harness.say(anna, "/remind")
    for data in (RemindStep(step="t", value="1300"), RemindStep(step="t", value="o"), RemindStep(step="d", value="3"),
                 RemindStep(step="n"), RemindStep(step="m", value="auto"), RemindStep(step="b", value="45"),
                 RemindStep(step="r", value="1"), RemindStep(step="c", value="1830"), RemindStep(step="x")):
        stale = await harness.tap(anna, stale, data.pack())
        assert "This menu has expired" in stale.text
    assert await stored(harness, ANNA_TG) == []

    # A typed time after the draft is gone.
    menu = await harness.say(anna, "/remind")
    card = await harness.tap(anna, menu, menu.button("New break"))
    await harness.tap(anna, card, card.button("Other time"))
    data = await harness.dispatcher.storage.get_data(_key(harness, ANNA_TG))
    await harness.dispatcher.storage.set_data(_key(harness, ANNA_TG), {k: v for k, v in data.items()
                                                                        if k != "remind_draft"})
    assert "This menu has expired" in (await harness.say(anna, "12:00")).text
    assert await stored(harness, ANNA_TG) == []


async def test_an_older_wizard_message_and_a_second_save_tap(harness: Harness, anna: User) -> None:
    first = await harness.say(anna, "/remind")
    first = await harness.tap(anna, first, first.button("New break"))
    old_time = first.button("13:00")
    second = await harness.say(anna, "/remind")
    second = await harness.tap(anna, second, second.button("New break"))
    # The older wizard no longer owns the draft.
    first = await harness.tap(anna, first, old_time)
    assert "This menu has expired" in first.text

    card = await harness.tap(anna, second, second.button("13:00"))
    card = await harness.tap(anna, card, card.button("Next"))
    card = await harness.tap(anna, card, card.button("Ask me"))
    no_break = card.button("No set length")
    card = await harness.tap(anna, card, no_break)
    assert "Reminder saved" in card.text
    card = await harness.tap(anna, card, no_break)  # a quick double tap, delivered late
    assert "Reminder saved" in card.text
    assert answer_of(harness)[0] == "Already saved."
    assert len(await stored(harness, ANNA_TG)) == 1


async def test_a_late_tap_from_an_earlier_step_does_nothing(harness: Harness, anna: User) -> None:
    menu = await harness.say(anna, "/remind")
    card = await harness.tap(anna, menu, menu.button("New break"))
    thirteen = card.button("13:00")
    card = await harness.tap(anna, card, thirteen)
    card = await harness.tap(anna, card, card.button("Next"))
    text = card.text
    card = await harness.tap(anna, card, thirteen)
    assert card.text == text
    assert answer_of(harness)[0] == "This button no longer works."


# --- forgot to close -----------------------------------------------------------------------


async def test_forgot_to_close_from_the_menu_adds_a_morning_check(harness: Harness, anna: User) -> None:
    menu = await harness.say(anna, "/remind")
    card = await harness.tap(anna, menu, menu.button("Close check"))
    assert "still open or paused" in card.text
    labels = [label for label, _ in card.buttons]
    assert labels[:7] == ["17:00", "17:30", "18:00", "18:30", "19:00", "19:30", "20:00"]
    card = await harness.tap(anna, card, card.button("18:30"))
    assert "Reminder saved" in card.text and "<b>18:30</b> forgot-to-close check" in card.text
    assert "only while your day is still open or paused" in card.text
    assert "morning check at <b>08:30</b>" in card.text
    assert "Next: today at 18:30 (Europe/Berlin)" in card.text
    kinds = {item.reminder.kind: item for item in await stored(harness, ANNA_TG)}
    assert set(kinds) == {Kind.CLOSE, Kind.MORNING}
    assert kinds[Kind.CLOSE].reminder.at == time(18, 30)
    assert kinds[Kind.MORNING].reminder.at == time(8, 30)
    assert kinds[Kind.MORNING].next_at is not None


async def test_forgot_to_close_by_text_and_typed_time(harness: Harness, anna: User) -> None:
    reply = await harness.say(anna, "/remind close 18:30")
    assert "forgot-to-close check" in reply.text and "morning check" in reply.text
    assert {item.reminder.kind for item in await stored(harness, ANNA_TG)} == {Kind.CLOSE, Kind.MORNING}

    picker = await harness.say(anna, "/remind close")
    picker = await harness.tap(anna, picker, picker.button("Other time"))
    assert "not a time" in (await harness.say(anna, "25:99")).text
    saved = await harness.say(anna, "7:45pm")  # a 12-hour time is understood too
    assert "<b>19:45</b> forgot-to-close check" in saved.text
    items = await stored(harness, ANNA_TG)
    # The new check replaced the old one; the morning check is still the one.
    assert sorted((item.reminder.kind.value, item.reminder.at) for item in items) == [
        ("close", time(19, 45)), ("morning", time(8, 30))]
    assert await harness.dispatcher.storage.get_state(_key(harness, ANNA_TG)) is None


# --- /reminders ----------------------------------------------------------------------------


async def test_reminders_list_toggle_and_delete(harness: Harness, anna: User, redis: Redis) -> None:
    empty = await harness.say(anna, "/reminders")
    assert "no reminders yet" in empty.text and "/remind 13:00" in empty.text
    assert empty.button("New break")

    await harness.say(anna, "/remind 13:00 auto 45m")
    await harness.say(anna, "/remind 12:30 mon,wed,fri")
    await relax(redis)
    listing = await harness.say(anna, "/reminders")
    assert "Your reminders" in listing.text and "Europe/Berlin" in listing.text
    assert "1. 🍽 <b>12:30</b> break · Mon, Wed, Fri · ask me" in listing.text
    assert "2. 🍽 <b>13:00</b> break · Mon–Fri · pause automatically · 45 min break, then remind me" in listing.text
    assert "on, next today at 12:30" in listing.text
    # One row per reminder, named by its time: a switch (ticked while on) and delete.
    assert [label for label, _ in listing.buttons][:4] == ["✅ 12:30", "🗑 12:30", "✅ 13:00", "🗑 13:00"]
    first, second = (item.reminder.id for item in await stored(harness, ANNA_TG))
    store = ReminderStore(redis, KEYS)
    before = sent_count(harness, ANNA_TG)

    listing = await harness.tap(anna, listing, listing.button("✅ 12:30"))
    assert "Switched off" in listing.text and "🔕 off" in listing.text
    assert await store.due_at(recurring_job(first)) is None  # out of the due queue
    listing = await harness.tap(anna, listing, listing.button("⬜ 12:30"))
    assert "Switched on" in listing.text
    assert await store.due_at(recurring_job(first)) == datetime(2026, 3, 2, 11, 30, tzinfo=UTC)

    # Delete asks first: a mis-tap on a phone is easy. "Keep" leaves it be.
    listing = await harness.tap(anna, listing, listing.button("🗑 13:00"))
    assert "Delete this reminder?" in listing.text
    assert [label for label, _ in listing.buttons][2:4] == ["🗑 Delete?", "↩️ Keep"]
    assert len(await stored(harness, ANNA_TG)) == 2
    listing = await harness.tap(anna, listing, listing.button("Keep"))
    assert "Delete this reminder?" not in listing.text and len(await stored(harness, ANNA_TG)) == 2
    listing = await harness.tap(anna, listing, listing.button("🗑 13:00"))
    listing = await harness.tap(anna, listing, listing.button("Delete?"))
    assert "Deleted" in listing.text and "13:00" not in listing.text
    assert await store.due_at(recurring_job(second)) is None
    assert [item.reminder.id for item in await stored(harness, ANNA_TG)] == [first]
    listing = await harness.tap(anna, listing, listing.button("🗑 12:30"))
    listing = await harness.tap(anna, listing, listing.button("Delete?"))
    assert "no reminders yet" in listing.text
    assert sent_count(harness, ANNA_TG) == before  # all edited in place


async def test_forged_reminder_ids_do_nothing(harness: Harness, anna: User, boris: User, redis: Redis) -> None:
    await harness.say(anna, "/remind 13:00")
    [item] = await stored(harness, ANNA_TG)
    store = ReminderStore(redis, KEYS)
    due = await store.due_at(recurring_job(item.reminder.id))
    own = await harness.say(boris, "/reminders")
    for action in ("del", "off", "on", "ask"):
        own = await harness.tap(boris, own, ReminderEdit(action=action, rid=item.reminder.id).pack())
        assert "doesn't exist, or isn't yours" in own.text
    own = await harness.tap(boris, own, ReminderEdit(action="del", rid=999999).pack())
    assert "doesn't exist" in own.text
    [still] = await stored(harness, ANNA_TG)
    assert still.reminder == item.reminder
    assert await store.due_at(recurring_job(item.reminder.id)) == due
    assert await stored(harness, BORIS_TG) == []


async def test_unlinked_users_are_sent_to_link(harness: Harness) -> None:
    stranger = harness.updates.user(7777)
    for command in ("/remind 13:00", "/remind", "/reminders", "/timezone", "/timezone Europe/Berlin"):
        assert "isn't linked" in (await harness.say(stranger, command)).text
    message = harness.session.last(7777)
    for data in (RemindMenu(action="new"), RemindStep(step="t", value="1300"), ReminderEdit(action="del", rid=1),
                 TimeZoneAction(action="show"), TimeZoneAction(action="b24")):
        await harness.tap(stranger, message, data.pack())
        assert "isn't linked" in harness.session.last(7777).text or \
            "isn't linked" in harness.session.messages[(7777, message.message_id)].text
    assert await stored(harness, 7777) == []


# --- time zone -----------------------------------------------------------------------------


async def test_timezone_show_set_invalid_and_back_to_bitrix24(harness: Harness, anna: User, redis: Redis) -> None:
    await harness.say(anna, "/remind 13:00")
    [item] = await stored(harness, ANNA_TG)
    store = ReminderStore(redis, KEYS)
    job = recurring_job(item.reminder.id)
    assert await store.due_at(job) == BERLIN_1300_UTC

    shown = await harness.say(anna, "/timezone")
    assert "<b>Europe/Berlin</b>, from your Bitrix24 profile" in shown.text
    assert "It's 09:00 there now" in shown.text and "/timezone Europe/Berlin" in shown.text

    changed = await harness.say(anna, "/timezone asia/TOKYO")
    assert "Time zone changed" in changed.text and "reminders moved" in changed.text
    assert "<b>Asia/Tokyo</b>, chosen by you" in changed.text and "It's 17:00 there now" in changed.text
    assert await service(harness).zone(ANNA_TG) == "Asia/Tokyo"
    # 13:00 in Tokyo on Monday has passed (it is 17:00 there): Tuesday 13:00 JST = 04:00 UTC.
    assert await store.due_at(job) == datetime(2026, 3, 3, 4, 0, tzinfo=UTC)

    unknown = await harness.say(anna, "/timezone Mars/Olympus_Mons")
    assert "I don't know the time zone “Mars/Olympus_Mons”" in unknown.text
    assert "<code>/timezone Europe/Berlin</code>" in unknown.text
    assert "&lt;b&gt;" in (await harness.say(anna, "/timezone <b>")).text
    await relax(redis)
    assert await service(harness).zone(ANNA_TG) == "Asia/Tokyo"

    shown = await harness.say(anna, "/timezone")
    back = await harness.tap(anna, shown, shown.button("Use my Bitrix24 time zone"))
    assert "Time zone changed" in back.text and "reminders moved" in back.text
    assert "<b>Europe/Berlin</b>, from your Bitrix24 profile" in back.text
    assert await store.due_at(job) == BERLIN_1300_UTC
    again = await harness.tap(anna, back, back.button("Use my Bitrix24 time zone"))
    assert "stays the same" in again.text


async def test_relinking_to_an_employee_in_another_zone_moves_reminders(harness: Harness, portal: PortalEmulator,
                                                                       anna: User, redis: Redis) -> None:
    await harness.say(anna, "/remind 13:00")
    [item] = await stored(harness, ANNA_TG)
    store = ReminderStore(redis, KEYS)
    job = recurring_job(item.reminder.id)
    assert await store.due_at(job) == BERLIN_1300_UTC
    await link(harness, portal, anna, "boris@example.com", BORIS_B24)  # Boris works in Moscow
    assert await service(harness).zone(ANNA_TG) == "Europe/Moscow"
    assert await store.due_at(job) == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # 13:00 in Moscow


async def test_timezone_from_the_remind_menu_and_unchanged(harness: Harness, anna: User) -> None:
    menu = await harness.say(anna, "/remind")
    shown = await harness.tap(anna, menu, menu.button("Time zone"))
    assert "Europe/Berlin" in shown.text and shown.button("Use my Bitrix24 time zone")
    same = await harness.say(anna, "/timezone Europe/Berlin")
    assert "stays the same" in same.text and "chosen by you" in same.text


async def test_timezone_bitrix24_failure_and_no_zone(harness: Harness, portal: PortalEmulator, anna: User,
                                                     redis: Redis) -> None:
    await harness.say(anna, "/timezone Asia/Tokyo")
    shown = await harness.say(anna, "/timezone")
    portal.faults.inject("http_503", times=50)
    failed = await harness.tap(anna, shown, shown.button("Use my Bitrix24 time zone"))
    portal.faults.clear()
    assert "couldn't read your time zone from Bitrix24" in failed.text and "Nothing was changed" in failed.text
    assert await service(harness).zone(ANNA_TG) == "Asia/Tokyo"

    # A Bitrix24 profile without a zone of its own: the bot's default (UTC in tests).
    await harness.say(anna, "/remind 13:00")
    [item] = await stored(harness, ANNA_TG)
    portal.users[ANNA_B24].time_zone = ""
    await relax(redis)
    result = await harness.tap(anna, failed, failed.button("Use my Bitrix24 time zone"))
    assert "no time zone of its own" in result.text and "the bot's default" in result.text
    assert "<b>UTC</b>" in result.text
    assert await service(harness).zone(ANNA_TG) == "UTC"
    store = ReminderStore(redis, KEYS)
    assert await store.due_at(recurring_job(item.reminder.id)) == datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


# --- Russian, the limit ------------------------------------------------------------------


async def test_russian(harness: Harness, portal: PortalEmulator, redis: Redis) -> None:
    boris = harness.updates.user(BORIS_TG, language="ru", first_name="Борис")
    await link(harness, portal, boris, "boris@example.com", BORIS_B24)
    reply = await harness.say(boris, "/remind 13:00 auto 45m")
    assert "Напоминание сохранено" in reply.text and "пн–пт" in reply.text
    assert "автопауза" in reply.text and "перерыв 45 мин" in reply.text
    assert "Ближайшее: сегодня в 13:00 (Europe/Moscow)" in reply.text
    assert "Не понял «когда-нибудь»" in (await harness.say(boris, "/remind 13:00 когда-нибудь")).text
    menu = await harness.say(boris, "/remind")
    card = await harness.tap(boris, menu, menu.button("Перерыв"))
    card = await harness.tap(boris, card, card.button("12:00"))
    assert "✓ пн" in [label for label, _ in card.buttons]
    # One wording for the automatic pause: the button, its explanation and the summary.
    mode = await harness.tap(boris, card, card.button("Далее"))
    assert "⏸ Автопауза" in [label for label, _ in mode.buttons]
    assert "<b>автопауза</b>: я сам поставлю день на паузу" in mode.text
    assert "сам" not in "".join(label for label, _ in mode.buttons)
    length = await harness.tap(boris, mode, mode.button("Автопауза"))
    after = await harness.tap(boris, length, length.button("30 мин"))
    assert "▶️ Продолжить автоматически" in [label for label, _ in after.buttons]
    # The bot's own words are understood back, and the examples are in Russian.
    russian = await harness.say(boris, "/remind 14:00 авто 30 мин")
    assert "перерыв 30 мин" in russian.text
    assert "<code>/remind 13:00 авто 45 мин</code>" in (await harness.say(boris, "/remind 13:00 когда")).text
    await relax(redis)
    listing = await harness.say(boris, "/reminders")
    assert "Ваши напоминания" in listing.text and listing.button("🗑 13:00")
    assert "Ваш часовой пояс" in (await harness.say(boris, "/timezone")).text


async def test_the_reminder_limit(harness: Harness, anna: User, redis: Redis) -> None:
    for hour in range(MAX_REMINDERS - 1):
        await service(harness).create(ANNA_TG, ReminderDraft(kind=Kind.BREAK, at=time(8 + hour, 0)))
    # One place left: a forgot-to-close check needs two (with its morning check), and
    # must not be half-created.
    refused = await harness.say(anna, "/remind close 18:30")
    assert f"needs two free places; you have 9 of {MAX_REMINDERS} reminders" in refused.text
    assert len(await stored(harness, ANNA_TG)) == MAX_REMINDERS - 1

    assert "Reminder saved" in (await harness.say(anna, "/remind 19:00")).text
    assert len(await stored(harness, ANNA_TG)) == MAX_REMINDERS
    assert "already have 10 reminders" in (await harness.say(anna, "/remind 20:00")).text
    menu = await harness.say(anna, "/remind")
    card = await harness.tap(anna, menu, menu.button("New break"))
    assert "already have 10 reminders" in card.text
    assert len(await stored(harness, ANNA_TG)) == MAX_REMINDERS

    # A wizard that started before the limit was reached is refused when it saves.
    await relax(redis)
    listing = await harness.say(anna, "/reminders")
    listing = await harness.tap(anna, listing, listing.button("🗑 08:00"))
    listing = await harness.tap(anna, listing, listing.button("Delete?"))
    menu = await harness.say(anna, "/remind")
    card = await harness.tap(anna, menu, menu.button("New break"))
    await service(harness).create(ANNA_TG, ReminderDraft(kind=Kind.BREAK, at=time(7, 0)))
    card = await harness.tap(anna, card, card.button("13:30"))
    card = await harness.tap(anna, card, card.button("Next"))
    card = await harness.tap(anna, card, card.button("Ask me"))
    card = await harness.tap(anna, card, card.button("No set length"))
    assert "already have 10 reminders" in card.text
    assert len(await stored(harness, ANNA_TG)) == MAX_REMINDERS


# --- pieces ----------------------------------------------------------------------------------


def test_days_read_like_people_write_them() -> None:
    t = Translator("en")
    assert days_text(frozenset(range(5)), t) == "Mon–Fri"
    assert days_text(frozenset({0, 2, 4}), t) == "Mon, Wed, Fri"
    assert days_text(EVERY_DAY, t) == "every day"
    assert days_text(frozenset({0, 1, 2, 5}), t) == "Mon–Wed, Sat"
    assert days_text(frozenset({5, 6}), t) == "Sat, Sun"
    assert days_text(frozenset(range(5)), Translator("ru")) == "пн–пт"


def test_callback_data_stays_short() -> None:
    for data in (RemindMenu(action="close"), RemindStep(step="t", value="1330"), RemindStep(step="x"),
                 ReminderEdit(action="del", rid=2**53), TimeZoneAction(action="b24")):
        assert len(data.pack().encode()) <= 64

