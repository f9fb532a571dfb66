"""Linking through the production dispatcher: code by Bitrix24 notification, expiry,
lockout, rate limits, relinking and unlinking."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from aiogram.types import User
from redis.asyncio import Redis

from bot.app import create_jobs
from bot.clock import ManualClock
from bot.storage.keys import KeySpace
from workday_sandbox.portal.emulator import PortalEmulator
from tests.bot.fixtures import ADMIN_TG, ANNA_B24, ANNA_TG, BORIS_B24, BORIS_TG, GONE_B24, STRANGER_TG
from tests.bot.flows import latest_code, link
from tests.bot.harness import Harness

anna = lambda h: h.updates.user(ANNA_TG)  # noqa: E731


async def everything_stored(redis: Redis) -> bytes:
    parts: list[bytes] = []
    for key in await redis.keys("*"):
        kind = await redis.type(key)
        if kind == b"string":
            parts.append(await redis.get(key))
        elif kind == b"hash":
            parts.extend(k + v for k, v in (await redis.hgetall(key)).items())
        parts.append(key)
    return b"\n".join(parts)


async def test_start_explains_how_to_link(harness: Harness) -> None:
    reply = await harness.say(harness.updates.user(ANNA_TG), "/start")
    assert "/link" in reply.text and "Bitrix24" in reply.text


async def test_link_by_email_sends_a_code_inside_bitrix24(harness: Harness, portal: PortalEmulator, redis: Redis) -> None:
    user = anna(harness)
    reply = await harness.say(user, "/link anna@example.com")
    assert "Bitrix24 notifications" in reply.text
    notification = portal.notifications_for(ANNA_B24)[-1]
    code = latest_code(portal, ANNA_B24)
    assert "Anna" in notification.message and str(ANNA_TG) in notification.message
    # Only a hash of the code is stored.
    assert code.encode() not in await everything_stored(redis)
    done = await harness.say(user, code)
    assert "Linked to <b>Anna Berg</b>" in done.text
    assert "Day not started" in done.text
    assert done.button("Start day")


async def test_link_by_bitrix_id(harness: Harness, portal: PortalEmulator) -> None:
    user = anna(harness)
    await harness.say(user, f"/link {ANNA_B24}")
    done = await harness.say(user, latest_code(portal, ANNA_B24))
    assert "Anna Berg" in done.text


async def test_link_without_argument_asks_then_accepts_plain_text(harness: Harness, portal: PortalEmulator) -> None:
    user = anna(harness)
    ask = await harness.say(user, "/link")
    assert "e-mail" in ask.text
    sent = await harness.say(user, "anna@example.com")
    assert "6-digit code" in sent.text
    done = await harness.say(user, latest_code(portal, ANNA_B24))
    assert "Linked to" in done.text


async def test_a_stranger_learns_nothing_about_who_exists(harness: Harness, portal: PortalEmulator) -> None:
    stranger = harness.updates.user(STRANGER_TG)
    real = await harness.say(stranger, "/link anna@example.com")
    unknown = await harness.say(stranger, "/link nobody@example.com")
    real_id = await harness.say(stranger, f"/link {ANNA_B24}")
    dismissed = await harness.say(stranger, f"/link {GONE_B24}")
    strip = lambda text, who: text.replace(who, "X")  # noqa: E731
    assert strip(real.text, "anna@example.com") == strip(unknown.text, "nobody@example.com")
    assert strip(real_id.text, f"#{ANNA_B24}<") == strip(dismissed.text, f"#{GONE_B24}<")
    assert portal.notifications_for(GONE_B24) == []
    wrong = await harness.say(stranger, "123456")
    assert "not right" in wrong.text


async def test_bad_identity_is_explained(harness: Harness, portal: PortalEmulator) -> None:
    reply = await harness.say(anna(harness), "/link not-an-email")
    assert "doesn't look like" in reply.text
    assert portal.request_count() == 0


async def test_wrong_codes_lock_the_attempt_after_five(harness: Harness, portal: PortalEmulator) -> None:
    user = anna(harness)
    await harness.say(user, "/link anna@example.com")
    code = latest_code(portal, ANNA_B24)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    tries = [await harness.say(user, wrong) for _ in range(4)]
    assert [t.text for t in tries] == [f"That code is not right. Tries left: {n}." for n in (4, 3, 2, 1)]
    fifth = await harness.say(user, wrong)
    assert "locked" in fifth.text
    after = await harness.say(user, code)  # even the right code is refused now
    assert "Linked" not in after.text
    assert await harness.say(user, "/status") and "isn't linked" in harness.session.last(ANNA_TG).text


async def test_code_expires_after_ten_minutes(harness: Harness, portal: PortalEmulator, redis: Redis) -> None:
    user = anna(harness)
    await harness.say(user, "/link anna@example.com")
    code = latest_code(portal, ANNA_B24)
    ttl = await redis.ttl(f"test:link_attempt:{ANNA_TG}")
    assert 590 <= ttl <= 600
    await redis.delete(f"test:link_attempt:{ANNA_TG}")  # what the TTL does after ten minutes
    reply = await harness.say(user, code)
    assert "expired" in reply.text


async def test_link_attempts_are_rate_limited_per_telegram_user(harness: Harness, portal: PortalEmulator) -> None:
    user = anna(harness)
    for identity in ("anna@example.com", "boris@example.com", "admin@example.com", "x@example.com", "11"):
        assert "6-digit code" in (await harness.say(user, f"/link {identity}")).text
    limited = await harness.say(user, "/link anna@example.com")
    assert "Too many link attempts" in limited.text
    assert len(portal.notifications_for(ANNA_B24)) == 1


async def test_one_account_gets_two_codes_an_hour_for_one_person(harness: Harness, portal: PortalEmulator) -> None:
    user = anna(harness)
    await harness.say(user, "/link anna@example.com")
    await harness.say(user, f"/link {ANNA_B24}")  # the same person, by id
    third = await harness.say(user, "/link anna@example.com")
    assert "Too many codes were asked for <b>anna@example.com</b>" in third.text and "in 60 min" in third.text
    assert len(portal.notifications_for(ANNA_B24)) == 2


async def test_codes_are_rate_limited_per_bitrix24_user(harness: Harness, portal: PortalEmulator) -> None:
    for index in range(8):
        await harness.say(harness.updates.user(7000 + index), "/link anna@example.com")
    assert len(portal.notifications_for(ANNA_B24)) == 6


async def test_relinking_replaces_both_sides(harness: Harness, portal: PortalEmulator) -> None:
    first = anna(harness)
    await link(harness, portal, first, "anna@example.com", ANNA_B24)
    second = harness.updates.user(BORIS_TG, first_name="Anna's new phone")
    await link(harness, portal, second, "anna@example.com", ANNA_B24)
    # The first account lost the link and was told so.
    assert "unlinked" in harness.session.last(ANNA_TG).text
    status = await harness.say(first, "/status")
    assert "isn't linked" in status.text
    # Linking the same Telegram account to another employee replaces its old link too.
    await link(harness, portal, second, "boris@example.com", BORIS_B24)
    links = await harness.repos.links.all()
    assert [(l.telegram_id, l.bitrix_id) for l in links] == [(BORIS_TG, BORIS_B24)]


async def test_displaced_account_is_told_in_its_own_language(harness: Harness, portal: PortalEmulator,
                                                             redis: Redis) -> None:
    first = harness.updates.user(ANNA_TG, language="ru")
    await link(harness, portal, first, "anna@example.com", ANNA_B24)
    await link(harness, portal, harness.updates.user(BORIS_TG), "anna@example.com", ANNA_B24)
    assert "Ваш Telegram отвязан" in harness.session.last(ANNA_TG).text
    # The displaced account's data went with its link.
    assert [key for key in await redis.keys("test:*") if str(ANNA_TG).encode() in key] == []


async def test_admin_link_tells_both_accounts(harness: Harness, portal: PortalEmulator) -> None:
    await link(harness, portal, harness.updates.user(ANNA_TG, language="ru"), "anna@example.com", ANNA_B24)
    admin = harness.updates.user(ADMIN_TG)
    asked = await harness.say(admin, f"/admin_link {BORIS_TG} anna@example.com")
    reply = await harness.tap(admin, asked, asked.button("Move link"))
    assert "They were told in Telegram." in reply.text
    assert "администратор привязал сотрудника" in harness.session.last(ANNA_TG).text
    assert "An admin linked your Telegram account to <b>Anna Berg</b>" in harness.session.last(BORIS_TG).text
    unlinked = await harness.say(admin, f"/admin_unlink {BORIS_TG}")
    assert "Unlinked Telegram 5002" in unlinked.text
    assert "An admin unlinked your Telegram account" in harness.session.last(BORIS_TG).text


async def test_admin_link_that_moves_a_link_asks_first(harness: Harness, portal: PortalEmulator) -> None:
    await link(harness, portal, anna(harness), "anna@example.com", ANNA_B24)
    await link(harness, portal, harness.updates.user(BORIS_TG), "boris@example.com", BORIS_B24)
    admin = harness.updates.user(ADMIN_TG)
    asked = await harness.say(admin, f"/admin_link {BORIS_TG} anna@example.com")
    assert asked.text == (
        "Link Telegram <code>5002</code> to <b>Anna Berg</b> (Bitrix24 #10)?\n"
        "• Anna Berg is linked to Telegram <code>5001</code> now: that account will be unlinked and its "
        "reminders and settings deleted.\n"
        "• Telegram <code>5002</code> is linked to Boris Ivanov (Bitrix24 #11) now: that link will be replaced.\n"
        "Both accounts are told. Go ahead?")
    # Nothing moved yet, and nobody was told anything.
    assert (await harness.repos.links.get(ANNA_TG)).bitrix_id == ANNA_B24
    assert "An admin" not in harness.session.last(ANNA_TG).text
    cancelled = await harness.tap(admin, asked, asked.button("Cancel"))
    assert cancelled.text == "Cancelled. Nothing was changed."
    assert (await harness.repos.links.get(BORIS_TG)).bitrix_id == BORIS_B24
    asked = await harness.say(admin, f"/admin_link {BORIS_TG} anna@example.com")
    # Someone else's tap on the admin's question does nothing.
    await harness.tap(anna(harness), asked, asked.button("Move link"))
    assert (await harness.repos.links.get(ANNA_TG)).bitrix_id == ANNA_B24
    moved = await harness.tap(admin, asked, asked.button("Move link"))
    assert "Linked Telegram 5002 to <b>Anna Berg</b>" in moved.text
    assert await harness.repos.links.get(ANNA_TG) is None
    assert "an admin linked" in harness.session.last(ANNA_TG).text


async def test_unlinked_users_see_their_telegram_id_for_the_admin(harness: Harness) -> None:
    start = await harness.say(anna(harness), "/start")
    assert "Your Telegram id is <code>5001</code>" in start.text
    assert (await harness.say(anna(harness), "/myid")).text == "Your Telegram id: <code>5001</code>"


async def test_admin_commands_say_when_bitrix24_is_down(harness: Harness, portal: PortalEmulator) -> None:
    admin = harness.updates.user(ADMIN_TG)
    portal.faults.inject("http_503", times=50)
    linked = await harness.say(admin, f"/admin_link {BORIS_TG} anna@example.com")
    unlocked = await harness.say(admin, "/admin_unlock anna@example.com")
    portal.faults.clear()
    assert linked.text == unlocked.text == "Bitrix24 is not reachable right now. Nothing was changed."
    assert await harness.repos.links.get(BORIS_TG) is None
    missing = await harness.say(admin, "/admin_unlock nobody@example.com")
    assert missing.text == "No active Bitrix24 employee matches nobody@example.com."


async def test_admin_link_to_someone_who_never_opened_the_bot(harness: Harness, portal: PortalEmulator) -> None:
    admin = harness.updates.user(ADMIN_TG)
    harness.session.fail_next("sendMessage", 403, "Forbidden: bot can't initiate conversation with a user")
    reply = await harness.say(admin, f"/admin_link {BORIS_TG} anna@example.com")
    assert "Linked Telegram 5002" in reply.text
    assert "haven't started the bot yet" in reply.text and "blocked" not in reply.text
    profiles = harness.repos.profiles
    assert not (await profiles.get(BORIS_TG)).blocked  # they never blocked anything
    status = await harness.say(harness.updates.user(BORIS_TG), "/status")
    assert "Day not started" in status.text


async def test_admin_link_to_someone_who_blocked_the_bot(harness: Harness, portal: PortalEmulator) -> None:
    admin = harness.updates.user(ADMIN_TG)
    harness.session.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    reply = await harness.say(admin, f"/admin_link {BORIS_TG} anna@example.com")
    assert "Linked Telegram 5002" in reply.text and "blocked the bot" in reply.text
    profiles = harness.repos.profiles
    assert (await profiles.get(BORIS_TG)).blocked  # so reminders are not sent against a wall
    # Once they open the bot they can be reached, although Telegram says nothing about it.
    status = await harness.say(harness.updates.user(BORIS_TG), "/status")
    assert "Day not started" in status.text
    assert not (await profiles.get(BORIS_TG)).blocked


async def test_failed_notice_to_an_unlinked_account_stores_nothing(harness: Harness, portal: PortalEmulator,
                                                                   redis: Redis) -> None:
    await link(harness, portal, anna(harness), "anna@example.com", ANNA_B24)
    new_phone = harness.updates.user(BORIS_TG)
    await harness.say(new_phone, "/link anna@example.com")
    # The first message after the code is the notice to the displaced account.
    harness.session.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    done = await harness.say(new_phone, latest_code(portal, ANNA_B24))
    assert "Linked to <b>Anna Berg</b>" in done.text
    assert harness.session.calls("sendMessage")[-2].chat_id == ANNA_TG  # the notice was tried
    assert [key for key in await redis.keys("test:*") if str(ANNA_TG).encode() in key] == []


async def test_unlink_removes_everything(harness: Harness, portal: PortalEmulator, redis: Redis) -> None:
    user = anna(harness)
    await link(harness, portal, user, "anna@example.com", ANNA_B24)
    await harness.say(user, "/language")
    await harness.tap(user, harness.session.last(ANNA_TG), "lang:ru")
    asked = await harness.say(user, "/unlink")
    reply = await harness.tap(user, asked, asked.button("Отвязать"))
    assert "Отвязано" in reply.text
    leftover = [key for key in await redis.keys("test:*")
                if (str(ANNA_TG).encode() in key or key == f"test:day:{ANNA_B24}".encode())
                and not key.startswith(b"test:update:")]
    assert leftover == []
    assert await harness.repos.links.get(ANNA_TG) is None


async def test_link_by_id_reads_naturally_in_russian(harness: Harness, portal: PortalEmulator) -> None:
    reply = await harness.say(harness.updates.user(ANNA_TG, language="ru"), f"/link {ANNA_B24}")
    assert reply.text.startswith(f"Если сотрудник с ID <b>{ANNA_B24}</b> работает в компании, в его")
    by_mail = await harness.say(harness.updates.user(BORIS_TG, language="ru"), "/link boris@example.com")
    assert by_mail.text.startswith("Если сотрудник с почтой <b>boris@example.com</b> работает в компании")


async def test_link_while_linked_gives_one_clear_answer(harness: Harness, portal: PortalEmulator) -> None:
    user = anna(harness)
    await link(harness, portal, user, "anna@example.com", ANNA_B24)
    sent = len(harness.session.by_chat[ANNA_TG])
    reply = await harness.say(user, "/link")
    assert len(harness.session.by_chat[ANNA_TG]) == sent + 1
    assert reply.text == ("You are linked to <b>Anna Berg</b> in Bitrix24. "
                          "To link a different account, send /unlink first.")
    # No conversation was left waiting for an e-mail: plain text is not taken as one.
    await harness.say(user, "boris@example.com")
    assert portal.notifications_for(BORIS_B24) == []


async def test_unlink_asks_first_and_cancel_keeps_everything(harness: Harness, portal: PortalEmulator) -> None:
    user = anna(harness)
    await link(harness, portal, user, "anna@example.com", ANNA_B24)
    asked = await harness.say(user, "/unlink")
    assert "Unlink <b>Anna Berg</b>?" in asked.text
    assert [label for label, _ in asked.buttons] == ["🗑 Unlink", "✖️ Cancel"]
    assert await harness.repos.links.get(ANNA_TG) is not None  # nothing done yet
    cancelled = await harness.tap(user, asked, asked.button("Cancel"))
    assert cancelled.text == "Cancelled. You are still linked." and cancelled.buttons == []
    assert await harness.repos.links.get(ANNA_TG) is not None
    asked = await harness.say(user, "/unlink")
    done = await harness.tap(user, asked, asked.button("Unlink"))
    assert done.text == "Unlinked. Everything I stored about you is deleted."
    assert await harness.repos.links.get(ANNA_TG) is None


async def test_admin_links_lists_and_unlinks(harness: Harness, portal: PortalEmulator) -> None:
    admin = harness.updates.user(ADMIN_TG)
    linked = await harness.say(admin, f"/admin_link {ANNA_TG} anna@example.com")
    assert "Linked Telegram 5001 to <b>Anna Berg</b>" in linked.text
    listing = await harness.say(admin, "/links")
    assert "Anna Berg (Bitrix24 #10) · Telegram <code>5001</code> [by admin]" in listing.text
    status = await harness.say(anna(harness), "/status")
    assert "Day not started" in status.text
    unlinked = await harness.say(admin, f"/admin_unlink {ANNA_TG}")
    assert "Unlinked Telegram 5001" in unlinked.text
    assert "isn't linked" in (await harness.say(anna(harness), "/status")).text


async def test_admin_commands_are_refused_to_others(harness: Harness, portal: PortalEmulator) -> None:
    reply = await harness.say(anna(harness), f"/admin_link {ANNA_TG} anna@example.com")
    assert "for the bot's admins" in reply.text
    assert await harness.repos.links.get(ANNA_TG) is None
    assert portal.request_count() == 0


async def test_dismissed_employees_are_unlinked_at_night(harness: Harness, portal: PortalEmulator) -> None:
    await link(harness, portal, anna(harness), "anna@example.com", ANNA_B24)
    await link(harness, portal, harness.updates.user(BORIS_TG), "boris@example.com", BORIS_B24)
    for index in range(3):  # more links, so one departure stays under the safety limit
        await harness.repos.links.link(8000 + index, 1, name="Ada", at=datetime.now(UTC))
    service = harness.services.linking
    assert await service.prune_departed() == []
    portal.users[ANNA_B24].active = False
    assert await service.prune_departed() == [ANNA_B24]
    assert await harness.repos.links.get(ANNA_TG) is None
    assert (await harness.repos.links.get(BORIS_TG)).bitrix_id == BORIS_B24


async def test_the_dismissed_employee_check_runs_every_night(harness: Harness, portal: PortalEmulator,
                                                              clock: ManualClock, redis: Redis) -> None:
    await link(harness, portal, anna(harness), "anna@example.com", ANNA_B24)
    for index in range(5):  # more links, so one departure stays under the safety limit
        await harness.repos.links.link(8000 + index, 1, name="Ada", at=datetime.now(UTC))
    portal.users[ANNA_B24].active = False
    jobs = create_jobs(redis=redis, keys=KeySpace("test"), clock=clock, services=harness.services)
    # Monday 08:00 UTC: last night's check is not made up for (the hourly sweep runs, for nobody).
    assert await jobs.run_due() == ["worktime.sweep"]
    clock.set(datetime(2026, 3, 3, 3, 17, 30, tzinfo=UTC))
    # The journal's hourly sweep has a new hour too, and the team structure's 02:45 refresh is
    # still within its grace hour.
    assert sorted(await jobs.run_due()) == ["linking.prune_departed", "team.structure", "worktime.sweep"]
    assert await harness.repos.links.get(ANNA_TG) is None


async def test_nightly_check_never_unlinks_on_a_portal_outage(harness: Harness, portal: PortalEmulator) -> None:
    await link(harness, portal, anna(harness), "anna@example.com", ANNA_B24)
    portal.faults.inject("http_503", times=100)
    assert await harness.services.linking.prune_departed() == []
    assert await harness.repos.links.get(ANNA_TG) is not None


async def test_nightly_check_refuses_a_mass_unlink(harness: Harness, portal: PortalEmulator) -> None:
    await link(harness, portal, anna(harness), "anna@example.com", ANNA_B24)
    await link(harness, portal, harness.updates.user(BORIS_TG), "boris@example.com", BORIS_B24)
    portal.users[ANNA_B24].active = False
    portal.users[BORIS_B24].active = False
    assert await harness.services.linking.prune_departed() == []
    assert await harness.repos.links.count() == 2


# --- issue 10: what an outside attacker found ------------------------------------------------

# Any BB-code Bitrix24 renders in a notification: a tag, a "#BR#" line break, a link.
_LIVE_MARKUP = re.compile(r"\[/?[a-z]+[^\]]*\]|#br#|://|\bwww\.", re.IGNORECASE)


async def test_attacker_text_reaches_bitrix24_as_plain_text(harness: Harness, portal: PortalEmulator) -> None:
    attacker = User(id=STRANGER_TG, is_bot=False, language_code="en",
                    first_name="[URL=https://evil.example/verify]Bitrix24 Security[/URL]",
                    last_name="[b]urgent[/b]#BR#[USER=1]Ada[/USER] [ICON=https://evil.example/i.png] www.evil.example",
                    username="sec_team")
    await harness.say(attacker, "/link anna@example.com")
    message = portal.notifications_for(ANNA_B24)[-1].message
    assert _LIVE_MARKUP.search(message) is None, message
    # The employee still sees who asked, as they wrote it.
    assert "Bitrix24 Security" in message and "urgent" in message and "@sec_team" in message
    assert str(STRANGER_TG) in message


async def test_whether_someone_exists_costs_the_same_requests(harness: Harness, portal: PortalEmulator) -> None:
    costs = []
    for index, identity in enumerate(("anna@example.com", "nobody@example.com", str(GONE_B24), str(ANNA_B24))):
        before = portal.request_count()
        await harness.say(harness.updates.user(7100 + index), f"/link {identity}")
        costs.append(portal.request_count() - before)
    assert len(portal.notifications_for(ANNA_B24)) == 2  # the real ones were sent
    assert costs[0] == costs[1] == costs[2] == costs[3], costs


async def test_a_stranger_cannot_lock_the_owner_out(harness: Harness, portal: PortalEmulator) -> None:
    stranger = harness.updates.user(STRANGER_TG)
    replies = [await harness.say(stranger, "/link anna@example.com") for _ in range(6)]
    # The stranger is refused, and told the truth about why.
    assert "6-digit code" not in replies[-1].text
    sent_to_anna = len(portal.notifications_for(ANNA_B24))
    done = await link(harness, portal, anna(harness), "anna@example.com", ANNA_B24)
    assert len(portal.notifications_for(ANNA_B24)) == sent_to_anna + 1
    assert "Linked to <b>Anna Berg</b>" in done.text


async def test_the_employee_limit_never_says_code_sent(harness: Harness, portal: PortalEmulator) -> None:
    """Many accounts asking for one person's codes fill that person's hourly allowance; the
    next asker is told so (not "code sent"), an admin is told, and an admin can lift it."""
    real, unknown, costs = [], [], set()
    for index in range(8):
        for identity, answers in (("anna@example.com", real), ("nobody@example.com", unknown)):
            before = portal.request_count()
            answers.append((await harness.say(harness.updates.user(7000 + index), f"/link {identity}")).text)
            costs.add(portal.request_count() - before)
    assert costs == {2}  # refused or not, known or not: the same Bitrix24 requests
    delivered = len(portal.notifications_for(ANNA_B24))
    refused = [text for text in real if "6-digit code" not in text]
    assert refused and delivered + len(refused) == 8
    assert all("ask a bot admin" in text for text in refused)
    # A stranger still learns nothing: an unknown address is refused just the same.
    assert [t.replace("anna@", "X@") for t in real] == [t.replace("nobody@", "X@") for t in unknown]
    notice = harness.session.last(ADMIN_TG).text
    assert "Anna Berg" in notice and "/admin_unlock" in notice
    admin = harness.updates.user(ADMIN_TG)
    assert "Anna Berg" in (await harness.say(admin, "/admin_unlock anna@example.com")).text
    done = await link(harness, portal, anna(harness), "anna@example.com", ANNA_B24)
    assert "Linked to <b>Anna Berg</b>" in done.text


async def test_unlink_does_not_reset_a_strangers_limits(harness: Harness, portal: PortalEmulator) -> None:
    stranger = harness.updates.user(STRANGER_TG)
    for index in range(5):
        await harness.say(stranger, f"/link person{index}@example.com")
    await harness.say(stranger, "/unlink")
    again = await harness.say(stranger, "/link anna@example.com")
    assert "Too many link attempts" in again.text
    assert portal.notifications_for(ANNA_B24) == []


async def test_the_lockout_message_and_rule_agree(harness: Harness, portal: PortalEmulator, redis: Redis) -> None:
    user = anna(harness)
    await harness.say(user, "/link anna@example.com")
    code = latest_code(portal, ANNA_B24)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        locked = await harness.say(user, wrong)
    assert "in 10 min" in locked.text
    sent = len(portal.notifications_for(ANNA_B24))
    again = await harness.say(user, "/link anna@example.com")
    assert "locked" in again.text and "10 min" in again.text
    assert len(portal.notifications_for(ANNA_B24)) == sent
    # /unlink is no way around it either.
    await harness.say(user, "/unlink")
    assert "locked" in (await harness.say(user, "/link anna@example.com")).text
    ttl = await redis.ttl(f"test:link_attempt:{ANNA_TG}")
    assert 590 <= ttl <= 600
    await redis.delete(f"test:link_attempt:{ANNA_TG}")  # what the TTL does after ten minutes
    done = await link(harness, portal, user, "anna@example.com", ANNA_B24)
    assert "Linked to <b>Anna Berg</b>" in done.text


async def test_nothing_is_stored_before_linking(harness: Harness, redis: Redis) -> None:
    user = harness.updates.user(STRANGER_TG)
    await harness.say(user, "/start")
    await harness.say(user, "/language")
    chosen = await harness.tap(user, harness.session.last(STRANGER_TG), "lang:ru")
    assert "русский" in chosen.text
    for text in ("/help", "/status", "/timezone Europe/Berlin", "/remind 13:00", "/reminders", "hello",
                 "123456", "/cancel", "/unlink"):
        await harness.say(user, text)
    assert await redis.keys("test:*") == []


async def test_nothing_stays_after_unlink(harness: Harness, portal: PortalEmulator, redis: Redis) -> None:
    user = anna(harness)
    await harness.say(user, "/link anna@example.com")
    await harness.say(user, "/link anna@example.com")  # a second code, as a hurried user might ask
    await harness.say(user, latest_code(portal, ANNA_B24))
    await harness.say(user, "/language")
    await harness.tap(user, harness.session.last(ANNA_TG), "lang:ru")
    await harness.say(user, "/status")
    await harness.say(user, "/link boris@example.com")  # asked, never confirmed
    asked = await harness.say(user, "/unlink")
    await harness.tap(user, asked, asked.button("Отвязать"))
    left = {key.decode() for key in await redis.keys("test:*")}
    # Only how many codes Boris got stays (it protects him), and nothing about who asked;
    # and the reminder id counter (the nudges made at the link took ids), which is no one's.
    assert left == {f"test:rate:link_code:{BORIS_B24}", "test:rem:seq"}, left
    assert str(ANNA_TG).encode() not in await everything_stored(redis)


async def test_admin_unlock_is_for_admins_and_explains_itself(harness: Harness, portal: PortalEmulator) -> None:
    assert "for the bot's admins" in (await harness.say(anna(harness), "/admin_unlock anna@example.com")).text
    admin = harness.updates.user(ADMIN_TG)
    assert "Usage: <code>/admin_unlock" in (await harness.say(admin, "/admin_unlock")).text
    assert "No active Bitrix24 employee matches" in (await harness.say(admin, "/admin_unlock nobody@example.com")).text
    russian = harness.updates.user(ADMIN_TG, language="ru")
    assert "снова может запрашивать коды привязки" in (await harness.say(russian, f"/admin_unlock {ANNA_B24}")).text


async def test_an_auth_failure_is_not_called_unreachable(harness: Harness, portal: PortalEmulator) -> None:
    # The webhook was deleted in Bitrix24: that is for an admin to fix, not a passing outage.
    portal.auth.webhooks.clear()
    anna = harness.updates.user(ANNA_TG)
    reply = await harness.say(anna, "/link anna@example.com")
    assert "not reachable" not in reply.text
    assert "can't sign in to Bitrix24" in reply.text and "no code was sent" in reply.text
    assert not portal.notifications_for(ANNA_B24)
