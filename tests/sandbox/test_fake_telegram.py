"""The fake Telegram Bot API, driven by a real aiogram Bot over loopback HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import Command, CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    Message,
)

from workday_sandbox.telegram.server import FakeTelegram

TOKEN = "123456:TEST-token"


class Ticker:
    """A manual monotonic clock for rate limits and callback query ages."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture
async def tg(ticker: Ticker) -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, bot_username="workday_bot", monotonic=ticker) as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
    client = Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    yield client
    await client.session.close()


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data)] for text, data in buttons
        ]
    )


# --- getMe / getUpdates -----------------------------------------------------------------


async def test_get_me_returns_the_bot_identity(tg: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()

    assert me.id == 123456
    assert me.is_bot
    assert me.username == "workday_bot"
    assert me.can_read_all_group_messages is False
    assert [call.method for call in tg.calls] == ["getMe"]


async def test_get_updates_offset_confirms_and_drops_earlier_updates(
    tg: FakeTelegram, bot: Bot
) -> None:
    anna = tg.user(1001, first_name="Anna", language_code="en")
    first = tg.send_text(anna, "/start")
    second = tg.send_text(anna, "hello")
    third = tg.send_text(anna, "again")

    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [first, second, third]
    assert updates[0].message is not None
    assert updates[0].message.text == "/start"
    assert updates[0].message.from_user is not None
    assert updates[0].message.from_user.first_name == "Anna"
    assert updates[0].message.entities is not None
    assert updates[0].message.entities[0].type == "bot_command"
    assert updates[0].message.entities[0].length == len("/start")
    assert updates[1].message is not None and not updates[1].message.entities

    # Without an offset nothing is confirmed: the same updates come back.
    assert [u.update_id for u in await bot.get_updates()] == [first, second, third]
    assert [u.update_id for u in await bot.get_updates(offset=second)] == [second, third]
    assert [u.update_id for u in await bot.get_updates()] == [second, third]
    assert await bot.get_updates(offset=third + 1) == []
    assert tg.pending_update_count == 0


async def test_get_updates_negative_offset_and_limit(tg: FakeTelegram, bot: Bot) -> None:
    ids = [tg.send_text(1001, f"message {n}") for n in range(5)]

    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    # A negative offset keeps only the last -offset updates.
    assert [u.update_id for u in await bot.get_updates(offset=-2)] == ids[3:]
    assert [u.update_id for u in await bot.get_updates()] == ids[3:]


async def test_long_poll_returns_as_soon_as_an_update_arrives(tg: FakeTelegram, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await tg.wait_for(lambda: tg.pollers_waiting == 1, timeout=10)

    update_id = tg.send_text(1001, "wake up")

    updates = await asyncio.wait_for(poll, timeout=20)
    assert [u.update_id for u in updates] == [update_id]


async def test_long_poll_without_updates_returns_an_empty_list(tg: FakeTelegram, bot: Bot) -> None:
    assert await bot.get_updates(timeout=1) == []


async def test_allowed_updates_filter_and_are_remembered(tg: FakeTelegram, bot: Bot) -> None:
    anna = tg.user(1001, first_name="Anna")
    sent = await bot.send_message(anna.id, "menu", reply_markup=keyboard(("Go", "go")))
    tg.send_text(anna, "text that will be filtered")
    click = tg.click(anna, sent.message_id, "go")

    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.id for u in updates if u.callback_query] == [click]
    assert all(u.message is None for u in updates)

    # The next call does not repeat allowed_updates: the last value still applies.
    tg.send_text(anna, "still filtered")
    tg.block(anna)  # my_chat_member is not allowed either
    assert await bot.get_updates(offset=updates[-1].update_id + 1) == []
    assert tg.stats.updates_filtered >= 3

    # Updates of excluded types are not stored at all, so switching back finds nothing.
    # An empty list restores the default (everything but chat_member and reactions).
    assert await bot.get_updates(allowed_updates=[]) == []
    later = tg.send_text(anna, "visible again")  # also unblocks: my_chat_member first
    updates = await bot.get_updates()
    assert [u.event_type for u in updates] == ["my_chat_member", "message"]
    assert updates[-1].update_id == later


async def test_a_second_poller_terminates_the_first_with_a_conflict(
    tg: FakeTelegram, bot: Bot
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await tg.wait_for(lambda: tg.pollers_waiting == 1, timeout=10)

    assert await bot.get_updates(timeout=0) == []

    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, timeout=20)


# --- a real Dispatcher ------------------------------------------------------------------


def echo_router() -> Router:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        assert message.from_user is not None
        await message.answer(
            f"Hello, <b>{message.from_user.first_name}</b>!",
            reply_markup=keyboard(("Pause", "day:pause"), ("Finish", "day:finish")),
        )

    @router.message(Command("help"))
    async def help_(message: Message) -> None:
        await message.answer("Use the buttons")

    @router.callback_query(F.data == "day:pause")
    async def pause(callback: CallbackQuery) -> None:
        await callback.answer("Paused")
        assert isinstance(callback.message, Message)
        await callback.message.edit_text(
            "⏸ <i>Paused</i>", reply_markup=keyboard(("Resume", "day:resume"))
        )

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"echo: {message.text}")

    return router


