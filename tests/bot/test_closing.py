"""Closing the day from the card: asked first (with or without a report), undone for a short while."""

from __future__ import annotations

from datetime import timedelta

from aiogram.types import User

from bot.clock import ManualClock
from workday_sandbox.portal.emulator import PortalEmulator
from tests.bot.fixtures import ANNA_B24, BORIS_B24, BORIS_TG
from tests.bot.flows import link
from tests.bot.harness import Harness, SentMessage


def labels(message: SentMessage) -> list[str]:
    return [label for label, _ in message.buttons]


async def closed_from_card(harness: Harness, anna: User, clock: ManualClock) -> SentMessage:
    card = await harness.say(anna, "/open")
    clock.advance(timedelta(hours=8))
    asked = await harness.tap(anna, card, card.button("Close day"))
    return await harness.tap(anna, asked, asked.button("Close now"))


async def test_close_on_the_card_asks_first_and_sends_nothing(harness: Harness, portal: PortalEmulator,
                                                               anna: User, clock: ManualClock) -> None:
    card = await harness.say(anna, "/open")
    clock.advance(timedelta(hours=8))
    before = portal.request_count()
    asked = await harness.tap(anna, card, card.button("Close day"))
    assert "Close your day now?" in asked.text
    assert labels(asked) == ["🏁 Close now", "📝 With report", "✖️ Cancel"]
    assert portal.request_count() == before and portal.status_of(ANNA_B24)["STATUS"] == "OPENED"
    kept = await harness.tap(anna, asked, asked.button("Cancel"))
    assert "🟢 <b>Working</b>" in kept.text and portal.status_of(ANNA_B24)["STATUS"] == "OPENED"


async def test_closed_card_offers_undo_for_five_minutes(harness: Harness, portal: PortalEmulator,
                                                         anna: User, clock: ManualClock) -> None:
    closed = await closed_from_card(harness, anna, clock)
    assert "Day closed" in closed.text and portal.status_of(ANNA_B24)["STATUS"] == "CLOSED"
    assert labels(closed) == ["↩️ Undo close", "🔄 Refresh", "📊 Week"]
    clock.advance(timedelta(minutes=4))
    undone = await harness.tap(anna, closed, closed.button("Undo"))
    assert "Close undone: your day continues" in undone.text and "Breaks: 4 min" in undone.text
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"
    assert labels(undone) == ["⏸ Pause", "🏁 Close day", "🔄 Refresh", "📊 Week"]


async def test_undo_after_the_window_is_refused_and_removed(harness: Harness, portal: PortalEmulator,
                                                             anna: User, clock: ManualClock) -> None:
    closed = await closed_from_card(harness, anna, clock)
    clock.advance(timedelta(minutes=6))
    late = await harness.tap(anna, closed, closed.button("Undo"))
    assert "too late to undo" in late.text
    assert portal.request_count("timeman.open") == 1  # only the morning's
    assert portal.status_of(ANNA_B24)["STATUS"] == "CLOSED"
    assert labels(late) == ["▶️ Continue the day", "🔄 Refresh", "📊 Week"]


async def test_close_with_a_report_sends_it_to_bitrix24(harness: Harness, portal: PortalEmulator,
                                                         anna: User, clock: ManualClock) -> None:
    card = await harness.say(anna, "/open")
    clock.advance(timedelta(hours=8))
    asked = await harness.tap(anna, card, card.button("Close day"))
    prompt = await harness.tap(anna, asked, asked.button("With report"))
    assert "Send your report of the day" in prompt.text
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"
    done = await harness.say(anna, "Shipped <the release> & fixed #12")
    assert "Day closed" in done.text and "Your report is saved in Bitrix24" in done.text
    record = portal.record_of(ANNA_B24)
    # Angle brackets become ‹›, so Bitrix24 shows no markup from the user's words.
    assert record is not None and record.report == "Shipped ‹the release› & fixed #12"
    assert portal.status_of(ANNA_B24)["STATUS"] == "CLOSED"


async def test_cancelling_the_report_keeps_the_day_and_ends_the_question(
    harness: Harness, portal: PortalEmulator, anna: User, clock: ManualClock
) -> None:
    card = await harness.say(anna, "/open")
    asked = await harness.tap(anna, card, card.button("Close day"))
    prompt = await harness.tap(anna, asked, asked.button("With report"))
    back = await harness.tap(anna, prompt, prompt.button("Cancel"))
    assert "🟢 <b>Working</b>" in back.text
    await harness.say(anna, "just chatting")
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"


async def test_a_closed_day_continues_and_says_so(harness: Harness, portal: PortalEmulator,
                                                   anna: User, clock: ManualClock) -> None:
    closed = await closed_from_card(harness, anna, clock)
    clock.advance(timedelta(minutes=30))
    card = await harness.tap(anna, closed, closed.button("Refresh"))
    assert labels(card) == ["▶️ Continue the day", "🔄 Refresh", "📊 Week"]
    continued = await harness.tap(anna, card, card.button("Continue the day"))
    assert "The day continues; the time since you closed counts as a break" in continued.text
    assert "Breaks: 30 min" in continued.text and portal.status_of(ANNA_B24)["STATUS"] == "OPENED"


async def test_russian_close_buttons(harness: Harness, portal: PortalEmulator, clock: ManualClock) -> None:
    boris = harness.updates.user(BORIS_TG, "ru", "Boris")
    await link(harness, portal, boris, "boris@example.com", BORIS_B24)
    card = await harness.say(boris, "/open")
    asked = await harness.tap(boris, card, card.button("Завершить"))
    assert labels(asked) == ["🏁 Завершить", "📝 С отчётом", "✖️ Отмена"]
    closed = await harness.tap(boris, asked, asked.button("Завершить"))
    assert labels(closed) == ["↩️ Не завершать", "🔄 Обновить", "📊 Неделя"]
    clock.advance(timedelta(minutes=10))
    card = await harness.tap(boris, closed, closed.button("Обновить"))
    assert labels(card) == ["▶️ Продолжить день", "🔄 Обновить", "📊 Неделя"]
    continued = await harness.tap(boris, card, card.button("Продолжить день"))
    assert "День продолжается: время с момента завершения засчитано как перерыв" in continued.text


async def test_a_report_question_left_behind_never_closes_the_day_later(
        harness: Harness, portal: PortalEmulator, anna: User, clock: ManualClock) -> None:
    # The question's card loses its buttons once a newer card is shown; what is typed an
    # hour later is not the report any more.
    card = await harness.say(anna, "/open")
    asked = await harness.tap(anna, card, card.button("Close day"))
    await harness.tap(anna, asked, asked.button("With report"))
    await harness.say(anna, "/status")
    clock.advance(timedelta(hours=1))
    await harness.say(anna, "lunch")
    assert portal.status_of(ANNA_B24)["STATUS"] == "PAUSED"
