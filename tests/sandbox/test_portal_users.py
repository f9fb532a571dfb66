"""Wire tests: user.get (paging, filters), user.current, im.notify.* and the log."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from workday_sandbox.portal.emulator import PortalEmulator, SentNotification
from tests.sandbox.fixtures import START


@pytest.fixture
async def portal() -> AsyncIterator[PortalEmulator]:
    async with PortalEmulator(clock=ManualClock(START), rate_limit=None, portal_time_zone="Europe/Berlin") as emulator:
        emulator.add_user(1, email="anna@example.com", name="Anna", last_name="Berg",
                          time_zone="Europe/Berlin", timeman_admin=True)
        emulator.add_user(2, email="Boris@Example.com", name="Boris", last_name="Ivanov", time_zone="")
        emulator.add_user(3, email="chloe@example.com", name="Chloe", last_name="Martin",
                          active=False, time_zone="America/New_York")
        emulator.add_user(4, email="ext@partner.org", name="Extra", last_name="Net", user_type="extranet")
        emulator.add_user(5, email="bot@example.com", name="Bot", user_type="bot")
        emulator.add_app("local.app", "s3cret", scopes=("user", "im"), name="Workday bot")
        yield emulator


async def ids(http, url, params=None, *, form=None) -> list[str]:
    if form is not None:
        response = await http.post(url + "user.get", data=form)
    else:
        response = await http.post(url + "user.get", json=params or {})
    assert response.status_code == 200, response.text
    return [u["ID"] for u in response.json()["result"]]


# --------------------------------------------------------------------------- user.get


async def test_user_get_shape(portal, http, url):
    body = (await http.post(url + "user.get", json={"ID": 1})).json()
    user = body["result"][0]
    assert user["ID"] == "1" and isinstance(user["ID"], str)
    assert user["ACTIVE"] is True
    assert user["EMAIL"] == "anna@example.com"
    assert user["TIME_ZONE"] == "Europe/Berlin"
    assert user["UF_DEPARTMENT"] == [1]
    assert user["USER_TYPE"] == "employee"
    assert body["total"] == 1


async def test_user_get_excludes_bots_and_returns_empty_time_zone_for_the_default(http, url):
    body = (await (http.post(url + "user.get"))).json()
    assert [u["ID"] for u in body["result"]] == ["1", "2", "3", "4"]
    assert body["result"][1]["TIME_ZONE"] == ""


async def test_filters_top_level_and_in_filter(http, url):
    assert await ids(http, url, {"EMAIL": "chloe@example.com"}) == ["3"]
    # FILTER replaces the top-level keys.
    assert await ids(http, url, {"EMAIL": "chloe@example.com", "FILTER": {"ID": "2"}}) == ["2"]
    assert await ids(http, url, {"filter": {"email": "anna@example.com"}}) == ["1"]


async def test_email_is_exact_but_case_insensitive(http, url):
    assert await ids(http, url, {"EMAIL": "boris@example.com"}) == ["2"]
    assert await ids(http, url, {"EMAIL": "boris@example"}) == []


async def test_active_filter(http, url):
    assert await ids(http, url, {"ACTIVE": True}) == ["1", "2", "4"]
    assert await ids(http, url, form={"FILTER[ACTIVE]": "N"}) == ["3"]
    assert await ids(http, url, {"FILTER": {"ACTIVE": "false"}}) == ["3"]


async def test_user_type_and_string_ids(http, url):
    assert await ids(http, url, {"USER_TYPE": "employee"}) == ["1", "2", "3"]
    assert await ids(http, url, {"ID": "4"}) == ["4"]
    assert await ids(http, url, {"ID": ["1", 3]}) == ["1", "3"]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"=ID": 2}, ["2"]),
        ({"!ID": 2}, ["1", "3", "4"]),
        ({"!=EMAIL": "anna@example.com"}, ["2", "3", "4"]),
        ({"%LAST_NAME": "ar"}, ["3"]),
        ({"!%LAST_NAME": "ar"}, ["1", "2", "4"]),
        ({">=ID": 3}, ["3", "4"]),
        ({"<=ID": "2"}, ["1", "2"]),
        ({">ID": 3}, ["4"]),
        ({"<ID": 2}, ["1"]),
        ({"@ID": [1, 4]}, ["1", "4"]),
        ({"@ID": "2,3"}, ["2", "3"]),
        ({"!@ID": [1, 4]}, ["2", "3"]),
        ({"NAME": "Ch%"}, ["3"]),
        ({"=%EMAIL": "%@example.com"}, ["1", "2", "3"]),
        ({"NAME_SEARCH": "ivanov"}, ["2"]),
        ({"%EMAIL": "example", "ACTIVE": "Y"}, ["1", "2"]),
    ],
)
async def test_filter_prefixes(http, url, flt, expected):
    assert await ids(http, url, {"FILTER": flt}) == expected


async def test_sorting(http, url):
    assert await ids(http, url, {"SORT": "ID", "ORDER": "DESC"}) == ["4", "3", "2", "1"]
    assert await ids(http, url, {"sort": "LAST_NAME", "order": "asc"}) == ["1", "2", "3", "4"]


async def test_paging_with_total_next_and_start(http):
    async with PortalEmulator(clock=ManualClock(START), rate_limit=None) as emulator:
        for n in range(1, 121):
            emulator.add_user(n, email=f"user{n}@example.com", name=f"User{n}")
        url = emulator.add_webhook(1, code="c")
        first = (await http.post(url + "user.get")).json()
        assert len(first["result"]) == 50 and first["total"] == 120 and first["next"] == 50
        assert first["result"][0]["ID"] == "1"
        second = (await http.post(url + "user.get", json={"start": first["next"]})).json()
        assert second["result"][0]["ID"] == "51" and second["next"] == 100
        third = (await http.post(url + "user.get", params={"start": "100"})).json()
        assert len(third["result"]) == 20 and third["total"] == 120 and "next" not in third
        uncounted = (await http.post(url + "user.get", json={"start": -1})).json()
        assert len(uncounted["result"]) == 50 and "total" not in uncounted and "next" not in uncounted


async def test_user_brief_scope_hides_the_email(portal, http):
    brief = portal.add_webhook(user_id=1, code="brief", scopes=("user_brief",))
    user = (await http.post(brief + "user.get", json={"ID": 2})).json()["result"][0]
    assert "EMAIL" not in user and user["NAME"] == "Boris"
    basic = portal.add_webhook(user_id=1, code="basic", scopes=("user_basic",))
    assert (await http.post(basic + "user.current")).json()["result"]["EMAIL"] == "anna@example.com"


async def test_user_current_is_the_webhook_owner_or_token_user(portal, http, url):
    assert (await http.post(url + "user.current")).json()["result"]["ID"] == "1"
    token = portal.issue_tokens("local.app", 2)["access_token"]
    current = await http.post(f"{portal.base_url}/rest/user.current", json={"auth": token})
    body = current.json()
    assert body["result"]["ID"] == "2" and "total" not in body


# --------------------------------------------------------------------------- im.notify


async def test_personal_notification_is_logged_with_incrementing_ids(portal, http, url):
    first = await http.post(url + "im.notify.personal.add", json={"USER_ID": 2, "MESSAGE": "  Code 4711  "})
    second = await http.post(url + "im.notify.personal.add", json={"to": 3, "message": "second"})
    assert first.json()["result"] == 1 and second.json()["result"] == 2
    note = portal.notifications[0]
    assert isinstance(note, SentNotification)
    assert (note.id, note.user_id, note.from_user_id, note.message, note.kind, note.tag) == (
        1, 2, 1, "Code 4711", "personal", None,
    )
    assert note.sent_at == START
    assert [n.id for n in portal.notifications_for(3)] == [2]


async def test_system_notification_is_sent_from_user_zero(portal, http, url):
    portal.clock.advance(timedelta(minutes=5))
    response = await http.post(url + "im.notify.system.add", json={"USER_ID": "2", "MESSAGE": "hi"})
    assert response.json()["result"] == 1
    note = portal.notifications[-1]
    assert (note.from_user_id, note.kind, note.message) == (0, "system", "hi")
    assert note.sent_at == START + timedelta(minutes=5)


async def test_notifications_under_an_app_prefix_the_tag_and_the_system_text(portal, http):
    token = portal.issue_tokens("local.app", 1)["access_token"]
    base = f"{portal.base_url}/rest/"
    await http.post(base + "im.notify.system.add", json={"auth": token, "USER_ID": 2, "MESSAGE": "hello", "TAG": "otp"})
    await http.post(base + "im.notify.personal.add", json={"auth": token, "USER_ID": 2, "MESSAGE": "plain", "TAG": "t2"})
    system, personal = portal.notifications
    key = hashlib.md5(b"local.app").hexdigest()[:5]
    assert system.message == "Workday bot#BR#hello"
    assert system.tag == f"MP|{key}|otp"
    assert (personal.message, personal.from_user_id, personal.tag) == ("plain", 1, f"MP|{key}|t2")


async def test_tags_are_ignored_for_webhooks(portal, http, url):
    await http.post(url + "im.notify.personal.add", json={"USER_ID": 2, "MESSAGE": "x", "TAG": "otp"})
    assert portal.notifications[-1].tag is None


@pytest.mark.parametrize(
    ("params", "code", "text"),
    [
        ({"MESSAGE": "x"}, "USER_ID_EMPTY", "User ID can't be empty"),
        ({"USER_ID": 0, "MESSAGE": "x"}, "USER_ID_EMPTY", "User ID can't be empty"),
        ({"USER_ID": "abc", "MESSAGE": "x"}, "USER_ID_EMPTY", "User ID can't be empty"),
        ({"USER_ID": 2}, "MESSAGE_EMPTY", "Message can't be empty"),
        ({"USER_ID": 2, "MESSAGE": " \n\t "}, "MESSAGE_EMPTY", "Message can't be empty"),
        ({"USER_ID": 2, "MESSAGE": "x", "ATTACH": "not json"}, "ATTACH_ERROR", "Incorrect attach params"),
        (
            {"USER_ID": 2, "MESSAGE": "x", "ATTACH": [{"MESSAGE": "y" * 60001}]},
            "ATTACH_OVERSIZE",
            "You have exceeded the maximum allowable size of attach",
        ),
    ],
)
async def test_notification_validation(portal, http, url, params, code, text):
    response = await http.post(url + "im.notify.personal.add", json=params)
    assert response.status_code == 400
    assert response.json() == {"error": code, "error_description": text}
    assert portal.notifications == []


async def test_attach_within_limits_is_accepted(portal, http, url):
    attach = [{"MESSAGE": "ok"}]
    response = await http.post(url + "im.notify.personal.add", json={"USER_ID": 2, "MESSAGE": "x", "ATTACH": attach})
    assert response.json()["result"] == 1
    assert portal.notifications[-1].attach == attach


async def test_notifying_an_unknown_user_returns_false(portal, http, url):
    response = await http.post(url + "im.notify.personal.add", json={"USER_ID": 999, "MESSAGE": "x"})
    assert response.status_code == 200 and response.json()["result"] is False
    assert portal.notifications == []


async def test_notify_needs_the_im_scope(portal, http):
    narrow = portal.add_webhook(user_id=1, code="narrow", scopes=("user",))
    response = await http.post(narrow + "im.notify.personal.add", json={"USER_ID": 2, "MESSAGE": "x"})
    assert response.json()["error"] == "insufficient_scope"
