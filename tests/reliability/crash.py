"""Crash safety: the real server under mixed write load, killed with SIGKILL at random moments.

Clients send single v4 writes, v4 batch writes, RFC 8058 one-click POSTs and opt-out imports,
each to addresses no other request touches, and note which ones were acknowledged (a 2xx
answer received). The deployment (`consentry serve`, plus `consentry worker` on PostgreSQL,
where serve runs no worker thread) is killed with SIGKILL at seeded random moments and
restarted. At the end, with every acknowledged import drained, the checks are:

- every acknowledged write is present: its ledger entries, and its status rows;
- no write is half present: a request's entries are all there or none are (a batch, a one-click
  "unsubscribe from all" and its per-type entries, an import's rows, each exactly once);
- `consentry ledger verify` passes: the hash chain is unbroken and gapless;
- `consentry ledger rebuild --check` passes: the current-status tables equal the fold of the
  ledger.

Used by tests/reliability/test_crash_safety.py (a few kills in `make test`) and by `make soak`
(`python -m tests.reliability.crash`, longer, printing its figures).
"""

import argparse
import csv
import io
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from consentry.storage import migrate
from consentry.storage.engine import make_engine

CONSENTRY = str(Path(sys.executable).with_name("consentry"))
STATUSES = ("SUBSCRIBED", "UNSUBSCRIBED")
TYPES = (1, 2, 3)  # the default email types the first migration seeds
V4 = "/communication-preferences/v4"
# Short, so a restarted worker takes over the import a killed one held without a long wait.
LEASE_SECONDS = 2


@dataclass
class Write:
    """One request a client sent: what it asked for, and whether it was acknowledged."""

    kind: str  # single, batch, one_click, import
    changes: list[tuple[str, int, str]]  # (address, type id, status); one-click/import: wide
    acknowledged: bool = False
    connected: bool = True  # False: refused at connect (the server was down), so never sent


