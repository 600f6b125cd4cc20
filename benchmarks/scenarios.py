"""The scenarios of PERFORMANCE.md. Each takes a `Run` and answers a `Result` (or several)."""

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks import data, rows, workflows
from benchmarks.harness import (
    Result,
    Server,
    fresh_database,
    percentile,
    run_cli,
    run_measured,
)


@dataclass(frozen=True)
class Scale:
    name: str
    batch_calls: int  # P1: calls of 1,000 inputs
    single_requests: int  # P2, P6, P7
    import_rows: int  # P3
    audience: int  # P4, and the population P5 reads
    batch_reads: int  # P5
    growth: tuple[int, ...]  # G


# The quick scale keeps `make bench` near two minutes a dialect: imports write four ledger
# entries a row, so P3 and G stay small there; the full scale is the one the targets speak of.
SCALES = {
    "quick": Scale("quick", 20, 1_000, 10_000, 100_000, 30, (2_000, 10_000)),
    "full": Scale("full", 100, 10_000, 1_000_000, 1_000_000, 100, (10_000, 100_000, 1_000_000)),
}


@dataclass(frozen=True)
class Run:
    dialect: str
    scale: Scale
    workdir: Path
    pg_server: str | None

    def database(self):  # type: ignore[no-untyped-def]
        return fresh_database(self.dialect, self.workdir, self.pg_server)


