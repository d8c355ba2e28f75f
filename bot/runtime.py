"""The composition root: builds the one frozen App and runs the bot.

Nothing is built at import time. ``Runtime`` is what ``orderbot run`` starts,
and what the end-to-end tests start too, with their own clock and sandbox.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from bot.clock import SystemClock
from bot.config import Settings, load_audit_signer
from bot.demo import seed_demo_team
from bot.public_holidays import public_holidays
from bot.transport.delivery import BotApi, RecipientBlocked, TransientSendError, deliver
from bot.transport.updates import UnreadableUpdate, incoming_from_update, readable_update_id
from domain.texts import DEFAULT_LANGUAGE
from handlers import audit_trail
from handlers.app import App, AppConfig
from handlers.dispatch import dispatch
from handlers.menus import menu_for
from handlers.reports.checkpoints import startup_check
from handlers.types import Clock
from handlers.working_calendar import LiveCalendar
from schedules.outbox_sender import OutboxSender, RateLimits
from schedules.scheduler import Scheduler
from storage import users as user_store
from storage.db import create_engine, session_factory
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
    _owns_sandbox: bool = field(default=False, init=False)
    _engine: Any = field(default=None, init=False)
    _outbox_kick: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, init=False)

    @property
    def api(self) -> BotApi:
        return self.transport.api

    async def start(self) -> None:
        settings = self.settings
        self._engine = create_engine(settings.database.url, echo=settings.database.echo)
        await upgrade(self._engine)
        sessions = session_factory(self._engine)

        if settings.uses_sandbox:
            from bot.sandbox.server import SANDBOX_TOKEN, SandboxServer

            if self.sandbox is None:
                self.sandbox = SandboxServer(host=settings.sandbox.host, port=settings.sandbox.port)
                await self.sandbox.start()
                self._owns_sandbox = True
            token, api_url, file_url = SANDBOX_TOKEN, self.sandbox.api_url, self.sandbox.file_url
            clock = self.clock or self.sandbox.clock
        else:
            token, api_url, file_url = settings.token, settings.telegram.api_base_url, settings.telegram.api_file_url
            clock = self.clock or SystemClock()
        self.clock = clock

        self.transport = _build_transport(settings, token=token, api_url=api_url, file_url=file_url,
                                          on_update=self._on_update, on_unreadable=self._on_unreadable)
        bot_id, username = await self.transport.prepare()
        calendars = LiveCalendar(settings.rules, public_holidays(settings.rules.working.calendar, clock.now().year))
        async with sessions() as session:
            await calendars.reload(session)
        self.app = App(
            sessions=sessions,
            clock=clock,
            config=AppConfig(policy=settings.rules, admins=settings.telegram.admins,
                             default_language=settings.bot.default_language,
                             invite_valid_hours=settings.bot.invite_valid_hours, files_dir=settings.bot.files_dir,
                             bot_username=username, bot_id=bot_id,
                             audit_signer=load_audit_signer(settings)),
            parser=build_parser(settings),
            files=self.transport.api,
            calendars=calendars,
        )
        if settings.uses_sandbox and settings.sandbox.demo_team:
            async with sessions() as session, session.begin():
                added = await seed_demo_team(session, clock.now())
            if added:
                log.info("sandbox: seeded the demo team (%d people)", added)
            from bot.demo import DEMO_TEAM

            for person in DEMO_TEAM:  # so the sandbox knows their chats before they write
                self.sandbox.register_user(person.telegram_id, person.name, person.handle, "zh-hans")
        await startup_check(self.app)  # the log must still extend the last checkpoint it published
        await self._sync_menus()
        self.outbox = OutboxSender(
            self.app, self.api, transient=(TransientSendError,), blocked=(RecipientBlocked,),
            limits=RateLimits(settings.outbox.per_chat_interval_seconds, settings.outbox.per_bot_per_second),
            max_attempts=settings.outbox.max_attempts,
            backoff_first=min(settings.outbox.backoff_first_seconds, self.first_backoff * 20))
        self._tasks.append(asyncio.create_task(self._outbox_loop(), name="outbox"))
        if settings.scheduler.enabled:
            self.scheduler = Scheduler(self.app, self._engine, sweep_seconds=settings.scheduler.sweep_seconds,
                                       after_sweep=self._after_sweep)
            if await self.scheduler.start():
                await self.scheduler.run_sweep()  # catch up on anything that fell due while the bot was down
        await self.transport.start_receiving()
        log.info("bot @%s running on %s (%s)", username, "the sandbox" if settings.uses_sandbox else api_url,
                 self.transport.name)

    async def _sync_menus(self) -> None:
        assert self.app is not None
        await self.api.set_commands(menu_for(None, self.settings.bot.default_language))
        async with self.app.sessions() as session:
            people = await user_store.all_users(session)
        for person in people:
            if person.active:
                await self.api.set_commands(menu_for(person.role, person.language), chat_id=person.telegram_id)

    async def _on_update(self, raw: dict[str, Any]) -> None:
        assert self.app is not None and self.clock is not None
        try:
            incoming = incoming_from_update(raw, received_at=self.clock.now())
        except UnreadableUpdate as error:
            body = json.dumps(raw, ensure_ascii=False, default=str)
            await self._on_unreadable(body, error.reason, error.update_id or readable_update_id(raw))
            return
        outcome = await dispatch(self.app, incoming)
        await deliver(self.app, self.api, incoming, outcome, first_backoff=self.first_backoff)
        if outcome.replies or outcome.callback_answer is not None:
            self._outbox_kick.set()  # a use case may have queued notifications for others
        for chat_id, role, language in outcome.menus:
            try:
                await self.api.set_commands(menu_for(role, language or DEFAULT_LANGUAGE), chat_id=chat_id)
            except Exception:
                log.warning("could not set the command menu of chat %s", chat_id, exc_info=True)

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

    async def _after_sweep(self, report: object) -> None:
        self.kick_outbox()

    async def _outbox_loop(self) -> None:
        assert self.outbox is not None
        while True:
            try:
                await self.outbox.drain()
            except Exception:
                log.exception("outbox drain failed; trying again shortly")
            try:
                await asyncio.wait_for(self._outbox_kick.wait(), timeout=1.0)
            except asyncio.TimeoutError:
                pass
            self._outbox_kick.clear()

    async def stop(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        if self.transport is not None:
            await self.transport.stop()
        if self._owns_sandbox and self.sandbox is not None:
            await self.sandbox.stop()
        if self._engine is not None:
            await self._engine.dispose()


def _build_transport(settings: Settings, **kwargs: Any) -> Any:
    webhook = None
    if settings.telegram.mode == "webhook":
        hook = settings.telegram.webhook
        webhook = {"url": hook.url, "listen": hook.listen, "port": hook.port, "path": hook.path,
                   "secret": settings.webhook_secret}
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
