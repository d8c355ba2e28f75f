"""路由表: every command, every button and every awaited answer the bot understands, with who may use it.

This is the one place that wires input to use cases: ``handlers.dispatch`` looks commands and
buttons up here, ``handlers.conversation`` the answer to the question a person was asked; ``/help``
and the Telegram command menus (:func:`menu_for`) are derived from :data:`COMMANDS`, so a command
cannot be advertised without existing, or exist unlisted. Nothing registers itself on import.

- A command: ``Command(name, handler, roles, help_key, menu=, rank=)``; the handler is
  ``async (ctx, args: str) -> None``.
- A button: ``ButtonRoute(kind, handler, roles)``; ``kind`` is a ``handlers.buttons.ButtonData``
  subclass (its ``prefix`` is the key), and the handler is ``async (ctx, data: kind) -> None`` with
  the data already unpacked and checked — forged or outdated data never reaches it.
- A notification rendered again at send time: ``(kind, renderer)`` in :data:`NOTICE_LIST`; the
  renderer is ``async (target: handlers.live.Target) -> Rendered | None``.
- An awaited answer: ``AnswerRoute(question, handler, roles)``; ``question`` is a
  ``handlers.questions.Question``; the handler is ``async (ctx, waiting, parsed) -> None``.

A command's position in ``/help`` and the menu is its ``rank``, then its place in this list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from domain.roles import ALL_ROLES, Role
from domain.texts import has, t
from handlers import calendar_commands, conversation, fines, people
from handlers.conversation import AnswerHandler
from handlers.aftersales import desk, intake as case_intake, notices as case_notices, views as case_views
from handlers.buttons import (
    AppealDecision, ButtonData, ChangeAnswer, DeskAction, DraftAnswer, EscalationAnswer, FineDecision, KindChoice,
    LineArrival, OrderStep, SalesCaseAction, ToldClerk,
)
from handlers.context import Context
from handlers.live import Renderer
from handlers.desk import command as desk_command
from handlers.desk.session import DESK_ROLES
from handlers.groups import linking
from handlers.orders import ambiguity, changes, intake, lifecycle, notices as order_notices, views as order_views
from handlers.questions import Question
from handlers.reminders import commands as reminders, escalation
from handlers.reports import evidence, export, kpi, views as report_views

D = TypeVar("D", bound=ButtonData)
CommandHandler = Callable[[Context, str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # without the slash
    handler: CommandHandler
    roles: frozenset[Role]
    help_key: str  # catalogue key of the one-line description
    menu: bool = True  # shown in Telegram's command menu
    rank: int = 50  # position in /help and the menu: everyday commands first, account commands last


@dataclass(frozen=True, slots=True)
class ButtonRoute(Generic[D]):
    kind: type[D]
    handler: Callable[[Context, D], Awaitable[None]]
    roles: frozenset[Role]


@dataclass(frozen=True, slots=True)
class AnswerRoute:
    question: Question
    handler: AnswerHandler
    roles: frozenset[Role]  # who can be asked it; for anyone else the message is read as what it is


async def _help(ctx: Context, args: str) -> None:
    ctx.reply(help_text(ctx))


EVERYONE = ALL_ROLES
ADMIN = frozenset({Role.ADMIN})
SALES = frozenset({Role.SALES})
MANAGER = frozenset({Role.MANAGER})
CLERKS = frozenset({Role.CLERK, Role.MANAGER})  # the desk: 跟单 and 售后
VIEWERS = frozenset({Role.SALES, Role.CLERK, Role.STORE_MANAGER, Role.MANAGER})
OVERVIEW = frozenset({Role.MANAGER, Role.STORE_MANAGER, Role.CLERK})
NOT_STORE_MANAGER = frozenset(ALL_ROLES - {Role.STORE_MANAGER})  # a store manager's words are look-ups

COMMAND_LIST: tuple[Command, ...] = (
    Command("fines", fines.list_fines, VIEWERS, "help.fines"),
    Command("step", lifecycle.step_command, CLERKS, "help.step"),
    Command("orders", order_views.orders, VIEWERS, "help.orders"),
    Command("order", order_views.order, VIEWERS, "help.order"),
    Command("calendar", calendar_commands.calendar_command, EVERYONE, "help.calendar", rank=60),
    Command("start", people.start, EVERYONE, "help.start", menu=False),
    Command("help", _help, EVERYONE, "help.help", rank=90),
    Command("whoami", people.whoami, EVERYONE, "help.whoami", rank=91),
    Command("lang", people.lang, EVERYONE, "help.lang", rank=92),
    Command("invite", people.invite, ADMIN, "help.invite"),
    Command("stores", people.stores, ADMIN, "help.stores"),
    Command("users", people.users, ADMIN, "help.users"),
    Command("cases", case_views.cases, VIEWERS, "help.cases"),
    Command("case", case_views.case, VIEWERS, "help.case"),
    Command("returnday", case_views.returnday, CLERKS, "help.returnday"),
    Command("remind", reminders.remind, VIEWERS, "help.remind"),
    Command("outbox", reminders.outbox_state, ADMIN, "help.outbox"),
    Command("fine", reminders.fine_by_hand, CLERKS, "help.fine"),
    Command("appeal", reminders.appeal, frozenset({Role.SALES, Role.CLERK, Role.STORE_MANAGER}), "help.appeal"),
    Command("evidence", evidence.evidence, evidence.READERS, "help.evidence"),
    Command("export", export.export, CLERKS, "help.export"),
    Command("kpi", kpi.kpi, OVERVIEW, "help.kpi"),
    Command("status", report_views.status, OVERVIEW, "help.status"),
    Command("overdue", report_views.overdue, OVERVIEW, "help.overdue"),
    Command("backorders", report_views.backorders, OVERVIEW, "help.backorders"),
    Command("today", report_views.today_command, OVERVIEW, "help.today"),
    Command("desk", desk_command.desk, DESK_ROLES, "help.desk", rank=45),
    Command("link", linking.link, linking.LINKERS, "help.link", rank=85),
    Command("unlink", linking.unlink, linking.LINKERS, "help.unlink", menu=False, rank=86),
)

BUTTON_LIST: tuple[ButtonRoute[Any], ...] = (
    ButtonRoute(DraftAnswer, intake.draft_button, SALES),
    ButtonRoute(FineDecision, fines.decide, MANAGER),
    ButtonRoute(ChangeAnswer, changes.change_button, frozenset({Role.SALES, Role.CLERK, Role.MANAGER})),
    ButtonRoute(OrderStep, lifecycle.order_button, CLERKS),
    ButtonRoute(LineArrival, lifecycle.line_button, CLERKS),
    ButtonRoute(KindChoice, ambiguity.kind_button, SALES),
    ButtonRoute(DeskAction, desk.desk_button, CLERKS),
    ButtonRoute(SalesCaseAction, case_intake.sales_button, SALES),
    ButtonRoute(ToldClerk, reminders.told_clerk, SALES),
    ButtonRoute(AppealDecision, reminders.decide_appeal, MANAGER),
    ButtonRoute(EscalationAnswer, escalation.acknowledge, OVERVIEW),
)

ANSWER_LIST: tuple[AnswerRoute, ...] = (
    AnswerRoute(Question.draft_field, conversation.draft_field, SALES),
    AnswerRoute(Question.draft_edit, conversation.draft_edit, SALES),
    AnswerRoute(Question.draft_material, conversation.draft_material, SALES),
    AnswerRoute(Question.cancel_reason, conversation.cancel_reason, NOT_STORE_MANAGER),
    AnswerRoute(Question.backorder_eta, conversation.backorder_eta, CLERKS),
    AnswerRoute(Question.case_wait_reason, desk.wait_reason, CLERKS),
    AnswerRoute(Question.case_reject_reason, desk.reject_reason, CLERKS),
    AnswerRoute(Question.case_resolution_reason, desk.declined_reason, CLERKS),
)

# Queued notifications rendered again when they are sent (handlers.live): kind → renderer.
NOTICE_LIST: tuple[tuple[str, Renderer], ...] = (
    ("order.card", order_notices.card_now),
    ("order.reminder", order_notices.reminder_now),
    ("order.cancel_request", order_notices.cancel_request_now),
    ("case.card", case_notices.card_now),
    ("case.score", case_notices.score_now),
    ("case.deadline", case_notices.deadline_now),
    ("fine.proposed", fines.proposal_now),
    ("fine.appeal", fines.appeal_now),
)


def _unique(keys: Iterable[str], what: str) -> None:
    for key, count in Counter(keys).items():
        if count > 1:
            raise RuntimeError(f"{what} {key!r} listed twice")


_unique((c.name for c in COMMAND_LIST), "command")
_unique((b.kind.prefix for b in BUTTON_LIST), "button prefix")
_unique((a.question.value for a in ANSWER_LIST), "question")
_unique((kind for kind, _ in NOTICE_LIST), "notification kind")
COMMANDS: dict[str, Command] = {c.name: c for c in COMMAND_LIST}
BUTTONS: dict[str, ButtonRoute[Any]] = {b.kind.prefix: b for b in BUTTON_LIST}
ANSWERS: dict[str, AnswerRoute] = {a.question.value: a for a in ANSWER_LIST}
NOTICES: dict[str, Renderer] = dict(NOTICE_LIST)


def menu_commands(role: str) -> list[Command]:
    return sorted((c for c in COMMAND_LIST if Role(role) in c.roles and c.menu), key=lambda c: c.rank)


def menu_for(role: str | None, language: str) -> list[tuple[str, str]]:
    """The command menu a person sees in Telegram: (command, description) pairs for setMyCommands;
    strangers see only /start."""
    if role is None:
        return [("start", t(language, "help.start"))]
    return [(c.name, t(language, help_key(c, role))) for c in menu_commands(role)]


def help_key(command: Command, role: str) -> str:
    """The command's one-line description for ``role``: ``help.kpi.clerk`` where a role may ask
    less than the general hint offers (a clerk's /kpi counts only themselves), else ``help.kpi``."""
    specific = f"{command.help_key}.{role}"
    return specific if has(specific) else command.help_key


def help_text(ctx: Context) -> str:
    """/help: the sender's commands, from the table, and the hint for their role."""
    role = ctx.person.role
    return "\n".join([ctx.t("help.header", role=ctx.t(f"role.{role}")),
                      *(f"/{c.name} — {ctx.t(help_key(c, role))}" for c in menu_commands(role)),
                      "", ctx.t(f"help.footer.{role}")])
