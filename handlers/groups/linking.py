"""/link and /unlink: tie a group to a store (门店群) or make it the clerks' desk (跟单台).

Both are rows of the routing table (``handlers.routes``), for ``LINKERS``: admins and managers."""

from __future__ import annotations

from domain.roles import Role
from handlers.context import Context
from storage import groups as group_store
from storage import users as user_store
from storage.models import GroupRole

LINKERS = frozenset({Role.ADMIN, Role.MANAGER})


async def link(ctx: Context, args: str) -> None:
    """/link S1 in a store's group; /link desk in the clerks' forum group."""
    incoming = ctx.incoming
    if not incoming.in_group:
        ctx.say("group.link_in_group", bot=ctx.app.config.bot_username)
        return
    target = args.strip()
    if not target:
        ctx.say("group.link_usage", bot=ctx.app.config.bot_username)
        return
    privacy = ctx.t("group.privacy", bot=ctx.app.config.bot_username)
    store = None
    if target.lower() != "desk":
        if (store := await user_store.store_by_code(ctx.session, target.upper())) is None:
            ctx.say("store.unknown", code=target)
            return
    elif not incoming.is_forum:
        ctx.say("group.desk_needs_forum")
        return
    role = GroupRole.STORE if store is not None else GroupRole.DESK
    await group_store.set_link(ctx.session, incoming.chat_id, role=role, store_id=store.id if store else None,
                               title=incoming.chat_title, by=ctx.person.id, now=ctx.now)
    if store is not None:
        ctx.say("group.linked_store", code=store.code, name=store.name, privacy=privacy)
    else:
        ctx.say("group.linked_desk", per=ctx.t(f"group.desk_per.{ctx.app.config.desk_topics}"), privacy=privacy)
    await _record(ctx, role=role, store=store.code if store else None)


async def unlink(ctx: Context, args: str) -> None:
    """/unlink in a linked group: it becomes an ordinary group the bot stays silent in."""
    if not ctx.incoming.in_group:
        ctx.say("group.link_in_group", bot=ctx.app.config.bot_username)
        return
    if await group_store.unlink(ctx.session, ctx.incoming.chat_id):
        await _record(ctx, role=GroupRole.UNLINKED, store=None)
        ctx.say("group.unlinked_done")
    else:
        ctx.say("group.not_linked")


async def _record(ctx: Context, *, role: GroupRole, store: str | None) -> None:
    await ctx.audit(f"group:{ctx.incoming.chat_id}", "group.linked",
                    {"role": role.value, "store": store, "title": ctx.incoming.chat_title}, by=ctx.incoming.user_id)
