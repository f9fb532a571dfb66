"""Wire tests of `batch` (docs/bitrix24.md#batch)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

import httpx
import pytest

from bot.clock import ManualClock
from workday_sandbox.portal.emulator import PortalEmulator
from workday_sandbox.portal.batch import substitute
from tests.sandbox.fixtures import START


@pytest.fixture
async def portal() -> AsyncIterator[PortalEmulator]:
    async with PortalEmulator(clock=ManualClock(START), rate_limit=None) as emulator:
        emulator.add_user(1, email="anna@example.com", name="Anna", time_zone="Europe/Berlin",
                          timeman_admin=True)
        emulator.add_user(2, email="boris@example.com", name="Boris", time_zone="Europe/Berlin")
        yield emulator


async def batch(http, url, cmd, **extra) -> dict:
    response = await http.post(url + "batch", json={"cmd": cmd, **extra})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"result", "time"}
    return body["result"]


async def test_commands_run_in_order_with_results_and_times(portal, http, url):
    result = await batch(http, url, {"open": "timeman.open", "status": "timeman.status", "me": "user.current"})
    assert list(result["result"]) == ["open", "status", "me"]
    assert result["result"]["status"]["STATUS"] == "OPENED"
    assert result["result"]["me"]["ID"] == "1"
    assert set(result["result_time"]) == {"open", "status", "me"}
    assert "operating" in result["result_time"]["me"]
    # Empty maps print as [] (PHP empty arrays).
    assert result["result_error"] == [] and result["result_total"] == [] and result["result_next"] == []


async def test_list_commands_report_total_and_next(portal, http, url):
    for n in range(3, 60):
        portal.add_user(n, email=f"u{n}@example.com")
    result = await batch(http, url, {"users": "user.get", "page2": "user.get?start=50"})
    assert result["result_total"] == {"users": 59, "page2": 59}
    assert result["result_next"] == {"users": 50}
    assert len(result["result"]["page2"]) == 9


async def test_errors_land_in_result_error(portal, http, url):
    result = await batch(http, url, {"bad": "no.such.method", "close": "timeman.close", "ok": "timeman.status"})
    assert result["result_error"] == {
        "bad": {"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"},
        "close": {"error": "ALERT_WARNING", "error_description": "Cannot perform this action"},
    }
    assert list(result["result"]) == ["ok"]


async def test_a_list_of_commands_gives_lists(portal, http, url):
    result = await batch(http, url, ["timeman.status", "user.current"])
    assert isinstance(result["result"], list) and result["result"][1]["ID"] == "1"
    # With a failure the keys are no longer 0..n-1: PHP prints an object.
    result = await batch(http, url, ["no.such", "user.current"])
    assert list(result["result"]) == ["1"] and result["result"]["1"]["ID"] == "1"
    # ... while the error map has exactly the key 0, which PHP prints as a list again.
    assert result["result_error"] == [
        {"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"}
    ]


async def test_more_than_fifty_commands(portal, http, url):
    cmd = {f"c{i}": "timeman.status" for i in range(1, 53)}
    result = await batch(http, url, cmd)
    assert len(result["result"]) == 50
    assert set(result["result_error"]) == {"c51", "c52"}
    assert result["result_error"]["c51"] == {
        "error": "ERROR_BATCH_LENGTH_EXCEEDED",
        "error_description": "Max batch length exceeded",
    }


@pytest.mark.parametrize("halt", [0, "0", "", False, None])
async def test_falsy_halt_keeps_going(http, url, halt):
    result = await batch(http, url, {"a": "timeman.close", "b": "timeman.status"}, halt=halt)
    assert set(result["result_error"]) == {"a"} and set(result["result"]) == {"b"}


@pytest.mark.parametrize("halt", [1, "1", True, "false", "no", " "])
async def test_truthy_halt_stops_after_the_first_error(http, url, halt):
    result = await batch(http, url, {"a": "timeman.close", "b": "timeman.status"}, halt=halt)
    assert set(result["result_error"]) == {"a"} and result["result"] == []


async def test_halt_from_a_form_body(http, url):
    response = await http.post(
        url + "batch", data={"halt": "false", "cmd[a]": "timeman.close", "cmd[b]": "timeman.status"}
    )
    body = response.json()["result"]
    assert body["result"] == [] and list(body["result_error"]) == ["a"]


async def test_halt_stops_at_the_length_limit(http, url):
    cmd = {f"c{i}": "timeman.status" for i in range(1, 53)}
    result = await batch(http, url, cmd, halt=1)
    assert list(result["result_error"]) == ["c51"]


async def test_an_empty_user_not_found_code_does_not_halt(portal, http, url):
    result = await batch(http, url, {"a": "timeman.status?USER_ID=999", "b": "timeman.status"}, halt=1)
    assert result["result_error"] == {"a": {"error": "", "error_description": "User not found"}}
    assert list(result["result"]) == ["b"]


async def test_references_to_earlier_results(portal, http, url):
    result = await batch(
        http,
        url,
        {
            "who": "user.get?FILTER[EMAIL]=boris@example.com",
            "note": "im.notify.personal.add?USER_ID=$result[who][0][ID]&MESSAGE=Hi $result[who][0][NAME] hello",
            "state": "timeman.status?USER_ID=$result[who][0][ID]",
            "greedy": "im.notify.personal.add?USER_ID=2&MESSAGE=Hi $result[who][0][NAME]!",
        },
    )
    assert result["result_error"] == []
    note, greedy = portal.notifications[-2:]
    assert (note.user_id, note.message) == (2, "Hi Boris hello")
    # The server's pattern `\$result([^\s]*)` is greedy: it swallows the "!" too.
    assert greedy.message == "Hi Boris"
    assert result["result"]["state"] == {"STATUS": "CLOSED"}


async def test_whole_value_references_keep_their_type():
    done = {"result": {"a": {"IDS": [1, 2], "N": 5, "NAME": "x"}}, "next": {}, "total": {"a": 7}, "time": {}, "error": {}}
    assert substitute("$result[a][IDS]", done) == [1, 2]
    assert substitute("$total[a]", done) == 7
    assert substitute("n=$result[a][N]", done) == "n=5"
    # A missing path stops at the deepest existing level.
    assert substitute("$result[a][MISSING]", done) == {"IDS": [1, 2], "N": 5, "NAME": "x"}
    # An array cannot be spliced into a string: the placeholder stays.
    assert substitute("ids=$result[a][IDS]", done) == "ids=$result[a][IDS]"
    assert substitute("no reference", done) == "no reference"


async def test_url_encoded_commands_in_a_query_string(portal, http, url):
    # Double-encoded, as the docs show: cmd[n]=method%3F...%3DJohn%2526Martin
    command = quote("im.notify.personal.add?USER_ID=2&MESSAGE=" + quote("John&Martin"), safe="")
    response = await http.get(httpx.URL(url + "batch?cmd%5Bn%5D=" + command))
    assert response.json()["result"]["result"]["n"] == 1
    assert portal.notifications[-1].message == "John&Martin"


async def test_each_command_has_its_own_scope_check(portal, http):
    narrow = portal.add_webhook(user_id=1, code="narrow", scopes=("user",))
    result = await batch(http, narrow, {"me": "user.current", "tm": "timeman.status"})
    assert result["result_error"] == {"tm": {"error": "insufficient_scope", "error_description": ""}}
    assert result["result"]["me"]["ID"] == "1"


async def test_batch_inside_batch_is_not_allowed(http, url):
    result = await batch(http, url, {"inner": "batch?cmd[x]=user.current"})
    assert result["result_error"] == {
        "inner": {"error": "ERROR_BATCH_METHOD_NOT_ALLOWED", "error_description": "Method is not allowed for batch usage"}
    }


async def test_non_string_commands_are_skipped(http, url):
    result = await batch(http, url, {"a": 5, "b": "user.current", "c": ["user.current"]})
    assert list(result["result"]) == ["b"] and result["result_error"] == []


async def test_a_batch_counts_as_one_request(portal, http, url):
    await batch(http, url, {"a": "timeman.status", "b": "timeman.status", "c": "user.current"})
    assert portal.request_count() == 1
    assert portal.request_count("batch") == 1
    assert portal.request_count("timeman.status") == 0
    assert portal.request_count("timeman.status", count_inner=True) == 2
    assert portal.request_count(count_inner=True) == 4
    inner = [r for r in portal.requests if r.batch]
    assert [r.method for r in inner] == ["timeman.status", "timeman.status", "user.current"]


async def test_timeman_commands_work_in_a_batch(portal, http, url):
    result = await batch(http, url, {"open": "timeman.open?USER_ID=2", "pause": "timeman.pause?user_id=2"})
    assert result["result"]["pause"]["STATUS"] == "PAUSED"
    assert portal.status_of(2)["STATUS"] == "PAUSED"


async def test_batch_without_cmd(http, url):
    result = await batch(http, url, None)
    assert result == {"result": [], "result_error": [], "result_total": [], "result_next": [], "result_time": []}


async def test_batch_needs_auth(portal, http):
    response = await http.post(f"{portal.base_url}/rest/batch", json={"cmd": {"a": "user.current"}})
    assert (response.status_code, response.json()["error"]) == (401, "NO_AUTH_FOUND")
