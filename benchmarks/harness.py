"""What every scenario shares: a fresh database, a real `consentry serve` process, peak memory,
latency percentiles, and the result record each scenario returns."""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from consentry.storage import migrate
from consentry.storage.engine import make_engine

CONSENTRY = str(Path(sys.executable).with_name("consentry"))


@dataclass
class Result:
    scenario: str
    title: str
    rows: int  # changes, rows, addresses or requests measured
    seconds: float
    unit: str  # "changes/s", "rows/s", "req/s", "addresses"
    target: str
    met: bool | None
    p50_ms: float | None = None
    p99_ms: float | None = None
    peak_rss_mb: float | None = None
    floor_seconds: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def floor_ratio(self) -> float | None:
        if not self.floor_seconds:
            return None
        return self.seconds / self.floor_seconds


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Database:
    """A freshly migrated database of one run: its URL and an engine on it."""

    url: str
    engine: Engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


@contextmanager
def fresh_database(dialect: str, workdir: Path, pg_server: str | None) -> Iterator[Database]:
    if dialect == "sqlite":
        url = f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        engine = make_engine(url)
        migrate.upgrade(engine)
        try:
            yield Database(url, engine)
        finally:
            engine.dispose()
        return
    assert pg_server, "PostgreSQL needs CONSENTRY_TEST_DATABASE_URL"
    server = make_url(pg_server).set(drivername="postgresql+psycopg")
    name = f"consentry_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    try:
        yield Database(url, engine)
    finally:
        engine.dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def cli_env(database_url: str, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENTRY_")}
    env["CONSENTRY_DATABASE_URL"] = database_url
    env["CONSENTRY_SECRET_KEY"] = "b" * 48
    env["CONSENTRY_LOG_LEVEL"] = "warning"
    env["CONSENTRY_OUTBOX_DIR"] = str(workdir / "outbox")
    env["CONSENTRY_JOBS_DIR"] = str(workdir / "jobs")
    return env


def run_cli(database_url: str, workdir: Path, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [CONSENTRY, *args],
        env=cli_env(database_url, workdir),
        cwd=workdir,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"consentry {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def run_measured(database_url: str, workdir: Path, *args: str) -> tuple[float, float, str]:
    """Run `consentry ARGS` and answer (seconds, peak RSS in MB, stdout)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [CONSENTRY, *args],
        env=cli_env(database_url, workdir),
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"consentry {' '.join(args)} failed:\n{stdout}\n{stderr}")
    return seconds, _children_peak_rss_mb(), stdout


def _children_peak_rss_mb() -> float:
    import resource

    # ru_maxrss of children is the largest of any waited-for child: commands run one at a time.
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


class Server:
    """`consentry serve` in its own process, on a free port."""

    def __init__(self, database: Database, workdir: Path) -> None:
        self.database = database
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = ""

    def __enter__(self) -> "Server":
        env = cli_env(self.database.url, self.workdir)
        env["CONSENTRY_PUBLIC_URL"] = self.url
        # P6/P7 send ~1,000 req/s from one address: the per-client limits would throttle them.
        env["CONSENTRY_RATE_LIMIT_PUBLIC_PAGES"] = env["CONSENTRY_RATE_LIMIT_ONE_CLICK"] = "0"
        self.token = run_cli(
            self.database.url,
            self.workdir,
            "tokens",
            "create",
            "--name",
            f"bench-{uuid.uuid4().hex[:6]}",
            "--scopes",
            "communication_preferences.read_write,communication_preferences.statuses.batch.read,"
            "communication_preferences.statuses.batch.write,consentry.admin",
        ).strip()
        self.process = subprocess.Popen(
            [CONSENTRY, "serve", "--port", str(self.port)],
            env=env,
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.process.stderr.read()}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start within 30 s")

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)

    def peak_rss_mb(self) -> float:
        """The server process's peak resident memory so far (VmHWM)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}
