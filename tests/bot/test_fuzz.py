"""Random text, commands and callback data through the production dispatcher.

Properties: nothing ever reaches the error handler (no unhandled exception), every tap
is answered, and an unlinked user never causes a Bitrix24 request other than the link
flow's own (looking the employee up, and sending the code).
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workday_sandbox.portal.emulator import PortalEmulator
from tests.bot.fixtures import ANNA_B24, ANNA_TG, ErrorRecorder
from tests.bot.flows import MEDIA, link, private_update
from tests.bot.harness import Harness, SentMessage

_media_ids = itertools.count(10**6)

COMMANDS = ["/start", "/help", "/status", "/open", "/pause", "/resume", "/close", "/link", "/unlink",
            "/language", "/cancel", "/links", "/admin_link", "/admin_unlink", "/start_day", "/week"]

texts = st.one_of(
    st.text(max_size=300),
    st.builds(lambda c, a: f"{c} {a}".strip(), st.sampled_from(COMMANDS), st.text(max_size=80)),
    st.from_regex(r"\A\d{6}\Z"),
    st.from_regex(r"\A\d{1,2}:\d{2}\Z"),
    st.emails(),
)
callback_data = st.one_of(
    st.text(min_size=1, max_size=64),
    st.builds(lambda a, d: f"d:{a}:{d}", st.sampled_from(["pause", "resume", "close", "start", "refresh", "x"]),
              st.integers(min_value=-10**10, max_value=10**10)),
    st.builds(lambda a, d: f"fx:{a}:{d}", st.sampled_from(["suggested", "other", "reason", "cancel", "?"]),
              st.integers(min_value=-10**20, max_value=10**20)),
    st.builds(lambda a, d: f"rm:{a}:{d}", st.sampled_from(["pause", "snooze", "skip"]),
              st.integers(min_value=-10**20, max_value=10**20)),
    st.builds(lambda a, d: f"rl:{a}:{d}", st.sampled_from(["on", "off", "del"]),
              st.integers(min_value=-10**20, max_value=10**20)),
    st.builds(lambda code: f"lang:{code}", st.text(max_size=5)),
)
# Messages without text: what a user can send instead (the payload names the field).
media = st.sampled_from(["sticker", "photo", "location", "contact", "voice"])
events = st.one_of(st.tuples(st.just("text"), texts), st.tuples(st.just("tap"), callback_data),
                   st.tuples(st.just("media"), media))

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


async def feed(harness: Harness, user_id: int, event: tuple[str, str]) -> None:
    kind, payload = event
    user = harness.updates.user(user_id)
    if kind == "text":
        if not payload.strip():
            payload = payload + "x"
        await harness.feed(harness.updates.text(user, payload))
    elif kind == "media":
        await harness.feed(private_update(next(_media_ids), user_id, MEDIA[payload]))
    else:
        card = SentMessage(user_id, 1, "card", None)
        await harness.feed(harness.updates.tap(user, card, payload))


@FUZZ
@given(event=events, user_id=st.sampled_from([7001, 7002, 7003]))
async def test_unlinked_users_never_reach_bitrix24(harness: Harness, portal: PortalEmulator,
                                                   errors: ErrorRecorder, event: tuple[str, str],
                                                   user_id: int) -> None:
    taps_before = len([r for r in harness.session.requests if r.__api_method__ == "answerCallbackQuery"])
    await feed(harness, user_id, event)
    assert errors.records == []
    # Linking's own calls; user.current is what /link sends when nobody is to be notified.
    lookups = {"user.get", "user.current", "im.notify.system.add", "im.notify.personal.add"}
    calls = [r.method for r in portal.requests if r.method not in lookups]
    assert calls == [], f"{event!r} caused Bitrix24 calls {calls}"
    if event[0] == "tap":
        taps_after = len([r for r in harness.session.requests if r.__api_method__ == "answerCallbackQuery"])
        assert taps_after == taps_before + 1


@FUZZ
@given(events=st.lists(events, min_size=1, max_size=5))
async def test_a_linked_user_never_meets_an_unhandled_error(harness: Harness, portal: PortalEmulator,
                                                           errors: ErrorRecorder,
                                                           events: list[tuple[str, str]]) -> None:
    if await harness.repos.links.get(ANNA_TG) is None:
        await link(harness, portal, harness.updates.user(ANNA_TG), "anna@example.com", ANNA_B24)
    for event in events:
        await feed(harness, ANNA_TG, event)
    assert errors.records == []
    assert not any("Something went wrong" in m.text for m in harness.session.by_chat[ANNA_TG])
