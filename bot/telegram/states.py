"""Conversation states (kept in Redis, so they survive a restart)."""

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup


class LinkStates(StatesGroup):
    identity = State()
    code = State()


class CloseStates(StatesGroup):
    report = State()  # typing the report to close the day with


class RepairStates(StatesGroup):
    time = State()
    reason = State()


class RemindStates(StatesGroup):
    wizard = State()  # choosing with buttons
    time = State()  # typing a break reminder's time
    close_time = State()  # typing the forgot-to-close check's time


# Questions whose typed answer goes to Bitrix24 (a report, a finish time, a reason). Their
# prompt belongs to one card: another action in the chat ends them, so an answer typed
# much later is never taken for one.
_QUESTIONS_FOR_BITRIX24 = frozenset(s.state for s in (CloseStates.report, RepairStates.time, RepairStates.reason))


async def end_bitrix24_question(state: FSMContext) -> None:
    if await state.get_state() in _QUESTIONS_FOR_BITRIX24:
        await state.clear()