async def test_dispatcher_polling_answers_a_command_and_a_callback(
    tg: FakeTelegram, bot: Bot
) -> None:
    dp = Dispatcher()
    dp.include_router(echo_router())
    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False)
    )
    try:
        anna = tg.user(1001, first_name="Anna", language_code="en")
        tg.send_text(anna, "/start")
        greeting = await tg.wait_for_message(anna, contains="Hello", timeout=15)

        assert greeting.text == "Hello, Anna!"
        assert greeting.entities == [{"type": "bold", "offset": 7, "length": 4}]
        assert greeting.html == "Hello, <b>Anna</b>!"
        assert greeting.callback_data == ["day:pause", "day:finish"]
        assert [b.text for row in greeting.buttons for b in row] == ["Pause", "Finish"]

        query_id = tg.click(anna, greeting.message_id, "day:pause")
        paused = await tg.wait_for_message(anna, contains="Paused", timeout=15)
        await tg.wait_for(lambda: query_id in tg.callback_answers, timeout=15)

        assert tg.callback_answers[query_id] == ("Paused", False)
        assert paused.message_id == greeting.message_id
        assert paused.edited
        assert paused.edit_date is not None
        assert [v.text for v in paused.versions] == ["Hello, Anna!", "⏸ Paused"]
        assert paused.callback_data == ["day:resume"]
        assert tg.last_message(anna) is paused

        tg.send_text(anna, "free text")
        echoed = await tg.wait_for_message(anna, contains="echo:", timeout=15)
        assert echoed.text == "echo: free text"
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, timeout=20)

    assert tg.calls[0].method == "getMe"
    polls = tg.calls_to("getUpdates")
    assert polls and sorted(polls[0].params["allowed_updates"]) == ["callback_query", "message"]
    assert all(call.ok for call in tg.calls)


async def test_restarting_polling_leaves_no_conflicts_behind(tg: FakeTelegram, bot: Bot) -> None:
    """aiogram abandons its pending getUpdates on stop; a restart must not see a 409."""
    anna = tg.user(1001, first_name="Anna")
    for round_ in range(2):
        dp = Dispatcher()
        dp.include_router(echo_router())
        polling = asyncio.create_task(
            dp.start_polling(bot, handle_signals=False, close_bot_session=False)
        )
        try:
            await tg.wait_for(lambda: tg.pollers_waiting >= 1, timeout=15)
            tg.send_text(anna, f"round {round_}")
            await tg.wait_for_message(anna, contains=f"echo: round {round_}", timeout=15)
        finally:
            await dp.stop_polling()
            await asyncio.wait_for(polling, timeout=20)

    await tg.wait_for(lambda: tg.pollers_waiting == 0, timeout=15)
    assert [call.status for call in tg.calls if not call.ok] == []
    assert tg.stats.status_counts[409] == 0


# --- sendMessage validation ---------------------------------------------------------------


