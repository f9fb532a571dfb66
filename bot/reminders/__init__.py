"""Scheduled reminders: data in Redis, claimed atomically, fired in batches.

`models` (what a reminder is) → `schedule` (when it fires next) → `store` (definitions
and the due queue in Redis) → `progress` (an occurrence's steps, and whose change a day
shows) → `engine` (claim, check the day, act, notify, reschedule).
"""
