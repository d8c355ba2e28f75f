"""Plain text from a registered person: routed by what the message is."""

from __future__ import annotations

from handlers.context import Context


async def handle(ctx: Context) -> None:
    if ctx.incoming.kind == "edited_message":
        return  # kept in the audit log as a new version; nothing to answer yet
    ctx.say("help.footer.sales")
