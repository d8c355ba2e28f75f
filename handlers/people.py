"""Registration and the commands everyone has: /start, /whoami, /lang, /invite, /stores, /users
(/help is derived from the routing table, ``handlers.routes``)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from domain.roles import STORE_ROLES, Role, parse_role
from domain.texts import LANGUAGES, normalise_language
from handlers.context import Context
from storage import users as user_store


async def stranger(ctx: Context) -> None:
    """Anyone not registered: only ``/start CODE`` does something; nothing else is revealed."""
    command_ = ctx.incoming.command
    if command_ is not None and command_[0] == "/start" and command_[1]:
        await _register(ctx, command_[1])
        return
    if ctx.incoming.kind == "callback":
        ctx.callback_answer = ctx.t("onboarding.short")
        return
    ctx.say("onboarding.stranger")


async def _register(ctx: Context, code: str) -> None:
    invite = await user_store.invite_for_update(ctx.session, code.strip())
    if invite is None:
        ctx.say("invite.unknown")
        return
    if invite.used_by is not None:
        ctx.say("invite.used")
        return
    if invite.expires_at <= ctx.now:
        ctx.say("invite.expired")
        return
    incoming = ctx.incoming
    user = await user_store.add_user(
        ctx.session, telegram_id=incoming.user_id, name=incoming.first_name or str(incoming.user_id),
        username=incoming.username, role=invite.role, store_id=invite.store_id, now=ctx.now,
        language=normalise_language(incoming.language_code),
    )
    invite.used_by, invite.used_at = user.id, ctx.now
    await ctx.session.flush()
    await ctx.audit(f"user:{user.id}", "user.registered",
                    {"role": invite.role, "store_id": invite.store_id, "invite": invite.code}, by=incoming.user_id)
    ctx.user = user
    await ctx.session.refresh(user, ["store"])
    ctx.refresh_menu()
    ctx.say("start.registered", name=user.name, role=ctx.t(f"role.{user.role}"), store=_store_label(ctx))


def _store_label(ctx: Context) -> str:
    store = ctx.user.store if ctx.user else None
    return f"{store.name} ({store.code})" if store else ctx.t("whoami.no_store")


async def start(ctx: Context, args: str) -> None:
    ctx.say("start.already", name=ctx.person.name, role=ctx.t(f"role.{ctx.person.role}"))


async def whoami(ctx: Context, args: str) -> None:
    ctx.say("whoami", name=ctx.person.name, role=ctx.t(f"role.{ctx.person.role}"), store=_store_label(ctx),
            language=ctx.person.language, telegram_id=ctx.person.telegram_id)


async def lang(ctx: Context, args: str) -> None:
    wanted = {code.lower(): code for code in LANGUAGES}.get(args.strip().lower())
    if wanted is None:
        ctx.say("lang.usage", current=ctx.person.language, allowed=" | ".join(LANGUAGES))
        return
    ctx.person.language = wanted
    await ctx.audit(f"user:{ctx.person.id}", "user.language", {"language": wanted})
    ctx.refresh_menu()
    ctx.say("lang.set")


async def invite(ctx: Context, args: str) -> None:
    parts = args.split()
    role = parse_role(parts[0]) if parts else None
    if role is None:
        ctx.say("invite.usage", roles=", ".join(r.value for r in Role))
        return
    store = None
    if role in STORE_ROLES:
        if len(parts) < 2:
            ctx.say("invite.needs_store", role=ctx.t(f"role.{role}"))
            return
        store = await user_store.store_by_code(ctx.session, parts[1])
        if store is None:
            ctx.say("store.unknown", code=parts[1])
            return
    code = secrets.token_urlsafe(9)
    expires = ctx.now + timedelta(hours=ctx.app.config.invite_valid_hours)
    await user_store.add_invite(ctx.session, code=code, role=role, store_id=store.id if store else None,
                                created_by=ctx.person.id, now=ctx.now, expires_at=expires)
    await ctx.audit(f"invite:{code}", "invite.created", {"role": role.value, "store": store.code if store else None})
    link = f"https://t.me/{ctx.app.config.bot_username}?start={code}"
    ctx.say("invite.created", role=ctx.t(f"role.{role}"), store=store.name if store else "—", code=code,
            link=link, hours=ctx.app.config.invite_valid_hours)


async def stores(ctx: Context, args: str) -> None:
    """List stores, or add one: ``/stores add S3 天河店``."""
    parts = args.split(maxsplit=2)
    if parts and parts[0].lower() == "add":
        if len(parts) < 3:
            ctx.say("store.usage")
            return
        code, name = parts[1].upper(), parts[2].strip()
        if await user_store.store_by_code(ctx.session, code) is not None:
            ctx.say("store.exists", code=code)
            return
        await user_store.add_store(ctx.session, code=code, name=name, now=ctx.now)
        await ctx.audit(f"store:{code}", "store.created", {"name": name})
        ctx.say("store.created", code=code, name=name)
        return
    rows = await user_store.all_stores(ctx.session)
    if not rows:
        ctx.say("store.none")
        return
    ctx.reply("\n".join([ctx.t("store.list_header")] + [f"{s.code} — {s.name}" for s in rows]))


async def users(ctx: Context, args: str) -> None:
    rows = await user_store.all_users(ctx.session)
    lines = [ctx.t("users.header", count=len(rows))]
    for u in rows:
        store = u.store.code if u.store else "—"
        state = "" if u.active else ctx.t("users.inactive")
        lines.append(f"{u.telegram_id} · {u.name} · {ctx.t(f'role.{u.role}')} · {store}{state}")
    ctx.reply("\n".join(lines))
