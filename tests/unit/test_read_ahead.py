"""read_ahead: results in input order, errors at their turn, bounded work ahead, and an early
close that stops the work it has not started."""

import threading
import time
from collections.abc import Iterator

import pytest

from consentry.services.read_ahead import read_ahead


def _slow_square(n: int) -> int:
    time.sleep(0.001 * (n % 3))  # later items often finish first
    return n * n


@pytest.mark.parametrize("workers", [0, 1, 2, 4])
def test_results_come_back_in_input_order(workers: int) -> None:
    assert list(read_ahead(_slow_square, range(30), workers)) == [n * n for n in range(30)]


def test_an_error_is_raised_at_its_turn_after_the_results_before_it() -> None:
    def fail_on_five(n: int) -> int:
        if n == 5:
            raise ValueError("five")
        return n

    seen = []
    with pytest.raises(ValueError, match="five"):
        for result in read_ahead(fail_on_five, range(10), 2):
            seen.append(result)
    assert seen == [0, 1, 2, 3, 4]


def test_no_more_than_workers_plus_one_items_are_taken_ahead() -> None:
    taken: list[int] = []

    def items() -> Iterator[int]:
        for n in range(100):
            taken.append(n)
            yield n

    stream = read_ahead(lambda n: n, items(), 2)
    assert next(stream) == 0
    assert len(taken) == 3  # the one handed back and two in flight
    stream.close()


def test_closing_early_cancels_what_has_not_started_and_waits_for_what_has() -> None:
    started: list[int] = []
    finished: list[int] = []
    gate = threading.Event()

    def work(n: int) -> int:
        started.append(n)
        if n > 0:
            gate.wait(5)
        finished.append(n)
        return n

    stream = read_ahead(work, range(100), 1)
    assert next(stream) == 0
    gate.set()
    stream.close()  # returns only once the running item is done
    assert sorted(started) == sorted(finished)
    assert len(started) <= 3
