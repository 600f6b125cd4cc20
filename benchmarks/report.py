"""The results as a Markdown table and as JSON, printed and written under benchmarks/results/."""

import json
import os
import platform
import subprocess
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.harness import Result

RESULTS_DIR = Path(__file__).parent / "results"


def _cell(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def markdown(results: list[Result], dialect: str, scale: str) -> str:
    lines = [
        f"## {dialect}, {scale} scale — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"{_machine()}",
        "",
        "| scenario | what | rows | rate | p50 ms | p99 ms | peak RSS MB | × floor | target"
        " | met? |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        rate = f"{r.rate:,.0f} {r.unit}" if r.seconds else "—"
        met = {True: "yes", False: "**no**", None: "—"}[r.met]
        lines.append(
            f"| {r.scenario} | {r.title} | {r.rows:,} | {rate} | {_cell(r.p50_ms)} |"
            f" {_cell(r.p99_ms)} | {_cell(r.peak_rss_mb, 0)} | {_cell(r.floor_ratio)} |"
            f" {r.target} | {met} |"
        )
    notes = [f"- {r.scenario}: {note}" for r in results for note in r.notes]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def write(results: list[Result], dialect: str, scale: str) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    stem = f"{datetime.now(UTC):%Y-%m-%d}-{dialect}" + ("" if scale == "quick" else f"-{scale}")
    path = RESULTS_DIR / f"{stem}.md"
    path.write_text(markdown(results, dialect, scale))
    payload = {
        "dialect": dialect,
        "scale": scale,
        "machine": _machine(),
        "results": [asdict(r) | {"rate": r.rate, "floor_ratio": r.floor_ratio} for r in results],
    }
    (RESULTS_DIR / f"{stem}.json").write_text(json.dumps(payload, indent=2))
    return path


def _machine() -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()},"
        f" {platform.machine()}, commit {commit or '?'}"
    )
