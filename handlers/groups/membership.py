"""Service messages in a group: the bot added, members joining or leaving, the group
upgraded to a supergroup (a new chat id, which every link follows)."""

from __future__ import annotations

from handlers.context import Context
from storage import groups as group_store
from storage.models import GroupLink, GroupRole


async def on_event(ctx: Context, link: GroupLink | None) -> None:
    incoming = ctx.incoming
    event = incoming.event
    assert event is not None
    chat_id = incoming.chat_id
    if event.kind == "joined":
        for user_id in event.user_ids:
            await group_store.rejoined(ctx.session, chat_id, user_id)
        if ctx.app.config.bot_id in event.user_ids and (link is None or link.role is GroupRole.UNLINKED):
            # Added to a group: say once what the group needs; after that, silence until linked.
            if await group_store.mark_told(ctx.session, chat_id, title=incoming.chat_title, now=ctx.now):
                ctx.say("group.unlinked")
    elif event.kind == "left":
        for user_id in event.user_ids:
            if user_id != ctx.app.config.bot_id:
                # Their messages stay in the log; they just cannot act here any more.
                await group_store.left(ctx.session, chat_id, user_id, ctx.now)
    elif event.kind == "migrated_to" and event.chat_id is not None:
        # Telegram also says so in the new supergroup (migrated_from); acting on one of the
        # two keeps the move from racing itself across the two chats' lanes.
        old, new = chat_id, event.chat_id
        moved = await group_store.move(ctx.session, old, new)
        if moved is not None:
            await ctx.audit(f"group:{new}", "group.migrated", {"from": old, "to": new, "role": moved.role.value},
                            by=incoming.user_id)
