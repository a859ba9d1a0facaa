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
    #: Accept, reject or recycle a marketing qualified lead (on the leads the user sees).
    handle_leads = "handle_leads"
    #: Hand a lead the user sees to another rep.
    assign_leads = "assign_leads"
    #: Set, change and remove targets, each change audited (a team lead: their reps' only).
    edit_targets = "edit_targets"
    #: Plan the reps' selling hours (capacity allocation, potential, rep performance, owners).
    allocate = "allocate"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.admin: frozenset(Permission),
    Role.manager: frozenset(
        {
            Permission.view_all_rows,
            Permission.import_data,
            Permission.run_campaigns,
            Permission.handle_leads,
            Permission.assign_leads,
            Permission.edit_targets,
            Permission.allocate,
        }
    ),
    Role.marketing: frozenset({Permission.view_all_rows, Permission.import_data}),
    # A rep sees only their own accounts, leads and deals; they decide on their own leads only.
    Role.sales_rep: frozenset({Permission.handle_leads}),
    # A team lead sees the rows of every rep in their own rep's team and decides on those leads.
    # A team lead also sets the targets of the reps in their team.
    Role.team_lead: frozenset(
        {Permission.handle_leads, Permission.assign_leads, Permission.edit_targets}
    ),
}


def has_permission(role: Role, permission: Permission) -> bool:
    """Whether ``role`` grants ``permission``."""
    return permission in ROLE_PERMISSIONS[role]
