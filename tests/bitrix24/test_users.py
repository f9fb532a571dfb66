from __future__ import annotations

from bot.bitrix24 import Bitrix24
from workday_sandbox.portal.emulator import PortalEmulator
from tests.bitrix24.fixtures import ADMIN, BOB, CARL, GONE


async def test_get_active_by_id(b24: Bitrix24) -> None:
    carl = await b24.users.get_active(CARL)
    assert carl is not None and carl.id == CARL and carl.time_zone == "Asia/Almaty"
    assert await b24.users.get_active(GONE) is None
    assert await b24.users.get_active(12345) is None
    assert await b24.users.get_active(0) is None


async def test_find_by_email_is_exact_and_active_only(b24: Bitrix24) -> None:
    found = await b24.users.find_active_by_email("BOB@example.com ")
    assert [u.id for u in found] == [BOB]
    assert await b24.users.find_active_by_email("gone@example.com") == []
    assert await b24.users.find_active_by_email("bo") == []
    assert await b24.users.find_active_by_email("") == []


async def test_current_is_the_webhook_owner(b24: Bitrix24) -> None:
    assert (await b24.users.current()).id == ADMIN


async def test_notify_reaches_the_portal_log(b24: Bitrix24, portal: PortalEmulator) -> None:
    first = await b24.users.notify(BOB, "Your code is 123456", system=True)
    second = await b24.users.notify(BOB, "  hello  ", system=False)
    assert isinstance(first, int) and isinstance(second, int) and second > first
    sent = portal.notifications_for(BOB)
    assert [n.message for n in sent] == ["Your code is 123456", "hello"]
    assert [n.kind for n in sent] == ["system", "personal"]
