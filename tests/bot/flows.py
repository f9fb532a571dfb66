"""Steps that several dispatcher tests share."""

from __future__ import annotations

import re
import time
from typing import Any

from aiogram.types import Update, User

from workday_sandbox.portal.emulator import PortalEmulator
from tests.bot.harness import Harness, SentMessage

_CODE = re.compile(r"\b(\d{6})\b")


def latest_code(portal: PortalEmulator, bitrix_id: int) -> str:
    sent = portal.notifications_for(bitrix_id)
    assert sent, f"no notification reached Bitrix24 user {bitrix_id}"
    match = _CODE.search(sent[-1].message)
    assert match, sent[-1].message
    return match.group(1)


async def link(harness: Harness, portal: PortalEmulator, user: User, email: str, bitrix_id: int) -> SentMessage:
    await harness.say(user, f"/link {email}")
    return await harness.say(user, latest_code(portal, bitrix_id))


MEDIA: dict[str, dict[str, Any]] = {
    "sticker": {"sticker": {"file_id": "s1", "file_unique_id": "u1", "type": "regular", "width": 512,
                            "height": 512, "is_animated": False, "is_video": False}},
    "photo": {"photo": [{"file_id": "p1", "file_unique_id": "u2", "width": 90, "height": 90}]},
    "location": {"location": {"latitude": 52.52, "longitude": 13.4}},
    "contact": {"contact": {"phone_number": "+4930123", "first_name": "Anna"}},
    "voice": {"voice": {"file_id": "v1", "file_unique_id": "u3", "duration": 2}},
}


def private_update(update_id: int, user_id: int, body: dict[str, Any]) -> Update:
    message = {"message_id": update_id, "date": int(time.time()),
               "chat": {"id": user_id, "type": "private", "first_name": "Anna"},
               "from": {"id": user_id, "is_bot": False, "first_name": "Anna", "language_code": "en"}, **body}
    return Update.model_validate({"update_id": update_id, "message": message})
