"""The live-card sweep through the production parts: the dispatcher makes the cards, the
employee changes the day in Bitrix24 itself (their own webhook on the emulator), and a
sweep pass, built as the runner builds it, brings the card up to date in place."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import time, timedelta

import httpx
import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.types import User
from redis.asyncio import Redis

from bot.app import create_live_card_sweep
from bot.bitrix24 import Bitrix24, Bitrix24Client, LeakyBucket, RetryPolicy, WebhookAuth, WorkdayStatus
from bot.bitrix24.background import BackgroundBudget, local_background_budget
from bot.clock import ManualClock
from bot.reminders.engine import BREAK_END, BREAK_NUDGE
from bot.reminders.models import Kind, ReminderDraft
from bot.reminders.store import one_off_job
from bot.services.live_cards import LiveCardSweep
from bot.storage.keys import KeySpace
from bot.storage.pacing import Pacer
from bot.telegram.sender import PacedSender
from workday_sandbox.portal.emulator import PortalEmulator
from workday_sandbox.portal.limits import LeakyBucket as PortalLeakyBucket
from tests.bot.fixtures import ADMIN_B24, ANNA_B24, ANNA_TG, STRANGER_TG, make_settings
from tests.bot.flows import link
from tests.bot.harness import BOT_TOKEN, Harness, SentMessage

RATE, BURST, SHARE = 2.0, 50, 0.25


class FakeTime:
    """Simulated seconds for the portal's bucket, the client's and the budget's pace."""

    def __init__(self) -> None:
        self.now = 5_000_000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


@dataclass
class Sweeper:
    sweep: LiveCardSweep
    budget: BackgroundBudget
    time: FakeTime
    batches_at: list[float]  # simulated time of each `batch` request


@pytest.fixture
async def sweeper(harness: Harness, portal: PortalEmulator, redis: Redis,
                  clock: ManualClock) -> AsyncIterator[Sweeper]:
    fake = FakeTime()
    # The portal keeps its real limits (burst 50, 2 a second), on simulated time.
    portal.bucket = PortalLeakyBucket(RATE, BURST, monotonic=fake)
    interactive = LeakyBucket(RATE, BURST, timer=fake)
    budget = local_background_budget(interactive, rate=RATE, burst=BURST, share=SHARE, timer=fake, sleep=fake.sleep)
    batches_at: list[float] = []
    async with httpx.AsyncClient() as http:
        client = Bitrix24Client(WebhookAuth(portal.add_webhook(user_id=ADMIN_B24, code="sweepwebhook1")), http=http,
                                limiter=interactive, retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02),
                                deadline=600.0, request_timeout=5.0,
                                on_request=lambda method, _: batches_at.append(fake.now) if method == "batch" else None)
        sender_bot = Bot(BOT_TOKEN, session=harness.session.sibling(),
                         default=DefaultBotProperties(parse_mode=ParseMode.HTML))
        # Telegram's own limits stay on; only the overall rate is raised so that a test of
        # a hundred cards does not spend seconds of real time waiting for it.
        sender = PacedSender(sender_bot, Pacer(redis), KeySpace("test"), rate=1000.0)
        sweep = create_live_card_sweep(settings=make_settings(), redis=redis, bitrix=Bitrix24.over(client),
                                       clock=clock, keys=KeySpace("test"), repositories=harness.repos,
                                       services=harness.services, sender=sender, budget=budget)
        yield Sweeper(sweep, budget, fake, batches_at)


@pytest.fixture
async def annas_app(portal: PortalEmulator) -> AsyncIterator[Bitrix24]:
    """Anna herself in Bitrix24 (the web UI, the mobile app): her own webhook."""
    async with httpx.AsyncClient() as http:
        yield Bitrix24.over(Bitrix24Client(WebhookAuth(portal.add_webhook(user_id=ANNA_B24, code="annasownhook1")),
                                           http=http))


def card_of(harness: Harness, message: SentMessage) -> SentMessage:
    return harness.session.messages[(message.chat_id, message.message_id)]


