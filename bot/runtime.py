"""The composition root: builds the one frozen App and runs the bot.

Nothing is built at import time. ``Runtime`` is what ``orderbot run`` starts,
and what the end-to-end tests start too, with their own clock and sandbox.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from datetime import timedelta
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.clock import SystemClock
from bot.config import Settings, load_audit_signer
from bot.demo import seed_demo_team
from bot.jobs import ProcessJobs
from bot.loop_watch import LoopWatch
from bot.pipeline import UpdatePipeline
from bot.public_holidays import public_holidays
from bot.transport.delivery import BotApi, RecipientBlocked, TransientSendError
from domain.texts import DEFAULT_LANGUAGE
from handlers import audit_trail
from handlers.app import App, AppConfig, LiveCalendar
from handlers.desk.command import menu_button
from handlers.reports.checkpoints import startup_check
from handlers.routes import menu_for
from handlers.types import Clock, Incoming, Outcome
from schedules.outbox_sender import OutboxSender, RateLimits
from schedules.scheduler import Scheduler
from storage import users as user_store
from storage.audit import last_update_id
from storage.db import connection_room, create_engine, session_factory
from storage.migrate import upgrade

log = logging.getLogger(__name__)


def build_parser(settings: Settings) -> Any:
    from domain.parsing import Parser

    return Parser(extra_words=settings.parser.extra_words)


@dataclass
class Runtime:
    settings: Settings
    clock: Clock | None = None
    sandbox: Any = None  # bot.sandbox.server.SandboxServer when running on the sandbox
    first_backoff: float = 1.0
    app: App | None = field(default=None, init=False)
    transport: Any = field(default=None, init=False)
    outbox: OutboxSender | None = field(default=None, init=False)
    scheduler: Scheduler | None = field(default=None, init=False)
    pipeline: UpdatePipeline | None = field(default=None, init=False)
    jobs: ProcessJobs | None = field(default=None, init=False)
    desk: Any = field(default=None, init=False)  # bot.desk.server.DeskServer when [desk] enabled
    ready: bool = field(default=False, init=False)
    _owns_sandbox: bool = field(default=False, init=False)
    _engine: Any = field(default=None, init=False)
    _outbox_kick: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, init=False)
    _loop_watch: LoopWatch = field(default_factory=LoopWatch, init=False)
    _warm: bool = field(default=False, init=False)

    @property
    def api(self) -> BotApi:
        return self.transport.api

    async def start(self) -> None:
        settings = self.settings
        connections = settings.database_connections
        self._engine = create_engine(settings.database.url.get_secret_value(), echo=settings.database.echo,
                                     connections=connections)
        await upgrade(self._engine)
        await _check_connection_room(self._engine, connections)
        sessions = session_factory(self._engine)

        attached: str | None = None  # the root URL of a sandbox another process runs
        if settings.uses_sandbox and settings.sandbox.attach and self.sandbox is None:
            from bot.sandbox.client import SandboxClient
            from bot.sandbox.clock import SandboxClock
            from bot.sandbox.server import SANDBOX_TOKEN

            host = f"[{settings.sandbox.host}]" if ":" in settings.sandbox.host else settings.sandbox.host
            attached = f"http://{host}:{settings.sandbox.port}"
            token, api_url, file_url = SANDBOX_TOKEN, attached + "/bot", attached + "/file/bot"
            client = SandboxClient(attached)
            try:
                offset = (await client.clock())["offset_seconds"]
            finally:
                await client.close()
            clock = self.clock or SandboxClock(timedelta(seconds=offset))
        elif settings.uses_sandbox:
            from bot.sandbox.server import SANDBOX_TOKEN, SandboxServer

            if self.sandbox is None:
                self.sandbox = SandboxServer(host=settings.sandbox.host, port=settings.sandbox.port)
                async with sessions() as session:  # a restart on the old data: go on numbering updates
                    self.sandbox.state.continue_after(await last_update_id(session))
                await self.sandbox.start()
                self._owns_sandbox = True
            token, api_url, file_url = SANDBOX_TOKEN, self.sandbox.api_url, self.sandbox.file_url
            clock = self.clock or self.sandbox.clock
        else:
            assert settings.token is not None  # no token means the sandbox (uses_sandbox)
            token = settings.token.get_secret_value()
            api_url, file_url = settings.telegram.api_base_url, settings.telegram.api_file_url
            clock = self.clock or SystemClock()
        self.clock = clock

        self.transport = _build_transport(settings, token=token, api_url=api_url, file_url=file_url,
                                          accept=self._accept, unreadable=self._on_unreadable,
                                          ready=lambda: self.ready, desk_routes=self._desk_routes)
        bot_id, username = await self.transport.prepare()
        calendars = LiveCalendar(settings.rules, public_holidays(settings.rules.working.calendar, clock.now().year))
        async with sessions() as session:
            await calendars.reload(session)
        self.jobs = ProcessJobs(settings.database.url.get_secret_value(), on_done=self.kick_outbox)
        desk_url = await self._start_desk(token, clock) if settings.desk.enabled else ""
        self.app = App(
            sessions=sessions,
            clock=clock,
            config=AppConfig(policy=settings.rules, admins=settings.telegram.admins,
                             default_language=settings.bot.default_language,
                             invite_valid_hours=settings.bot.invite_valid_hours, files_dir=settings.bot.files_dir,
                             bot_username=username, bot_id=bot_id,
                             audit_signer=load_audit_signer(settings), desk_url=desk_url,
                             desk_topics=settings.groups.desk_topics, clerk_notices=settings.groups.clerk_notices),
            parser=build_parser(settings),
            files=self.transport.api,
            calendars=calendars,
            jobs=self.jobs,
        )
        self.jobs.bind(self.app)
        if self.desk is not None:
            self.desk.app = self.app
        if settings.uses_sandbox and settings.sandbox.demo_team:
            added = await _seed_demo_team(sessions, clock.now())
            if added:
                log.info("sandbox: seeded the demo team (%d people)", added)
            from bot.demo import DEMO_TEAM

            await _open_demo_chats(self.sandbox, attached, DEMO_TEAM, groups=settings.sandbox.demo_groups)
        await startup_check(self.app)  # the log must still extend the last checkpoint it published
        await self._sync_menus()
        self.outbox = OutboxSender(
            self.app, self.api, transient=(TransientSendError,), blocked=(RecipientBlocked,),
            limits=RateLimits(settings.outbox.per_chat_interval_seconds, settings.outbox.per_bot_per_second,
                              settings.groups.per_group_per_minute),
            max_attempts=settings.outbox.max_attempts, lease=timedelta(seconds=settings.outbox.lease_seconds),
            backoff_first=min(settings.outbox.backoff_first_seconds, self.first_backoff * 20))
        self._tasks.append(asyncio.create_task(self._outbox_loop(), name="outbox"))
        self.pipeline = UpdatePipeline(self.app, self.api, self._engine, after_answer=self._after_answer,
                                       on_unreadable=self._on_unreadable,
                                       max_lanes=settings.concurrent_chats, first_backoff=self.first_backoff)
        await self.pipeline.recover()  # answer what a crash left recorded but unanswered
        self._tasks.append(asyncio.create_task(self._recovery_loop(), name="inbox-recovery"))
        if settings.scheduler.enabled:
            self.scheduler = Scheduler(self.app, self._engine, sweep_seconds=settings.scheduler.sweep_seconds,
                                       after_sweep=self._after_sweep)
            if await self.scheduler.start():
                await self.scheduler.run_sweep()  # catch up on anything that fell due while the bot was down
        # What start-up built lives as long as the process: out of the collector's sight, a full
        # collection no longer walks it (those took 30-120 ms on the loop, every chat waiting).
        gc.collect()
        gc.freeze()
        # Watched from here on: that deliberate collection is not a stall for the log to warn of.
        self._loop_watch.start()
        await self.transport.start_receiving()
        self.ready = True
        log.info("bot @%s running on %s (%s)", username, "the sandbox" if settings.uses_sandbox else api_url,
                 self.transport.name)

    async def _start_desk(self, token: str, clock: Clock) -> str:
        """The desk's server (alone in polling mode; in webhook mode its routes join the webhook's),
        and the URL its buttons open: ``[desk] public_url``, or in the sandbox the local one."""
        from bot.desk.server import DeskServer

        desk = self.settings.desk
        self.desk = DeskServer(None, bot_token=token, path=desk.path, max_age_seconds=desk.max_age_seconds,  # type: ignore[arg-type]
                               listen=desk.listen, port=desk.port, telegram_script=not self.settings.uses_sandbox,
                               kick=self.kick_outbox)
        if self.settings.telegram.mode != "webhook":
            try:
                await self.desk.start()
            except OSError as error:  # a busy port costs the desk, not the bot
                log.warning("desk not served: cannot listen on %s:%s (%s)", desk.listen, desk.port, error)
                self.desk = None
                return desk.public_url
        if desk.public_url:
            return desk.public_url
        if self.settings.uses_sandbox and self.settings.telegram.mode != "webhook":
            return self.desk.local_url
        return ""

    def _desk_routes(self, application: Any) -> None:
        if self.desk is not None:
            self.desk.add_routes(application)

    async def _sync_menus(self) -> None:
        assert self.app is not None
        await self.api.set_commands(menu_for(None, self.settings.bot.default_language))
        async with self.app.sessions() as session:
            people = await user_store.all_users(session)
        for person in people:
            if person.active:
                await self.api.set_commands(menu_for(person.role, person.language), chat_id=person.telegram_id)
                await self._set_menu_button(person.telegram_id, person.role, person.language)

    async def _set_menu_button(self, chat_id: int, role: str | None, language: str) -> None:
        """The Mini App behind the menu button for desk roles; the command list for everyone else."""
        assert self.app is not None
        if not self.app.config.desk_url:
            return
        button = menu_button(role, language, self.app.config.desk_url)
        try:
            await self.api.set_menu_button(chat_id, *(button or (None, None)))
        except Exception:
            log.warning("could not set the menu button of chat %s", chat_id, exc_info=True)

    async def _accept(self, raw: dict[str, Any]) -> None:
        assert self.pipeline is not None
        await self.pipeline.accept(raw)

    async def _after_answer(self, incoming: Incoming, outcome: Outcome) -> None:
        if not self._warm:
            # The first message built the parser's dictionary (jieba's, ~12 MB): kept for good too.
            self._warm = True
            gc.freeze()
        if outcome.notified:
            self._outbox_kick.set()  # the use case queued notifications for others: send them now
        for chat_id, role, language in outcome.menus:
            try:
                await self.api.set_commands(menu_for(role, language or DEFAULT_LANGUAGE), chat_id=chat_id)
            except Exception:
                log.warning("could not set the command menu of chat %s", chat_id, exc_info=True)
            await self._set_menu_button(chat_id, role, language or DEFAULT_LANGUAGE)

    async def _on_unreadable(self, body: str, reason: str, update_id: int | None) -> None:
        """Keep an update nobody can read as evidence (raw); the sender cannot be answered reliably."""
        assert self.app is not None and self.clock is not None
        entry_id = await audit_trail.record_unreadable(self.app, body=body, reason=reason, update_id=update_id,
                                                       received_at=self.clock.now())
        if entry_id is not None:
            log.warning("update %s is not a readable Bot API update (%s); kept as audit entry %s",
                        update_id, reason, entry_id)

    def kick_outbox(self) -> None:
        """Deliver queued notifications now rather than at the next second's poll."""
        self._outbox_kick.set()

    async def _recovery_loop(self) -> None:
        """Pick up updates another instance recorded and then died before answering."""
        assert self.pipeline is not None
        while True:
            await asyncio.sleep(self.settings.updates.inbox_recovery_seconds)
            try:
                await self.pipeline.recover(older_than=timedelta(seconds=self.settings.updates.inbox_recovery_seconds))
            except Exception:
                log.exception("inbox recovery failed; trying again shortly")

    async def _after_sweep(self, report: object) -> None:
        self.kick_outbox()

    async def _outbox_loop(self) -> None:
        assert self.outbox is not None
        while True:
            try:
                await self.outbox.drain()
            except Exception:
                log.exception("outbox drain failed; trying again shortly")
            # asyncio.wait, not wait_for: on Python 3.11 wait_for swallows a cancellation that
            # arrives just as the kick is set, and the loop would then outlive stop().
            kicked = asyncio.ensure_future(self._outbox_kick.wait())
            try:
                await asyncio.wait({kicked}, timeout=1.0)
            finally:
                kicked.cancel()
            self._outbox_kick.clear()

    async def stop(self) -> None:
        """Graceful: stop taking updates, let the lanes finish what was taken, then the rest."""
        self.ready = False
        log.info("shutdown: no new updates taken")
        if self.transport is not None:
            await self.transport.stop_receiving()
        if self.pipeline is not None:
            log.info("shutdown: finishing %d chat(s) being answered", self.pipeline.busy_lanes)
            if not await self.pipeline.drain(timeout=self.settings.updates.shutdown_grace_seconds):
                log.warning("shutdown: some chats were still being answered; the inbox keeps their updates")
        if self.scheduler is not None:
            await self.scheduler.stop()
        if self.jobs is not None:
            await self.jobs.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        await self._loop_watch.stop()
        log.info("shutdown: background tasks stopped")
        if self.transport is not None:
            await self.transport.stop()
        log.info("shutdown: transport closed")
        if self.desk is not None:
            await self.desk.stop()
        if self._owns_sandbox and self.sandbox is not None:
            await self.sandbox.stop()
        if self._engine is not None:
            await self._engine.dispose()
        log.info("shutdown: done")


