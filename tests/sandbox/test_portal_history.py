"""The emulator's history of closed days: filled by every close, seeded by tests and the control API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, time, timedelta

import pytest

from bot.clock import ManualClock
from workday_sandbox.portal.emulator import PortalEmulator
from tests.sandbox.fixtures import START

ENTRY_KEYS = ("TIME_START", "TIME_FINISH", "DURATION", "TIME_LEAKS", "ACTIVE")


@pytest.fixture
async def portal() -> AsyncIterator[PortalEmulator]:
    async with PortalEmulator(clock=ManualClock(START), rate_limit=None) as emulator:
        emulator.add_user(1, email="anna@example.com", name="Anna", time_zone="Europe/Berlin",
                          timeman_admin=True)
        emulator.add_user(2, email="boris@example.com", name="Boris", time_zone="Europe/Berlin")
        emulator.add_user(3, email="kenji@example.com", name="Kenji", time_zone="Asia/Tokyo")
        yield emulator


async def rest(http, url, method, **params) -> dict:
    response = await http.post(url + method, json=params)
    assert response.status_code == 200, response.text
    return response.json()["result"]


async def history(portal, http, user_id: int) -> list[dict]:
    answer = await http.get(f"{portal.base_url}/_emulator/users/{user_id}/history")
    assert answer.status_code == 200
    assert answer.json()["user_id"] == user_id
    return answer.json()["days"]


def printed(status: dict) -> dict:
    return {key: status[key] for key in ENTRY_KEYS}


async def test_a_rest_close_adds_the_day_as_timeman_status_printed_it(portal, http, url):
    assert await history(portal, http, 2) == []
    opened = await rest(http, url, "timeman.open", USER_ID=2)
    assert portal.closed_days_of(2) == []  # an open day is not history yet
    portal.clock.advance(timedelta(hours=8, minutes=20))
    closed = await rest(http, url, "timeman.close", USER_ID=2)
    (day,) = await history(portal, http, 2)
    assert {key: day[key] for key in ENTRY_KEYS} == printed(closed)
    assert day["DATE"] == "2026-03-02" and day["DURATION"] == "08:20:00"
    assert day["RECORD_ID"] == portal.record_of(2).id and day["SEEDED"] is False
    assert day["TIME_START"] == opened["TIME_START"]
    assert await history(portal, http, 1) == []


async def test_reopening_and_closing_again_replaces_the_days_entry(portal, http, url):
    await rest(http, url, "timeman.open", USER_ID=2)
    portal.clock.advance(timedelta(hours=4))
    await rest(http, url, "timeman.close", USER_ID=2)
    first = await history(portal, http, 2)
    assert [d["DURATION"] for d in first] == ["04:00:00"]
    portal.clock.advance(timedelta(hours=1))
    reopened = await rest(http, url, "timeman.open", USER_ID=2)
    assert reopened["STATUS"] == "OPENED"
    assert await history(portal, http, 2) == first  # the last close stands until the next one
    portal.clock.advance(timedelta(hours=3))
    closed = await rest(http, url, "timeman.close", USER_ID=2)
    (day,) = await history(portal, http, 2)
    assert {key: day[key] for key in ENTRY_KEYS} == printed(closed)
    assert (day["DURATION"], day["TIME_LEAKS"]) == ("07:00:00", "01:00:00")


async def test_a_new_record_after_a_close_is_a_second_entry(portal, http, url):
    portal.flags.reopen_allowed = False
    await rest(http, url, "timeman.open", USER_ID=2)
    portal.clock.advance(timedelta(hours=2))
    await rest(http, url, "timeman.close", USER_ID=2)
    portal.clock.advance(timedelta(hours=1))
    await rest(http, url, "timeman.open", USER_ID=2)
    portal.clock.advance(timedelta(hours=2))
    await rest(http, url, "timeman.close", USER_ID=2)
    days = await history(portal, http, 2)
    assert [d["TIME_START"] for d in days] == ["2026-03-02T08:00:00+01:00", "2026-03-02T11:00:00+01:00"]
    assert [d["RECORD_ID"] for d in days] == [r.id for r in portal.history_of(2)]


async def test_repairing_an_expired_day_adds_it_unapproved(portal, http, url):
    portal.seed_day(2, start=START - timedelta(days=1))  # Sunday 08:00 Berlin, left open
    assert portal.closed_days_of(2) == []
    repaired = await rest(http, url, "timeman.close", USER_ID=2,
                          TIME="2026-03-01T16:30:00+01:00", REPORT="forgot to close")
    (day,) = portal.closed_days_of(2)
    assert day.date == date(2026, 3, 1) and day.active is False
    assert (day.time_finish, day.duration) == ("2026-03-01T16:30:00+01:00", "08:30:00")
    assert day.time_finish == repaired["TIME_FINISH"]


async def test_the_auto_close_action_over_http_adds_history(portal, http):
    portal.seed_day(2, start=START - timedelta(days=1))
    answer = await http.post(f"{portal.base_url}/_emulator/close-expired", json={"report": "agent"})
    assert answer.json() == {"ok": True, "closed": [2]}
    (day,) = await history(portal, http, 2)
    assert day["TIME_FINISH"] == "2026-03-01T18:00:00+01:00" and day["ACTIVE"] is False
    assert day["TIME_FINISH"] == portal.status_of(2)["TIME_FINISH"]
    bad = await http.post(f"{portal.base_url}/_emulator/close-expired", json={"report": ""})
    assert bad.status_code == 400 and "report" in bad.json()["error"]


async def test_a_seeded_closed_record_is_history_too(portal):
    portal.seed_day(2, start=START - timedelta(hours=9), status="CLOSED",
                    closed_at=START - timedelta(hours=1), breaks=timedelta(minutes=45))
    (day,) = portal.closed_days_of(2)
    assert (day.duration, day.time_leaks) == ("07:15:00", "00:45:00")
    assert day.record_id == portal.record_of(2).id


async def test_seeding_over_http_adds_history_only(portal, http, url):
    answer = await http.post(
        f"{portal.base_url}/_emulator/users/2/history",
        json={"days": [
            {"date": "2026-02-27", "start": "09:00", "finish": "17:30", "breaks": "00:30"},
            {"date": "2026-02-25", "start": 28800, "finish": "16:00:00", "active": False},
            {"date": "2026-02-26", "start": "22:00", "finish": "06:00", "breaks": 1800},
        ]},
    )
    assert answer.status_code == 201, answer.text
    assert [d["DATE"] for d in answer.json()["added"]] == ["2026-02-27", "2026-02-25", "2026-02-26"]
    days = await history(portal, http, 2)
    assert days == answer.json()["days"]
    assert [d["DATE"] for d in days] == ["2026-02-25", "2026-02-26", "2026-02-27"]
    assert days[2] == {
        "DATE": "2026-02-27", "TIME_START": "2026-02-27T09:00:00+01:00",
        "TIME_FINISH": "2026-02-27T17:30:00+01:00", "DURATION": "08:00:00",
        "TIME_LEAKS": "00:30:00", "ACTIVE": True, "RECORD_ID": None, "SEEDED": True,
    }
    assert days[0]["ACTIVE"] is False and days[0]["DURATION"] == "08:00:00"
    # A night shift ends on the next morning.
    assert days[1]["TIME_FINISH"] == "2026-02-27T06:00:00+01:00" and days[1]["DURATION"] == "07:30:00"
    # timeman.status still shows the latest real record: here, none.
    assert await rest(http, url, "timeman.status", USER_ID=2) == {"STATUS": "CLOSED"}
    assert portal.history_of(2) == []
    # A real day closed afterwards lands after the seeded ones.
    await rest(http, url, "timeman.open", USER_ID=2)
    portal.clock.advance(timedelta(hours=1))
    await rest(http, url, "timeman.close", USER_ID=2)
    assert [d["DATE"] for d in await history(portal, http, 2)][-1] == "2026-03-02"


async def test_seeding_from_python_uses_the_users_zone(portal):
    day = portal.seed_closed_day(3, "2026-02-27", time(9, 0), time(18, 0), breaks=timedelta(hours=1))
    assert day.time_start == "2026-02-27T09:00:00+09:00"
    assert (day.duration, day.time_leaks, day.record_id) == ("08:00:00", "01:00:00", None)
    assert portal.closed_days_of(3) == [day]
    assert portal.status_of(3) == {"STATUS": "CLOSED"}


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ([{"date": "2026-03-02", "start": "09:00", "finish": "17:00"}], "would end after now"),
        ([{"date": "27.02.2026", "start": "09:00", "finish": "17:00"}], 'days[0].date must be a date like "2026-02-27"'),
        ([{"date": "2026-02-27", "start": "09:00"}], "days[0] needs start and finish"),
        ([{"date": "2026-02-27", "start": "9 am", "finish": "17:00"}], "days[0].start must be seconds"),
        ([{"date": "2026-02-27", "start": "09:00", "finish": "17:00", "breaks": "08:00"}],
         "breaks must be shorter than the time from start to finish"),
        ([{"date": "2026-02-27", "start": "09:00", "finish": "17:00", "lunch": 1}], "unknown field days[0].lunch"),
        ([{"date": "2026-02-27", "start": "09:00", "finish": "17:00", "active": "yes"}],
         "days[0].active must be true or false"),
        ([{"date": "2026-02-26", "start": "09:00", "finish": "17:00"},
          {"date": "2026-02-26", "start": "18:00", "finish": "19:00"}], "has a closed day on 2026-02-26 already"),
        ([{"date": "2026-02-26", "start": "09:00", "finish": "17:00"}, "tomorrow"], "days[1] must be a JSON object"),
        ([], 'send {"days"'),
    ],
)
async def test_bad_seeding_is_400_with_a_message_and_adds_nothing(portal, http, days, message):
    answer = await http.post(f"{portal.base_url}/_emulator/users/2/history", json={"days": days})
    assert answer.status_code == 400
    assert message in answer.json()["error"]
    assert portal.closed_days_of(2) == []


async def test_seeding_a_day_that_is_already_history_is_refused(portal, http):
    portal.seed_closed_day(2, "2026-02-27", "09:00", "17:00")
    answer = await http.post(f"{portal.base_url}/_emulator/users/2/history",
                             json={"days": [{"date": "2026-02-27", "start": "10:00", "finish": "12:00"}]})
    assert answer.status_code == 400 and "already" in answer.json()["error"]
    assert len(portal.closed_days_of(2)) == 1


async def test_history_of_an_unknown_user_is_404(portal, http):
    answer = await http.get(f"{portal.base_url}/_emulator/users/42/history")
    assert (answer.status_code, answer.json()) == (404, {"error": "no user 42"})
    seeded = await http.post(f"{portal.base_url}/_emulator/users/42/history",
                             json={"days": [{"date": "2026-02-27", "start": "09:00", "finish": "17:00"}]})
    assert seeded.status_code == 404