async def test_a_day_opened_in_bitrix24_shows_on_the_card_after_a_sweep(
        harness: Harness, portal: PortalEmulator, anna: User, annas_app: Bitrix24, sweeper: Sweeper) -> None:
    card = await harness.say(anna, "/status")
    assert "Day not started" in card.text
    sent_before = len(harness.session.by_chat[ANNA_TG])
    await annas_app.workday.open()
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"

    report = await sweeper.sweep.sweep()
    shown = card_of(harness, card)
    assert "🟢 <b>Working</b>" in shown.text and "Started: 09:00" in shown.text
    assert [label for label, _ in shown.buttons] == ["⏸ Pause", "🏁 Close day", "🔄 Refresh", "📊 Week"]
    assert len(harness.session.by_chat[ANNA_TG]) == sent_before  # edited in place, nothing new sent
    assert (report.cards, report.requests, report.changed, report.edited) == (1, 1, 1, 1)
    seen = await harness.repos.days.get(ANNA_B24)
    assert seen is not None and seen.status is WorkdayStatus.OPENED

    # The next pass reads again and finds nothing new: the card is left as it is.
    versions = len(shown.versions)
    again = await sweeper.sweep.sweep()
    assert (again.requests, again.changed, again.edited) == (1, 0, 0)
    assert len(card_of(harness, card).versions) == versions


async def test_the_card_is_rendered_in_the_users_language(
        harness: Harness, anna: User, annas_app: Bitrix24, sweeper: Sweeper) -> None:
    await harness.repos.profiles.set_language(ANNA_TG, "ru")
    card = await harness.say(anna, "/status")
    await annas_app.workday.open()
    await sweeper.sweep.sweep()
    shown = card_of(harness, card)
    assert "🟢 <b>Работаю</b>" in shown.text and "Начало: 09:00" in shown.text  # Berlin, her zone


async def test_a_break_ended_in_bitrix24_drops_the_pending_break_follow_ups(
        harness: Harness, anna: User, annas_app: Bitrix24, sweeper: Sweeper, clock: ManualClock) -> None:
    created = await harness.services.reminders.create(
        ANNA_TG, ReminderDraft(kind=Kind.BREAK, at=time(13, 0), break_minutes=30))
    reminder = created[0].reminder
    await harness.say(anna, "/open")
    clock.advance(timedelta(hours=4))
    paused = await harness.say(anna, "/pause")
    assert "Paused" in paused.text
    started = clock.now()
    await harness.services.reminders.start_break_timer(ANNA_TG, reminder.id)
    nudge = one_off_job(BREAK_NUDGE, reminder.id, 0)
    await harness.repos.reminders.schedule(nudge, clock.now() + timedelta(minutes=40))
    break_end = one_off_job(BREAK_END, reminder.id, int(started.timestamp()))
    assert await harness.repos.reminders.due_at(break_end) is not None

    clock.advance(timedelta(minutes=10))
    await annas_app.workday.open()  # back to work, in Bitrix24
    report = await sweeper.sweep.sweep()
    assert "🟢 <b>Working</b>" in card_of(harness, paused).text
    assert report.follow_ups_dropped == 2
    assert await harness.repos.reminders.due_at(break_end) is None
    assert await harness.repos.reminders.due_at(nudge) is None
    assert await harness.repos.reminders.get(reminder.id) is not None  # the reminder itself stays


async def test_updates_off_keeps_the_old_card(harness: Harness, anna: User, annas_app: Bitrix24,
                                              sweeper: Sweeper) -> None:
    switch = await harness.say(anna, "/updates")
    assert "Card updates are on" in switch.text
    switched = await harness.tap(anna, switch, switch.button("Turn off"))
    assert "Card updates are off" in switched.text and switched.button("Turn on")
    card = await harness.say(anna, "/status")
    await annas_app.workday.open()

    report = await sweeper.sweep.sweep()
    assert "Day not started" in card_of(harness, card).text
    assert (report.cards, report.requests, report.skipped) == (1, 0, 1)

    switched = await harness.tap(anna, switched, switched.button("Turn on"))
    assert "Card updates are on" in switched.text
    await sweeper.sweep.sweep()
    assert "🟢 <b>Working</b>" in card_of(harness, card).text


async def test_updates_speaks_russian_and_needs_a_link(harness: Harness, anna: User) -> None:
    await harness.repos.profiles.set_language(ANNA_TG, "ru")
    switch = await harness.say(anna, "/updates")
    assert "Обновление карточки включено" in switch.text and switch.button("Выключить")
    stranger = harness.updates.user(STRANGER_TG)
    answer = await harness.say(stranger, "/updates")
    assert "Card updates" not in answer.text and "/link" in answer.text
    assert (await harness.repos.profiles.get(STRANGER_TG)).card_updates  # nothing stored for them


async def test_a_card_older_than_48_hours_is_left_alone(harness: Harness, portal: PortalEmulator, anna: User,
                                                        annas_app: Bitrix24, sweeper: Sweeper,
                                                        clock: ManualClock) -> None:
    card = await harness.say(anna, "/status")
    clock.advance(timedelta(hours=48, minutes=1))
    await annas_app.workday.open()
    batches = portal.request_count("batch")

    report = await sweeper.sweep.sweep()
    assert "Day not started" in card_of(harness, card).text
    assert report.cards == 0 and portal.request_count("batch") == batches
    assert await harness.repos.live_cards.live(clock.now()) == []  # pruned from the index


