"""Operator sub-commands: run, db upgrade, audit verify, users add, chat."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import Any

from bot import audit_cli
from bot.config import ConfigError, Settings, load_settings
from bot.database import run_on_database


def _settings(args: argparse.Namespace) -> Settings:
    try:
        return load_settings(getattr(args, "config", None))
    except ConfigError as error:
        print(f"orderbot: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="PATH", help="config file (default: $ORDERBOT_CONFIG or ./config.toml)")


def register(subparsers: Any) -> None:
    run = subparsers.add_parser("run", help="run the bot (sandbox without ORDERBOT_TOKEN, Telegram with it)")
    _add_config(run)
    run.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    run.set_defaults(func=_run)

    db = subparsers.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_sub.add_parser("upgrade", help="apply the Alembic migrations (also done at start-up)")
    _add_config(upgrade)
    upgrade.set_defaults(func=_db_upgrade)

    audit = subparsers.add_parser("audit", help="the evidence log")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit_sub.add_parser("verify", help="recompute the hash chain; exit 1 naming the first broken entry")
    _add_config(verify)
    verify.add_argument("--entity", metavar="NUMBER",
                        help="also list and check every entry of one order, case or fine (DD…, SH…, FK…)")
    audit_cli.add_verify_options(verify)
    verify.set_defaults(func=_audit_verify)
    audit_cli.register(audit_sub, _add_config)

    users = subparsers.add_parser("users", help="registered people")
    users_sub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = users_sub.add_parser("add", help="register a person directly (the first admin, typically)")
    _add_config(add)
    add.add_argument("telegram_id", type=int)
    add.add_argument("name")
    add.add_argument("--role", default="admin", help="sales | clerk | store_manager | manager | admin")
    add.add_argument("--store", help="store code, required for sales and store_manager")
    add.set_defaults(func=_users_add)
    listing = users_sub.add_parser("list", help="list registered people")
    _add_config(listing)
    listing.set_defaults(func=_users_list)

    chat = subparsers.add_parser("chat", help="talk to the running sandbox bot as a person")
    _add_config(chat)
    chat.add_argument("--as", dest="as_", default="sales1", metavar="NAME",
                      help="demo handle (admin, manager, clerk, sales1, storemanager1, sales2, storemanager2), "
                           "a Telegram id, or any other name (a stranger)")
    chat.add_argument("--group", default=None, metavar="GROUP",
                      help="talk in a sandbox group instead of the private chat: S1-group, S2-group, desk "
                           "(the demo's), or any group's title or chat id")
    chat.set_defaults(func=_chat)


def _run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "aiohttp.access", "apscheduler.executors.default", "apscheduler.scheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from bot.runtime import serve

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        if not settings.audit_signing_key_file:
            print("orderbot: ORDERBOT_AUDIT_SIGNING_KEY_FILE is not set — audit checkpoints are NOT signed "
                  "(make a key: orderbot audit keygen --out FILE)", flush=True)
        if settings.uses_sandbox:
            print(f"orderbot: no ORDERBOT_TOKEN — running on the local sandbox at "
                  f"http://{settings.sandbox.host}:{settings.sandbox.port}. "
                  f"Talk to it from another terminal: orderbot chat --as sales1", flush=True)
        await serve(settings, stop)

    asyncio.run(main())
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from storage.migrate import current_revision, upgrade

    async def work(engine):  # type: ignore[no-untyped-def]
        await upgrade(engine)
        return await current_revision(engine)

    print(f"database at revision {run_on_database(settings, work)}")
    return 0


def _audit_verify(args: argparse.Namespace) -> int:
    if getattr(args, "checkpoint", None):
        return audit_cli.verify_checkpoint(args)
    settings = _settings(args)
    from storage.audit import GENESIS, entries_for_entity, entry_digest, verify_chain
    from storage.db import session_factory
    from storage.reports import evidence

    entity = (getattr(args, "entity", None) or "").strip().upper() or None

    async def work(engine):  # type: ignore[no-untyped-def]
        async with session_factory(engine)() as session:
            report = await verify_chain(session)
            if entity is None:
                return report, None
            # The entity's whole story (for DD…/SH…: with the messages it rests on, every version).
            found = await evidence(session, entity)
            entries = found.entries if found is not None else await entries_for_entity(session, entity)
            return report, [(e.seq, e.kind, e.recorded_at, e.text, e.prev_hash, e.hash, entry_digest(e))
                            for e in entries]

    report, entries = run_on_database(settings, work)
    if report.ok:
        print(f"audit chain OK: {report.checked} entries verified")
    else:
        print(f"audit chain BROKEN after {report.checked} good entries: {report.problem.describe()}")
    tree_lines, tree_ok = audit_cli.tree_status(settings)
    print("\n".join(tree_lines))
    if entries is None:
        return 0 if report.ok and tree_ok else 1
    if not entries:
        print(f"no audit entries for {entity}")
        return 1
    altered = 0
    print(f"{entity}: {len(entries)} entries")
    for seq, kind, recorded_at, text, prev_hash, stored, computed in entries:
        # In the verified chain every entry up to ``checked`` is unaltered and linked.
        fine = stored == computed and (report.ok or seq <= report.checked)
        altered += not fine
        summary = (text or "").replace("\n", " ")[:50]
        print(f"  {'OK ' if fine else 'BAD'} seq {seq:<8} {recorded_at.isoformat(timespec='seconds')} {kind:<13} "
              f"prev {prev_hash[:16]}… hash {stored}  {summary}")
    if report.ok and not altered:
        print(f"{entity}: every entry is in the chain, unaltered (chain from {GENESIS[:8]}… verified)")
        return 0
    print(f"{entity}: {altered} entries NOT verified")
    return 1


def _users_add(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from domain.roles import STORE_ROLES, parse_role
    from storage import audit, users
    from storage.db import session_factory
    from storage.migrate import upgrade
    from bot.clock import SystemClock

    role = parse_role(args.role)
    if role is None:
        print(f"orderbot: unknown role {args.role!r}; use sales, clerk, store_manager, manager or admin",
              file=sys.stderr)
        return 2
    if role in STORE_ROLES and not args.store:
        print(f"orderbot: a {role.value} belongs to a store: add --store CODE", file=sys.stderr)
        return 2

    async def work(engine) -> int:  # type: ignore[no-untyped-def]
        now = SystemClock().now()
        await upgrade(engine)
        async with session_factory(engine)() as session, session.begin():
            if await users.user_by_telegram_id(session, args.telegram_id):
                print(f"orderbot: Telegram id {args.telegram_id} is registered already", file=sys.stderr)
                return 1
            store_id = None
            if args.store:
                store = await users.store_by_code(session, args.store)
                if store is None:
                    print(f"orderbot: no store {args.store!r}; create it in chat: /stores add CODE NAME",
                          file=sys.stderr)
                    return 1
                store_id = store.id
            user = await users.add_user(session, telegram_id=args.telegram_id, name=args.name, role=role,
                                        store_id=store_id, now=now)
            await audit.append(session, kind=audit.Kind.STATE_CHANGE, recorded_at=now, entity=f"user:{user.id}",
                               text="user.registered", payload={"event": "user.registered", "role": role.value,
                                                               "via": "cli"})
        print(f"registered {args.name} ({role.value}), Telegram id {args.telegram_id}")
        return 0

    return run_on_database(settings, work)


def _users_list(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from storage import users
    from storage.db import session_factory

    async def work(engine) -> None:  # type: ignore[no-untyped-def]
        async with session_factory(engine)() as session:
            for user in await users.all_users(session):
                store = user.store.code if user.store else "-"
                print(f"{user.telegram_id}\t{user.name}\t{user.role}\t{store}\t{'active' if user.active else 'inactive'}")

    run_on_database(settings, work)
    return 0


def _chat(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from bot.demo import person_for
    from bot.sandbox.chat import run_chat
    from bot.sandbox.client import SandboxError

    user_id, name = person_for(args.as_)
    root = f"http://{settings.sandbox.host}:{settings.sandbox.port}"
    try:
        asyncio.run(run_chat(root, user_id, name, tz=settings.timezone, group=args.group))
    except KeyboardInterrupt:
        pass
    except SandboxError as error:
        print(f"orderbot: {error.description}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"orderbot: cannot reach the sandbox at {root} ({error}). Start the bot first: orderbot run",
              file=sys.stderr)
        return 1
    return 0
