"""/desk and the chat's menu button: how the managers' desk (Mini App) is opened from the chat."""

from __future__ import annotations

from domain.roles import Role
from domain.texts import t
from handlers.context import Context
from handlers.desk.session import DESK_ROLES
from handlers.types import Button


def menu_button(role: str | None, language: str, desk_url: str) -> tuple[str, str] | None:
    """(label, URL) of the Mini App menu button for this person; None: the ordinary command menu."""
    if not desk_url or role is None or Role(role) not in DESK_ROLES:
        return None
    return t(language, "desk.menu_button"), desk_url


async def desk(ctx: Context, args: str) -> None:
    """A button that opens the desk; without a configured URL, how to get one."""
    url = ctx.app.config.desk_url
    if not url:
        ctx.say("desk.not_served")
        return
    ctx.reply(ctx.t("desk.open"), buttons=((Button(ctx.t("desk.menu_button"), "", web_app=url),),))