async def test_a_tap_on_the_card_keeps_its_first_moment_for_the_window(
        harness: Harness, anna: User, annas_app: Bitrix24, sweeper: Sweeper, clock: ManualClock) -> None:
    card = await harness.say(anna, "/status")
    clock.advance(timedelta(hours=40))
    await harness.tap(anna, card, card.button("Refresh"))  # edited in place: the same message
    clock.advance(timedelta(hours=9))
    await annas_app.workday.open()
    report = await sweeper.sweep.sweep()
    assert report.cards == 0  # 49 hours since the message was sent, whatever was edited since


async def test_an_unlinked_users_card_is_not_touched(harness: Harness, portal: PortalEmulator, anna: User,
                                                     annas_app: Bitrix24, sweeper: Sweeper,
                                                     clock: ManualClock) -> None:
    card = await harness.say(anna, "/status")
    # A card left from before a link went away without the usual clean-up (an admin's relink).
    stray = await harness.bot.send_message(STRANGER_TG, "old card")
    await harness.repos.live_cards.replace(STRANGER_TG, stray.message_id, at=clock.now())
    confirm = await harness.say(anna, "/unlink")
    await harness.tap(anna, confirm, confirm.buttons[0][1])
    assert await harness.repos.links.get(ANNA_TG) is None
    await annas_app.workday.open()
    batches = portal.request_count("batch")

    report = await sweeper.sweep.sweep()
    assert "Day not started" in card_of(harness, card).text
    assert harness.session.messages[(STRANGER_TG, stray.message_id)].text == "old card"
    assert portal.request_count("batch") == batches and report.edited == 0


async def test_the_sweep_keeps_to_its_share_of_the_budget(harness: Harness, portal: PortalEmulator,
                                                          sweeper: Sweeper, clock: ManualClock) -> None:
    users = 120
    for index in range(users):
        bitrix_id, telegram_id = 1000 + index, 70_000 + index
        portal.add_user(bitrix_id, email=f"e{index}@example.com", name=f"E{index}", time_zone="Europe/Berlin")
        await harness.repos.links.link(telegram_id, bitrix_id, name=f"E{index}", at=clock.now())
        message = await harness.bot.send_message(telegram_id, "card")
        await harness.repos.live_cards.replace(telegram_id, message.message_id, at=clock.now())

    first = await sweeper.sweep.sweep()
    second = await sweeper.sweep.sweep()
    per_pass = -(-users // 50)
    assert first.requests == second.requests == per_pass  # 50 days per `batch` request
    assert first.edited == users and second.edited == 0
    assert portal.request_count("batch") == len(sweeper.batches_at) == 2 * per_pass
    assert portal.request_count("timeman.status", count_inner=True) == 2 * users
    # At 2 × 0.25 = 0.5 requests a second: n requests span at least (n − 1) / 0.5 simulated seconds.
    times = sweeper.batches_at
    for i in range(len(times)):
        for j in range(i + 1, len(times)):
            assert times[j] - times[i] >= (j - i) / (RATE * SHARE) - 1e-6
    assert portal.error_counts["QUERY_LIMIT_EXCEEDED"] == 0
    assert sweeper.budget.granted == 2 * per_pass


async def test_one_pass_at_a_time_across_replicas(harness: Harness, anna: User, sweeper: Sweeper) -> None:
    await harness.say(anna, "/status")
    assert await harness.repos.live_cards.claim_sweep("another-replica", 60)
    report = await sweeper.sweep.sweep()
    assert not report.ran and report.requests == 0
    await harness.repos.live_cards.release_sweep("another-replica")
    assert (await sweeper.sweep.sweep()).ran


async def test_a_deleted_card_is_forgotten(harness: Harness, anna: User, annas_app: Bitrix24,
                                           sweeper: Sweeper, clock: ManualClock) -> None:
    card = await harness.say(anna, "/status")
    del harness.session.messages[(ANNA_TG, card.message_id)]  # the user deleted it
    await annas_app.workday.open()
    report = await sweeper.sweep.sweep()
    assert report.gone == 1
    assert await harness.repos.live_cards.get(ANNA_TG) is None
    assert await harness.repos.live_cards.live(clock.now()) == []


async def test_the_sweep_is_a_registered_job(sweeper: Sweeper, redis: Redis, clock: ManualClock) -> None:
    from bot.jobs import JobRegistry

    jobs = JobRegistry(redis, KeySpace("test"), clock)
    sweeper.sweep.register_jobs(jobs)
    assert jobs.names == ["live_cards.sweep"]

