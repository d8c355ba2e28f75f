"""Messages and button presses in a group: which ones the bot acts on, and as whom.

A busy store group is mostly people talking to each other. The bot answers only what is
meant for it — a command, a mention of it, a reply to one of its messages, an order or an
after-sales request from a registered sales person of that store — and keeps everything
else in the audit log without a word (the update was recorded before any of this runs).
What it does answer goes into the same topic, as a reply to the message it answers.
Service messages — the bot added, members joining or leaving, the group upgraded to a
supergroup (a new chat id, which every link follows) — are handled here too.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable

from domain.roles import Role
from handlers import routes
from handlers.buttons import DraftAnswer
from handlers.context import Context
from handlers.groups import linking
from handlers.groups.linking import LINKERS
from storage import groups as group_store
from storage import orders as order_store
from storage.models import GroupLink, GroupRole

Route = Callable[[Context], Awaitable[None]]

# Commands that make sense in front of the group; the others show personal lists or customer
# data, so they are for a private chat.
GROUP_COMMANDS = frozenset({"link", "unlink", "help", "order", "case", "step"})


async def route(ctx: Context, then: Route) -> None:
    """Handle one group update; ``then`` is the ordinary routing (commands, buttons, text)."""
    incoming = ctx.incoming
    link = await ctx.session.get(GroupLink, incoming.chat_id)
    ctx.group = link if link is not None and link.role is not GroupRole.UNLINKED else None
    ctx.group_checked = True
    if incoming.event is not None:
        await _on_event(ctx, link)
        return
    if incoming.kind == "callback":
        await _press(ctx, then)
    else:
        await _message(ctx, then)
    _in_thread(ctx)


async def _on_event(ctx: Context, link: GroupLink | None) -> None:
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


async def _press(ctx: Context, then: Route) -> None:
    incoming = ctx.incoming
    if ctx.user is None or ctx.group is None:
        ctx.callback_answer = ctx.t("error.not_allowed")
        return
    if await group_store.has_left(ctx.session, incoming.chat_id, incoming.user_id):
        ctx.callback_answer = ctx.t("group.left")
        return
    draft = DraftAnswer.unpack(incoming.callback_data or "")
    if draft is not None:
        # A draft's confirm card: only the sales person who sent the order confirms it.
        order = await order_store.order_by_id(ctx.session, draft.order_id)
        if order is not None and order.sales_id != ctx.user.id:
            if Role(ctx.user.role) not in routes.CLERKS:
                ctx.callback_answer = ctx.t("group.only_sender")
                return
            # A clerk or manager may press the card for the sender: the draft is handled as the
            # sender's, and who really pressed goes on the record (the inbound entry has it too).
            await ctx.audit(f"draft:{order.id}", "group.pressed_for_sender",
                            {"sender": order.sales_id, "button": incoming.callback_data}, by=incoming.user_id)
            ctx.user = order.sales
    await then(ctx)


async def _message(ctx: Context, then: Route) -> None:
    incoming = ctx.incoming
    command = incoming.command
    name = command[0].lstrip("/") if command else None
    if command is not None and not _for_this_bot(ctx):
        return  # /cmd@another_bot
    addressed = command is not None or _mentions_bot(ctx) or _replies_to_bot(ctx)
    if name in ("link", "unlink"):
        if ctx.user is not None:
            await then(ctx)
        return
    if name == "start" and command is not None and command[1]:
        # Added through the deep link t.me/<bot>?startgroup=S1: Telegram posts "/start S1" here.
        if ctx.user is not None and Role(ctx.user.role) in LINKERS:
            await linking.link(ctx, command[1])
        return
    if ctx.group is None:
        if addressed and await group_store.mark_told(ctx.session, incoming.chat_id, title=incoming.chat_title,
                                                     now=ctx.now):
            ctx.say("group.unlinked")
        return
    if ctx.user is None or await group_store.has_left(ctx.session, incoming.chat_id, incoming.user_id):
        return  # strangers and former members: in the log, not answered
    if not await _belongs(ctx, addressed):
        return
    if command is not None and name not in GROUP_COMMANDS:
        if _may_use(ctx, name):
            ctx.say("group.private_only", command=command[0])
        else:
            await then(ctx)  # unknown, or not for this role: answered so, as in private
        return
    if command is None and _mentions_bot(ctx):
        ctx.incoming = dataclasses.replace(incoming, text=_without_mention(ctx, incoming.text or ""))
    if addressed or await _is_request(ctx):  # a command and a mention are addressed too
        await then(ctx)


def _may_use(ctx: Context, name: str | None) -> bool:
    """Whether the sender's role has that command at all (else 「请私聊我使用」 would send them to a
    private chat that refuses it)."""
    spec = routes.COMMANDS.get(name or "")
    return spec is not None and Role(ctx.person.role) in spec.roles


async def _belongs(ctx: Context, addressed: bool) -> bool:
    """Whether the sender works in this group: a store's own people in its group, clerks and
    managers anywhere linked; someone else gets one sentence when they address the bot."""
    assert ctx.group is not None
    role = Role(ctx.person.role)
    if role in routes.CLERKS or role is Role.ADMIN:
        return True
    if ctx.group.role is GroupRole.STORE and ctx.person.store_id == ctx.group.store_id:
        return True
    if addressed:
        ctx.say("group.not_your_group")
    return False


async def _is_request(ctx: Context) -> bool:
    """An order, an after-sales request or a change of a submitted order sent without addressing
    the bot: it acts on those; anything else is conversation between people."""
    incoming = ctx.incoming
    if incoming.kind == "edited_message":
        order = await order_store.order_by_source_message(ctx.session, incoming.chat_id, incoming.message_id or 0)
        return order is not None
    text = (incoming.text or "").strip()
    if not text:
        return False
    parsed = ctx.app.parser.parse(text, ctx.sent_local)
    if parsed.kind == "order":
        return len(parsed.missing_for_order()) <= 3
    if parsed.kind == "aftersales":
        return True
    return parsed.kind in ("change", "cancel") and bool(parsed.order_ref)


def _for_this_bot(ctx: Context) -> bool:
    head = (ctx.incoming.text or "").split(maxsplit=1)[0] if ctx.incoming.text else ""
    return "@" not in head or head.split("@", 1)[1].lower() == ctx.app.config.bot_username.lower()


def _mentions_bot(ctx: Context) -> bool:
    return ctx.app.config.bot_username.lower() in ctx.incoming.mentions


def _replies_to_bot(ctx: Context) -> bool:
    message = ctx.incoming.raw.get("message") or ctx.incoming.raw.get("edited_message") or {}
    replied = message.get("reply_to_message") if isinstance(message, dict) else None
    if not isinstance(replied, dict) or "forum_topic_created" in replied:
        return False
    sender = replied.get("from")
    return isinstance(sender, dict) and sender.get("id") == ctx.app.config.bot_id


def _without_mention(ctx: Context, text: str) -> str:
    name = re.escape(ctx.app.config.bot_username)
    return re.sub(rf"@{name}\b", "", text, flags=re.IGNORECASE).strip()


def _in_thread(ctx: Context) -> None:
    """Answers go where the question was: same topic, as a reply to the message (or the card
    whose button was pressed)."""
    incoming = ctx.incoming
    ctx.replies[:] = [dataclasses.replace(r, thread_id=r.thread_id or incoming.thread_id,
                                          reply_to_message_id=r.reply_to_message_id or incoming.message_id)
                      if r.chat_id == incoming.chat_id and r.edit_message_id is None else r
                      for r in ctx.replies]
