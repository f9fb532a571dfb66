"""Workday control through the production dispatcher, the portal emulator and Redis."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
from aiogram.types import User

from bot.clock import ManualClock
from workday_sandbox.portal.emulator import PortalEmulator
from tests.bot.fixtures import ANNA_B24, ANNA_TG, BORIS_TG, MONDAY_0800_UTC
from tests.bot.flows import link
from tests.bot.harness import Harness, SentMessage

BERLIN = timezone(timedelta(hours=1))


def bitrix_requests(portal: PortalEmulator) -> int:
    return portal.request_count()


async def test_open_pause_resume_close(harness: Harness, portal: PortalEmulator, anna: User, clock: ManualClock) -> None:
    opened = await harness.say(anna, "/open")
    assert "Your day has started" in opened.text
    assert "🟢 <b>Working</b>" in opened.text and "Started: 09:00" in opened.text
    assert [label for label, _ in opened.buttons] == ["⏸ Pause", "🏁 Close day", "🔄 Refresh", "📊 Week"]
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"

    clock.advance(timedelta(hours=3, minutes=30))
    paused = await harness.say(anna, "/pause")
    assert "Paused" in paused.text and "On a break" in paused.text
    assert "Worked: 3 h 30 min" in paused.text
    assert [label for label, _ in paused.buttons] == ["▶️ Resume", "🏁 Close day", "🔄 Refresh", "📊 Week"]

    clock.advance(timedelta(minutes=40))
    before = len(harness.session.by_chat[ANNA_TG])
    card = await harness.tap(anna, paused, paused.button("Resume"))
    assert len(harness.session.by_chat[ANNA_TG]) == before  # edited in place, nothing new sent
    assert "Back to work" in card.text and "Breaks: 40 min" in card.text
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"
    assert len(harness.session.answered) == 1

    clock.advance(timedelta(hours=4, minutes=50))
    closed = await harness.say(anna, "/close shipped the release")
    assert "Day closed" in closed.text
    assert "Worked: 8 h 20 min" in closed.text and "Finished: 18:00" in closed.text
    assert [label for label, _ in closed.buttons] == ["↩️ Undo close", "🔄 Refresh", "📊 Week"]
    assert portal.status_of(ANNA_B24)["STATUS"] == "CLOSED"


async def test_each_action_costs_one_bitrix24_request(harness: Harness, portal: PortalEmulator, anna: User) -> None:
    for command in ("/open", "/pause", "/status"):
        before = bitrix_requests(portal)
        await harness.say(anna, command)
        assert bitrix_requests(portal) - before == 1, command
    card = harness.session.last(ANNA_TG)
    before = bitrix_requests(portal)
    await harness.tap(anna, card, card.button("Resume"))
    assert bitrix_requests(portal) - before == 1


async def test_pause_on_a_closed_day_says_so_and_offers_to_start(harness: Harness, portal: PortalEmulator,
                                                               anna: User, clock: ManualClock) -> None:
    await harness.say(anna, "/open")
    clock.advance(timedelta(hours=1))
    await harness.say(anna, "/close")
    clock.advance(timedelta(minutes=6))
    reply = await harness.say(anna, "/pause")
    assert "Your day is closed, so there is nothing to pause" in reply.text
    assert reply.button("Continue the day")
    assert portal.status_of(ANNA_B24)["STATUS"] == "CLOSED"


async def test_pause_on_a_closed_day_under_the_documented_behaviour(
    harness: Harness, portal: PortalEmulator, anna: User, clock: ManualClock
) -> None:
    portal.flags.pause_on_closed_resumes = True
    await harness.say(anna, "/open")
    clock.advance(timedelta(hours=1))
    await harness.say(anna, "/close")
    clock.advance(timedelta(minutes=5))
    reply = await harness.say(anna, "/pause")
    # The bot knew the day was closed, read the status, and sent no pause that would reopen it.
    assert "Your day is closed, so there is nothing to pause" in reply.text
    assert portal.request_count("timeman.pause") == 0
    assert portal.status_of(ANNA_B24)["STATUS"] == "CLOSED"


async def test_pause_on_a_day_closed_elsewhere_under_the_documented_behaviour(
    harness: Harness, portal: PortalEmulator, anna: User, clock: ManualClock
) -> None:
    portal.flags.pause_on_closed_resumes = True
    await harness.say(anna, "/open")
    clock.advance(timedelta(hours=4))
    # Closed in the Bitrix24 web UI: the bot last saw the day running.
    portal.seed_day(ANNA_B24, start=clock.now() - timedelta(hours=4), status="CLOSED", closed_at=clock.now())
    clock.advance(timedelta(minutes=20))
    reply = await harness.say(anna, "/pause")
    assert "reopened your closed day instead of pausing it" in reply.text
    assert "🟢 <b>Working</b>" in reply.text
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"


async def test_pause_without_a_remembered_day_reads_the_status_first(
    harness: Harness, portal: PortalEmulator, anna: User, clock: ManualClock, redis
) -> None:
    portal.flags.pause_on_closed_resumes = True
    portal.seed_day(ANNA_B24, start=clock.now() - timedelta(hours=4), status="CLOSED", closed_at=clock.now())
    reply = await harness.say(anna, "/pause")
    assert "Your day is closed, so there is nothing to pause" in reply.text
    assert portal.status_of(ANNA_B24)["STATUS"] == "CLOSED"
    # A running day it did not know about is paused after that one read.
    portal.seed_day(ANNA_B24, start=clock.now() - timedelta(hours=1))
    await redis.delete(f"test:day:{ANNA_B24}")
    before = portal.request_count()
    paused = await harness.say(anna, "/pause")
    assert "Paused" in paused.text and portal.status_of(ANNA_B24)["STATUS"] == "PAUSED"
    assert portal.request_count() - before == 2


async def test_pause_before_any_day(harness: Harness, anna: User) -> None:
    reply = await harness.say(anna, "/pause")
    assert "haven't started a day yet" in reply.text and reply.button("Start day")


async def test_resume_never_starts_a_day_by_surprise(harness: Harness, portal: PortalEmulator, anna: User) -> None:
    reply = await harness.say(anna, "/resume")
    assert "You're not on a break" in reply.text
    assert portal.request_count("timeman.open") == 0


async def test_open_twice_says_already_running(harness: Harness, anna: User, clock: ManualClock) -> None:
    await harness.say(anna, "/open")
    clock.advance(timedelta(minutes=30))
    reply = await harness.say(anna, "/open")
    assert "already running" in reply.text and "Worked: 30 min" in reply.text


async def test_reopen_after_close(harness: Harness, anna: User, clock: ManualClock) -> None:
    await harness.say(anna, "/open")
    clock.advance(timedelta(hours=2))
    await harness.say(anna, "/close")
    clock.advance(timedelta(minutes=15))
    reply = await harness.say(anna, "/open")
    assert "The day continues" in reply.text and "Breaks: 15 min" in reply.text


async def test_refresh_never_hits_message_not_modified(harness: Harness, anna: User) -> None:
    card = await harness.say(anna, "/open")
    await harness.tap(anna, card, card.button("Refresh"))
    await harness.tap(anna, card, card.button("Refresh"))
    edits = harness.session.calls("editMessageText")
    assert len(edits) == 2
    assert len(harness.session.answered) == 2
    # Nothing after the card: no error message, no second card.
    assert harness.session.last(ANNA_TG).message_id == card.message_id


async def test_a_card_from_yesterday_cannot_close_today(harness: Harness, portal: PortalEmulator, anna: User,
                                                        clock: ManualClock) -> None:
    yesterday = await harness.say(anna, "/open")
    close = yesterday.button("Close day")  # newer cards take it off; a stale client may still tap it
    clock.advance(timedelta(hours=8))
    await harness.say(anna, "/close")
    clock.advance(timedelta(hours=16))
    await harness.say(anna, "/open")
    before = portal.request_count("timeman.close")
    asked = await harness.tap(anna, yesterday, close)
    card = await harness.tap(anna, asked, asked.button("Close now"))
    assert "from a card of another day, so nothing was sent" in card.text and "🟢 <b>Working</b>" in card.text
    assert portal.request_count("timeman.close") == before
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"


async def test_an_old_resume_button_does_not_reopen_a_closed_day(harness: Harness, portal: PortalEmulator,
                                                                anna: User, clock: ManualClock) -> None:
    await harness.say(anna, "/open")
    clock.advance(timedelta(hours=3))
    paused = await harness.say(anna, "/pause")
    resume = paused.button("Resume")  # newer cards take it off; a stale client may still tap it
    clock.advance(timedelta(minutes=30))
    await harness.say(anna, "/close")
    clock.advance(timedelta(minutes=30))
    card = await harness.tap(anna, paused, resume)
    assert "You're not on a break: your day is closed" in card.text
    assert portal.request_count("timeman.open") == 1  # only the morning's
    assert portal.status_of(ANNA_B24)["STATUS"] == "CLOSED"


async def test_resume_the_next_morning_on_a_day_closed_elsewhere(harness: Harness, portal: PortalEmulator,
                                                                 anna: User, clock: ManualClock) -> None:
    await harness.say(anna, "/open")
    clock.advance(timedelta(hours=3))
    paused = await harness.say(anna, "/pause")
    portal.seed_day(ANNA_B24, start=clock.now() - timedelta(hours=3), status="CLOSED", closed_at=clock.now())
    clock.advance(timedelta(hours=20))
    # The bot last saw that day paused, but too long ago to trust: it reads the status.
    card = await harness.tap(anna, paused, paused.button("Resume"))
    assert "You're not on a break: your day is closed" in card.text
    assert portal.status_of(ANNA_B24)["STATUS"] == "CLOSED"


async def test_close_on_a_card_of_a_day_closed_elsewhere_costs_one_read(
    harness: Harness, portal: PortalEmulator, anna: User, clock: ManualClock, redis
) -> None:
    card = await harness.say(anna, "/open")
    clock.advance(timedelta(hours=3))
    portal.seed_day(ANNA_B24, start=clock.now() - timedelta(hours=3), status="CLOSED", closed_at=clock.now())
    await redis.delete(f"test:day:{ANNA_B24}")
    asked = await harness.tap(anna, card, card.button("Close day"))
    before = portal.request_count()
    reply = await harness.tap(anna, asked, asked.button("Close now"))
    assert "already closed" in reply.text
    assert portal.request_count() - before == 1


async def test_buttons_work_past_midnight_on_the_same_day(harness: Harness, portal: PortalEmulator, anna: User,
                                                          clock: ManualClock) -> None:
    portal.flags.expiry_policy = "source"  # Anna's 9-18 shift then expires at 01:30
    clock.set(MONDAY_0800_UTC.replace(hour=21))  # 22:00 in Berlin
    await harness.say(anna, "/open")
    clock.advance(timedelta(hours=2, minutes=30))  # 00:30 on Tuesday, the same working day
    card = await harness.say(anna, "/status")
    assert "🟢 <b>Working</b>" in card.text
    paused = await harness.tap(anna, card, card.button("Pause"))
    assert "Paused" in paused.text and portal.status_of(ANNA_B24)["STATUS"] == "PAUSED"


async def test_someone_else_tapping_a_card_acts_only_as_themselves(harness: Harness, portal: PortalEmulator,
                                                                   anna: User) -> None:
    card = await harness.say(anna, "/open")
    boris = harness.updates.user(BORIS_TG)
    before = bitrix_requests(portal)
    await harness.feed(harness.updates.tap(boris, SentMessage(BORIS_TG, card.message_id, card.text, card.markup),
                                           card.button("Close day")))
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"
    assert bitrix_requests(portal) == before
    assert "isn't linked" in harness.session.last(BORIS_TG).text


async def test_unlinked_users_cause_no_bitrix24_calls(harness: Harness, portal: PortalEmulator) -> None:
    stranger = harness.updates.user(BORIS_TG)
    for command in ("/status", "/open", "/pause", "/resume", "/close"):
        reply = await harness.say(stranger, command)
        assert "isn't linked" in reply.text
    assert portal.request_count() == 0


async def test_someone_typing_is_never_throttled(harness: Harness, portal: PortalEmulator, anna: User,
                                                 clock: ManualClock) -> None:
    """Five commands 1.5 s apart, and then thirty more, are a person, not a flood."""
    replies = []
    for _ in range(35):
        replies.append(await harness.say(anna, "/status"))
        clock.advance(timedelta(seconds=1.5))
    assert not any("Too many actions" in r.text for r in replies)


async def test_a_flood_is_throttled_and_told_so(harness: Harness, portal: PortalEmulator, anna: User,
                                                clock: ManualClock) -> None:
    before = bitrix_requests(portal)
    replies = [await harness.say(anna, "/status") for _ in range(12)]
    refused = [r.text for r in replies if "Too many actions" in r.text]
    assert refused == ["Too many actions at once: this one was not sent to Bitrix24. Try again in 1 s."] * 2
    assert bitrix_requests(portal) - before == 10
    clock.advance(timedelta(seconds=1))  # one more token
    assert "Day not started" in (await harness.say(anna, "/status")).text
    assert "Too many actions" in (await harness.say(anna, "/status")).text


async def test_worked_time_in_the_users_time_zone(harness: Harness, portal: PortalEmulator, anna: User,
                                                  clock: ManualClock) -> None:
    await harness.say(anna, "/open")
    clock.advance(timedelta(hours=2, minutes=5))
    reply = await harness.say(anna, "/status")
    assert "Started: 09:00" in reply.text and "Worked: 2 h 5 min" in reply.text and "Updated 11:05" in reply.text


async def test_russian_speakers_get_russian(harness: Harness, portal: PortalEmulator) -> None:
    user = harness.updates.user(ANNA_TG, language="ru")
    await link(harness, portal, user, "anna@example.com", ANNA_B24)
    reply = await harness.say(user, "/open")
    assert "Рабочий день начат" in reply.text
    assert [label for label, _ in reply.buttons] == ["⏸ Пауза", "🏁 Завершить", "🔄 Обновить", "📊 Неделя"]


async def test_language_can_be_switched(harness: Harness, anna: User) -> None:
    menu = await harness.say(anna, "/language")
    await harness.tap(anna, menu, menu.button("Русский"))
    reply = await harness.say(anna, "/help")
    assert "Что я умею" in reply.text


async def test_commands_are_registered_in_both_languages(harness: Harness) -> None:
    await harness.dispatcher.emit_startup(bot=harness.bot)
    calls = harness.session.calls("setMyCommands")
    assert {call.language_code for call in calls} == {None, "ru"}
    assert all(len(call.commands) == 16 for call in calls)
    russian = next(call for call in calls if call.language_code == "ru")
    assert any("Пауза" in c.description or "паузу" in c.description for c in russian.commands)


async def test_group_chats_get_a_hint(harness: Harness, portal: PortalEmulator, anna: User) -> None:
    from aiogram.types import Chat

    group = Chat(id=-100500, type="supergroup", title="Team")
    await harness.feed(harness.updates.text(anna, "/status", chat=group))
    reply = harness.session.last(-100500)
    assert "private chats only" in reply.text and "@workday_bot" in reply.text


async def test_unknown_commands_get_short_help(harness: Harness, anna: User) -> None:
    assert "/help" in (await harness.say(anna, "/frobnicate")).text


async def test_free_text_gets_the_day_card_not_a_dead_end(harness: Harness, anna: User) -> None:
    reply = await harness.say(anna, "hello there")
    assert reply.text.startswith("I didn't get that. Here is your day")
    assert "Day not started" in reply.text and "▶️ Start day" in [label for label, _ in reply.buttons]
    stranger = await harness.say(harness.updates.user(BORIS_TG), "hello there")
    assert "isn't linked" in stranger.text and "/link" in stranger.text


async def test_plain_words_pause_and_resume_at_once(harness: Harness, portal: PortalEmulator, anna: User) -> None:
    await harness.say(anna, "/open")
    paused = await harness.say(anna, "Обед")
    assert portal.status_of(ANNA_B24)["STATUS"] == "PAUSED" and "Paused" in paused.text
    resumed = await harness.say(anna, "back!")
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED" and "Working" in resumed.text
    await harness.say(anna, "перерыв")
    await harness.say(anna, "in")  # after a break, "in" means back at work
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"


async def test_plain_words_that_end_or_start_the_day_ask_first(harness: Harness, portal: PortalEmulator,
                                                              anna: User) -> None:
    start = await harness.say(anna, "Начал")
    assert start.text.startswith("Start your day? Tap the button below.")
    assert portal.status_of(ANNA_B24)["STATUS"] != "OPENED"
    await harness.tap(anna, start, start.button("Start day"))
    asked = await harness.say(anna, "ушёл")
    # One question, the same one the card's Close button asks: not a second one on top.
    assert asked.text.startswith("🏁 Close your day now?")
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"  # nothing closed yet
    labels = [label for label, _ in asked.buttons]
    assert "🏁 Close now" in labels and "📝 With report" in labels
    assert (await harness.say(anna, "out")).text.startswith("🏁 Close your day now?")
    closed = await harness.tap(anna, asked, asked.button("Close now"))
    assert portal.status_of(ANNA_B24)["STATUS"] == "CLOSED"
    assert "Undo close" in " ".join(label for label, _ in closed.buttons)


async def test_unknown_buttons_are_answered(harness: Harness, anna: User) -> None:
    card = await harness.say(anna, "/open")
    await harness.feed(harness.updates.tap(anna, card, "garbage:data"))
    await harness.feed(harness.updates.tap(anna, card, "d:explode:0"))
    assert len(harness.session.answered) == 2


async def test_blocking_the_bot_marks_the_user_inactive(harness: Harness, anna: User) -> None:
    profiles = harness.repos.profiles
    await harness.feed(harness.updates.blocked(anna))
    assert (await profiles.get(ANNA_TG)).blocked
    await harness.feed(harness.updates.blocked(anna, blocked=False))
    assert not (await profiles.get(ANNA_TG)).blocked


async def test_a_stranger_blocking_the_bot_leaves_nothing_stored(harness: Harness, redis) -> None:
    await harness.feed(harness.updates.blocked(harness.updates.user(BORIS_TG)))
    assert [key for key in await redis.keys("test:*") if str(BORIS_TG).encode() in key] == []


async def test_a_403_when_sending_marks_the_user_inactive(harness: Harness, anna: User) -> None:
    harness.session.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await harness.feed(harness.updates.text(anna, "/status"))
    assert (await harness.repos.profiles.get(ANNA_TG)).blocked


async def test_a_429_when_sending_is_waited_out(harness: Harness, anna: User) -> None:
    harness.session.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    reply = await harness.say(anna, "/status")
    assert "Day not started" in reply.text
    assert len(harness.session.calls("sendMessage")) >= 2


async def test_a_pause_made_elsewhere_is_reported_as_resumed(harness: Harness, portal: PortalEmulator,
                                                             anna: User, clock: ManualClock) -> None:
    await harness.say(anna, "/open")
    clock.advance(timedelta(hours=1))
    async with httpx.AsyncClient() as http:  # paused in the Bitrix24 web UI, behind the bot's back
        hook = portal.add_webhook(user_id=ANNA_B24, code="annaownhook1")
        await http.post(f"{hook}timeman.pause.json")
    clock.advance(timedelta(minutes=20))
    reply = await harness.say(anna, "/open")
    assert "Back to work" in reply.text and "Breaks: 20 min" in reply.text


async def test_a_portal_without_the_pause_moment_still_shows_the_break(
    harness: Harness, portal: PortalEmulator, anna: User, clock: ManualClock
) -> None:
    # The docs' reading: TIME_FINISH is null while paused, so Bitrix24 does not say when the
    # break began. The bot paused the day itself, so it knows.
    portal.flags.time_finish_while_paused = False
    await harness.say(anna, "/open")
    clock.advance(timedelta(hours=2))
    paused = await harness.say(anna, "/pause")
    assert portal.status_of(ANNA_B24).get("TIME_FINISH") is None
    assert "Worked: 2 h" in paused.text and "since 11:00" in paused.text
    clock.advance(timedelta(minutes=15))
    status = await harness.say(anna, "/status")
    assert "Worked: 2 h" in status.text
    assert "since 11:00 (15 min)" in status.text and "Breaks: 15 min" in status.text
    clock.advance(timedelta(minutes=5))
    resumed = await harness.say(anna, "/resume")
    assert "Breaks: 20 min" in resumed.text


async def test_in_after_a_break_resumes_without_a_contradiction(harness: Harness, portal: PortalEmulator,
                                                                 anna: User) -> None:
    await harness.say(anna, "/open")
    await harness.say(anna, "/pause")
    back = await harness.say(anna, "in")
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"
    assert "already running" not in back.text and "Back to work" in back.text


async def test_in_on_a_closed_day_asks_nothing_the_card_cannot_answer(harness: Harness, anna: User,
                                                                      clock: ManualClock) -> None:
    await harness.say(anna, "/open")
    await harness.say(anna, "/close")
    clock.advance(timedelta(minutes=10))  # past the Undo window
    card = await harness.say(anna, "in")
    assert "Tap the button below" not in card.text
    assert "Continue the day" in " ".join(label for label, _ in card.buttons)
