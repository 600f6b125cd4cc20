"""Run a function over a stream of items on a few threads, a bounded number of items ahead
of the consumer, and hand the results back in input order.

An audience uses it to read its next chunks from the database while the caller streams the
answers of the current one: the drivers leave Python's lock while a statement runs, so the
reads and the formatting share the machine's cores instead of taking turns.
"""

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def read_ahead(function: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """`function(item)` for each item, in order, with at most `workers` + 1 items in flight
    (memory stays flat). An error raised for an item is raised here, at its turn; closing the
    iterator early cancels what has not started and waits for what has."""
    if workers < 1:
        yield from map(function, items)
        return
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="read-ahead")
    pending: deque[Future[R]] = deque()
    try:
        for item in items:
            pending.append(pool.submit(function, item))
            if len(pending) > workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
