"""The `/_emulator/` control API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.clock import ManualClock, OffsetClock, SystemClock
from workday_sandbox.portal.emulator import PortalEmulator
from tests.sandbox.fixtures import START


@pytest.fixture
async def portal() -> AsyncIterator[PortalEmulator]:
    async with PortalEmulator(clock=ManualClock(START), rate_limit=None) as emulator:
        emulator.add_user(1, email="anna@example.com", name="Anna", last_name="Berg",
                          time_zone="Europe/Berlin", timeman_admin=True)
        emulator.add_user(2, email="boris@example.com", name="Boris")
        yield emulator


async def test_state_lists_users_with_status_and_record(portal, http):
    portal.seed_day(1, start=START - timedelta(hours=1))
    state = (await http.get(f"{portal.base_url}/_emulator/state")).json()
    assert state["now"] == START.isoformat()
    assert state["flags"]["expiry_policy"] == "docs"
    anna, boris = state["users"]
    assert anna["status"]["STATUS"] == "OPENED" and anna["status"] == portal.status_of(1)
    assert anna["record"]["STATUS"] == "OPENED" and anna["record"]["TIME_LEAKS"] == 0
    assert boris["status"] == {"STATUS": "CLOSED"} and boris["record"] is None
    assert boris["effective_time_zone"] == "UTC"


async def test_notifications_endpoint(portal, http):
    url = portal.add_webhook(1, code="c")
    await http.post(url + "im.notify.personal.add", json={"USER_ID": 2, "MESSAGE": "code 1234"})
    await http.post(url + "im.notify.system.add", json={"USER_ID": 1, "MESSAGE": "for anna"})
    everything = (await http.get(f"{portal.base_url}/_emulator/notifications")).json()["notifications"]
    assert [n["message"] for n in everything] == ["code 1234", "for anna"]
    for_boris = (await http.get(f"{portal.base_url}/_emulator/notifications", params={"user_id": 2})).json()
    assert [(n["id"], n["kind"], n["from_user_id"]) for n in for_boris["notifications"]] == [(1, "personal", 1)]
    bad = await http.get(f"{portal.base_url}/_emulator/notifications", params={"user_id": "x"})
    assert bad.status_code == 400
    state = (await http.get(f"{portal.base_url}/_emulator/state")).json()
    assert len(state["notifications"]) == 2


async def test_clock_advance_moves_business_time(portal, http):
    url = portal.add_webhook(1, code="c")
    await http.post(url + "timeman.open")
    response = await http.post(f"{portal.base_url}/_emulator/clock", json={"advance_seconds": 86400})
    assert response.status_code == 200
    assert response.json()["now"] == (START + timedelta(days=1)).isoformat()
    assert portal.status_of(1)["STATUS"] == "EXPIRED"
    bad = await http.post(f"{portal.base_url}/_emulator/clock", json={"advance": 1})
    assert bad.status_code == 400


async def test_clock_without_advance_is_a_conflict(http):
    async with PortalEmulator(clock=SystemClock(), rate_limit=None) as emulator:
        response = await http.post(f"{emulator.base_url}/_emulator/clock", json={"advance_seconds": 60})
        assert response.status_code == 409


async def test_offset_clock_refuses_to_go_back(http):
    async with PortalEmulator(clock=OffsetClock(), rate_limit=None) as emulator:
        forward = await http.post(f"{emulator.base_url}/_emulator/clock", json={"advance_seconds": 3600})
        assert forward.status_code == 200
        back = await http.post(f"{emulator.base_url}/_emulator/clock", json={"advance_seconds": -5})
        assert back.status_code == 400


async def test_faults_endpoint(portal, http):
    url = portal.add_webhook(1, code="c")
    response = await http.post(
        f"{portal.base_url}/_emulator/faults", json={"kind": "http_500", "method": "timeman.status", "times": 1}
    )
    assert response.status_code == 200 and response.json()["fault"]["kind"] == "http_500"
    assert (await http.post(url + "timeman.status")).status_code == 500
    assert (await http.post(url + "timeman.status")).status_code == 200
    bad = await http.post(f"{portal.base_url}/_emulator/faults", json={"kind": "teapot"})
    assert bad.status_code == 400
    await http.post(f"{portal.base_url}/_emulator/faults", json={"kind": "http_502", "times": None})
    cleared = await http.delete(f"{portal.base_url}/_emulator/faults")
    assert cleared.status_code == 200
    assert (await http.post(url + "user.current")).status_code == 200


async def test_requests_endpoint_counts_per_method(portal, http):
    url = portal.add_webhook(1, code="c")
    await http.post(url + "timeman.status")
    await http.post(url + "timeman.status")
    await http.post(url + "timeman.close")
    await http.post(url + "batch", json={"cmd": {"a": "user.current"}})
    counts = (await http.get(f"{portal.base_url}/_emulator/requests")).json()
    assert counts["total"] == 4
    assert counts["counts"] == {"timeman.status": 2, "timeman.close": 1, "batch": 1}
    assert counts["inner_counts"] == {"user.current": 1}
    assert counts["errors"] == {"ALERT_WARNING": 1}
    # The control API itself is not part of the portal's traffic.
    assert portal.request_count() == 4


async def test_long_running_emulator_keeps_recent_requests_and_exact_counts(http):
    async with PortalEmulator(clock=ManualClock(START), rate_limit=None, request_log_limit=20) as portal:
        portal.add_user(1, email="anna@example.com", name="Anna", timeman_admin=True)
        url = portal.add_webhook(1, code="c")
        for _ in range(45):
            await http.post(url + "timeman.status")
        await http.post(url + "timeman.close")
        assert len(portal.requests) <= 20
        assert portal.requests[-1].method == "timeman.close"
        assert portal.request_count("timeman.status") == 45
        counts = (await http.get(f"{portal.base_url}/_emulator/requests")).json()
        assert counts["total"] == 46 and counts["errors"] == {"ALERT_WARNING": 1}


async def test_add_a_user_over_http_and_find_them_through_rest(portal, http):
    response = await http.post(f"{portal.base_url}/_emulator/users", json={
        "email": "new.person@example.com", "name": "New", "last_name": "Person",
        "time_zone": "Asia/Tokyo", "work_position": "Intern"})
    assert response.status_code == 201, response.text
    user = response.json()["user"]
    assert (user["id"], user["name"], user["effective_time_zone"]) == (3, "New Person", "Asia/Tokyo")
    assert user["active"] is True and user["timeman_admin"] is False
    url = portal.add_webhook(1, code="c")
    found = (await http.post(url + "user.get", json={"FILTER": {"EMAIL": "new.person@example.com"}})).json()
    assert [u["ID"] for u in found["result"]] == ["3"]
    chosen = await http.post(f"{portal.base_url}/_emulator/users",
                             json={"id": 40, "email": "gone@example.com", "active": False})
    assert chosen.status_code == 201 and chosen.json()["user"]["active"] is False
    assert portal.users[40].active is False


@pytest.mark.parametrize(("body", "status", "needle"), [
    ({"name": "No mail"}, 400, "email is required"),
    ({"email": "x@example.com", "id": 1}, 409, "user 1 exists"),
    ({"email": "ANNA@example.com"}, 409, "exists already"),
    ({"email": "x@example.com", "time_zone": "Mars/Olympus"}, 400, "unknown time zone"),
    ({"email": "x@example.com", "active": "yes"}, 400, "active must be true or false"),
    ({"email": "x@example.com", "id": True}, 400, "id must be int"),
    ({"email": "x@example.com", "boss": True}, 400, "unknown field 'boss'"),
    ([1, 2], 400, "JSON object"),
])
async def test_adding_a_user_refuses_bad_input_and_adds_nothing(portal, http, body, status, needle):
    response = await http.post(f"{portal.base_url}/_emulator/users", json=body)
    assert response.status_code == status
    assert needle in response.json()["error"]
    assert sorted(portal.users) == [1, 2]


async def test_flags_are_listed_and_set_over_http(portal, http):
    listed = (await http.get(f"{portal.base_url}/_emulator/flags")).json()["flags"]
    assert listed["time_finish_while_paused"] is True and listed["workday_finish"] == "18:00"
    response = await http.post(f"{portal.base_url}/_emulator/flags", json={
        "time_finish_while_paused": False, "workday_finish": "19:30", "expiry_policy": "source"})
    assert response.status_code == 200, response.text
    assert response.json()["flags"]["workday_finish"] == "19:30"
    assert portal.flags.time_finish_while_paused is False and portal.flags.expiry_policy == "source"
    # The next request reads the new flag: a paused day shows no TIME_FINISH (the docs' reading).
    url = portal.add_webhook(1, code="c")
    await http.post(url + "timeman.open")
    await http.post(url + "timeman.pause")
    status = (await http.post(url + "timeman.status")).json()["result"]
    assert status["STATUS"] == "PAUSED" and status["TIME_FINISH"] is None


@pytest.mark.parametrize(("body", "needle"), [
    ({"no_such_flag": True}, "unknown flag 'no_such_flag'"),
    ({"require_https": "yes"}, "require_https must be true or false"),
    ({"allowed_delta_seconds": 1.5}, "must be a whole number"),
    ({"workday_finish": "late"}, 'like "18:00"'),
    ({"expiry_policy": "sometimes"}, "expiry_policy must be one of"),
    ({"require_https": True, "auth_error_status": "maybe"}, "auth_error_status must be"),
    ({}, "GET /_emulator/flags lists them"),
])
async def test_bad_flags_are_refused_and_change_nothing(portal, http, body, needle):
    before = portal.flags.as_json()
    response = await http.post(f"{portal.base_url}/_emulator/flags", json=body)
    assert response.status_code == 400
    assert needle in response.json()["error"]
    assert portal.flags.as_json() == before
