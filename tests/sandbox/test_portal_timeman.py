"""timeman.* over HTTP against a started emulator: flows, errors, flags, expiry, zones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import time, timedelta

import httpx
import pytest

from bot.clock import ManualClock
from workday_sandbox.portal.emulator import PortalEmulator
from tests.sandbox.fixtures import START


@pytest.fixture
async def portal() -> AsyncIterator[PortalEmulator]:
    async with PortalEmulator(clock=ManualClock(START), rate_limit=None, portal_time_zone="Asia/Tokyo") as emulator:
        emulator.add_user(1, email="anna@example.com", name="Anna", time_zone="Europe/Berlin",
                          timeman_admin=True)
        emulator.add_user(2, email="boris@example.com", name="Boris", time_zone="Europe/Berlin")
        emulator.add_user(3, email="kenji@example.com", name="Kenji", time_zone="")  # portal default
        emulator.add_user(4, email="flex@example.com", name="Flex", time_zone="Europe/Berlin", flextime=True)
        emulator.add_user(5, email="shift@example.com", name="Shift", time_zone="Europe/Berlin",
                          schedule_shift=(time(8, 0), time(17, 0)))
        yield emulator


@pytest.fixture
def anna(portal) -> str:
    return portal.add_webhook(user_id=1, code="anna", scopes=("timeman", "user", "im"))


@pytest.fixture
def boris(portal) -> str:
    return portal.add_webhook(user_id=2, code="boris", scopes=("timeman",))


async def call(http, url, method, **params) -> httpx.Response:
    return await http.post(url + method, json=params)


async def result(http, url, method, **params) -> dict:
    response = await call(http, url, method, **params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "error" not in body
    return body["result"]


def advance(portal, **kwargs) -> None:
    portal.clock.advance(timedelta(**kwargs))


async def test_a_full_day_over_http(portal, http, boris):
    opened = await result(http, boris, "timeman.open")
    assert opened["STATUS"] == "OPENED" and opened["TIME_START"] == "2026-03-02T08:00:00+01:00"
    advance(portal, hours=4)
    paused = await result(http, boris, "timeman.pause")
    assert paused["STATUS"] == "PAUSED" and paused["TIME_FINISH"] == "2026-03-02T12:00:00+01:00"
    advance(portal, minutes=30)
    resumed = await result(http, boris, "timeman.open")
    assert resumed["STATUS"] == "OPENED" and resumed["TIME_LEAKS"] == "00:30:00"
    advance(portal, hours=4, minutes=30)
    closed = await result(http, boris, "timeman.close")
    assert closed == {
        "STATUS": "CLOSED", "TIME_START": "2026-03-02T08:00:00+01:00",
        "TIME_FINISH": "2026-03-02T17:00:00+01:00", "DURATION": "08:30:00", "TIME_LEAKS": "00:30:00",
        "ACTIVE": True, "IP_OPEN": "", "IP_CLOSE": "127.0.0.1", "LAT_OPEN": 0.0, "LON_OPEN": 0.0,
        "LAT_CLOSE": 0.0, "LON_CLOSE": 0.0, "TZ_OFFSET": 3600,
    }
    assert await result(http, boris, "timeman.status") == portal.status_of(2) == closed
    assert portal.record_of(2).duration == 8.5 * 3600


async def test_silent_noops_answer_200_with_the_unchanged_status(portal, http, boris):
    assert await result(http, boris, "timeman.pause") == {"STATUS": "CLOSED"}
    assert portal.record_of(2) is None
    await result(http, boris, "timeman.open")
    advance(portal, hours=1)
    again = await result(http, boris, "timeman.open", TIME="garbage")
    assert again["STATUS"] == "OPENED" and again["TIME_START"] == "2026-03-02T08:00:00+01:00"
    advance(portal, hours=1)
    await result(http, boris, "timeman.close")
    advance(portal, minutes=10)
    closed_pause = await result(http, boris, "timeman.pause")
    assert closed_pause["STATUS"] == "CLOSED" and closed_pause["DURATION"] == "02:00:00"


async def test_docs_flag_makes_pause_resume_a_closed_day(portal, http, boris):
    portal.flags.pause_on_closed_resumes = True
    await result(http, boris, "timeman.open")
    advance(portal, hours=2)
    await result(http, boris, "timeman.close")
    advance(portal, hours=1)
    resumed = await result(http, boris, "timeman.pause")
    assert resumed["STATUS"] == "OPENED" and resumed["TIME_LEAKS"] == "00:00:00"


async def test_reopen_versus_a_new_record(portal, http, boris):
    await result(http, boris, "timeman.open")
    advance(portal, hours=2)
    await result(http, boris, "timeman.close")
    advance(portal, hours=1)
    reopened = await result(http, boris, "timeman.open")
    assert reopened["TIME_START"] == "2026-03-02T08:00:00+01:00" and reopened["TIME_LEAKS"] == "01:00:00"
    assert len(portal.history_of(2)) == 1
    await result(http, boris, "timeman.close")
    portal.flags.reopen_allowed = False
    advance(portal, hours=1)
    fresh = await result(http, boris, "timeman.open")
    assert fresh["TIME_START"] == "2026-03-02T12:00:00+01:00" and fresh["TIME_LEAKS"] == "00:00:00"
    assert [r.id for r in portal.history_of(2)] == [1, 2]


async def test_closed_yesterday_starts_a_new_day(portal, http, boris):
    portal.seed_day(2, start=START - timedelta(days=1), status="CLOSED", closed_at=START - timedelta(hours=16))
    opened = await result(http, boris, "timeman.open")
    assert opened["TIME_START"] == "2026-03-02T08:00:00+01:00"
    assert len(portal.history_of(2)) == 2


async def test_timeman_errors_over_http(portal, http, boris):
    cases = [
        ("timeman.close", {}, 400, "ALERT_WARNING", "Cannot perform this action"),
        ("timeman.open", {"TIME": ""}, 400, "WRONG_DATETIME_FORMAT", "Wrong datetime format"),
        ("timeman.open", {"TIME": "2026-03-01T08:00:00+01:00", "REPORT": "x"}, 400, "WRONG_DATETIME",
         "Day open date should correspond to the current date"),
        ("timeman.open", {"TIME": "2026-03-02T07:50:00+01:00"}, 400, "ERROR_CORE",
         "Reason for change is not specified"),
        ("timeman.open", {"TIME": "2026-03-02T09:00:00+01:00", "REPORT": "x"}, 400, "ALERT_WARNING",
         "Cannot clock-in later than now"),
    ]
    for method, params, status, code, text in cases:
        response = await call(http, boris, method, **params)
        assert (response.status_code, response.json()) == (status, {"error": code, "error_description": text})
    await result(http, boris, "timeman.open")
    advance(portal, hours=1)
    await result(http, boris, "timeman.pause")
    paused = await call(http, boris, "timeman.open", TIME="2026-03-02T09:00:00+01:00")
    assert paused.json() == {"error": "TIME", "error_description": "Unable to set time, work day is paused"}
    no_report = await call(http, boris, "timeman.close", TIME="2026-03-02T09:00:00+01:00")
    assert no_report.json() == {"error": "REPORT_NEEDED", "error_description": "Reason for change is not specified"}


async def test_open_with_time_over_a_form_body(portal, http, boris):
    advance(portal, minutes=10)
    # The "+" of the offset must be percent-encoded in forms (httpx does it).
    response = await http.post(
        boris + "timeman.open", data={"TIME": "2026-03-02T08:00:01+00:00", "REPORT": "train", "LAT": "52.52", "LON": "13.40"}
    )
    opened = response.json()["result"]
    assert opened["TIME_START"] == "2026-03-02T08:00:01+01:00"  # wall clock kept, offset replaced
    assert opened["ACTIVE"] is True and (opened["LAT_OPEN"], opened["LON_OPEN"]) == (52.52, 13.4)
    raw = await http.post(boris + "timeman.open", content=b"TIME=2026-03-02T08:00:01+00:00",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert raw.json()["result"]["STATUS"] == "OPENED"  # already open: TIME ignored


async def test_unencoded_plus_in_a_form_is_a_format_error(portal, http, boris):
    raw = await http.post(boris + "timeman.open", content=b"TIME=2026-03-02T08:00:01+00:00&REPORT=x",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert raw.json()["error"] == "WRONG_DATETIME_FORMAT"


async def test_close_with_time_and_report(portal, http, boris):
    await result(http, boris, "timeman.open")
    advance(portal, hours=10)
    closed = await result(http, boris, "timeman.close", TIME="2026-03-02T16:55:00+00:00", REPORT=" left ", LAT=1, LON=2)
    assert closed["TIME_FINISH"] == "2026-03-02T17:55:00+01:00"
    assert closed["DURATION"] == "09:55:00" and closed["ACTIVE"] is True
    assert (closed["LAT_CLOSE"], closed["LON_CLOSE"]) == (1.0, 2.0)
    assert portal.record_of(2).report == "left"


async def test_expired_day_needs_time_and_report(portal, http, boris):
    portal.seed_day(2, start=START - timedelta(days=1), status="PAUSED",
                    breaks=timedelta(minutes=15), paused_at=START - timedelta(hours=20))
    status = await result(http, boris, "timeman.status")
    assert status["STATUS"] == "EXPIRED"
    assert status["TIME_START"] == "2026-03-01T08:00:00+01:00"
    assert status["TIME_FINISH"] == "2026-03-01T12:00:00+01:00"
    assert status["TIME_FINISH_DEFAULT"] == "2026-03-01T18:00:00+01:00"
    assert await result(http, boris, "timeman.open") == status  # no-op
    assert await result(http, boris, "timeman.pause") == status  # no-op
    expired = await call(http, boris, "timeman.close")
    assert (expired.status_code, expired.json()) == (400, {"error": "WD_EXPIRED", "error_description": "Workday is expired"})
    no_report = await call(http, boris, "timeman.close", TIME="2026-03-01T17:00:00+01:00")
    assert no_report.json() == {"error": "REPORT_NEEDED", "error_description": ""}
    closed = await result(http, boris, "timeman.close", TIME="2026-03-01T17:00:00+01:00", REPORT="forgot")
    assert closed["STATUS"] == "CLOSED" and closed["ACTIVE"] is False
    assert closed["TIME_LEAKS"] == "05:15:00" and closed["DURATION"] == "03:45:00"
    assert (await result(http, boris, "timeman.open"))["TIME_START"] == "2026-03-02T08:00:00+01:00"


async def test_expiry_policy_and_time_finish_default_switches(portal, http, anna):
    portal.seed_day(5, start=START - timedelta(hours=10))  # Sunday 22:00 Berlin, shift 08-17
    portal.flags.workday_finish = time(17, 30)
    docs = await result(http, anna, "timeman.status", USER_ID=5)
    assert docs["STATUS"] == "EXPIRED" and docs["TIME_FINISH_DEFAULT"] == "2026-03-01T22:05:00+01:00"
    portal.flags.expiry_policy = "source"
    source = await result(http, anna, "timeman.status", USER_ID=5)
    # The shift ended at 17:00 on the start date; expiry was 00:30 the next night.
    assert source["STATUS"] == "EXPIRED" and source["TIME_FINISH_DEFAULT"] == "2026-03-01T17:00:00+01:00"
    portal.seed_day(2, start=START - timedelta(hours=10))  # no shift: S + 18 h
    assert (await result(http, anna, "timeman.status", USER_ID=2))["STATUS"] == "OPENED"
    advance(portal, hours=8, seconds=1)
    assert (await result(http, anna, "timeman.status", USER_ID=2))["STATUS"] == "EXPIRED"


async def test_portal_default_zone_applies_to_users_without_one(portal, http, anna):
    opened = await result(http, anna, "timeman.open", USER_ID=3)
    assert opened["TIME_START"] == "2026-03-02T16:00:00+09:00" and opened["TZ_OFFSET"] == 32400


async def test_flextime_users_need_no_report(portal, http, anna):
    advance(portal, minutes=30)
    opened = await result(http, anna, "timeman.open", USER_ID=4, TIME="2026-03-02T08:00:00+01:00")
    assert opened["STATUS"] == "OPENED" and opened["ACTIVE"] is False  # 30 minutes off
    advance(portal, hours=1)
    closed = await result(http, anna, "timeman.close", USER_ID=4, TIME="2026-03-02T09:25:00+01:00")
    assert closed["DURATION"] == "01:25:00"


async def test_admin_manages_another_users_day(portal, http, anna):
    opened = await result(http, anna, "timeman.open", USER_ID=2)
    assert opened["STATUS"] == "OPENED"
    assert portal.status_of(2)["STATUS"] == "OPENED"
    assert portal.status_of(1) == {"STATUS": "CLOSED"}
    own = await result(http, anna, "timeman.status", USER_ID="1")
    assert own == {"STATUS": "CLOSED"}


async def test_allowance_flag_changes_active(portal, http, boris):
    portal.flags.allowed_delta_seconds = 3600
    advance(portal, minutes=50)
    opened = await result(http, boris, "timeman.open", TIME="2026-03-02T08:00:00+01:00", REPORT="x")
    assert opened["ACTIVE"] is True
    settings = await result(http, boris, "timeman.settings")
    assert settings["UF_TM_ALLOWED_DELTA"] == "01:00:00"


async def test_user_not_found_code_switch(portal, http, anna):
    portal.flags.user_not_found_code = "510"
    response = await call(http, anna, "timeman.status", USER_ID=999)
    assert response.json() == {"error": "510", "error_description": "User not found"}


async def test_close_expired_days_hook(portal, http, boris):
    portal.seed_day(2, start=START - timedelta(days=1))
    portal.seed_day(4, start=START - timedelta(hours=1))  # today: not expired
    assert portal.close_expired_days() == [2]
    closed = await result(http, boris, "timeman.status")
    assert closed["STATUS"] == "CLOSED" and closed["ACTIVE"] is False
    assert closed["TIME_FINISH"] == "2026-03-01T18:00:00+01:00"
    assert portal.status_of(4)["STATUS"] == "OPENED"