async def test_send_message_text_length_is_checked_after_entity_parsing(
    tg: FakeTelegram, bot: Bot
) -> None:
    tg.user(1001)

    sent = await bot.send_message(1001, "x" * 4096)
    assert len(sent.text or "") == 4096
    # Tags don't count: 4096 characters of text inside <b> is fine.
    await bot.send_message(1001, "<b>" + "y" * 4096 + "</b>")

    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(1001, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(1001, "  <b> </b>\n")
    # aiogram drops empty strings from the form, so the text is missing altogether.
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(1001, "")
    assert len(tg.messages(1001)) == 2


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("<b>never closed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>crossed</b></i>", 'expected "</i>", found "</b>"'),
        ("stray</b>", "Unexpected end tag at byte offset 5"),
        ("1 < 2", "Unsupported start tag"),
        ('<span class="x">s</span>', 'must have class "tg-spoiler"'),
    ],
)
async def test_send_message_rejects_bad_html(
    tg: FakeTelegram, bot: Bot, text: str, error: str
) -> None:
    tg.user(1001)

    with pytest.raises(TelegramBadRequest, match="can't parse entities") as info:
        await bot.send_message(1001, text)

    assert error in info.value.message
    assert tg.messages(1001) == []
    assert tg.calls[-1].status == 400


async def test_send_message_accepts_telegram_html(tg: FakeTelegram, bot: Bot) -> None:
    tg.user(1001)

    sent = await bot.send_message(
        1001,
        '1 &lt; 2 &amp;&amp; <a href="https://example.com/?a=1&amp;b=2">link</a> 😀 <code>x</code>',
    )

    assert sent.text == "1 < 2 && link 😀 x"
    assert sent.entities is not None
    link, code = sent.entities
    assert (link.type, link.offset, link.length, link.url) == (
        "text_link",
        9,
        4,
        "https://example.com/?a=1&b=2",
    )
    # The emoji takes two UTF-16 code units.
    assert (code.type, code.offset, code.length) == ("code", 17, 1)


@pytest.mark.parametrize("data", ["x" * 65, "я" * 33])
async def test_send_message_rejects_callback_data_over_64_bytes(
    tg: FakeTelegram, bot: Bot, data: str
) -> None:
    tg.user(1001)

    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(1001, "menu", reply_markup=keyboard(("Go", data)))

    sent = await bot.send_message(1001, "menu", reply_markup=keyboard(("Go", "я" * 32)))
    assert tg.messages(1001)[-1].callback_data == ["я" * 32]
    assert sent.reply_markup is not None


async def test_send_message_to_an_unknown_chat(tg: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "hello?")


# --- edits, deletes, callback answers -------------------------------------------------------


async def test_edit_message_text_not_modified_and_not_found(tg: FakeTelegram, bot: Bot) -> None:
    tg.user(1001)
    menu = keyboard(("Pause", "day:pause"))
    sent = await bot.send_message(1001, "Working <b>1h</b>", reply_markup=menu)

    with pytest.raises(TelegramBadRequest, match="message is not modified: specified new message"):
        await bot.edit_message_text(
            "Working <b>1h</b>", chat_id=1001, message_id=sent.message_id, reply_markup=menu
        )
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=1001, message_id=999)

    # Same text without the keyboard is a change: Telegram drops the keyboard.
    edited = await bot.edit_message_text(
        "Working <b>1h</b>", chat_id=1001, message_id=sent.message_id
    )
    assert isinstance(edited, Message)
    assert edited.reply_markup is None

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=1001, message_id=sent.message_id)
    await bot.edit_message_reply_markup(chat_id=1001, message_id=sent.message_id, reply_markup=menu)

    message = tg.messages(1001)[0]
    assert message.edited
    assert [v.reply_markup is not None for v in message.versions] == [True, False, True]
    assert message.callback_data == ["day:pause"]
    assert tg.stats.messages_edited == 2


