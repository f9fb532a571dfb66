"""Conversation states (kept in Redis, so they survive a restart)."""

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
