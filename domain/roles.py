"""Who is who: the roles of the README's table, each with what it may do (domain.orders.lifecycle)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SALES = "sales"  # 导购员 / 业务员, belongs to a store
    CLERK = "clerk"  # 跟单员
    STORE_MANAGER = "store_manager"  # 店长, one store
    MANAGER = "manager"  # 主管 / 经理
    ADMIN = "admin"


STORE_ROLES = frozenset({Role.SALES, Role.STORE_MANAGER})
"""Roles that belong to one store and must be invited with it."""

ALL_ROLES = frozenset(Role)


def parse_role(text: str) -> Role | None:
    """Accept the identifier or the Chinese word people actually type."""
    aliases = {
        "导购": Role.SALES, "导购员": Role.SALES, "业务员": Role.SALES, "销售": Role.SALES,
        "跟单": Role.CLERK, "跟单员": Role.CLERK,
        "店长": Role.STORE_MANAGER,
        "主管": Role.MANAGER, "经理": Role.MANAGER,
        "管理员": Role.ADMIN,
    }
    text = text.strip()
    if text in aliases:
        return aliases[text]
    try:
        return Role(text.lower())
    except ValueError:
        return None
