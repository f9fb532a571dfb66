"""Factories for the bot, the dispatcher and everything injected into handlers.

Handlers get their dependencies from the dispatcher's workflow data, as one `Services`
container; nothing is global. Tests build the same dispatcher with their own Redis, portal
and Telegram session.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from functools import partial
from datetime import timedelta

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import DefaultKeyBuilder, RedisStorage
from aiogram.types import BotCommand, LinkPreviewOptions
from redis.asyncio import Redis

from bot.bitrix24 import Bitrix24, RateLimiter
from bot.clock import Clock
from bot.config import BotMode, Settings
from bot.health import PollingHeartbeat
from bot.i18n import CATALOGS, Translator
from bot.jobs import JobRegistry
from bot.metrics import Metrics
from bot.reminders.directory import UserDirectory
from bot.reminders.engine import KeptTargets, ReminderEngine
from bot.reminders.store import ReminderStore
from bot.services.erasure import UserDataEraser
from bot.services.reminders import ReminderService
from bot.services.linking import LinkingService
from bot.services.nudges import NudgeService, goal_listener
from bot.services.live_cards import LiveCardSweep
from bot.services.time_zones import TimeZoneService
from bot.services.team import TeamService
from bot.services.workday import WorkdayService
from bot.services.worktime import WorktimeService
from bot.storage.day_cache import DayCache
from bot.storage.keys import KeySpace
from bot.storage.link_attempts import LinkAttemptRepository
from bot.storage.link_limits import LinkCodeLimits
from bot.storage.links import LinkRepository
from bot.storage.journal import JournalRepository
from bot.storage.team_nudges import TeamNudgeLog
from bot.team.access import TeamAccess
from bot.team.service import TeamStructureService
from bot.team.store import StructureStore
from bot.storage.live_cards import LiveCardRepository
from bot.storage.pacing import Pacer
from bot.storage.profiles import ProfileRepository
from bot.storage.rate_limits import TokenBucket, WindowLimiter
from bot.telegram.deferred import DeferredReplies
from bot.telegram.deps import Services
from bot.telegram.fit import FitMessages
from bot.telegram.live_card_editor import TelegramCardEditor
from bot.telegram.handlers import get_routers
from bot.telegram.middlewares.answers import SafeCallbackAnswerMiddleware
from bot.telegram.middlewares.context import UserContextMiddleware
from bot.telegram.middlewares.dedup import UpdateDedupMiddleware
from bot.telegram.middlewares.guard import BitrixGuardMiddleware
from bot.telegram.middlewares.questions import CommandsEndQuestions
from bot.telegram.notices import language_of
from bot.telegram.observers import BotApiObserver, UpdateMetricsMiddleware
from bot.telegram.reminder_notifier import TelegramNotifier
from bot.telegram.sender import SENDER_CONNECTIONS, PacedSender, telegram_budget
from bot.telegram.session import PaceReplies, RetryRequestMiddleware, SkipUnreadableUpdates
from bot.telegram.week_view import WeekCharts
from bot.telegram.team_digest import TeamDigests
from bot.telegram.weekly_summary import WeeklySummaries
from bot.worktime.sightings import DaySightings, journal_writer
from bot.worktime.targets import TargetsService

log = logging.getLogger(__name__)

COMMANDS = ("status", "open", "pause", "resume", "close", "week", "team", "remind", "reminders", "timezone",
            "updates", "link", "unlink", "language", "help", "cancel")
FSM_TTL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Repositories:
    links: LinkRepository
    attempts: LinkAttemptRepository
    profiles: ProfileRepository
    limiter: WindowLimiter
    code_limits: LinkCodeLimits
    days: DayCache
    reminders: ReminderStore
    live_cards: LiveCardRepository
    journal: JournalRepository

    @classmethod
    def over(cls, redis: Redis, keys: KeySpace) -> Repositories:
        return cls(
            links=LinkRepository(redis, keys),
            attempts=LinkAttemptRepository(redis, keys),
            profiles=ProfileRepository(redis, keys),
            limiter=WindowLimiter(redis, keys),
            code_limits=LinkCodeLimits(redis, keys),
            days=DayCache(redis, keys),
            reminders=ReminderStore(redis, keys),
            live_cards=LiveCardRepository(redis, keys),
            journal=JournalRepository(redis, keys),
        )


def create_targets(settings: Settings, *, redis: Redis, bitrix: Bitrix24, clock: Clock, keys: KeySpace) -> TargetsService:
    return TargetsService(bitrix.workday, redis, keys, clock, schedule_id=settings.bitrix24.schedule_id)


def create_sightings(repositories: Repositories, *, targets: KeptTargets, clock: Clock) -> DaySightings:
    """Where every day the bot sees goes: the dispatcher's actions and the reminder engine's
    reads alike (each builds its own; they share Redis). The journal records the closed
    days; the goal nudge's job follows the running ones."""
    sightings = DaySightings()
    sightings.subscribe(journal_writer(repositories.journal))
    sightings.subscribe(goal_listener(repositories.reminders, repositories.links, targets, clock))
    return sightings


