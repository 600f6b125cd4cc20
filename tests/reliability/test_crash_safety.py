"""A short crash run in `make test`: the real server killed with SIGKILL a few times under
mixed write load, then every acknowledged write is present, none is half present, the chain
verifies and the projection equals the fold of the ledger (see crash.py; `make soak` runs
it long)."""

import os
import random
from pathlib import Path

from tests.reliability.crash import run


def test_sigkill_under_load_loses_no_acknowledged_write(database_url: str, tmp_path: Path) -> None:
    # Printed, and taken from SOAK_SEED when set, so a failing run's kill moments and request
    # mix can be repeated (the server's own timing may still differ).
    seed = int(os.environ.get("SOAK_SEED") or random.SystemRandom().randrange(1, 2**31))
    print(f"crash run seed {seed} (repeat: SOAK_SEED={seed})")
    figures = run(database_url, tmp_path, seed=seed, kills=3, load_seconds=(0.5, 2.5), say=print)
    print("\n".join(figures.lines()))
    assert not figures.problems, "\n".join(figures.lines())
    assert figures.kills == 3 and sum(figures.acknowledged.values()) > 0
    assert figures.entries_verified > 0
