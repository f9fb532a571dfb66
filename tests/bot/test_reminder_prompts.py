"""The buttons on what the reminder engine sends (the break prompt, the end of a break,
the forgot-to-close nudge), tapped through the production dispatcher against the portal
emulator and Redis. The engine's own part (what fires, once) is in tests/reminders."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from aiogram.types import User
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.i18n import Translator
from bot.reminders.engine import BREAK_END, BREAK_NUDGE, SNOOZE, Notice, NoticeKind
from bot.reminders.models import Kind, Mode, Reminder, ReminderDraft
from bot.reminders.store import one_off_job
from bot.telegram.reminder_notifier import render_notice
from bot.telegram.view import UserView
from tests.bot.fixtures import ANNA_B24, ANNA_TG
from tests.bot.harness import Harness, SentMessage
from tests.bot.test_reminders_ui import relax


async def create(harness: Harness, draft: ReminderDraft) -> Reminder:
    created = await harness.services.reminders.create(ANNA_TG, draft)
    return created[0].reminder


async def send_notice(harness: Harness, clock: ManualClock, kind: NoticeKind, reminder: Reminder,
                      language: str = "en") -> SentMessage:
    """What the notifier would send for this notice, sent to Anna's chat."""
    report = await harness.services.workday.status(ANNA_B24)
    profile = await harness.repos.profiles.get(ANNA_TG)
    view = UserView(t=Translator(language), profile=profile, default_zone="Europe/Berlin", clock=clock)
    notice = Notice(kind=kind, telegram_id=ANNA_TG, reminder=reminder, scheduled=clock.now(), day=report.day)
    text, markup = render_notice(notice, view)
    await harness.bot.send_message(ANNA_TG, text, reply_markup=markup)
    return harness.session.last(ANNA_TG)


def labels(message: SentMessage) -> list[list[str]]:
    assert message.markup is not None
    return [[button["text"] for button in row] for row in message.markup["inline_keyboard"]]


async def due(harness: Harness, job: str) -> datetime | None:
    return await harness.repos.reminders.due_at(job)


async def test_the_break_prompt_snoozes_for_5_10_or_15_minutes(harness: Harness, anna: User,
                                                               clock: ManualClock) -> None:
    reminder = await create(harness, ReminderDraft(kind=Kind.BREAK, at=time(13, 0)))
    prompt = await send_notice(harness, clock, NoticeKind.ASK, reminder)
    assert labels(prompt) == [["⏸ Pause now", "✖️ Skip"], ["5 min", "10 min", "15 min"]]
    ru = await send_notice(harness, clock, NoticeKind.ASK, reminder, language="ru")
    assert labels(ru) == [["⏸ Пауза", "✖️ Пропустить"], ["5 мин", "10 мин", "15 мин"]]

    done = await harness.tap(anna, prompt, prompt.button("15 min"))
    again = clock.now() + timedelta(minutes=15)
    assert "I'll remind you again at 09:15" in done.text
    assert await due(harness, one_off_job(SNOOZE, reminder.id, int(again.timestamp()))) == again


async def test_break_over_offers_five_more_minutes(harness: Harness, anna: User, clock: ManualClock) -> None:
    reminder = await create(harness, ReminderDraft(kind=Kind.BREAK, at=time(13, 0), break_minutes=30))
    await harness.services.workday.start(ANNA_B24)
    await harness.services.workday.pause(ANNA_B24)
    # The engine has queued the follow-up for an ignored break-over message.
    nudge = one_off_job(BREAK_NUDGE, reminder.id, 0)
    await harness.repos.reminders.schedule(nudge, clock.now() + timedelta(minutes=10))
    over = await send_notice(harness, clock, NoticeKind.BREAK_OVER, reminder)
    assert "⏰ 5 more min" in labels(over)[-1]
    assert any("Resume" in label for row in labels(over) for label in row)

    done = await harness.tap(anna, over, over.button("5 more min"))
    assert "5 more minutes: I'll remind you at 09:05" in done.text
    again = clock.now() + timedelta(minutes=5)
    assert await due(harness, one_off_job(BREAK_END, reminder.id, int(clock.now().timestamp()))) == again
    assert await due(harness, nudge) is None  # not ignored: the follow-up waits for the next message