@dataclass
class Figures:
    dialect: str
    seed: int
    kills: int = 0
    sent: Counter[str] = field(default_factory=Counter)
    acknowledged: Counter[str] = field(default_factory=Counter)
    # Kills that landed mid-request: committed, but the answer never reached the client.
    committed_unacknowledged: int = 0
    imports_interrupted: int = 0  # an import job was running at a kill (it must resume)
    entries_verified: int = 0
    rows_compared: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        kinds = sorted(self.sent)
        sent = ", ".join(f"{k} {self.acknowledged[k]}/{self.sent[k]}" for k in kinds)
        return [
            f"dialect {self.dialect}, seed {self.seed}, {self.seconds:.1f} s",
            f"kills survived: {self.kills}",
            f"writes acknowledged/sent: {sum(self.acknowledged.values())}"
            f"/{sum(self.sent.values())} ({sent})",
            f"in flight at a kill: {self.committed_unacknowledged} writes committed unacknowledged,"
            f" {self.imports_interrupted} import jobs interrupted mid-run",
            f"ledger entries verified: {self.entries_verified};"
            f" projection rows compared with the fold: {self.rows_compared}",
            "problems: none" if not self.problems else f"PROBLEMS: {len(self.problems)}",
            *(f"  {problem}" for problem in self.problems[:50]),
        ]


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(database_url: str, workdir: Path, public_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENTRY_")}
    env.update(
        CONSENTRY_DATABASE_URL=database_url,
        CONSENTRY_SECRET_KEY="c" * 48,
        CONSENTRY_LOG_LEVEL="warning",
        CONSENTRY_PUBLIC_URL=public_url,
        CONSENTRY_OUTBOX_DIR=str(workdir / "outbox"),
        CONSENTRY_JOBS_DIR=str(workdir / "jobs"),
        CONSENTRY_JOB_LEASE_SECONDS=str(LEASE_SECONDS),
        # The load comes from one client address; rate limits would answer 429, not crash.
        CONSENTRY_RATE_LIMIT_ONE_CLICK="0",
        CONSENTRY_RATE_LIMIT_PUBLIC_PAGES="0",
    )
    return env


class Deployment:
    """`consentry serve` (and, on PostgreSQL, `consentry worker`) that can be killed and
    restarted on the same port and database."""

    def __init__(self, database_url: str, workdir: Path) -> None:
        self.database_url = database_url
        self.workdir = workdir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = _env(database_url, workdir, self.url)
        self.postgres = database_url.startswith("postgresql")
        self.processes: list[subprocess.Popen[bytes]] = []
        self.starts = 0

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [CONSENTRY, *args],
            env=self.env,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"consentry {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done

    def start(self) -> None:
        self.starts += 1
        log = self.workdir / f"serve-{self.starts}.log"
        commands = [[CONSENTRY, "serve", "--port", str(self.port)]]
        if self.postgres:
            commands.append([CONSENTRY, "worker"])
        with log.open("wb") as out:  # the children keep their own copy of the descriptor
            self.processes = [
                subprocess.Popen(
                    command, env=self.env, cwd=self.workdir, stdout=out, stderr=subprocess.STDOUT
                )
                for command in commands
            ]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.processes[0].poll() is not None:
                raise RuntimeError(f"the server exited: {log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("the server did not start within 60 s")

    def kill(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
        for process in self.processes:
            process.wait()

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class Load:
    """Client threads sending writes to fresh addresses until stopped; each notes its writes."""

    def __init__(self, url: str, token: str, seed: int, clients: int) -> None:
        self.url = url
        self.headers = {"Authorization": f"Bearer {token}"}
        self.seed = seed
        self.clients = clients
        self.writes: list[Write] = []
        self.imports: list[tuple[Write, int]] = []  # acknowledged imports and their job ids
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._serial = 0

    def start(self) -> None:
        self._stop.clear()
        self._threads = [
            threading.Thread(target=self._client, args=(n,), daemon=True)
            for n in range(self.clients)
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _addresses(self, count: int) -> list[str]:
        with self._lock:
            first = self._serial
            self._serial += count
        return [f"s{self.seed}-{n}@crash.example" for n in range(first, first + count)]

    def _client(self, number: int) -> None:
        rng = random.Random(f"{self.seed}-{number}")  # the mix repeats; timing may not
        kinds: list[tuple[str, Callable[[httpx.Client, random.Random], None]]] = [
            ("single", self._single),
            ("batch", self._batch),
            ("one_click", self._one_click),
            ("import", self._import),
        ]
        weights = (50, 25, 20, 5)
        with httpx.Client(base_url=self.url, headers=self.headers, timeout=30) as client:
            while not self._stop.is_set():
                (_, send) = rng.choices(kinds, weights)[0]
                try:
                    send(client, rng)
                except httpx.HTTPError:
                    time.sleep(0.05)  # the server is down (killed): wait for the restart

    def _note(self, write: Write) -> Write:
        with self._lock:
            self.writes.append(write)
        return write

    @staticmethod
    def _send(write: Write, request: Callable[[], httpx.Response]) -> httpx.Response:
        try:
            return request()
        except httpx.ConnectError:
            write.connected = False  # refused at connect: the request never reached a server
            raise

    def _single(self, client: httpx.Client, rng: random.Random) -> None:
        (address,) = self._addresses(1)
        type_id, status = rng.choice(TYPES), rng.choice(STATUSES)
        write = self._note(Write("single", [(address, type_id, status)]))
        body = {"channel": "EMAIL", "statusState": status, "subscriptionId": type_id}
        answer = self._send(write, lambda: client.post(f"{V4}/statuses/{address}", json=body))
        write.acknowledged = answer.status_code == 200

    def _batch(self, client: httpx.Client, rng: random.Random) -> None:
        addresses = self._addresses(rng.randint(2, 200))
        changes = [(a, rng.choice(TYPES), rng.choice(STATUSES)) for a in addresses]
        write = self._note(Write("batch", changes))
        inputs = [
            {"subscriberIdString": a, "channel": "EMAIL", "subscriptionId": t, "statusState": s}
            for a, t, s in changes
        ]
        answer = self._send(
            write, lambda: client.post(f"{V4}/statuses/batch/write", json={"inputs": inputs})
        )
        write.acknowledged = answer.status_code == 200

    def _one_click(self, client: httpx.Client, rng: random.Random) -> None:
        (address,) = self._addresses(1)
        links = client.post(
            f"{V4}/links/generate?channel=EMAIL", json={"subscriberIdString": address}
        )
        if links.status_code != 200:
            return  # no link, no write attempted
        write = self._note(Write("one_click", [(address, 0, "UNSUBSCRIBED")]))
        url = links.json()["unsubscribeAllUrl"]
        # Mailbox providers send no credentials: a bare client, as they would.
        answer = self._send(
            write, lambda: httpx.post(url, data={"List-Unsubscribe": "One-Click"}, timeout=30)
        )
        write.acknowledged = answer.status_code == 200

    def _import(self, client: httpx.Client, rng: random.Random) -> None:
        addresses = self._addresses(rng.randint(50, 800))
        write = self._note(Write("import", [(a, 0, "UNSUBSCRIBED") for a in addresses]))
        body = io.StringIO()
        writer = csv.writer(body)
        writer.writerow(["Email"])
        writer.writerows([a] for a in addresses)
        answer = self._send(
            write,
            lambda: client.post(
                f"/api/v1/imports/optouts?expectRows={len(addresses)}",
                content=body.getvalue().encode(),
                headers={"Content-Type": "text/csv"},
            ),
        )
        if answer.status_code == 202:
            write.acknowledged = True
            with self._lock:
                self.imports.append((write, int(answer.json()["id"])))


def run(
    database_url: str,
    workdir: Path,
    *,
    seed: int,
    kills: int,
    load_seconds: tuple[float, float] = (0.5, 3.0),
    clients: int = 4,
    say: Callable[[str], None] = print,
) -> Figures:
    """Migrate `database_url` (empty), run the load with `kills` SIGKILLs, check, and answer
    the figures; `problems` lists every failed check."""
    started = time.monotonic()
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    figures = Figures(engine.dialect.name, seed)
    say(f"crash run on {figures.dialect}: seed {seed}, {kills} kills")
    rng = random.Random(seed)
    deployment = Deployment(database_url, workdir)
    token = deployment.cli(
        "tokens",
        "create",
        "--name",
        "crash",
        "--scopes",
        "communication_preferences.read_write,communication_preferences.statuses.batch.write,"
        "consentry.admin",
    ).stdout.strip()
    deployment.start()
    load = Load(deployment.url, token, seed, clients)
    load.start()
    try:
        for kill in range(1, kills + 1):
            time.sleep(rng.uniform(*load_seconds))
            deployment.kill()
            figures.kills += 1
            figures.imports_interrupted += _running_jobs(engine)
            sent = sum(write.connected for write in load.writes)
            say(f"  kill {kill}: SIGKILL after {sent} writes sent")
            deployment.start()
        time.sleep(rng.uniform(*load_seconds))
        load.stop()
        _drain_imports(engine, load)
    finally:
        load.stop()
        deployment.stop()
    for write in load.writes:
        figures.sent[write.kind] += write.connected
        figures.acknowledged[write.kind] += write.acknowledged
    figures.problems.extend(_check_writes(engine, load, figures))
    figures.problems.extend(_check_ledger(deployment, figures))
    engine.dispose()
    figures.seconds = time.monotonic() - started
    return figures


def _running_jobs(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                text("SELECT count(*) FROM jobs WHERE state = 'RUNNING'")
            ).scalar_one()
        )


def _drain_imports(engine: Engine, load: Load, timeout: float = 120) -> None:
    """Wait until no job is queued or running: an acknowledged import must finish after the
    restarts (resumed where its last committed chunk ended)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            pending = connection.execute(
                text("SELECT count(*) FROM jobs WHERE state IN ('QUEUED', 'RUNNING')")
            ).scalar_one()
        if not pending:
            return
        time.sleep(0.2)
    raise RuntimeError(f"imports still pending after {timeout} s")


def _check_writes(engine: Engine, load: Load, figures: Figures) -> list[str]:
    problems: list[str] = []
    entries: dict[str, list[tuple[str, int | None, str, str, str]]] = defaultdict(list)
    statuses: dict[tuple[str, int], str] = {}
    wide: dict[str, bool] = {}
    with engine.connect() as connection:
        for address, action, type_id, outcome, source, new_status in connection.execute(
            text(
                "SELECT address, action, subscription_type_id, outcome, source, new_status"
                " FROM ledger ORDER BY id"
            )
        ):
            entries[address].append((action, type_id, outcome, source, new_status))
        for key, type_id, status in connection.execute(
            text(
                "SELECT s.key, st.subscription_type_id, st.status FROM subscription_statuses st"
                " JOIN subscribers s ON s.id = st.subscriber_id"
            )
        ):
            statuses[(key, type_id)] = status
        for key, opted_out in connection.execute(
            text(
                "SELECT s.key, w.opted_out FROM wide_statuses w"
                " JOIN subscribers s ON s.id = w.subscriber_id"
            )
        ):
            wide[key] = bool(opted_out)
        job_states = {
            row[0]: row[1] for row in connection.execute(text("SELECT id, state FROM jobs"))
        }
    for _, job_id in load.imports:
        if job_states.get(job_id) != "SUCCEEDED":
            problems.append(f"import job {job_id} acknowledged but ended {job_states.get(job_id)}")
    wide_sets: set[int] = set()  # per-type entries an "unsubscribe from all" writes
    for write in load.writes:
        present = [address for address, _, _ in write.changes if entries.get(address)]
        if present and not write.acknowledged:
            figures.committed_unacknowledged += 1
        if write.acknowledged and len(present) != len(write.changes):
            missing = len(write.changes) - len(present)
            problems.append(f"acknowledged {write.kind} lost {missing} of {len(write.changes)}")
        elif present and len(present) != len(write.changes):
            problems.append(
                f"unacknowledged {write.kind} half present: {len(present)}"
                f" of {len(write.changes)} addresses have entries"
            )
        for address, type_id, status in write.changes:
            found = entries.get(address, [])
            if not found:
                continue
            if write.kind in ("single", "batch"):
                applied = [e for e in found if e[0] == "SET_STATUS" and e[2] == "APPLIED"]
                if len(found) != 1 or len(applied) != 1 or applied[0][1] != type_id:
                    problems.append(f"{write.kind} {address}: entries {found}")
                elif statuses.get((address, type_id)) != status:
                    problems.append(
                        f"{write.kind} {address}: status {statuses.get((address, type_id))},"
                        f" {status} was applied"
                    )
                continue
            sets = [e for e in found if e[0] == "SET_WIDE"]
            types = [e for e in found if e[0] == "SET_STATUS"]
            if len(sets) != 1 or sets[0][2] != "APPLIED" or len(types) + 1 != len(found):
                # More than one SET_WIDE would be a repeated import row or a retried POST.
                problems.append(f"{write.kind} {address}: entries {found}")
            elif not wide.get(address):
                problems.append(f"{write.kind} {address}: entries applied, no wide opt-out row")
            wide_sets.add(len(types))
    if len(wide_sets) > 1:
        problems.append(f"an unsubscribe from all wrote different per-type counts: {wide_sets}")
    return problems


def _check_ledger(deployment: Deployment, figures: Figures) -> list[str]:
    problems: list[str] = []
    verify = deployment.cli("ledger", "verify", check=False)
    if verify.returncode != 0:
        problems.append(f"ledger verify failed: {verify.stdout}{verify.stderr}".strip())
    else:
        # "Ledger verified: N entries, chain intact."
        figures.entries_verified = int(verify.stdout.split(":")[1].split()[0])
    rebuild = deployment.cli("ledger", "rebuild", "--check", check=False)
    if rebuild.returncode != 0:
        problems.append(f"ledger rebuild --check failed: {rebuild.stdout}{rebuild.stderr}".strip())
    else:
        # "Projection matches the ledger: S subscribers, E entries folded, R stored rows ..."
        figures.rows_compared = int(rebuild.stdout.split("folded,")[1].split()[0])
    return problems


@contextmanager
def fresh_database(dialect: str, workdir: Path) -> Iterator[str]:
    """An empty database for one soak run: a SQLite file, or a new PostgreSQL database on the
    server CONSENTRY_TEST_DATABASE_URL names (dropped after)."""
    if dialect == "sqlite":
        yield f"sqlite:///{workdir / 'crash.db'}"
        return
    server = os.environ.get("CONSENTRY_TEST_DATABASE_URL", "")
    if not server:
        raise SystemExit("PostgreSQL needs CONSENTRY_TEST_DATABASE_URL")
    base = make_url(server).set(drivername="postgresql+psycopg")
    name = f"consentry_crash_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description="Kill the server under load; check the data.")
    parser.add_argument("--kills", type=int, default=int(os.environ.get("SOAK_KILLS", 20)))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SOAK_SEED", 0)) or None)
    parser.add_argument("--clients", type=int, default=int(os.environ.get("SOAK_CLIENTS", 6)))
    parser.add_argument(
        "--max-load-seconds",
        type=float,
        default=float(os.environ.get("SOAK_MAX_LOAD_SECONDS", 8)),
        help="The longest stretch of load between two kills (each is random, from 0.5 s).",
    )
    parser.add_argument("--dialect", action="append", choices=["sqlite", "postgresql"])
    arguments = parser.parse_args()
    dialects = arguments.dialect or (
        ["sqlite", "postgresql"] if os.environ.get("CONSENTRY_TEST_DATABASE_URL") else ["sqlite"]
    )
    seed = arguments.seed or random.SystemRandom().randrange(1, 2**31)
    failed = False
    for dialect in dialects:
        with tempfile.TemporaryDirectory(prefix="consentry-soak-") as directory:
            workdir = Path(directory)
            with fresh_database(dialect, workdir) as url:
                figures = run(
                    url,
                    workdir,
                    seed=seed,
                    kills=arguments.kills,
                    load_seconds=(0.5, arguments.max_load_seconds),
                    clients=arguments.clients,
                )
        print("\n".join(figures.lines()), flush=True)
        failed = failed or bool(figures.problems)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
