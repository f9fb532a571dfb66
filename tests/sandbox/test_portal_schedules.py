"""Per-user timeman.settings and work schedules (docs/bitrix24.md#timeman-settings,
docs/bitrix24.md#work-schedules), over REST and the control API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import time, timedelta

import pytest

from bot.clock import ManualClock
from workday_sandbox.portal.emulator import PortalEmulator
from tests.sandbox.fixtures import START

# The keys of the example answer in the official docs,
# bitrix24/b24restdocs api-reference/timeman/schedule/timeman-schedule-get.md, in its order.
DOCS_SCHEDULE_KEYS = [
    "ID", "NAME", "SCHEDULE_TYPE", "REPORT_PERIOD", "REPORT_PERIOD_OPTIONS", "CALENDAR_ID",
    "ALLOWED_DEVICES", "DELETED", "IS_FOR_ALL_USERS", "WORKTIME_RESTRICTIONS",
    "CONTROLLED_ACTIONS", "UPDATED_BY", "DELETED_BY", "DELETED_AT", "CREATED_BY", "CREATED_AT",
    "SHIFTS", "CALENDAR", "SCHEDULE_VIOLATION_RULES",
]
DOCS_SHIFT_KEYS = [
    "ID", "NAME", "BREAK_DURATION", "WORK_TIME_START", "WORK_TIME_END", "WORK_DAYS",
    "SCHEDULE_ID", "DELETED",
]
DOCS_RULE_KEYS = [
    "ID", "SCHEDULE_ID", "ENTITY_CODE", "MAX_EXACT_START", "MIN_EXACT_END", "MAX_OFFSET_START",
    "MIN_OFFSET_END", "RELATIVE_START_FROM", "RELATIVE_START_TO", "RELATIVE_END_FROM",
    "RELATIVE_END_TO", "MIN_DAY_DURATION", "MAX_ALLOWED_TO_EDIT_WORK_TIME",
    "MAX_WORK_TIME_LACK_FOR_PERIOD", "PERIOD_TIME_LACK_AGENT_ID", "MAX_SHIFT_START_DELAY",
    "MISSED_SHIFT_START", "USERS_TO_NOTIFY",
]
DOCS_NOTIFY_KEYS = [
    "FIXED_START_END", "FIXED_PER_RECORD", "FIXED_EDIT_WORKTIME", "FIXED_PERIODIC",
    "SHIFT_DELAY", "SHIFT_MISSED_START",
]
DOCS_CALENDAR_KEYS = ["ID", "NAME", "PARENT_CALENDAR_ID", "SYSTEM_CODE", "EXCLUSIONS"]

EARLY = {
    "NAME": "Early shift",
    "SCHEDULE_TYPE": "FIXED",
    "SHIFTS": [{"NAME": "Early", "WORK_TIME_START": "08:00", "WORK_TIME_END": 61200,
                "BREAK_DURATION": "00:30", "WORK_DAYS": "54321"}],
    "SCHEDULE_VIOLATION_RULES": {"MAX_EXACT_START": "08:15", "MIN_DAY_DURATION": 30600,
                                 "MAX_ALLOWED_TO_EDIT_WORK_TIME": -1},
}


@pytest.fixture
async def portal() -> AsyncIterator[PortalEmulator]:
    async with PortalEmulator(clock=ManualClock(START), rate_limit=None) as emulator:
        emulator.add_user(1, email="anna@example.com", name="Anna", time_zone="Europe/Berlin",
                          timeman_admin=True)
        emulator.add_user(2, email="boris@example.com", name="Boris", time_zone="Europe/Berlin")
        emulator.add_user(3, email="carl@example.com", name="Carl", time_zone="Europe/Berlin")
        yield emulator


async def rest(http, url, method, **params) -> dict:
    response = await http.post(url + method, json=params)
    assert response.status_code == 200, response.text
    return response.json()["result"]


def control(portal: PortalEmulator, path: str) -> str:
    return f"{portal.base_url}/_emulator/{path}"


# --------------------------------------------------------------------------- timeman.settings


async def test_settings_overrides_show_per_user_through_rest_and_batch(portal, http, url):
    portal.set_timeman_settings(2, max_start="10:00", min_duration=7 * 3600)
    boris = await rest(http, url, "timeman.settings", USER_ID=2)
    assert boris == {
        "UF_TIMEMAN": True, "UF_TM_FREE": False, "UF_TM_MAX_START": "10:00:00",
        "UF_TM_MIN_FINISH": "17:45:00", "UF_TM_MIN_DURATION": "07:00:00",
        "UF_TM_ALLOWED_DELTA": "00:15:00",
    }
    own = await rest(http, url, "timeman.settings")
    assert own["UF_TM_MAX_START"] == "09:15:00" and own["ADMIN"] is True
    batch = await rest(http, url, "batch",
                       cmd={"boris": "timeman.settings?USER_ID=2", "carl": "timeman.settings?USER_ID=3"})
    assert batch["result"]["boris"] == boris
    assert batch["result"]["carl"]["UF_TM_MAX_START"] == "09:15:00"
    assert batch["result"]["carl"]["UF_TM_MIN_DURATION"] == "08:00:00"


async def test_settings_override_over_http_and_null_restores_the_default(portal, http, url):
    answer = await http.post(control(portal, "users/2/settings"),
                             json={"min_finish": 16 * 3600 + 1800, "min_duration": "06:45:30"})
    assert answer.status_code == 200
    assert answer.json()["settings"]["UF_TM_MIN_FINISH"] == "16:30:00"
    assert (await rest(http, url, "timeman.settings", USER_ID=2))["UF_TM_MIN_DURATION"] == "06:45:30"
    await http.post(control(portal, "users/2/settings"), json={"min_duration": None})
    read = (await http.get(control(portal, "users/2/settings"))).json()["settings"]
    assert read["UF_TM_MIN_DURATION"] == "08:00:00" and read["UF_TM_MIN_FINISH"] == "16:30:00"
    assert "ADMIN" not in read


async def test_settings_read_zero_when_timeman_is_off_despite_an_override(portal, http, url):
    portal.add_user(7, name="NoTm", timeman_enabled=False)
    portal.set_timeman_settings(7, max_start=time(11, 0))
    result = await rest(http, url, "timeman.settings", USER_ID=7)
    assert result["UF_TIMEMAN"] is False and result["UF_TM_MAX_START"] == "00:00:00"
    portal.users[7].timeman_enabled = True
    assert (await rest(http, url, "timeman.settings", USER_ID=7))["UF_TM_MAX_START"] == "11:00:00"


async def test_settings_access_rules_stay(portal, http, url):
    boris = portal.add_webhook(user_id=2, code="boris", scopes=("timeman",))
    denied = await http.post(boris + "timeman.settings", json={"USER_ID": 3})
    assert denied.status_code == 403 and denied.json()["error"] == "ACCESS_DENIED"
    missing = await http.post(url + "timeman.settings", json={"USER_ID": 99})
    assert missing.json() == {"error": "", "error_description": "User not found"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"max_begin": "09:00"}, "unknown setting 'max_begin'"),
        ({"max_start": "25:00"}, "max_start must be from 0"),
        ({"min_duration": "soon"}, 'min_duration must be seconds or a time like "09:15"'),
        ({"min_finish": True}, "min_finish must be seconds"),
        ({}, "send {"),
    ],
)
async def test_bad_settings_input_is_400_with_a_message(portal, http, body, message):
    answer = await http.post(control(portal, "users/2/settings"), json=body)
    assert answer.status_code == 400 and message in answer.json()["error"]
    assert portal.users[2].tm_settings == {}


async def test_settings_of_an_unknown_user_are_404(portal, http):
    answer = await http.post(control(portal, "users/42/settings"), json={"max_start": "09:00"})
    assert (answer.status_code, answer.json()) == (404, {"error": "no user 42"})


# --------------------------------------------------------------------------- timeman.schedule.get


async def test_default_schedule_has_the_docs_shape(portal, http, url):
    schedule = await rest(http, url, "timeman.schedule.get", id=1)
    assert list(schedule) == DOCS_SCHEDULE_KEYS
    assert list(schedule["SHIFTS"][0]) == DOCS_SHIFT_KEYS
    assert list(schedule["SCHEDULE_VIOLATION_RULES"]) == DOCS_RULE_KEYS
    assert list(schedule["SCHEDULE_VIOLATION_RULES"]["USERS_TO_NOTIFY"]) == DOCS_NOTIFY_KEYS
    assert list(schedule["CALENDAR"]) == DOCS_CALENDAR_KEYS
    assert (schedule["NAME"], schedule["IS_FOR_ALL_USERS"], schedule["DELETED"]) == (
        "For all employees", True, "0")
    assert schedule["SHIFTS"][0]["DELETED"] is False
    assert schedule["CREATED_AT"] == "2026-03-02T07:00:00+00:00"
    rules = schedule["SCHEDULE_VIOLATION_RULES"]
    assert (rules["MAX_EXACT_START"], rules["MIN_EXACT_END"], rules["MIN_DAY_DURATION"]) == (
        33300, 63900, 28800)
    assert rules["MAX_SHIFT_START_DELAY"] == -1 and rules["RELATIVE_START_FROM"] == -1
    assert await rest(http, url, "timeman.schedule.get", id="1") == schedule
    assert await rest(http, url, "timeman.schedule.get", id=2) == []


async def test_a_schedule_defined_over_http_is_what_schedule_get_returns(portal, http, url):
    created = await http.post(control(portal, "schedules"), json={**EARLY, "ID": 5})
    assert created.status_code == 201
    schedule = await rest(http, url, "timeman.schedule.get", id=5)
    assert created.json()["schedule"] == schedule
    assert list(schedule) == DOCS_SCHEDULE_KEYS
    shift = schedule["SHIFTS"][0]
    assert (shift["WORK_TIME_START"], shift["WORK_TIME_END"], shift["BREAK_DURATION"]) == (
        28800, 61200, 1800)
    assert shift["WORK_DAYS"] == "12345" and shift["SCHEDULE_ID"] == 5
    assert shift["ID"] != 1  # shift ids are portal-wide
    rules = schedule["SCHEDULE_VIOLATION_RULES"]
    assert (rules["ID"], rules["SCHEDULE_ID"]) == (5, 5)
    assert (rules["MAX_EXACT_START"], rules["MIN_DAY_DURATION"], rules["MIN_EXACT_END"]) == (
        29700, 30600, -1)
    assert rules["MAX_ALLOWED_TO_EDIT_WORK_TIME"] == -1  # set to "no limit"; the default is 900
    assert schedule["IS_FOR_ALL_USERS"] is False

    portal.clock.advance(timedelta(days=1))
    replaced = await http.post(control(portal, "schedules"), json={**EARLY, "ID": 5, "NAME": "Later"})
    assert replaced.status_code == 200
    again = await rest(http, url, "timeman.schedule.get", id=5)
    assert again["NAME"] == "Later" and again["CREATED_AT"] == schedule["CREATED_AT"]
    listed = (await http.get(control(portal, "schedules"))).json()["schedules"]
    assert [s["ID"] for s in listed] == [1, 5]


async def test_a_schedule_without_an_id_gets_the_next_free_one(portal):
    first = portal.define_schedule(name="Night", shifts=[{"WORK_TIME_START": "22:00", "WORK_TIME_END": "06:00"}])
    second = portal.define_schedule(name="Flex", schedule_type="FLEXTIME")
    assert (first.id, second.id) == (2, 3)
    assert first.first_shift is not None and first.first_shift.clocks == (time(22, 0), time(6, 0))
    assert second.shifts == () and second.rest_shape()["SHIFTS"] == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"SHIFTS": EARLY["SHIFTS"]}, "NAME is required"),
        ({**EARLY, "SCHEDULE_TYPE": "LOOSE"}, "SCHEDULE_TYPE must be one of FIXED, SHIFT, FLEXTIME"),
        ({**EARLY, "SHIFTS": []}, "a FIXED schedule needs at least one shift"),
        ({**EARLY, "SHIFTS": [{"WORK_TIME_START": "08:00", "WORK_TIME_END": "17:00", "WORK_DAYS": "1238"}]},
         "SHIFTS[0].WORK_DAYS must be distinct digits 1 (Monday) to 7 (Sunday)"),
        ({**EARLY, "SHIFTS": [{"WORK_TIME_START": "08:00"}]}, "SHIFTS[0] needs WORK_TIME_START and WORK_TIME_END"),
        ({**EARLY, "SHIFTS": [{"WORK_TIME_START": 90000, "WORK_TIME_END": "17:00"}]},
         "SHIFTS[0].WORK_TIME_START must be from 0"),
        ({**EARLY, "SCHEDULE_VIOLATION_RULES": {"MAX_LATE": 1}}, "unknown SCHEDULE_VIOLATION_RULES field 'MAX_LATE'"),
        ({**EARLY, "SCHEDULE_VIOLATION_RULES": {"MIN_DAY_DURATION": -5}}, "MIN_DAY_DURATION must be from 0"),
        ({**EARLY, "COLOR": "red"}, "unknown schedule field 'COLOR'"),
        ({**EARLY, "ID": 0}, "ID must be a positive whole number"),
    ],
)
async def test_bad_schedule_input_is_400_with_a_message(portal, http, body, message):
    answer = await http.post(control(portal, "schedules"), json=body)
    assert answer.status_code == 400
    assert message in answer.json()["error"]
    assert list(portal.schedules) == [1]


async def test_a_schedule_body_that_is_not_an_object_is_400(portal, http):
    answer = await http.post(control(portal, "schedules"), content=b"[1, 2]")
    assert answer.status_code == 400 and "send a JSON object" in answer.json()["error"]


# --------------------------------------------------------------------------- assignment


async def test_an_assigned_schedule_drives_the_expiry_shift(portal, http, url):
    portal.flags.expiry_policy = "source"
    await http.post(control(portal, "schedules"), json={**EARLY, "ID": 5})
    assigned = await http.post(control(portal, "users/2/schedule"), json={"schedule_id": 5})
    assert assigned.status_code == 200 and assigned.json()["user"]["schedule_id"] == 5
    assert portal.shift_of(portal.users[2]) == (time(8, 0), time(17, 0))
    await rest(http, url, "timeman.open", USER_ID=2)  # Monday 08:00 Berlin
    await rest(http, url, "timeman.open", USER_ID=3)  # no schedule: expires after S + 18 h
    # An 08:00-17:00 shift with the next one at 08:00 expires at 00:30 the next night.
    portal.clock.advance(timedelta(hours=16, minutes=29, seconds=59))
    assert (await rest(http, url, "timeman.status", USER_ID=2))["STATUS"] == "OPENED"
    portal.clock.advance(timedelta(seconds=1))
    expired = await rest(http, url, "timeman.status", USER_ID=2)
    assert expired["STATUS"] == "EXPIRED"
    assert expired["TIME_FINISH_DEFAULT"] == "2026-03-02T17:00:00+01:00"
    assert (await rest(http, url, "timeman.status", USER_ID=3))["STATUS"] == "OPENED"


async def test_a_flextime_schedule_is_the_users_flextime(portal, http, url):
    flex = portal.define_schedule(name="Flexible", schedule_type="FLEXTIME")
    portal.assign_schedule(2, flex.id)
    settings = await rest(http, url, "timeman.settings", USER_ID=2)
    assert settings["UF_TM_FREE"] is True
    state = (await http.get(control(portal, "state"))).json()
    assert next(u for u in state["users"] if u["id"] == 2)["flextime"] is True
    # A flextime user may give a start time without a reason.
    portal.clock.advance(timedelta(minutes=10))
    opened = await rest(http, url, "timeman.open", USER_ID=2, TIME="2026-03-02T08:00:00+01:00")
    assert opened["STATUS"] == "OPENED"
    carl = await http.post(url + "timeman.open", json={"USER_ID": 3, "TIME": "2026-03-02T08:00:00+01:00"})
    assert carl.json()["error"] == "ERROR_CORE"
    await http.post(control(portal, "users/2/schedule"), json={"schedule_id": None})
    assert (await rest(http, url, "timeman.settings", USER_ID=2))["UF_TM_FREE"] is False


async def test_a_fixed_schedule_outweighs_the_users_own_flextime(portal, http, url):
    portal.users[3].flextime = True
    assert (await rest(http, url, "timeman.settings", USER_ID=3))["UF_TM_FREE"] is True
    portal.assign_schedule(3, 1)
    assert (await rest(http, url, "timeman.settings", USER_ID=3))["UF_TM_FREE"] is False
    assert portal.shift_of(portal.users[3]) == (time(9, 0), time(18, 0))


async def test_a_replaced_schedule_changes_its_users_at_once(portal):
    portal.define_schedule(5, name="Early", shifts=[{"WORK_TIME_START": "08:00", "WORK_TIME_END": "17:00"}])
    portal.assign_schedule(2, 5)
    portal.define_schedule(5, name="Late", shifts=[{"WORK_TIME_START": "11:00", "WORK_TIME_END": "20:00"}])
    assert portal.user_context(portal.users[2]).schedule_shift == (time(11, 0), time(20, 0))


async def test_users_can_be_added_on_a_schedule(portal, http):
    portal.define_schedule(5, name="Early", shifts=[{"WORK_TIME_START": "08:00", "WORK_TIME_END": "17:00"}])
    added = await http.post(control(portal, "users"), json={"email": "dora@example.com", "schedule_id": 5})
    assert added.status_code == 201 and added.json()["user"]["schedule_id"] == 5
    unknown = await http.post(control(portal, "users"), json={"email": "eve@example.com", "schedule_id": 9})
    assert unknown.status_code == 400 and "no schedule 9" in unknown.json()["error"]


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("users/2/schedule", {"schedule_id": 9}, 400, "no schedule 9"),
        ("users/2/schedule", {"schedule": 1}, 400, 'send {"schedule_id": <id>}'),
        ("users/2/schedule", {"schedule_id": "1"}, 400, 'send {"schedule_id": <id>}'),
        ("users/42/schedule", {"schedule_id": 1}, 404, "no user 42"),
    ],
)
async def test_bad_assignment_is_refused_with_a_message(portal, http, path, body, status, message):
    answer = await http.post(control(portal, path), json=body)
    assert answer.status_code == status and message in answer.json()["error"]
    assert portal.users[2].schedule_id is None
