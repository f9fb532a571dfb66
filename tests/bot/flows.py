"""Steps that several dispatcher tests share."""

from __future__ import annotations

import re

from aiogram.types import User

from bot.sandbox.portal import PortalEmulator
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