async def _seed_demo_team(sessions: Any, now: Any) -> int:
    """Seed once, also when several instances start at the same moment on one database."""
    for attempt in range(3):
        try:
            async with sessions() as session, session.begin():
                return await seed_demo_team(session, now)
        except IntegrityError:  # another instance seeded the same rows first: look again
            if attempt == 2:
                raise
    return 0


async def _open_demo_chats(sandbox: Any, attached: str | None, team: Any, *, groups: bool = True) -> None:
    """So the sandbox knows the demo people's chats (and the demo groups) before they write."""
    from bot.demo import BY_HANDLE, DEMO_GROUPS
    from bot.sandbox.client import SandboxClient, SandboxError

    client = SandboxClient(attached or sandbox.root_url)
    try:
        for person in team:
            await client.register_user(person.telegram_id, person.name, username=person.handle,
                                       language_code="zh-hans")
        for group in DEMO_GROUPS if groups else ():
            admin = BY_HANDLE[group.members[0]].telegram_id
            try:
                await client.create_group(admin, group.title, chat_id=group.chat_id, forum=group.forum,
                                          members=[BY_HANDLE[m].telegram_id for m in group.members[1:]],
                                          handle=group.handle)
            except SandboxError:
                continue  # an attached sandbox that has it already
            await client.add_member(group.chat_id, by=admin, admin=True)
    finally:
        await client.close()