def create_worktime(settings: Settings, *, repositories: Repositories, bitrix: Bitrix24, clock: Clock,
                    targets: TargetsService, nudges: NudgeService | None = None,
                    ) -> tuple[WorkdayService, WorktimeService]:
    """The workday actions and the week, reporting every day they see to the journal."""
    sightings = create_sightings(repositories, targets=targets, clock=clock)
    workday = WorkdayService(bitrix.workday, repositories.days, clock, sightings=sightings, targets=targets)
    worktime = WorktimeService(workday=workday, api=bitrix.workday, journal=repositories.journal,
                               targets=targets, links=repositories.links, sightings=sightings, clock=clock,
                               default_zone=settings.bot.default_timezone, nudges=nudges,
                               profiles=repositories.profiles)
    return workday, worktime


def create_team(settings: Settings, *, redis: Redis, keys: KeySpace, repositories: Repositories, bitrix: Bitrix24,
                clock: Clock, sightings: DaySightings | None = None,
                background: RateLimiter | None = None) -> TeamService:
    """What department heads (and bot admins) see of their people's day, and their digests."""
    structure = TeamStructureService(departments=bitrix.departments, users=bitrix.users,
                                     store=StructureStore(redis, keys), clock=clock,
                                     default_zone=settings.bot.default_timezone)
    directory = UserDirectory(repositories.links, repositories.profiles, settings.bot.default_timezone)
    return TeamService(access=TeamAccess(structure, settings.bot.admin_ids), structure=structure,
                       links=repositories.links, workday=bitrix.workday, reminders=repositories.reminders,
                       directory=directory, clock=clock, asked=TeamNudgeLog(redis, keys), sightings=sightings,
                       background=background)


def bot_defaults() -> DefaultBotProperties:
    # `link_preview_is_disabled` would make aiogram send the deprecated
    # `disable_web_page_preview`; LinkPreviewOptions is the current field.
    return DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview=LinkPreviewOptions(is_disabled=True))


def bot_id_from_token(token: str) -> int:
    return int(token.split(":", 1)[0])


def create_bot(settings: Settings, *, repositories: Repositories, session: BaseSession | None = None,
               deferred: DeferredReplies | None = None, metrics: Metrics | None = None,
               heartbeat: PollingHeartbeat | None = None, pacer: Pacer | None = None,
               keys: KeySpace | None = None) -> Bot:
    """The bot handlers answer through. With `deferred`, a reply Telegram refuses for a
    while (a long 429, repeated 5xx) is sent later instead of being lost; with `pacer`,
    replies share the reminder sender's budget of `BOT_SEND_RATE` messages a second."""
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram.api_base))

    async def blocked(chat_id: int) -> None:
        # Only linked users have reminders to stop; storing the flag for anyone else would
        # leave data behind for people the bot has forgotten (a displaced account, say).
        if await repositories.links.get(chat_id) is not None:
            await repositories.profiles.set_blocked(chat_id, True)

    session.middleware(FitMessages())
    session.middleware(RetryRequestMiddleware(on_blocked=blocked, deferred=deferred))
    if pacer is not None:  # inside the retries: a retried reply waits for a slot again
        session.middleware(PaceReplies(pacer, telegram_budget(keys or KeySpace(), settings.bot.send_rate)))
    session.middleware(SkipUnreadableUpdates())
    if metrics is not None:  # inside the retries: it sees every 429, retried or not
        session.middleware(BotApiObserver(metrics, heartbeat))
    return Bot(
        settings.telegram.bot_token.get_secret_value(),
        session=session,
        default=bot_defaults(),
    )


