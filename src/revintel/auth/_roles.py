"""Roles and what each may do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A user's role; it decides permissions and which rows the user sees."""

    admin = "admin"
    manager = "manager"
    marketing = "marketing"
    sales_rep = "sales_rep"
    team_lead = "team_lead"


class Permission(StrEnum):
    """An action guarded by role."""

    view_all_rows = "view_all_rows"
    import_data = "import_data"
    manage_users = "manage_users"
    run_campaigns = "run_campaigns"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.admin: frozenset(Permission),
    Role.manager: frozenset(
        {Permission.view_all_rows, Permission.import_data, Permission.run_campaigns}
    ),
    Role.marketing: frozenset({Permission.view_all_rows, Permission.import_data}),
    # A rep sees only their own accounts, leads and deals and changes nothing.
    Role.sales_rep: frozenset(),
    # A team lead sees the rows of every rep in their own rep's team and changes nothing.
    Role.team_lead: frozenset(),
}


def has_permission(role: Role, permission: Permission) -> bool:
    """Whether ``role`` grants ``permission``."""
    return permission in ROLE_PERMISSIONS[role]