def load(server: Server, requests: list[dict[str, Any]], concurrency: int) -> dict[str, Any]:
    """Send `requests` from a separate load-generator process; answers its measurements."""
    spec = {
        "base_url": server.url,
        "headers": server.headers(),
        "concurrency": concurrency,
        "requests": requests,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as spec_file:
        json.dump(spec, spec_file)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.load", spec_file.name],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    Path(spec_file.name).unlink()
    measured: dict[str, Any] = json.loads(done.stdout)
    if measured["failures"]:
        raise RuntimeError(
            f"{measured['failures']} requests failed, e.g. {measured['failure_samples'][:2]}"
        )
    return measured


def _latency_result(
    scenario: str,
    title: str,
    measured: dict[str, Any],
    target_rate: float,
    target_p99: float,
    server: Server,
) -> Result:
    latencies = measured["latencies_ms"]
    result = Result(
        scenario,
        title,
        len(latencies),
        measured["seconds"],
        "req/s",
        f"≥ {target_rate:,.0f} req/s, p99 < {target_p99:.0f} ms",
        None,
        p50_ms=percentile(latencies, 0.5),
        p99_ms=percentile(latencies, 0.99),
        peak_rss_mb=server.peak_rss_mb(),
    )
    result.met = result.rate >= target_rate and (result.p99_ms or 0) < target_p99
    return result


def p1_batch_write(run: Run) -> Result:
    calls = run.scale.batch_calls
    with run.database() as database, Server(database, run.workdir) as server:
        requests = [
            {
                "method": "POST",
                "path": "/communication-preferences/v4/statuses/batch/write",
                "json": {"inputs": data.status_inputs(call * 1000, 1000, [1, 2])},
            }
            for call in range(calls)
        ]
        measured = load(server, requests, concurrency=2)
        peak = server.peak_rss_mb()
    with run.database() as floor_db:
        n = calls * 1000
        floor = rows.floor_seconds(
            floor_db.engine, {"subscribers": n, "ledger": n, "subscription_statuses": n}
        )
    latencies = measured["latencies_ms"]
    result = Result(
        "P1",
        "v4 statuses/batch/write, 1,000 inputs per call",
        calls * 1000,
        measured["seconds"],
        "changes/s",
        "≥ 20,000 changes/s",
        None,
        p50_ms=percentile(latencies, 0.5),
        p99_ms=percentile(latencies, 0.99),
        peak_rss_mb=peak,
        floor_seconds=floor,
    )
    result.met = result.rate >= 20_000
    return result


def p2_single_write(run: Run) -> Result:
    count = run.scale.single_requests
    with run.database() as database, Server(database, run.workdir) as server:
        requests = [
            {
                "method": "POST",
                "path": f"/communication-preferences/v4/statuses/{data.address(i)}",
                "json": {"channel": "EMAIL", "statusState": "UNSUBSCRIBED", "subscriptionId": 1},
            }
            for i in range(count)
        ]
        measured = load(server, requests, concurrency=32)
        return _latency_result(
            "P2", "v4 single POST /statuses/{id}, 32 clients", measured, 1_000, 50, server
        )


def p3_import(run: Run, rows_count: int | None = None) -> Result:
    count = rows_count or run.scale.import_rows
    csv_path = run.workdir / f"optouts-{count}.csv"
    if not csv_path.exists():
        with csv_path.open("w") as out:
            out.writelines(data.csv_lines(0, count))
    with run.database() as database:
        if not _has_command(database.url, run.workdir, "import"):
            return _missing("P3", "import an opt-out CSV with the CLI", "consentry import optouts")
        seconds, peak, _ = run_measured(
            database.url,
            run.workdir,
            "import",
            "optouts",
            str(csv_path),
            "--expect-rows",
            str(count),
        )
        counts = _row_counts(database.engine)
    with run.database() as floor_db:
        per = max(1, counts.get("subscription_statuses", 0) // max(1, counts["subscribers"]))
        floor = rows.floor_seconds(floor_db.engine, counts, per_subscriber=per)
    result = Result(
        "P3",
        f"import a {count:,}-row opt-out CSV with the CLI",
        count,
        seconds,
        "rows/s",
        "≥ 50,000 rows/s, peak RSS < 300 MB, ≤ 3× floor",
        None,
        peak_rss_mb=peak,
        floor_seconds=floor,
    )
    result.met = result.rate >= 50_000 and peak < 300 and (result.floor_ratio or 99) <= 3
    return result


def p4_audience(run: Run, size: int | None = None) -> Result:
    count = size or run.scale.audience
    csv_path = run.workdir / f"audience-{count}.csv"
    if not csv_path.exists():
        with csv_path.open("w") as out:
            out.writelines(data.csv_lines(0, count))
    with run.database() as database:
        rows.seed_population(database.engine, count)
        with Server(database, run.workdir) as server:
            seconds, answered = _stream_audience(server, csv_path)
            peak = server.peak_rss_mb()
        floor = rows.audience_floor_seconds(database.engine)
    if answered != count:
        raise RuntimeError(f"the audience answered {answered} lines for {count} addresses")
    result = Result(
        "P4",
        f"eligibility of a {count:,}-subscriber audience, one type",
        count,
        seconds,
        "addresses/s",
        "≤ 3 s for 1,000,000, streamed, ≤ 3× floor",
        None,
        peak_rss_mb=peak,
        floor_seconds=floor,
    )
    result.met = seconds * 1_000_000 / count <= 3 and (result.floor_ratio or 99) <= 3
    return result


def _stream_audience(server: Server, csv_path: Path) -> tuple[float, int]:
    import time

    started = time.perf_counter()
    answered = 0
    with (
        csv_path.open("rb") as body,
        httpx.stream(
            "POST",
            f"{server.url}/api/v1/eligibility/audience?subscriptionId=1",
            headers={**server.headers(), "Content-Type": "text/csv"},
            content=body,
            timeout=600,
        ) as response,
    ):
        response.raise_for_status()
        for chunk in response.iter_bytes():
            answered += chunk.count(b"\n")
    return time.perf_counter() - started, answered


def p5_batch_read(run: Run) -> Result:
    with run.database() as database:
        rows.seed_population(database.engine, run.scale.audience)
        with Server(database, run.workdir) as server:
            requests = [
                {
                    "method": "POST",
                    "path": "/communication-preferences/v4/statuses/batch/read?channel=EMAIL",
                    "json": {"inputs": [data.address(call * 1000 + i) for i in range(1000)]},
                }
                for call in range(run.scale.batch_reads)
            ]
            measured = load(server, requests, concurrency=1)
            latencies = measured["latencies_ms"]
            result = Result(
                "P5",
                "v4 statuses/batch/read, 1,000 inputs",
                len(latencies),
                measured["seconds"],
                "calls/s",
                "p50 < 50 ms",
                None,
                p50_ms=percentile(latencies, 0.5),
                p99_ms=percentile(latencies, 0.99),
                peak_rss_mb=server.peak_rss_mb(),
            )
    result.met = (result.p50_ms or 0) < 50
    return result


def _links(server: Server, count: int) -> list[dict[str, str]]:
    links = []
    with httpx.Client(base_url=server.url, headers=server.headers(), timeout=30) as client:
        for i in range(count):
            answer = client.post(
                "/communication-preferences/v4/links/generate?channel=EMAIL",
                json={"subscriberIdString": data.address(i), "subscriptionId": 1},
            )
            answer.raise_for_status()
            links.append(answer.json())
    return links


def _public_path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def p6_preference_page(run: Run) -> Result:
    with run.database() as database, Server(database, run.workdir) as server:
        links = _links(server, 200)
        probe = httpx.get(server.url + _public_path(links[0]["managePreferencesUrl"]))
        if probe.status_code == 404:
            return _missing("P6", "preference page GET, 32 clients", "the preference page")
        requests = [
            {"method": "GET", "path": _public_path(links[i % len(links)]["managePreferencesUrl"])}
            for i in range(run.scale.single_requests)
        ]
        measured = load(server, requests, concurrency=32)
        return _latency_result("P6", "preference page GET, 32 clients", measured, 1_000, 50, server)


def p7_one_click(run: Run) -> Result:
    count = run.scale.single_requests
    with run.database() as database, Server(database, run.workdir) as server:
        links = _links(server, count)
        probe = httpx.get(server.url + _public_path(links[0]["unsubscribeSingleUrl"]))
        if probe.status_code == 404:
            return _missing("P7", "one-click POST, 32 clients", "one-click unsubscribe")
        requests = [
            {
                "method": "POST",
                "path": _public_path(link["unsubscribeSingleUrl"]),
                "content": "List-Unsubscribe=One-Click",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            }
            for link in links
        ]
        measured = load(server, requests, concurrency=32)
        return _latency_result("P7", "one-click POST, 32 clients", measured, 1_000, 50, server)


def growth(run: Run) -> list[Result]:
    """G: the per-row cost of P3 and P4 as the size grows (≤ 1.5× from the smallest)."""
    results: list[Result] = []
    for name, measure in (("P3", p3_import), ("P4", p4_audience)):
        sized = [measure(run, size) for size in run.scale.growth]
        if any(r.met is None and r.seconds == 0 for r in sized):
            results.append(_missing("G", f"{name} growth", name))
            continue
        small, large = sized[0], sized[-1]
        ratio = (large.seconds / large.rows) / (small.seconds / small.rows)
        sizes = ", ".join(f"{r.rows:,}: {r.rate:,.0f}/s" for r in sized)
        results.append(
            Result(
                "G",
                f"{name} per-row cost, {large.rows:,} vs {small.rows:,}",
                large.rows,
                large.seconds,
                small.unit,
                "per-row cost ≤ 1.5× the smallest",
                ratio <= 1.5,
                notes=[f"{sizes}; per-row cost ratio {ratio:.2f}"],
            )
        )
    return results


def _missing(scenario: str, title: str, what: str) -> Result:
    return Result(scenario, title, 0, 0.0, "", "", None, notes=[f"{what} is not built yet"])


def _has_command(database_url: str, workdir: Path, name: str) -> bool:
    try:
        run_cli(database_url, workdir, name, "--help")
    except RuntimeError:
        return False
    return True


def _row_counts(engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    counts = {}
    with engine.connect() as connection:
        for table in ("subscribers", "ledger", "subscription_statuses", "wide_statuses"):
            counts[table] = connection.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar()
    return {table: n for table, n in counts.items() if n}


SCENARIOS: dict[str, Callable[[Run], Result | list[Result]]] = {
    "P1": p1_batch_write,
    "P2": p2_single_write,
    "P3": p3_import,
    "P4": p4_audience,
    "P5": p5_batch_read,
    "P6": p6_preference_page,
    "P7": p7_one_click,
    "G": growth,
    "W": workflows.enroll_existing,
}
