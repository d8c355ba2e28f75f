"""查看权限: who may see an order or an after-sales case (and so its customer's data).

One rule for every command that shows one (/orders, /order, /cases, /case, "DD… 到哪了",
customer-name searches, pick-lists, /status figures):

* clerks (跟单员) and managers (主管) work every order: they see all;
* a store manager (店长) sees the orders and cases of their own store;
* a sales person (导购) sees the orders and cases they handed in themselves — a colleague's
  customer is not theirs to see, even in the same store (客户隐私, 不得外泄);
* admins manage people, not orders: they see none.
"""

from __future__ import annotations

from enum import StrEnum

from domain.roles import Role


class Reach(StrEnum):
    """How far a role's view reaches."""

    everything = "everything"
    own_store = "own_store"
    own = "own"
    nothing = "nothing"


_REACH = {
    Role.CLERK: Reach.everything,
    Role.MANAGER: Reach.everything,
    Role.STORE_MANAGER: Reach.own_store,
    Role.SALES: Reach.own,
    Role.ADMIN: Reach.nothing,
}


def reach(role: str) -> Reach:
    try:
        return _REACH[Role(role)]
    except ValueError:
        return Reach.nothing  # an unknown role sees nothing


def may_see(role: str, *, viewer_id: int, viewer_store_id: int | None, sales_id: int | None,
            store_id: int | None) -> bool:
    """Whether the viewer may see a record handed in by ``sales_id`` for ``store_id``."""
    how_far = reach(role)
    if how_far is Reach.everything:
        return True
    if how_far is Reach.own_store:
        return viewer_store_id is not None and store_id == viewer_store_id
    if how_far is Reach.own:
        return sales_id is not None and sales_id == viewer_id
    return False


def shown_in_group(group_role: str | None, group_store_id: int | None, store_id: int | None) -> bool:
    """Whether a record of ``store_id`` may be shown in a group chat, on top of the asker's own
    right to see it: a store's group (门店群) is read by all of that store's people, so it shows
    only that store's records — never another store's customers; the clerks' desk shows all.
    ``group_role`` None: a private chat, where only the asker's own right counts."""
    if group_role == "store":
        return store_id is not None and store_id == group_store_id
    return True