def create_sender_bot(settings: Settings, *, metrics: Metrics | None = None) -> Bot:
    """A second Bot, without the retry middleware, for the paced reminder sender.

    Its few connections are opened once and kept: a burst of first sends each opening its
    own connection would reach Telegram bunched together, over its per-second limit."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram.api_base),
                             limit=SENDER_CONNECTIONS)
    session.middleware(FitMessages())  # a long digest is cut to fit rather than refused
    if metrics is not None:  # counts only; the sender handles the 429 itself
        session.middleware(BotApiObserver(metrics))
    return Bot(
        settings.telegram.bot_token.get_secret_value(),
        session=session,
        default=bot_defaults(),
    )


def create_dispatcher(
    *,
    settings: Settings,
    redis: Redis,
    bitrix: Bitrix24,
    clock: Clock,
    keys: KeySpace,
    repositories: Repositories | None = None,
    metrics: Metrics | None = None,
) -> Dispatcher:
    repos = repositories or Repositories.over(redis, keys)
    metrics = metrics if metrics is not None else Metrics()
    storage = SharedRedisStorage(
        redis,
        key_builder=DefaultKeyBuilder(prefix=keys("fsm"), with_bot_id=True),
        state_ttl=FSM_TTL_SECONDS,
        data_ttl=FSM_TTL_SECONDS,
    )
    # Redis isolation serialises one user's updates across replicas: two quick taps
    # cannot race each other.
    dispatcher = Dispatcher(storage=storage, events_isolation=storage.create_isolation())
    bot_id = bot_id_from_token(settings.telegram.bot_token.get_secret_value())

    eraser = UserDataEraser()

    async def forget_conversation(telegram_id: int) -> None:
        key = StorageKey(bot_id=bot_id, chat_id=telegram_id, user_id=telegram_id)
        await storage.set_state(key, None)
        await storage.set_data(key, {})

    actions = TokenBucket(redis, keys, clock)

    async def forget_counters(telegram_id: int) -> None:
        # The link attempt and its limits are the linking service's to forget: an
        # account that was never linked must not reset them with /unlink.
        await actions.forget("actions", telegram_id)

    directory = UserDirectory(repos.links, repos.profiles, settings.bot.default_timezone)
    reminder_service = ReminderService(repos.reminders, directory, clock)

    eraser.register(reminder_service.forget)
    eraser.register(repos.profiles.forget)
    eraser.register(forget_conversation)
    eraser.register(forget_counters)
    eraser.register(repos.live_cards.forget)
    eraser.register_by_bitrix_id(repos.days.forget)

    time_zones = TimeZoneService(repos.profiles, reminder_service, bitrix.users)
    targets = create_targets(settings=settings, redis=redis, bitrix=bitrix, clock=clock, keys=keys)
    eraser.register_by_bitrix_id(targets.forget)
    nudges = NudgeService(repos.reminders, directory, repos.links, targets, clock)
    # Codes are hashed with a key only this deployment knows, so a Redis dump alone does
    # not give them away.
    code_key = hashlib.sha256(b"link-codes:" + settings.telegram.bot_token.get_secret_value().encode()).digest()
    link_service = LinkingService(
        users=bitrix.users,
        links=repos.links,
        attempts=repos.attempts,
        limiter=repos.limiter,
        code_limits=repos.code_limits,
        clock=clock,
        code_key=code_key,
        erase_user_data=eraser,
        profiles=repos.profiles,
        time_zones=time_zones,
        language_of=partial(language_of, repos.profiles),
        nudges=nudges,
    )
    workday_service, worktime = create_worktime(settings, repositories=repos, bitrix=bitrix, clock=clock,
                                                targets=targets, nudges=nudges)
    eraser.register_by_bitrix_id(worktime.forget)  # the journal (the targets are forgotten above)
    week_charts = WeekCharts()
    dispatcher.shutdown.register(week_charts.close)
    team = create_team(settings, redis=redis, keys=keys, repositories=repos, bitrix=bitrix, clock=clock)
    eraser.register(TeamNudgeLog(redis, keys).forget)

    dispatcher["services"] = Services(
        linking=link_service,
        workday=workday_service,
        reminders=reminder_service,
        time_zones=time_zones,
        profiles=repos.profiles,
        live_cards=repos.live_cards,
        worktime=worktime,
        week_charts=week_charts,
        team=team,
        admin_ids=settings.bot.admin_ids,
        nudges=nudges,
    )

    if settings.bot.mode is BotMode.WEBHOOK:
        # Telegram re-sends webhook updates it thinks were lost; polling never repeats one.
        dispatcher.update.outer_middleware(UpdateDedupMiddleware(redis, keys))
    dispatcher.update.outer_middleware(UpdateMetricsMiddleware(metrics))  # after dedup: each update once
    dispatcher.update.outer_middleware(UserContextMiddleware(
        links=repos.links, profiles=repos.profiles, clock=clock,
        default_zone=settings.bot.default_timezone,
    ))
    dispatcher.message.outer_middleware(CommandsEndQuestions())
    guard = BitrixGuardMiddleware(actions)
    dispatcher.message.middleware(guard)
    dispatcher.callback_query.middleware(guard)
    # Answer every tap at once: Bitrix24 may be slow, and an unanswered tap spins. A failed
    # answer is logged and the tap is still acted on.
    dispatcher.callback_query.middleware(SafeCallbackAnswerMiddleware(pre=True))

    dispatcher.include_routers(*get_routers())
    dispatcher.startup.register(register_commands)
    finish_updates_first(dispatcher)
    return dispatcher


# A reply in flight takes well under a second; the whole stop must fit Docker's 10 s grace
# with the reminder engine's own drain after it.
UPDATE_DRAIN_SECONDS = 2.0


class SharedRedisStorage(RedisStorage):
    """aiogram's Redis storage on a client it does not own. Its own `close` closes the
    client's pool as aiogram's first shutdown step, cutting off every command still running
    on it: the reminder engine's drain, the jobs' last writes. The runner closes the client
    once all of those have stopped."""

    async def close(self) -> None:
        pass


def finish_updates_first(dispatcher: Dispatcher) -> None:
    """On a stop, let the updates being handled finish before the rest winds down: aiogram
    closes the bot's session right after the shutdown steps, so an update still replying,
    or waiting out a 429, would fail with a traceback. One still busy after
    UPDATE_DRAIN_SECONDS (a Telegram call that hangs) is cancelled, quietly. aiogram keeps
    those tasks in a private set and offers no public way."""

    async def finish_updates() -> None:
        current = asyncio.current_task()
        pending = {task for task in getattr(dispatcher, "_handle_update_tasks", set()) if task is not current}
        if not pending:
            return
        _, late = await asyncio.wait(pending, timeout=UPDATE_DRAIN_SECONDS)
        if late:
            log.warning("updates cut short by the stop", extra={"ctx_count": len(late)})
            for task in late:
                task.cancel()
            await asyncio.wait(late)

    dispatcher.shutdown.register(finish_updates)
    handlers = dispatcher.shutdown.handlers
    handlers.insert(0, handlers.pop())  # before the reminders and jobs stop


def create_jobs(*, redis: Redis, keys: KeySpace, clock: Clock, services: Services) -> JobRegistry:
    """Every feature's periodic jobs, each run once across the replicas."""
    jobs = JobRegistry(redis, keys, clock)
    services.linking.register_jobs(jobs)
    services.worktime.register_jobs(jobs)
    services.team.register_jobs(jobs)
    return jobs


