"""Webhook mode for every transport: one small aiohttp receiver, and set/delete of the webhook.

Telegram POSTs each update as JSON to ``[telegram.webhook] url`` with the
secret token (``ORDERBOT_WEBHOOK_SECRET``) in ``X-Telegram-Bot-Api-Secret-Token``.
A request without the right secret is refused with 401 before its body is read,
so it changes nothing (and its warning is rate-limited: a flood of them must not
flood the log). With the right secret, every request leaves a trace before its
200: a body that is not a readable update (not JSON, nested absurdly deep, ids
that are not 64-bit integers, a text that is a number) is recorded raw by
``unreadable`` instead of being fed on.
An accepted update is handed to ``feed``, which commits it
to the audit log and the inbox; only then does Telegram get its 200 (a failure to
record answers 500, so Telegram sends the update again). Answering happens later,
in the chat's lane (``bot/pipeline.py``), which also keeps a chat's order.

``GET /healthz`` (the process is up) and ``GET /readyz`` (it takes updates: started,
not shutting down) sit beside the webhook path, for a reverse proxy or an orchestrator.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.http_serving import local_url, serve
from bot.transport.updates import ALLOWED_UPDATES, UnreadableUpdate, incoming_from_update, parse_body, \
    readable_update_id

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

Feed = Callable[[dict[str, Any]], Awaitable[Any]]
# (raw body, why it cannot be read, its update_id if that much is readable) → recorded
Unreadable = Callable[[str, str, "int | None"], Awaitable[Any]]


class RefusalLog:
    """One WARNING for the first refused request, then at most one summary per ``every`` seconds."""

    def __init__(self, every: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.every = every
        self._clock = clock
        self._since: float | None = None
        self._unreported = 0

    def refused(self, remote: str | None) -> None:
        now = self._clock()
        if self._since is None:
            log.warning("webhook request from %s without the right secret token refused "
                        "(further refusals are summarised every %.0f s)", remote, self.every)
            self._since = now
            return
        self._unreported += 1
        if now - self._since >= self.every:
            log.warning("%d more webhook requests without the right secret token refused in the last %.0f s "
                        "(latest from %s)", self._unreported, now - self._since, remote)
            self._since, self._unreported = now, 0


class WebhookReceiver:
    def __init__(self, *, listen: str, port: int, path: str, secret: str | None, feed: Feed,
                 unreadable: Unreadable, ready: Callable[[], bool] | None = None,
                 extra_routes: Callable[[web.Application], None] | None = None) -> None:
        self.listen = listen
        self._extra_routes = extra_routes  # the desk (Mini App), served next to the webhook path
        self.path = "/" + path.lstrip("/")
        self._port = port
        self._secret = secret.encode() if secret else None
        self._feed = feed
        self._unreadable = unreadable
        self.refusals = RefusalLog()
        self._ready = ready or (lambda: True)
        self._runner: web.AppRunner | None = None
        if self._secret is None:
            log.warning("webhook without a secret token: anyone who learns the URL can post updates; "
                        "set ORDERBOT_WEBHOOK_SECRET")

    @property
    def port(self) -> int:
        """The bound port (useful with ``port = 0``)."""
        return self._port

    @property
    def local_url(self) -> str:
        return local_url(self.listen, self._port, self.path)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post(self.path, self._receive)
        app.router.add_get("/healthz", self._health)
        app.router.add_get("/readyz", self._readiness)
        if self._extra_routes is not None:
            self._extra_routes(app)
        self._runner, self._port = await serve(app, self.listen, self._port, shutdown_timeout=5.0)
        log.info("webhook receiver listening on %s", self.local_url)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()  # lets an update being processed finish
            self._runner = None

    async def _health(self, _request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def _readiness(self, _request: web.Request) -> web.Response:
        if self._ready():
            return web.Response(text="ready")
        return web.Response(status=503, text="not ready")

    def _authorised(self, request: web.Request) -> bool:
        if self._secret is None:
            return True
        given = request.headers.get(SECRET_HEADER, "").encode()
        return hmac.compare_digest(given, self._secret)

    async def _receive(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            self.refusals.refused(request.remote)
            return web.Response(status=401, text="wrong secret token")
        if not self._ready():
            return web.Response(status=503, text="shutting down")  # Telegram (or the proxy) tries again
        # surrogateescape: bytes that are not UTF-8 are kept (escaped) in the record, not lost.
        body = (await request.read()).decode("utf-8", "surrogateescape")
        try:
            update = parse_body(body)
        except UnreadableUpdate as error:
            return await self._record_unreadable(body, error.reason, None, status=400, text="not a Telegram update")
        try:
            incoming_from_update(update)  # the edge check, before any library sees the update
        except UnreadableUpdate as error:
            # 200: it is recorded, and Telegram would only send it again and again.
            return await self._record_unreadable(body, error.reason, readable_update_id(update))
        try:
            await self._feed(update)
        except Exception:
            log.exception("update %s could not be recorded; answering 500 so it comes again", update.get("update_id"))
            return web.Response(status=500, text="not recorded")
        return web.Response(text="ok")

    async def _record_unreadable(self, body: str, reason: str, update_id: int | None, *, status: int = 200,
                                 text: str = "ok") -> web.Response:
        try:
            await self._unreadable(body, reason, update_id)
        except Exception:
            log.exception("could not record an unreadable webhook update (%s)", reason)
            return web.Response(status=500, text="not recorded; send it again")  # Telegram retries
        return web.Response(status=status, text=text)


class WebhookMode:
    """Receiver plus setWebhook/deleteWebhook on the library's bot (both name them alike)."""

    def __init__(self, settings: dict[str, Any], feed: Feed, unreadable: Unreadable,
                 ready: Callable[[], bool] | None = None) -> None:
        self.url: str = settings.get("url") or ""
        self.secret: str | None = settings.get("secret") or None
        self.receiver = WebhookReceiver(listen=settings.get("listen") or "127.0.0.1", port=int(settings.get("port", 0)),
                                        path=settings.get("path") or "/telegram", secret=self.secret, feed=feed,
                                        unreadable=unreadable, ready=ready,
                                        extra_routes=settings.get("extra_routes"))

    async def start(self, bot: Any) -> None:
        await self.receiver.start()
        # No public URL configured (sandbox): Telegram's side calls the receiver directly.
        url = self.url or self.receiver.local_url
        await bot.set_webhook(url=url, secret_token=self.secret, allowed_updates=list(ALLOWED_UPDATES),
                              drop_pending_updates=False)

    async def stop(self) -> None:
        await self.receiver.stop()
