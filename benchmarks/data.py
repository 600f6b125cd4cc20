"""Deterministic benchmark data: the same seed gives the same addresses, statuses and bodies."""

import random
from collections.abc import Iterator

SEED = 20261203


def address(index: int) -> str:
    """The index-th benchmark address: distinct, valid, spread over a hundred domains."""
    return f"user{index:07d}@bench{index % 97}.example.com"


def status_inputs(start: int, count: int, type_ids: list[int], seed: int = SEED) -> list[dict]:
    """`count` v4 batch-write inputs for fresh addresses: each is a real change."""
    rng = random.Random(seed + start)
    return [
        {
            "subscriberIdString": address(start + offset),
            "channel": "EMAIL",
            "statusState": rng.choice(("SUBSCRIBED", "UNSUBSCRIBED")),
            "subscriptionId": rng.choice(type_ids),
        }
        for offset in range(count)
    ]


def csv_lines(start: int, count: int) -> Iterator[str]:
    yield "Email\n"
    for index in range(start, start + count):
        yield address(index) + "\n"


def mixed_population(
    count: int, seed: int = SEED
) -> Iterator[tuple[int, str, str | None, bool, str | None]]:
    """(index, address, type-1 status or None, unsubscribed from all?, suppression or None).

    Roughly: 40% subscribed, 20% opted out, 40% no preference; 5% unsubscribed from all; 1%
    suppressed (hard bounce) — the mix the audience check must answer.
    """
    rng = random.Random(seed)
    for index in range(count):
        draw = rng.random()
        status = "SUBSCRIBED" if draw < 0.4 else "UNSUBSCRIBED" if draw < 0.6 else None
        wide = rng.random() < 0.05
        suppression = "HARD_BOUNCE" if rng.random() < 0.01 else None
        yield index, address(index), status, wide, suppression
