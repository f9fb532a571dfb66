"""What handlers get from the dispatcher: one typed container instead of a dozen loose keys.

It sits in the dispatcher's workflow data under `services`, so a handler (or filter)
asks for it by declaring a `services: Services` parameter."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.linking import LinkingService
from bot.services.nudges import NudgeService
from bot.services.reminders import ReminderService
from bot.services.time_zones import TimeZoneService
from bot.services.team import TeamService
from bot.services.workday import WorkdayService
from bot.services.worktime import WorktimeService
from bot.storage.live_cards import LiveCardRepository
from bot.storage.profiles import ProfileRepository
from bot.telegram.week_view import WeekCharts


@dataclass(frozen=True, slots=True)
class Services:
    linking: LinkingService
    workday: WorkdayService
    reminders: ReminderService
    time_zones: TimeZoneService
    profiles: ProfileRepository  # language choice, blocked flag, languages of others
    live_cards: LiveCardRepository  # the chat's last day card, whose buttons stay
    worktime: WorktimeService  # the week, the targets, the journal
    week_charts: WeekCharts
    team: TeamService  # department heads' view of their people's day
    admin_ids: frozenset[int]
    nudges: NudgeService  # not started, goal reached, weekly summary
