"""The preference page's rules as tables: starting boxes, what a save changes, the form token."""

import pytest

from consentry.domain import Status
from consentry.domain.contrast import contrast, text_on, usable_on_white
from consentry.domain.preferences import changes, form_token, form_token_valid, ticked

S, U, N = Status.SUBSCRIBED, Status.UNSUBSCRIBED, Status.NOT_SPECIFIED


@pytest.mark.parametrize(
    ("status", "opted_out_of_all", "privacy", "expected"),
    [
        (S, False, False, True),
        (S, False, True, True),
        (U, False, False, False),
        (N, False, False, True),  # sendable without privacy mode: shown ticked
        (N, False, True, False),  # data privacy mode: never pre-ticked
        (S, True, False, False),  # "unsubscribe from all" covers it
        (N, True, False, False),
    ],
)
def test_ticked(status: Status, opted_out_of_all: bool, privacy: bool, expected: bool) -> None:
    assert ticked(status, opted_out_of_all, privacy) is expected


def test_only_changed_boxes_are_changes() -> None:
    shown = {1: True, 2: False, 3: True, 4: False}
    assert changes(shown, [1, 2, 99]) == {2: S, 3: U}
    assert changes(shown, [1, 3]) == {}


def test_form_token_binds_link_and_nonce() -> None:
    token = form_token("s" * 40, "link-a", "nonce-1")
    assert form_token_valid("s" * 40, "link-a", "nonce-1", token)
    assert not form_token_valid("s" * 40, "link-b", "nonce-1", token)
    assert not form_token_valid("s" * 40, "link-a", "nonce-2", token)
    assert not form_token_valid("t" * 40, "link-a", "nonce-1", token)
    assert not form_token_valid("s" * 40, "link-a", "", "")


@pytest.mark.parametrize("background", ["#ffffff", "#ffeb3b", "#1a56db", "#000", "#777777"])
def test_button_text_always_meets_aa(background: str) -> None:
    assert contrast(background, text_on(background)) >= 4.5


def test_a_pale_brand_colour_is_not_used_for_text() -> None:
    assert usable_on_white("#ffeb3b", "#1f2328") == "#1f2328"
    assert usable_on_white("#1a56db", "#1f2328") == "#1a56db"
