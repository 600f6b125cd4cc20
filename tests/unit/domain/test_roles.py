"""What each role may do in the admin app, as a table."""

import pytest

from consentry.domain import InvalidInput
from consentry.domain.roles import Permission, Role, allows, can_change_anything, parse_role

P = Permission
TABLE = [
    # permission                  admin  marketer viewer
    (P.READ, True, True, True),
    (P.EDIT_CONTACTS, True, True, False),
    (P.EDIT_STATUSES, True, True, False),
    (P.BULK_EDIT, True, True, False),
    (P.EDIT_TYPES, True, True, False),
    (P.EDIT_SETTINGS, True, True, False),
    (P.DATA_PRIVACY, True, False, False),
    (P.MANAGE_USERS, True, False, False),
    (P.MANAGE_TOKENS, True, False, False),
    (P.REMOVE_USER_OPT_OUTS, True, False, False),
    (P.MANAGE_WORKFLOWS, True, True, False),
    (P.MANAGE_WEBHOOKS, True, False, False),
]


@pytest.mark.parametrize(("permission", "admin", "marketer", "viewer"), TABLE)
def test_permissions(permission: Permission, admin: bool, marketer: bool, viewer: bool) -> None:
    assert allows(Role.ADMIN, permission) is admin
    assert allows(Role.MARKETER, permission) is marketer
    assert allows(Role.VIEWER, permission) is viewer


def test_the_table_names_every_permission() -> None:
    assert {row[0] for row in TABLE} == set(Permission)


@pytest.mark.parametrize(
    ("role", "changes"), [(Role.ADMIN, True), (Role.MARKETER, True), (Role.VIEWER, False)]
)
def test_only_a_viewer_changes_nothing(role: Role, changes: bool) -> None:
    assert can_change_anything(role) is changes


@pytest.mark.parametrize(
    ("raw", "role"), [("admin", Role.ADMIN), (" Marketer ", Role.MARKETER), ("VIEWER", Role.VIEWER)]
)
def test_parse_role(raw: str, role: Role) -> None:
    assert parse_role(raw) is role


def test_an_unknown_role_names_the_choices() -> None:
    with pytest.raises(InvalidInput, match="admin, marketer, viewer") as caught:
        parse_role("owner")
    assert caught.value.field == "role"