def _build_transport(settings: Settings, desk_routes: Any = None, **kwargs: Any) -> Any:
    webhook = None
    if settings.telegram.mode == "webhook":
        hook = settings.telegram.webhook
        webhook = {"url": hook.url, "listen": hook.listen, "port": hook.port, "path": hook.path,
                   "secret": settings.webhook_secret.get_secret_value() if settings.webhook_secret else None,
                   "extra_routes": desk_routes}
    if settings.telegram.framework == "aiogram":
        from bot.transport.aiogram_adapter import AiogramTransport

        return AiogramTransport(webhook=webhook, **kwargs)
    from bot.transport.ptb import PtbTransport

    return PtbTransport(webhook=webhook, **kwargs)


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    """Run until ``stop`` is set (Ctrl-C / SIGTERM in ``orderbot run``)."""
    runtime = Runtime(settings)
    await runtime.start()
    try:
        await stop.wait()
    finally:
        await runtime.stop()


async def _check_connection_room(engine: Any, connections: int) -> None:
    """Say at start whether PostgreSQL leaves room for this instance's pool: a connection refused
    under load is an update answered 500 and a chat waiting for the inbox's recovery."""
    room = await connection_room(engine)
    if room is None:
        return
    if room.open + connections > room.limit:
        log.warning("PostgreSQL allows %d connections and %d are open, but this instance may need up to %d "
                    "([updates] concurrent_chats + 8): lower concurrent_chats or raise max_connections",
                    room.limit, room.open, connections)
    else:
        log.info("PostgreSQL allows %d connections; this instance may open up to %d, so %d such instances fit",
                 room.limit, connections, room.limit // connections)
