"""The desk's HTTP side: a Telegram Mini App served by the bot's own aiohttp server.

``GET {path}`` is a static shell; its small script reads Telegram's ``initData``
(``Telegram.WebApp.initData``, or ``#tgWebAppData`` in the URL, which is where
Telegram puts it too) and sends it with every request as ``Authorization: tma
<initData>``. Each API request checks it again (``domain.desk.init_data``: the
HMAC under the bot token, not older than ``[desk] max_age_seconds``), then the
person's role exactly as a chat command would, and answers an HTML fragment
rendered by Jinja2 with autoescaping. ``initDataUnsafe`` is never read.

Actions (confirm/waive a fine, acknowledge an escalation) need, besides valid
initData, a one-time ticket from ``POST {path}/api/nonce``: the ticket is used
up by the first request carrying it, so a captured request sent again — or sent
twice by a double tap — gets 401 and changes nothing.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import lru_cache
from typing import Any

from aiohttp import web

from bot.desk import render
from bot.http_serving import local_url, serve
from domain.desk.init_data import InitDataError, WebAppSession, check
from domain.texts import normalise_language, t
from handlers.app import App
from handlers.desk import actions, board, detail, find, kpis
from handlers.desk.session import desk_context, desk_user
from storage import desk as desk_store

log = logging.getLogger(__name__)

AUTH_SCHEME = "tma"  # Authorization: tma <initData>, the Mini App convention
HTML = "text/html"
# Only the desk's own script (and Telegram's) runs; fragments are inserted as HTML, never evaluated.
CSP = ("default-src 'self'; script-src 'self' https://telegram.org; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; frame-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@lru_cache(maxsize=1)
def templates() -> Any:
    """The desk's page templates: jinja2 is imported when a page is first rendered, not with the bot."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("bot.desk", "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    return env


