"""Who may do what in the admin app: the roles and, as one table, the permissions of each."""

from enum import StrEnum

from consentry.domain.errors import InvalidInput


class Role(StrEnum):
    ADMIN = "admin"
    MARKETER = "marketer"
    VIEWER = "viewer"


class Permission(StrEnum):
    READ = "read"  # every page that only shows
    EDIT_CONTACTS = "edit_contacts"  # create, edit, delete contacts
    EDIT_STATUSES = "edit_statuses"  # subscribe / unsubscribe on a record, one-time legal basis
    BULK_EDIT = "bulk_edit"
    EDIT_TYPES = "edit_types"  # subscription types and business units
    EDIT_SETTINGS = "edit_settings"  # account toggles and channels
    DATA_PRIVACY = "data_privacy"  # the data privacy mode toggle
    MANAGE_USERS = "manage_users"
    MANAGE_TOKENS = "manage_tokens"
    REMOVE_USER_OPT_OUTS = "remove_user_opt_outs"
    MANAGE_WORKFLOWS = "manage_workflows"  # build, change, turn on/off and run workflows
    # Outbound webhooks, reading included: a receiver's URL often carries its own access token
    # and each subscription streams every change to another system under a signing secret, so
    # who may see or aim them is the same question as who may hold API tokens (admins only).
    MANAGE_WEBHOOKS = "manage_webhooks"  # see, add, change, pause, delete webhooks; redeliver


_ALL = frozenset(Permission)
_MARKETER = frozenset(
    {
        Permission.READ,
        Permission.EDIT_CONTACTS,
        Permission.EDIT_STATUSES,
        Permission.BULK_EDIT,
        Permission.EDIT_TYPES,
        Permission.EDIT_SETTINGS,
        Permission.MANAGE_WORKFLOWS,
    }
)

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: _ALL,
    Role.MARKETER: _MARKETER,
    Role.VIEWER: frozenset({Permission.READ}),
}

ROLE_SUMMARY = {
    Role.ADMIN: "Everything, including users, API tokens, webhooks and data privacy.",
    Role.MARKETER: "Contacts, statuses, bulk edit, subscription types, channels and workflows.",
    Role.VIEWER: "Reads everything but webhooks, changes nothing.",
}


def allows(role: Role, permission: Permission) -> bool:
    return permission in PERMISSIONS[role]


def can_change_anything(role: Role) -> bool:
    """Whether the role may post any change at all (a viewer may not)."""
    return PERMISSIONS[role] != {Permission.READ}


def parse_role(raw: str) -> Role:
    try:
        return Role(raw.strip().lower())
    except ValueError:
        names = ", ".join(role.value for role in Role)
        raise InvalidInput(f"Unknown role {raw!r}; use one of {names}.", field="role") from None
