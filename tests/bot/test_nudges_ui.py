"""The nudges through the production dispatcher, the portal emulator and Redis: their
switches under /reminders, and the buttons on what they send. When they fire is the
engine's part (tests/reminders/test_nudges.py)."""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.types import User
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.i18n import Translator
from bot.reminders.engine import Notice, NoticeKind
from bot.reminders.models import Kind, Reminder
from bot.reminders.store import recurring_job
from bot.storage.keys import KeySpace
from bot.storage.pacing import Pacer
from bot.telegram.reminder_notifier import TelegramNotifier, render_notice
from bot.telegram.sender import PacedSender
from bot.telegram.view import UserView
from tests.bot.fixtures import ANNA_B24, ANNA_TG
from tests.bot.harness import BOT_TOKEN, Harness, SentMessage
from tests.bot.test_reminders_ui import relax
from workday_sandbox.portal.emulator import PortalEmulator


def labels(message: SentMessage) -> list[list[str]]:
    assert message.markup is not None
    return [[button["text"] for button in row] for row in message.markup["inline_keyboard"]]


async def nudge(harness: Harness, kind: Kind) -> Reminder:
    [found] = [n.reminder for n in await harness.services.nudges.list(ANNA_TG) if n.kind is kind]
    return found


async def send_notice(harness: Harness, clock: ManualClock, kind: NoticeKind, reminder: Reminder,
                      language: str = "en", **extra: object) -> SentMessage:
    """What the notifier would send for this notice, sent to Anna's chat."""
    report = await harness.services.workday.status(ANNA_B24)
    profile = await harness.repos.profiles.get(ANNA_TG)
    view = UserView(t=Translator(language), profile=profile, default_zone="Europe/Berlin", clock=clock)
    notice = Notice(kind=kind, telegram_id=ANNA_TG, reminder=reminder, scheduled=clock.now(), day=report.day,
                    **extra)  # type: ignore[arg-type]
    text, markup = render_notice(notice, view)
    await harness.bot.send_message(ANNA_TG, text, reply_markup=markup)
    return harness.session.last(ANNA_TG)


async def test_reminders_shows_the_nudges_and_a_tap_switches_one_off(harness: Harness, anna: User,
                                                                     redis: Redis) -> None:
    listing = await harness.say(anna, "/reminders")
    assert "<b>Nudges</b>" in listing.text
    assert labels(listing)[:3] == [["✅ Not started by 09:15"], ["✅ 8 h reached"], ["⬜ Weekly summary, Fri 17:45"]]
    late = await nudge(harness, Kind.LATE_START)
    job = recurring_job(late.id)
    assert await harness.repos.reminders.due_at(job) is not None  # linking set it up

    after = await harness.tap(anna, listing, listing.button("Not started by 09:15"))
    assert labels(after)[0] == ["⬜ Not started by 09:15"]
    assert "Switched off" in after.text
    assert await harness.repos.reminders.due_at(job) is None
    assert not (await nudge(harness, Kind.LATE_START)).enabled

    weekly = await harness.tap(anna, after, after.button("Weekly summary"))
    assert labels(weekly)[2] == ["✅ Weekly summary, Fri 17:45"]
    assert await harness.repos.reminders.due_at(recurring_job((await nudge(harness, Kind.WEEKLY)).id)) is not None

    await relax(redis)
    await harness.say(anna, "/language")
    await harness.tap(anna, harness.session.last(ANNA_TG), "lang:ru")
    ru = await harness.say(anna, "/reminders")
    assert "<b>Подсказки</b>" in ru.text
    assert labels(ru)[:3] == [["⬜ Не начат к 09:15"], ["✅ Норма 8 ч выполнена"], ["✅ Итоги недели, пт 17:45"]]


async def test_a_forged_switch_changes_nothing(harness: Harness, anna: User) -> None:
    listing = await harness.say(anna, "/reminders")
    after = await harness.tap(anna, listing, "nt:break:0")
    assert "doesn't exist" in after.text
    assert all(n.reminder.enabled != (n.kind is Kind.WEEKLY) for n in await harness.services.nudges.list(ANNA_TG))


