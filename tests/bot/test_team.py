"""/team through the production dispatcher: who may see which departments, what a head
sees of each person's day, pages, the picker, and what it costs Bitrix24."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.types import User
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.reminders.engine import Notice, NoticeKind
from bot.reminders.models import Kind
from bot.storage.keys import KeySpace
from bot.storage.pacing import Pacer
from bot.telegram.sender import PacedSender
from bot.telegram.team_digest import TeamDigests
from tests.bot.fixtures import ADMIN_B24, ADMIN_TG, ANNA_B24, ANNA_TG, BORIS_B24, BORIS_TG, BOT_TOKEN
from tests.bot.flows import link
from tests.bot.harness import Harness, SentMessage
from workday_sandbox.portal.emulator import PortalEmulator

SALES, SALES_EU, SUPPORT = 20, 21, 30
CARL, DORA, EVE, FRED, GUS = 40, 41, 42, 43, 44  # Sales people
NOT_LINKED = 45


@pytest.fixture
async def company(harness: Harness, portal: PortalEmulator, clock: ManualClock) -> None:
    """Anna heads Sales (and so Sales EU under it); Boris works in Support; Ada is a bot admin."""
    portal.define_department(SALES, name="Sales <EMEA>", parent=1, head=ANNA_B24)
    portal.define_department(SALES_EU, name="Sales EU", parent=SALES)
    portal.define_department(SUPPORT, name="Support", parent=1, head=ADMIN_B24)
    portal.move_user(ANNA_B24, [SALES])
    portal.move_user(BORIS_B24, [SUPPORT])
    names = {CARL: "Carl <b>Bold</b>", DORA: "Dora", EVE: "Eve", FRED: "Fred", GUS: "Gus", NOT_LINKED: "Nolan"}
    for uid, name in names.items():
        portal.add_user(uid, email=f"{uid}@example.com", name=name, time_zone="Europe/Berlin",
                        departments=(SALES,) if uid != GUS else (SALES_EU,))
        if uid != NOT_LINKED:
            await harness.repos.links.link(9000 + uid, uid, name=name, at=datetime.now(UTC))
    start = clock.now() - timedelta(hours=2)
    portal.seed_day(CARL, start)  # working since 07:00 Berlin
    portal.seed_day(DORA, start, status="PAUSED", paused_at=clock.now() - timedelta(minutes=20))
    portal.seed_day(EVE, start - timedelta(hours=1), status="CLOSED", closed_at=clock.now() - timedelta(minutes=5))
    portal.seed_day(FRED, start - timedelta(days=3))  # Friday's day, never closed


@pytest.fixture
async def anna(harness: Harness, portal: PortalEmulator, company: None) -> User:
    user = harness.updates.user(ANNA_TG)
    await link(harness, portal, user, "anna@example.com", ANNA_B24)
    return user


def labels(message: SentMessage) -> list[str]:
    return [label for label, _ in message.buttons]


async def test_a_head_sees_each_persons_day_by_state(harness: Harness, anna: User) -> None:
    team = await harness.say(anna, "/team")
    text = team.text
    assert text.startswith("👥 <b>Sales &lt;EMEA&gt;</b> · 6 people")  # Anna and five others
    assert "🟢 <b>Working: 1</b>\n• Carl &lt;b&gt;Bold&lt;/b&gt;: since 07:00, 2 h" in text
    assert "☕ <b>On a break: 1</b>\n• Dora: on a break for 20 min (since 08:40)" in text
    assert "✅ <b>Finished: 1</b>\n• Eve: 2 h 55 min" in text
    assert "⏳ <b>Not started: 1</b>\n• Anna Berg" in text
    assert "⚠️ <b>Left open from an earlier day: 1</b>\n• Fred: open since Fri, 27 Feb" in text
    assert "🔗 Not linked to the bot: 1" in text and "Nolan" not in text  # counted, never named
    assert "Gus" not in text  # Sales EU is a department of its own
    assert labels(team) == ["🔄 Refresh", "🏢 Departments", "⏰ Daily digest: off"]


async def test_the_head_picks_a_sub_department(harness: Harness, anna: User) -> None:
    team = await harness.say(anna, "/team")
    picker = await harness.tap(anna, team, team.button("Departments"))
    assert labels(picker) == ["Sales <EMEA>", "· Sales EU"]  # the head's own tree, nothing else
    eu = await harness.tap(anna, picker, picker.button("Sales EU"))
    assert eu.text.startswith("👥 <b>Sales EU</b> · 1 person") and "• Gus" in eu.text


async def test_a_forged_department_shows_the_heads_own(harness: Harness, anna: User) -> None:
    team = await harness.say(anna, "/team")
    forged = await harness.tap(anna, team, f"tm:page:{SUPPORT}:0:")
    assert forged.text.startswith("👥 <b>Sales &lt;EMEA&gt;</b>") and "Boris" not in forged.text


async def test_a_non_head_is_refused_without_asking_bitrix24(harness: Harness, anna: User,
                                                             portal: PortalEmulator) -> None:
    await harness.say(anna, "/team")  # the structure is cached now
    boris = harness.updates.user(BORIS_TG)
    await link(harness, portal, boris, "boris@example.com", BORIS_B24)
    before = portal.request_count()
    refusal = await harness.say(boris, "/team")
    assert "You don't head one" in refusal.text and refusal.buttons == []
    assert portal.request_count() == before


async def test_an_unlinked_stranger_is_refused_without_asking_bitrix24(harness: Harness, company: None,
                                                                        portal: PortalEmulator) -> None:
    before = portal.request_count()
    reply = await harness.say(harness.updates.user(6666), "/team")
    assert "You don't head one" in reply.text
    assert portal.request_count() == before


async def test_a_bot_admin_sees_every_department(harness: Harness, company: None) -> None:
    admin = harness.updates.user(ADMIN_TG)  # not even linked
    team = await harness.say(admin, "/team")
    picker = await harness.tap(admin, team, team.button("Departments"))
    assert labels(picker) == ["Company", "· Sales <EMEA>", "· · Sales EU", "· Support"]


async def test_a_departments_day_costs_a_batch_per_fifty_linked_people(
        harness: Harness, anna: User, portal: PortalEmulator, clock: ManualClock) -> None:
    for uid in range(100, 320):
        portal.add_user(uid, email=f"{uid}@example.com", name=f"Person {uid:03d}", last_name="Longer-Surname", time_zone="Europe/Berlin",
                        departments=(SALES,))
        await harness.repos.links.link(9000 + uid, uid, name=f"Person {uid}", at=datetime.now(UTC))
    await harness.say(anna, "/team")  # the structure is read and cached (users and departments)
    clock.advance(timedelta(seconds=20))  # past the cooldown in which /team shows the last read
    before = portal.request_count("batch")
    status_before = portal.request_count("timeman.status", count_inner=True)
    team = await harness.say(anna, "/team")
    assert portal.request_count("timeman.status", count_inner=True) - status_before == 225  # the linked ones
    assert portal.request_count("batch") - before == 5  # ceil(225 / 50)
    # 226 people do not fit a page: ◀ 1/n ▶, each page well under Telegram's 4096.
    first = team.text
    assert first.count("(page 1 of 2)") == 1 and labels(team)[0] == "1/2" and len(first) < 4096
    second = (await harness.tap(anna, team, team.button("▶"))).text
    assert "(page 2 of 2)" in second and len(second) < 4096
    shared = {*first.splitlines()} & {*second.splitlines()} - {""}
    assert shared == {"🔗 Not linked to the bot: 1 (their day is not shown)", "<i>Updated 09:00</i>"}
    people = [line for line in (first + "\n" + second).splitlines() if line.startswith("• Person")]
    assert len(people) == len(set(people)) == 220  # everyone once, over the two pages


async def test_the_digest_is_set_from_team(harness: Harness, anna: User) -> None:
    team = await harness.say(anna, "/team")
    menu = await harness.tap(anna, team, team.button("Daily digest"))
    assert "Daily digest" in menu.text and "09:30" in labels(menu)
    chosen = await harness.tap(anna, menu, menu.button("09:30"))
    assert "✅ 09:30" in labels(chosen)
    evening = await harness.tap(anna, chosen, chosen.button("Evening list"))
    assert "✅ Evening list at 19:00" in labels(evening)
    back = await harness.tap(anna, evening, evening.button("Back to the team"))
    assert "⏰ Daily digest: 09:30" in labels(back)
    digests = await harness.services.team.digests(ANNA_TG)
    assert digests.daily is not None and digests.daily.strftime("%H:%M") == "09:30"
    assert digests.evening is not None
    reminders = await harness.services.reminders.list(ANNA_TG)
    assert reminders == []  # digests are not among the user's reminders


async def digests_of(harness: Harness, clock: ManualClock, redis: Redis) -> TeamDigests:
    sender = PacedSender(Bot(BOT_TOKEN, session=harness.session.sibling(),
                             default=DefaultBotProperties(parse_mode=ParseMode.HTML)), Pacer(redis), KeySpace("test"))
    return TeamDigests(team=harness.services.team, sender=sender, profiles=harness.repos.profiles,
                       links=harness.repos.links, clock=clock, default_zone="Europe/Berlin")


async def digest_notice(harness: Harness, clock: ManualClock, kind: NoticeKind) -> Notice:
    reminder_kind = Kind.TEAM_DIGEST if kind is NoticeKind.TEAM_DIGEST else Kind.TEAM_EVENING
    await harness.services.team.set_digest(ANNA_TG, reminder_kind, time(9, 30))
    [reminder] = [r for r in await harness.repos.reminders.for_user(ANNA_TG) if r.kind is reminder_kind]
    return Notice(kind=kind, telegram_id=ANNA_TG, reminder=reminder, scheduled=clock.now())


async def test_the_daily_digest_is_the_teams_day(harness: Harness, anna: User, clock: ManualClock,
                                                 redis: Redis) -> None:
    digests = await digests_of(harness, clock, redis)
    assert await digests(await digest_notice(harness, clock, NoticeKind.TEAM_DIGEST)) is True
    sent = harness.session.by_chat[ANNA_TG][-2:]  # Sales, then Sales EU
    assert sent[0].text.startswith("👥 <b>Your team today</b>\n\n👥 <b>Sales &lt;EMEA&gt;</b>")
    assert "• Carl &lt;b&gt;Bold&lt;/b&gt;: since 07:00" in sent[0].text
    assert sent[1].text.startswith("👥 <b>Sales EU</b>")
    for message in sent:  # names, states and hours only
        assert "83." not in message.text and "LAT" not in message.text and "IP" not in message.text


async def test_an_unlinked_person_disappears_from_the_digest(harness: Harness, anna: User, clock: ManualClock,
                                                            redis: Redis, portal: PortalEmulator) -> None:
    carl = harness.updates.user(9000 + CARL)
    asked = await harness.say(carl, "/unlink")
    await harness.tap(carl, asked, asked.button("Unlink"))
    digests = await digests_of(harness, clock, redis)
    await digests(await digest_notice(harness, clock, NoticeKind.TEAM_DIGEST))
    sales = harness.session.by_chat[ANNA_TG][-2]
    assert "Carl" not in sales.text and "Bold" not in sales.text
    assert "🔗 Not linked to the bot: 2" in sales.text  # Nolan, and now Carl: counted, not named


async def test_the_evening_list_asks_the_still_open_to_close_once(harness: Harness, anna: User, clock: ManualClock,
                                                                 redis: Redis, portal: PortalEmulator) -> None:
    await harness.say(anna, "/open")  # the head works late herself: she is not on her own list
    await harness.repos.profiles.set_time_zone(9000 + GUS, "America/New_York", "user")
    portal.seed_day(GUS, clock.now())  # 03:00 in New York... and still working at 13:00 there
    clock.set(datetime(2026, 3, 2, 18, 0, tzinfo=UTC))  # 19:00 in Berlin
    digests = await digests_of(harness, clock, redis)
    assert await digests(await digest_notice(harness, clock, NoticeKind.TEAM_EVENING)) is True
    evening = harness.session.last(ANNA_TG)
    assert evening.text.startswith("🌙 <b>Still open: 3</b>")  # Carl works, Dora's on a break, Fred's Friday
    assert "• Dora: on a break for" in evening.text
    assert "Eve" not in evening.text and "Anna" not in evening.text and "Gus" not in evening.text
    asked = await harness.tap(anna, evening, evening.button("Ask them"))
    assert asked.text.startswith("📣 Asked 3 people to close their day:\n• Carl") and asked.buttons == []
    assert "• Dora: on a break for" in asked.text and "• Fred: open since" in asked.text
    for uid in (CARL, DORA, FRED):
        assert "Anna Berg asks you to close your workday" in harness.session.last(9000 + uid).text
    evening_again = await digests(await digest_notice(harness, clock, NoticeKind.TEAM_EVENING))
    assert evening_again is True
    second_list = harness.session.last(ANNA_TG)
    await harness.tap(anna, second_list, second_list.button("Ask them"))
    assert harness.session.last(ANNA_TG).text == "📣 You already asked them today."
    assert "Ask them" in str(second_list.buttons)  # that list stays as it was
    assert len([m for m in harness.session.by_chat[9000 + CARL] if "asks you to close" in m.text]) == 1


async def test_paging_reuses_the_read_and_refresh_reads_again(harness: Harness, anna: User, clock: ManualClock,
                                                              portal: PortalEmulator) -> None:
    for uid in range(100, 320):
        portal.add_user(uid, email=f"{uid}@example.com", name=f"Person {uid:03d}", last_name="Longer-Surname",
                        time_zone="Europe/Berlin", departments=(SALES,))
        await harness.repos.links.link(9000 + uid, uid, name=f"Person {uid}", at=datetime.now(UTC))
    team = await harness.say(anna, "/team")
    before = portal.request_count("batch")
    page_two = await harness.tap(anna, team, team.button("▶"))
    back = await harness.tap(anna, page_two, page_two.button("◀"))
    assert "(page 1 of 2)" in back.text
    assert portal.request_count("batch") == before  # the pages of one read: no request
    clock.advance(timedelta(seconds=5))
    await harness.tap(anna, back, back.button("Refresh"))
    assert portal.request_count("batch") == before  # a Refresh right after the read shows that read
    clock.advance(timedelta(seconds=20))
    refreshed = await harness.tap(anna, back, back.button("Refresh"))
    assert portal.request_count("batch") == before + 5 and "Updated 09:00" in refreshed.text


async def test_a_days_begun_last_night_still_count_as_working(harness: Harness, anna: User, portal: PortalEmulator,
                                                             clock: ManualClock) -> None:
    portal.flags.expiry_policy = "source"  # a day without a schedule runs into the next one
    portal.seed_day(GUS, clock.now() - timedelta(hours=11))  # since 22:00 last night
    team = await harness.say(anna, "/team")
    picker = await harness.tap(anna, team, team.button("Departments"))
    eu = await harness.tap(anna, picker, picker.button("Sales EU"))
    assert "🟢 <b>Working: 1</b>\n• Gus: since Sun, 1 Mar 22:00, 11 h" in eu.text


async def test_an_admin_with_a_hundred_departments_pages_the_picker(harness: Harness, company: None,
                                                                   portal: PortalEmulator) -> None:
    for dept in range(500, 620):
        portal.define_department(dept, name=f"Team {dept}", parent=SUPPORT)
    admin = harness.updates.user(ADMIN_TG)
    team = await harness.say(admin, "/team")
    assert "Daily digest" not in str(team.buttons)  # an admin without a link gets no digest: it could not come
    picker = await harness.tap(admin, team, team.button("Departments"))
    assert len(picker.buttons) <= 100 and picker.buttons[-1][0] == "▶"
    second = await harness.tap(admin, picker, picker.button("▶"))
    assert "Team 5" in str(second.buttons) and "◀" in str(second.buttons)


async def test_a_long_evening_list_comes_in_messages_that_fit(harness: Harness, anna: User, clock: ManualClock,
                                                             redis: Redis, portal: PortalEmulator) -> None:
    for uid in range(100, 300):
        portal.add_user(uid, email=f"{uid}@example.com", name=f"Person {uid:03d} With-A-Long-Name",
                        time_zone="Europe/Berlin", departments=(SALES,))
        await harness.repos.links.link(9000 + uid, uid, name=f"Person {uid}", at=datetime.now(UTC))
        portal.seed_day(uid, clock.now() - timedelta(hours=1))
    clock.set(datetime(2026, 3, 2, 18, 0, tzinfo=UTC))  # 19:00 in Berlin
    sent_before = len(harness.session.by_chat[ANNA_TG])
    digests = await digests_of(harness, clock, redis)
    assert await digests(await digest_notice(harness, clock, NoticeKind.TEAM_EVENING)) is True
    messages = harness.session.by_chat[ANNA_TG][sent_before:]
    assert len(messages) >= 2 and all(len(m.text) < 4096 for m in messages)
    assert messages[0].text.startswith("🌙 <b>Still open: 203</b>")
    assert [bool(m.buttons) for m in messages] == [False] * (len(messages) - 1) + [True]
    names = sum(m.text.count("• ") for m in messages)
    assert names == 203


async def test_a_failed_read_does_not_use_up_asking(harness: Harness, anna: User, clock: ManualClock,
                                                    redis: Redis, portal: PortalEmulator) -> None:
    clock.set(datetime(2026, 3, 2, 18, 0, tzinfo=UTC))  # 19:00 in Berlin
    digests = await digests_of(harness, clock, redis)
    await digests(await digest_notice(harness, clock, NoticeKind.TEAM_EVENING))
    evening = harness.session.last(ANNA_TG)
    ask = evening.button("Ask them")
    portal.faults.inject("http_503", times=50)
    failed = await harness.tap(anna, evening, ask)
    portal.faults.clear()
    assert "not answering" in failed.text
    clock.advance(timedelta(minutes=2))
    asked = await harness.tap(anna, failed, ask)
    assert asked.text.startswith("📣 Asked 3 people to close their day:")


async def test_a_forged_department_while_bitrix24_is_down_says_so(harness: Harness, anna: User, clock: ManualClock,
                                                                  portal: PortalEmulator, errors: object) -> None:
    team = await harness.say(anna, "/team")
    clock.advance(timedelta(minutes=2))  # the last read is too old to show again
    portal.faults.inject("http_503", times=50)
    reply = await harness.tap(anna, team, f"tm:refresh:{SUPPORT}:0:")
    portal.faults.clear()
    assert "not answering" in reply.text and "Try again" in str(reply.buttons)
    assert errors.records == []  # type: ignore[attr-defined]
