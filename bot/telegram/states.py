"""Conversation states (kept in Redis, so they survive a restart)."""

from aiogram.fsm.state import State, StatesGroup


class LinkStates(StatesGroup):
    identity = State()
    code = State()


class RepairStates(StatesGroup):
    time = State()
    reason = State()