class DeskServer:
    """The desk's routes; added to the webhook's application, or served alone at ``listen:port``."""

    def __init__(self, app: App | None, *, bot_token: str, path: str, max_age_seconds: int, listen: str = "127.0.0.1",
                 port: int = 0, telegram_script: bool = True, kick: Callable[[], None] | None = None) -> None:
        self.app = app
        self.path = path
        self.listen = listen
        self._port = port
        self._token = bot_token
        self._max_age = max_age_seconds
        self._telegram_script = telegram_script  # the real Telegram's WebApp script; not in the offline sandbox
        self._kick = kick or (lambda: None)
        self._runner: web.AppRunner | None = None

    # -- serving --------------------------------------------------------------------

    def add_routes(self, application: web.Application) -> None:
        p = self.path
        r = application.router
        r.add_get(p, self._shell)
        r.add_get(p + "/static/{name}", self._static)
        r.add_get(p + "/api/board", self._guarded(self._board))
        r.add_get(p + "/api/kpi", self._guarded(self._kpi))
        r.add_get(p + "/api/find", self._guarded(self._find))
        r.add_get(p + "/api/item/{number}", self._guarded(self._item))
        r.add_get(p + "/api/evidence/{number}", self._guarded(self._evidence))
        r.add_post(p + "/api/nonce", self._guarded(self._nonce))
        r.add_post(p + "/api/act", self._guarded(self._act, hold_session=False))

    @property
    def port(self) -> int:
        return self._port

    @property
    def local_url(self) -> str:
        return local_url(self.listen, self._port, self.path)

    async def start(self) -> None:
        """Serve alone (polling mode, the sandbox)."""
        application = web.Application()
        self.add_routes(application)
        self._runner, self._port = await serve(application, self.listen, self._port, shutdown_timeout=5.0)
        log.info("desk listening on %s", self.local_url)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- who is asking ----------------------------------------------------------------

    def _session_of(self, request: web.Request) -> WebAppSession:
        scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != AUTH_SCHEME:
            raise InitDataError("missing")
        now = int(self.app.clock.now().timestamp())
        return check(raw.strip(), self._token, now=now, max_age_seconds=self._max_age)

    def _guarded(self, handler: Callable[..., Awaitable[web.StreamResponse]], *, hold_session: bool = True) -> Handler:
        """Check initData and the person's role, then run ``handler`` with a Context — inside the
        request's transaction, or (``hold_session`` false: an action, which opens its own) after it."""
        async def guarded(request: web.Request) -> web.StreamResponse:
            if self.app is None:  # listening already, the bot not yet built
                return web.Response(status=503, text="starting")
            try:
                who = self._session_of(request)
            except InitDataError as error:
                language = normalise_language(request.headers.get("Accept-Language"))
                return self._page("error.html", language, status=401,
                                  message=t(language, "desk.error.auth", reason=error.reason))
            async with self.app.sessions() as session, session.begin():
                user = await desk_user(session, who.telegram_id)
                if user is None:
                    language = normalise_language(who.language_code)
                    return self._page("error.html", language, status=403, message=t(language, "desk.error.forbidden"))
                ctx = desk_context(self.app, session, user, self.app.clock.now())
                if hold_session:
                    return await handler(request, ctx, who)
            return await handler(request, ctx, who)  # ctx.user is loaded; ctx.session is not used again
        return guarded

    def _page(self, template: str, language: str, *, status: int = 200, **values: Any) -> web.Response:
        html = templates().get_template(template).render(lang=language, t=lambda key, **kw: t(language, key, **kw),
                                                         **values)
        return web.Response(text=html, content_type=HTML, status=status,
                            headers={"Cache-Control": "no-store", "Content-Security-Policy": CSP,
                                     "X-Content-Type-Options": "nosniff"})

    # -- screens ----------------------------------------------------------------------

    async def _shell(self, request: web.Request) -> web.Response:
        language = normalise_language(request.headers.get("Accept-Language"))
        return self._page("shell.html", language, base=self.path, telegram_script=self._telegram_script)

    async def _static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        body = render.static_file(name)
        if body is None:
            raise web.HTTPNotFound()
        kind = "application/javascript" if name.endswith(".js") else "text/css"
        return web.Response(body=body, content_type=kind, headers={"Cache-Control": "no-cache"})

    async def _board(self, request: web.Request, ctx: Any, who: WebAppSession) -> web.Response:
        found = await board.board(ctx)
        return self._page("board.html", ctx.language, **render.board_values(ctx, found))

    async def _kpi(self, request: web.Request, ctx: Any, who: WebAppSession) -> web.Response:
        period, person = request.query.get("period", "本月")[:40], request.query.get("who", "")[:40]
        answer, trend = await kpis.kpis(ctx, period, person)
        return self._page("kpi.html", ctx.language, **render.kpi_values(ctx, answer, trend, period, person))

    async def _find(self, request: web.Request, ctx: Any, who: WebAppSession) -> web.Response:
        found = await find.find(ctx, request.query.get("q", ""))
        return self._page("find.html", ctx.language, **render.find_values(ctx, found))

    async def _item(self, request: web.Request, ctx: Any, who: WebAppSession) -> web.Response:
        number = request.match_info["number"][:40]
        found = await detail.detail(ctx, number)
        if found is None:
            return self._page("error.html", ctx.language, status=404,
                              message=t(ctx.language, "desk.item.not_found", number=number.upper()))
        return self._page("item.html", ctx.language, item=found, base=self.path)

    async def _evidence(self, request: web.Request, ctx: Any, who: WebAppSession) -> web.Response:
        number = request.match_info["number"][:40].upper()
        document = await detail.evidence_document(ctx, number)
        if document is None:
            return self._page("error.html", ctx.language, status=404,
                              message=t(ctx.language, "desk.item.not_found", number=number))
        html, _verified, _count = document
        return web.Response(text=html, content_type=HTML, headers={
            "Content-Disposition": f'attachment; filename="evidence-{number}.html"', "Cache-Control": "no-store"})

    # -- actions ----------------------------------------------------------------------

    async def _nonce(self, request: web.Request, ctx: Any, who: WebAppSession) -> web.Response:
        nonce = secrets.token_urlsafe(24)
        await desk_store.issue(ctx.session, nonce=nonce, telegram_id=who.telegram_id, now=ctx.now)
        await desk_store.forget_older_than(ctx.session, ctx.now - timedelta(seconds=self._max_age))
        return web.json_response({"nonce": nonce})

    async def _act(self, request: web.Request, ctx: Any, who: WebAppSession) -> web.Response:
        language = ctx.language
        try:
            body = json.loads(await request.text())
            action, target = str(body["action"]), str(body["target"])
            nonce, breach = str(body["nonce"]), str(body.get("breach") or "")
        except (ValueError, KeyError, TypeError):
            return web.json_response({"text": t(language, "desk.error.bad_request")}, status=400)
        if action not in actions.ACTIONS or actions.callback_data(action, target, breach) is None:
            return web.json_response({"text": t(language, "desk.error.bad_request")}, status=400)
        if not actions.allowed(ctx.user.role, action):
            return web.json_response({"text": t(language, "desk.error.not_allowed")}, status=403)
        # The ticket is spent, and committed, before the action runs: at most once, even across a crash.
        async with self.app.sessions() as session, session.begin():
            used = await desk_store.use(session, nonce=nonce[:64], telegram_id=who.telegram_id, now=ctx.now,
                                        max_age=timedelta(seconds=self._max_age))
        if not used:
            return web.json_response({"text": t(language, "desk.error.replayed")}, status=401)
        result = await actions.act(self.app, telegram_id=who.telegram_id, action=action, target=target,
                                   breach=breach, now=ctx.now)
        self._kick()  # the written notice to the fined person waits in the outbox
        assert result is not None
        return web.json_response({"text": result.text})