def create_reminder_engine(
    *,
    settings: Settings,
    redis: Redis,
    bitrix: Bitrix24,
    clock: Clock,
    keys: KeySpace,
    repositories: Repositories,
    sender_bot: Bot,
    pacer: Pacer,
    metrics: Metrics | None = None,
    background: RateLimiter | None = None,
) -> tuple[ReminderEngine, PacedSender]:
    """The engine and its paced sender. `sender_bot` must be a Bot whose session has no
    retry middleware: the sender handles Telegram's 429 itself, for every replica.
    `background`: the background share of the portal's budget, for the heads' digests."""
    targets = create_targets(settings, redis=redis, bitrix=bitrix, clock=clock, keys=keys)

    async def blocked(chat_id: int) -> None:
        await repositories.profiles.set_blocked(chat_id, True)

    sender = PacedSender(sender_bot, pacer, keys, rate=settings.bot.send_rate, on_blocked=blocked)
    directory = UserDirectory(repositories.links, repositories.profiles, settings.bot.default_timezone)
    _, worktime = create_worktime(settings, repositories=repositories, bitrix=bitrix, clock=clock, targets=targets)
    weekly = WeeklySummaries(worktime=worktime, charts=WeekCharts(), sender=sender, profiles=repositories.profiles,
                             links=repositories.links, clock=clock, default_zone=settings.bot.default_timezone)
    team = TeamDigests(team=create_team(settings, redis=redis, keys=keys, repositories=repositories, bitrix=bitrix,
                                        clock=clock, background=background),
                       sender=sender, profiles=repositories.profiles, links=repositories.links, clock=clock,
                       default_zone=settings.bot.default_timezone)
    notifier = TelegramNotifier(sender, repositories.profiles, clock, settings.bot.default_timezone, weekly=weekly,
                                team=team)
    engine = ReminderEngine(
        store=repositories.reminders,
        workday=bitrix.workday,
        directory=directory,
        notifier=notifier,
        clock=clock,
        grace=timedelta(minutes=settings.bot.reminder_grace_minutes),
        metrics=metrics.reminders if metrics is not None else None,
        targets=targets,
        sightings=create_sightings(repositories, targets=targets, clock=clock),
    )
    return engine, sender