async def test_the_not_started_notice_starts_the_day(harness: Harness, anna: User, clock: ManualClock,
                                                     portal: PortalEmulator) -> None:
    clock.advance(timedelta(minutes=15, seconds=5))  # 09:15 in Berlin
    notice = await send_notice(harness, clock, NoticeKind.LATE_START, await nudge(harness, Kind.LATE_START))
    assert "It's 09:15 and your day hasn't started yet" in notice.text
    assert labels(notice)[:2] == [["▶️ Start day"], ["🔄 Refresh", "📊 Week"]]
    card = await harness.tap(anna, notice, notice.button("Start day"))
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"
    assert "Pause" in str(labels(card))
    ru = await send_notice(harness, clock, NoticeKind.LATE_START, await nudge(harness, Kind.LATE_START), "ru")
    assert "Уже 09:15, а рабочий день ещё не начат" in ru.text


async def test_the_goal_notice_keeps_working_or_closes(harness: Harness, anna: User, clock: ManualClock,
                                                       portal: PortalEmulator) -> None:
    await harness.services.workday.start(ANNA_B24)
    clock.advance(timedelta(hours=8, seconds=30))
    goal = await nudge(harness, Kind.GOAL)
    notice = await send_notice(harness, clock, NoticeKind.GOAL_REACHED, goal, target=timedelta(hours=8))
    assert "You've done your 8 h: finish, or keep going?" in notice.text
    assert labels(notice) == [["🏁 Close day", "💪 Keep going"]]
    ru = await send_notice(harness, clock, NoticeKind.GOAL_REACHED, goal, "ru", target=timedelta(hours=8))
    assert "Вы отработали свои 8 часов" in ru.text

    before = portal.request_count()
    kept = await harness.tap(anna, notice, notice.button("Keep going"))
    assert "Keep going" in kept.text and kept.markup is None
    assert portal.request_count() == before  # nothing was sent to Bitrix24
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"

    again = await send_notice(harness, clock, NoticeKind.GOAL_REACHED, goal, target=timedelta(hours=7, minutes=30))
    assert "your 7 h 30 min" in again.text
    stale = await send_notice(harness, clock, NoticeKind.GOAL_REACHED, goal, target=timedelta(hours=8))
    keep_later = stale.button("Keep going")
    asked = await harness.tap(anna, again, again.button("Close day"))
    assert "With report" in str(labels(asked))  # the card's close: a report goes only with it
    closed = await harness.tap(anna, asked, asked.button("Close now"))
    assert portal.status_of(ANNA_B24)["STATUS"] == "CLOSED"
    assert "Undo" in str(labels(closed))
    # The first notice's Keep going, tapped now, knows the day is closed (nothing is asked).
    before = portal.request_count()
    late = await harness.tap(anna, stale, keep_later)
    assert "already closed" in late.text and portal.request_count() == before


async def test_the_weekly_summary_is_drawn_by_whoever_is_given(harness: Harness, anna: User, clock: ManualClock,
                                                               redis: Redis) -> None:
    sender = PacedSender(Bot(BOT_TOKEN, session=harness.session.sibling(),
                             default=DefaultBotProperties(parse_mode=ParseMode.HTML)), Pacer(redis), KeySpace("test"))
    weekly = await nudge(harness, Kind.WEEKLY)
    notice = Notice(kind=NoticeKind.WEEKLY_SUMMARY, telegram_id=ANNA_TG, reminder=weekly, scheduled=clock.now())
    sent_before = len(harness.session.by_chat[ANNA_TG])
    bare = TelegramNotifier(sender, harness.repos.profiles, clock, "Europe/Berlin")
    assert await bare.deliver(notice) is False
    drawn: list[Notice] = []

    async def draw(given: Notice) -> bool:
        drawn.append(given)
        return True

    notifier = TelegramNotifier(sender, harness.repos.profiles, clock, "Europe/Berlin", weekly=draw)
    assert await notifier.deliver(notice) is True
    assert drawn == [notice]
    assert len(harness.session.by_chat[ANNA_TG]) == sent_before  # the notifier itself sent nothing
