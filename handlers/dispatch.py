"""One incoming update, few hops.

1. the update is written, untouched, to the audit log and committed — before
   anything else, and only once per Telegram ``update_id``;
2. the sender is identified; strangers get the onboarding answer and nothing else;
3. the command, button or text is routed to its use case by the table in
   ``handlers.routes``; the use case changes state in one transaction and returns replies.

Whatever goes wrong after step 1, the message stays in the audit log and the
sender gets a clear answer instead of silence.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.roles import Role
from domain.texts import normalise_language, t
from handlers import audit_trail, conversation, people, routes
from handlers.app import App
from handlers.buttons import prefix_of
from handlers.context import Context
from handlers.groups import routing as group_routing
from handlers.types import Incoming, Outcome, Reply, outcome_to_json
from storage import inbox, outbox
from storage import users as user_store
from storage.models import User

log = logging.getLogger(__name__)


async def dispatch(app: App, incoming: Incoming) -> Outcome:
    """Record and apply one update in the caller's task (use-case tests; the bot uses the inbox)."""
    [evidence_id] = await record(app, [incoming])
    if evidence_id is None:
        return Outcome(duplicate=True)

    async def given(_session: AsyncSession) -> tuple[Incoming, int]:
        return incoming, evidence_id

    applied = await apply_found(app, given)
    assert applied is not None  # ``given`` always finds it
    return applied[1]


async def record(app: App, incomings: Sequence[Incoming], *, queue: bool = False) -> list[int | None]:
    """Step 1: commit updates as evidence (and, with ``queue``, into the inbox) in one transaction;
    None for each redelivery."""
    evidence_ids = await audit_trail.record_inbound(app, incomings, app.clock.now(), queue=queue)
    for incoming, evidence_id in zip(incomings, evidence_ids, strict=True):
        if evidence_id is None:
            log.info("update %s was already recorded; not applied again", incoming.update_id)
    return evidence_ids


FindUpdate = Callable[[AsyncSession], Awaitable[tuple[Incoming, int] | None]]


async def apply_found(app: App, find: FindUpdate, *, queued: bool = False) -> tuple[Incoming, Outcome, int] | None:
    """Steps 2–3 for the recorded update ``find`` picks — as the first thing in the use case's own
    transaction, which saves the pipeline a transaction per update to look up a chat's next one in
    the inbox. With ``queued`` the inbox row is marked applied, with the replies still to send, in
    the same transaction as the use case's changes. None when ``find`` found nothing to apply; what
    it raises is raised."""
    received_at = app.clock.now()
    language = app.config.default_language
    found: tuple[Incoming, int] | None = None
    try:
        async with app.sessions() as session, session.begin():
            found = await find(session)
            if found is None:
                return None
            incoming, evidence_id = found
            user = await _identify(app, session, incoming, received_at)
            if user is not None:
                language = user.language
            ctx = Context(app, session, incoming, received_at, user, evidence_id)
            await _route(ctx)
            outcome = Outcome(tuple(ctx.replies), ctx.callback_answer, menus=tuple(ctx.menus),
                              jobs=tuple(ctx.jobs), notified=outbox.queued_in(session))
            if queued:
                await inbox.mark_applied(session, evidence_id, outcome_to_json(outcome))
            return incoming, outcome, evidence_id
    except Exception as error:
        if found is None:
            raise  # the update could not even be looked up: it waits where it is
        incoming, evidence_id = found
        if isinstance(error, DomainError):
            # The use case refused: nothing it did is kept, the sender learns why.
            outcome = _answer(incoming, t(language, f"error.{error.code}", **error.params))
        else:
            log.exception("update %s failed; the message is kept as audit entry %s", incoming.update_id, evidence_id)
            outcome = _answer(incoming, t(language, "error.internal", ref=evidence_id))
    if queued:
        async with app.sessions() as session, session.begin():
            await inbox.mark_applied(session, evidence_id, outcome_to_json(outcome))
    return incoming, outcome, evidence_id


def _answer(incoming: Incoming, text: str) -> Outcome:
    reply = Reply(incoming.chat_id, text, thread_id=incoming.thread_id,
                  reply_to_message_id=incoming.message_id if incoming.in_group else None)
    return Outcome((reply,), callback_answer=text[:180] if incoming.kind == "callback" else None)


async def _identify(app: App, session: AsyncSession, incoming: Incoming, now: datetime) -> User | None:
    user = await user_store.user_by_telegram_id(session, incoming.user_id)
    if user is None and incoming.user_id in app.config.admins:
        # The first admins come from config: they need no invitation.
        user = await user_store.add_user(
            session, telegram_id=incoming.user_id, name=incoming.first_name or str(incoming.user_id),
            username=incoming.username, role=Role.ADMIN, now=now,
            language=normalise_language(incoming.language_code),
        )
        await audit_trail.state_change(session, now, entity=f"user:{user.id}", actor_id=incoming.user_id,
                                       event="user.registered", data={"role": user.role, "via": "config.admins"})
    if user is not None and not user.active:
        return None
    return user


async def _route(ctx: Context) -> None:
    incoming = ctx.incoming
    if incoming.event is not None and not incoming.in_group:
        return  # a service update in a private chat (the user blocked the bot): recorded, nothing to say
    if incoming.in_group and not ctx.group_checked:
        await group_routing.route(ctx, _route)  # decides what in a group is meant for the bot
        return
    if ctx.user is None:
        await people.stranger(ctx)
        if ctx.user is not None:  # just registered: what they can do now
            ctx.reply(routes.help_text(ctx))
        return
    role = Role(ctx.person.role)
    if incoming.kind == "callback":
        data = incoming.callback_data or ""
        route = routes.BUTTONS.get(prefix_of(data))
        if route is not None and role not in route.roles:
            ctx.callback_answer = ctx.t("error.not_allowed")
            return
        unpacked = route.kind.unpack(data) if route is not None else None
        if route is None or unpacked is None:  # unknown, forged, or a button of an older shape
            ctx.callback_answer = ctx.t("button.expired")
            return
        await route.handler(ctx, unpacked)
        ctx.callback_answer = ctx.callback_answer or ""
        return
    command = incoming.command
    if command is not None:
        name, args = command
        spec = routes.COMMANDS.get(name.lstrip("/"))
        if spec is None:
            ctx.say("command.unknown", command=name)
        elif role not in spec.roles:
            ctx.say("error.command_not_for_role", command=name)
        else:
            await spec.handler(ctx, args)
        return
    await conversation.handle(ctx, routes.ANSWERS)
