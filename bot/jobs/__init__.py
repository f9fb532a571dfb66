"""Periodic and daily background jobs, each run once per cluster.

A feature registers its jobs on a `JobRegistry` (`registry.every(...)`,
`registry.daily(...)`); the runner starts the registry with the bot and stops it at
shutdown. `schedule` says which run slot a moment falls in, `lock` lets one replica
claim a slot, `registry` ties them to the clock and runs what is due.
"""

from bot.jobs.registry import JobRegistry
from bot.jobs.schedule import Daily, Every, Slot

__all__ = ["Daily", "Every", "JobRegistry", "Slot"]
