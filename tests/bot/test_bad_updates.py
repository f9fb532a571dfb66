"""Polling goes on past an update aiogram cannot read (e.g. from an older self-hosted Bot
API server): it is skipped and logged once, and the updates after it are handled."""

from __future__ import annotations

import logging
import time

import pytest

from workday_sandbox.telegram.server import FakeTelegram


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def unreadable(user_id: int) -> dict:
    # A message whose chat has no "type": aiogram's models refuse it.
    return {"message": {"message_id": 1, "date": int(time.time()), "chat": {"id": user_id},
                        "from": {"id": user_id, "is_bot": False, "first_name": "Old"}, "text": "/help"}}


@pytest.mark.parametrize("bad_last", [False, True])
async def test_an_unreadable_update_is_skipped(polling: FakeTelegram, bad_last: bool) -> None:
    records = Records()
    logging.getLogger().addHandler(records)
    try:
        anna = polling.user(7201, "Anna", language_code="en")
        polling.queue_update(unreadable(7202))
        polling.send_text(anna, "/help")
        if bad_last:
            polling.queue_update(unreadable(7203))
        await polling.wait_for_message(anna, "/status", timeout=15)
        await polling.wait_for(lambda: polling.pending_update_count == 0, timeout=15)
        polling.send_text(anna, "/help")
        await polling.wait_for(lambda: len(polling.messages(anna)) == 2, timeout=15)
    finally:
        logging.getLogger().removeHandler(records)
    assert not [r for r in records.records if r.levelno >= logging.ERROR]
    skipped = [r for r in records.records if "skipped an update" in r.getMessage()]
    assert len(skipped) == (2 if bad_last else 1)
    assert all(r.exc_info is None for r in skipped)
    assert not any("Old" in r.getMessage() for r in records.records)  # no user data in the log
