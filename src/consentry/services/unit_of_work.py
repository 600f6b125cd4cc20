"""The unit of work: the one object that owns a transaction. It rolls back unless committed."""

from contextlib import ExitStack
from types import TracebackType

from sqlalchemy import Connection, Engine

from consentry.storage import ledger
from consentry.storage.engine import WRITE_OPTION, writer_turn


class UnitOfWork:
    """`with UnitOfWork(engine, write=True) as uow: ...; uow.commit()`.

    A writing unit locks the ledger head before anything else, so that every writer takes its
    locks in the same order and the ledger's chain is extended by one writer at a time.
    """

    def __init__(self, engine: Engine, *, write: bool = False, ledger: bool = True) -> None:
        self._engine = engine
        self._write = write
        # A write that appends nothing to the ledger need not queue behind those that do.
        self._locks_ledger = write and ledger
        self._committed = False
        self.head: tuple[int, str] = (0, "")

    def __enter__(self) -> "UnitOfWork":
        # Undone in reverse on the way out, or at once if entering fails half-way.
        with ExitStack() as held:
            if self._write:
                held.enter_context(writer_turn(self._engine))
            connection = held.enter_context(self._engine.connect())
            if self._write:
                connection = connection.execution_options(**{WRITE_OPTION: True})
            self.connection: Connection = connection
            self._transaction = connection.begin()
            if self._locks_ledger:
                self.head = ledger.lock_head(connection)
            self._held = held.pop_all()
        return self

    def commit(self) -> None:
        self._transaction.commit()
        self._committed = True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                self._transaction.rollback()
        finally:
            self._held.close()  # the connection, then the turn to write