async def test_delete_message(tg: FakeTelegram, bot: Bot) -> None:
    tg.user(1001)
    sent = await bot.send_message(1001, "temporary")

    assert await bot.delete_message(1001, sent.message_id) is True
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(1001, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("late", chat_id=1001, message_id=sent.message_id)

    assert tg.messages(1001) == []
    assert tg.messages(1001, include_deleted=True)[0].deleted
    assert tg.last_message(1001) is None


async def test_answer_callback_query_only_once(tg: FakeTelegram, bot: Bot) -> None:
    anna = tg.user(1001)
    sent = await bot.send_message(1001, "menu", reply_markup=keyboard(("Go", "go")))
    query_id = tg.click(anna, sent.message_id, "go")

    updates = await bot.get_updates()
    assert updates[-1].callback_query is not None
    assert updates[-1].callback_query.id == query_id
    assert updates[-1].callback_query.data == "go"
    assert isinstance(updates[-1].callback_query.message, Message)
    assert updates[-1].callback_query.message.message_id == sent.message_id

    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    assert await bot.answer_callback_query(query_id, text="Done", show_alert=True)
    with pytest.raises(TelegramBadRequest, match="query is too old and response timeout expired"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query("no-such-query")

    assert tg.callback_answers == {query_id: ("Done", True)}


async def test_answering_an_old_callback_query_fails(
    tg: FakeTelegram, bot: Bot, ticker: Ticker
) -> None:
    anna = tg.user(1001)
    sent = await bot.send_message(1001, "menu", reply_markup=keyboard(("Go", "go")))
    query_id = tg.click(anna, sent.message_id, "go")

    ticker.now += tg.callback_query_ttl + 1

    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)
    assert tg.callback_answers == {}


async def test_click_checks_the_buttons_and_click_raw_does_not(tg: FakeTelegram, bot: Bot) -> None:
    anna = tg.user(1001)
    sent = await bot.send_message(1001, "menu", reply_markup=keyboard(("Go", "go")))

    with pytest.raises(LookupError, match="no button with callback_data 'admin:wipe'"):
        tg.click(anna, sent.message_id, "admin:wipe")
    with pytest.raises(LookupError, match="no bot message 77"):
        tg.click(anna, 77, "go")

    forged = tg.click_raw(anna, sent.message_id, "admin:wipe")
    gone = tg.click_raw(anna, 77, "go")
    by_label = tg.click_button(anna, sent.message_id, "Go")

    updates = await bot.get_updates()
    queries = {u.callback_query.id: u.callback_query for u in updates if u.callback_query}
    assert queries[forged].data == "admin:wipe"
    assert isinstance(queries[gone].message, InaccessibleMessage)  # Telegram's date=0 shape
    assert queries[by_label].data == "go"


# --- commands -------------------------------------------------------------------------------


async def test_set_my_commands_per_language_and_scope(tg: FakeTelegram, bot: Bot) -> None:
    anna = tg.user(1001, language_code="ru")
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    await bot.set_my_commands(
        [
            BotCommand(command="start", description="Начать"),
            BotCommand(command="pause", description="Пауза"),
        ],
        language_code="ru",
    )
    await bot.set_my_commands(
        [BotCommand(command="admin", description="Admin")], scope=BotCommandScopeChat(chat_id=2002)
    )

    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    russian = await bot.get_my_commands(language_code="ru")
    assert [c.description for c in russian] == ["Начать", "Пауза"]
    assert await bot.get_my_commands(language_code="de") == []
    assert tg.commands("ru") == [
        {"command": "start", "description": "Начать"},
        {"command": "pause", "description": "Пауза"},
    ]
    assert tg.commands(scope={"type": "chat", "chat_id": 2002}) == [
        {"command": "admin", "description": "Admin"}
    ]
    assert [c["command"] for c in tg.visible_commands(anna)] == ["start", "pause"]

    assert await bot.delete_my_commands(language_code="ru")
    assert tg.commands("ru") == []
    assert [c["description"] for c in tg.visible_commands(anna)] == ["Start"]

    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start-Now", description="x")])
    with pytest.raises(TelegramBadRequest, match="invalid language code"):
        await bot.set_my_commands(
            [BotCommand(command="start", description="x")], language_code="rus"
        )


async def test_chat_info_actions_menu_button_and_webhook_info(tg: FakeTelegram, bot: Bot) -> None:
    tg.user(1001, first_name="Anna", username="anna_k")
    tg.group_chat(-100123, "Team")

    private = await bot.get_chat(1001)
    assert (private.id, private.type, private.first_name, private.username) == (
        1001,
        "private",
        "Anna",
        "anna_k",
    )
    assert (await bot.get_chat("@anna_k")).id == 1001
    assert (await bot.get_chat(-100123)).title == "Team"
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.get_chat(5)

    assert await bot.send_chat_action(1001, "typing")
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(1001, "dancing")
    assert [e.data["action"] for e in tg.events() if e.type == "chat_action"] == ["typing"]

    assert await bot.set_chat_menu_button(chat_id=1001, menu_button=MenuButtonCommands())
    assert (await bot.get_chat_menu_button(chat_id=1001)).type == "commands"

    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("", 0)
    assert await bot.delete_webhook(drop_pending_updates=True)


async def test_auto_created_chats_and_deactivated_users(ticker: Ticker) -> None:
    async with FakeTelegram(token=TOKEN, auto_create_chats=True, monotonic=ticker) as fake:
        client = fake.create_bot()
        try:
            await client.send_message(777, "hello, stranger")
            assert [m.text for m in fake.messages(777)] == ["hello, stranger"]
            fake.deactivate(777)
            with pytest.raises(TelegramForbiddenError, match="user is deactivated"):
                await client.send_message(777, "anyone there?")
        finally:
            await client.session.close()


# --- injected failures, blocking, rate limits ------------------------------------------------


async def test_injected_429_surfaces_as_telegram_retry_after(tg: FakeTelegram, bot: Bot) -> None:
    tg.user(1001)
    tg.inject_error("sendMessage", 429, retry_after=2, times=1)

    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(1001, "first try")
    assert info.value.retry_after == 2
    assert "Too Many Requests: retry after 2" in info.value.message

    await bot.send_message(1001, "second try")  # times=1: only the next call failed
    assert [m.text for m in tg.messages(1001)] == ["second try"]
    assert tg.stats.too_many_requests == 1
    assert [call.status for call in tg.calls_to("sendMessage")] == [429, 200]


async def test_injected_server_error_and_method_wildcard(tg: FakeTelegram, bot: Bot) -> None:
    tg.user(1001)
    sent = await bot.send_message(1001, "hi")
    tg.inject_error("editMessageText", 500, times=1)

    with pytest.raises(TelegramServerError):
        await bot.edit_message_text("edited", chat_id=1001, message_id=sent.message_id)
    await bot.edit_message_text("edited", chat_id=1001, message_id=sent.message_id)

    tg.inject_error("*", 502, times=None)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.get_me()
    with pytest.raises(TelegramServerError):
        await bot.send_chat_action(1001, "typing")
    assert await bot.get_updates() == []  # the wildcard spares getUpdates
    tg.clear_errors()
    await bot.get_me()


async def test_blocked_user_gives_forbidden_and_my_chat_member(tg: FakeTelegram, bot: Bot) -> None:
    anna = tg.user(1001, first_name="Anna")
    await bot.send_message(1001, "before")

    tg.block(anna)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(1001, "while blocked")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_chat_action(1001, "typing")

    updates = await bot.get_updates()
    member = updates[-1].my_chat_member
    assert member is not None
    assert member.new_chat_member.status == "kicked"
    assert member.old_chat_member.status == "member"
    assert member.from_user.id == 1001
    assert tg.stats.forbidden == 2

    tg.unblock(anna)
    await bot.send_message(1001, "after")
    assert [m.text for m in tg.messages(1001)] == ["before", "after"]


async def test_rate_limits_answer_429_per_chat(tg: FakeTelegram, bot: Bot, ticker: Ticker) -> None:
    tg.user(1001)
    tg.set_rate_limits(per_chat_per_second=1)

    await bot.send_message(1001, "one")
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(1001, "two")
    assert info.value.retry_after == 1
    with pytest.raises(TelegramRetryAfter):  # edits count too
        await bot.edit_message_text(
            "one!", chat_id=1001, message_id=tg.messages(1001)[0].message_id
        )

    ticker.now += 1.01
    await bot.send_message(1001, "two")

    assert [m.text for m in tg.messages(1001)] == ["one", "two"]
    assert tg.stats.rate_limited == 2

    tg.set_rate_limits()  # off
    await bot.send_message(1001, "three")
    await bot.send_message(1001, "four")


async def test_rate_limits_answer_429_globally(tg: FakeTelegram, bot: Bot, ticker: Ticker) -> None:
    for user_id in range(1, 6):
        tg.user(user_id)
    tg.set_rate_limits(global_per_second=3, per_chat_per_second=1)

    for user_id in (1, 2, 3):
        await bot.send_message(user_id, "ok")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(4, "over the global limit")

    ticker.now += 0.5
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(5, "still over")
    ticker.now += 0.6
    await bot.send_message(4, "now fine")
    assert tg.stats.too_many_requests == 2


async def test_group_rate_limit_per_minute(tg: FakeTelegram, bot: Bot, ticker: Ticker) -> None:
    tg.group_chat(-100123, "Team")
    tg.set_rate_limits(per_group_per_minute=2)

    await bot.send_message(-100123, "1")
    ticker.now += 5
    await bot.send_message(-100123, "2")
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(-100123, "3")
    assert info.value.retry_after == 55


# --- groups and the waiting helpers ------------------------------------------------------------


async def test_group_chat_messages_follow_privacy_mode(tg: FakeTelegram, bot: Bot) -> None:
    team = tg.group_chat(-100123, "Team")
    anna = tg.user(1001, first_name="Anna")

    assert tg.send_text(anna, "just chatting", chat=team) is None
    command = tg.send_text(anna, "/status@workday_bot", chat=team)
    sent = await bot.send_message(team.id, "Status: working")
    reply = tg.send_text(anna, "thanks", chat=team, reply_to=sent.message_id)

    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [command, reply]
    first = updates[0].message
    assert first is not None
    assert first.chat.type == "supergroup"
    assert first.chat.title == "Team"
    assert first.entities is not None and first.entities[0].length == len("/status@workday_bot")
    second = updates[1].message
    assert second is not None
    assert second.reply_to_message is not None
    assert second.reply_to_message.message_id == sent.message_id
    assert [m.text for m in tg.transcript(team)] == [
        "just chatting",
        "/status@workday_bot",
        "Status: working",
        "thanks",
    ]


async def test_wait_for_message_explains_a_timeout(tg: FakeTelegram, bot: Bot) -> None:
    tg.user(1001)
    await bot.send_message(1001, "Started at 09:00")

    # The default only counts bot actions after the latest user action in that chat.
    found = await tg.wait_for_message(1001, contains="Started")
    assert found.text == "Started at 09:00"
    tg.send_text(1001, "/pause")

    with pytest.raises(TimeoutError) as info:
        await tg.wait_for_message(1001, contains="Paused", timeout=0.3)
    text = str(info.value)
    assert "no bot message containing 'Paused' in chat 1001" in text
    assert "Started at 09:00" in text
    assert "sendMessage" in text

    with pytest.raises(TimeoutError, match="never true"):
        await tg.wait_for(lambda: False, timeout=0.1, message="never true")


@pytest.mark.slow
async def test_many_users_through_a_polling_dispatcher(tg: FakeTelegram, bot: Bot) -> None:
    """200 users x 10 messages each all get their echo (a load smoke test, not a timing)."""
    dp = Dispatcher()
    dp.include_router(echo_router())
    users = [tg.user(5000 + n, first_name=f"U{n}") for n in range(200)]
    for round_ in range(10):
        for user in users:
            tg.send_text(user, f"m{round_}")
    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False)
    )
    try:
        await tg.wait_for(lambda: tg.stats.messages_sent >= 2000, timeout=120)
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, timeout=20)

    assert tg.stats.messages_sent == 2000
    assert all(tg.stats.messages_per_chat[user.id] == 10 for user in users)
    assert sorted(m.text for m in tg.messages(users[0])) == sorted(f"echo: m{n}" for n in range(10))
    assert tg.pending_update_count <= 100  # the last batch is confirmed only by a next poll