# --- The live-card sweep (bot/services/live_cards.py) -------------------------------


def create_live_card_sweep(*, settings: Settings, redis: Redis, bitrix: Bitrix24, clock: Clock, keys: KeySpace,
                           repositories: Repositories, services: Services, sender: PacedSender,
                           budget: RateLimiter) -> LiveCardSweep:
    """Day cards that follow changes made in Bitrix24 itself. `budget` is the background
    share of the portal's rate; `sender` the paced sender the reminders use."""
    editor = TelegramCardEditor(sender, repositories.profiles, clock, settings.bot.default_timezone)
    targets = create_targets(settings, redis=redis, bitrix=bitrix, clock=clock, keys=keys)
    return LiveCardSweep(cards=repositories.live_cards, links=repositories.links, profiles=repositories.profiles,
                         days=repositories.days, api=bitrix.workday, budget=budget, editor=editor,
                         reminders=services.reminders, clock=clock,
                         sightings=create_sightings(repositories, targets=targets, clock=clock), targets=targets)


# -------------------------------------------------------------------------------------


async def register_commands(bot: Bot) -> None:
    for language in CATALOGS:
        t = Translator(language)
        commands = [BotCommand(command=name, description=t(f"cmd.{name}")) for name in COMMANDS]
        await bot.set_my_commands(commands, language_code=None if language == "en" else language)