async def test_forgot_to_close_offers_to_ask_again_later(harness: Harness, anna: User, clock: ManualClock) -> None:
    reminder = await create(harness, ReminderDraft(kind=Kind.CLOSE, at=time(18, 30)))
    await harness.services.workday.start(ANNA_B24)
    nudge = await send_notice(harness, clock, NoticeKind.CLOSE_NUDGE, reminder)
    assert "or ⏰ if you're still working" in nudge.text
    assert labels(nudge)[-1] == ["⏰ In 1 h", "⏰ In 2 h"]
    ru = await send_notice(harness, clock, NoticeKind.CLOSE_NUDGE, reminder, language="ru")
    assert labels(ru)[-1] == ["⏰ Через 1 ч", "⏰ Через 2 ч"]

    done = await harness.tap(anna, nudge, nudge.button("In 2 h"))
    later = clock.now() + timedelta(hours=2)
    assert "check your day again at 11:00" in done.text
    assert await due(harness, one_off_job(SNOOZE, reminder.id, int(later.timestamp()))) == later


async def test_the_same_reminder_twice_is_refused_and_shown(harness: Harness, anna: User, redis: Redis) -> None:
    first = await harness.say(anna, "/remind 13:00")
    assert "Reminder saved" in first.text
    second = await harness.say(anna, "/remind 13:00")
    assert "already have this reminder" in second.text
    assert "🍽 <b>13:00</b> break · Mon–Fri · ask me" in second.text
    assert len(await harness.services.reminders.list(ANNA_TG)) == 1
    # Differing in anything the user chose is another reminder.
    assert "Reminder saved" in (await harness.say(anna, "/remind 13:00 45m")).text
    assert "Reminder saved" in (await harness.say(anna, "/remind 13:00 mon")).text

    # The wizard goes through the same rule.
    menu = await harness.say(anna, "/remind")
    card = await harness.tap(anna, menu, menu.button("New break"))
    card = await harness.tap(anna, card, card.button("13:00"))
    card = await harness.tap(anna, card, card.button("Next"))
    card = await harness.tap(anna, card, card.button("Ask me"))
    card = await harness.tap(anna, card, card.button("No set length"))
    assert "already have this reminder" in card.text
    assert len(await harness.services.reminders.list(ANNA_TG)) == 3

    # An evening check the same as the one there is refused too (not silently replaced).
    await relax(redis)
    assert "Reminder saved" in (await harness.say(anna, "/remind close 18:30")).text
    assert "already have this reminder" in (await harness.say(anna, "/remind close 18:30")).text
    assert [item.reminder.kind for item in await harness.services.reminders.list(ANNA_TG)].count(Kind.CLOSE) == 1


async def test_seven_reminders_fit_a_phone(harness: Harness, anna: User) -> None:
    for hour in range(11, 16):
        await harness.services.reminders.create(ANNA_TG, ReminderDraft(kind=Kind.BREAK, at=time(hour, 0),
                                                                      mode=Mode.AUTO))
    await harness.services.reminders.create(ANNA_TG, ReminderDraft(kind=Kind.CLOSE, at=time(18, 30)))
    listing = await harness.say(anna, "/reminders")
    rows = labels(listing)
    assert len(rows) == 11  # one row per reminder, one per nudge, and the "new" row
    assert rows[0] == ["✅ 11:00", "🗑 11:00"]
    reminders, nudges = rows[:7] + rows[-1:], rows[7:10]
    for row in reminders:
        assert len(row) <= 2 and all(len(label) <= 14 for label in row)
    for row in nudges:  # a nudge's switch has its row to itself
        assert len(row) == 1 and len(row[0]) <= 28, row
