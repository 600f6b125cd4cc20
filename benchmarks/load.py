"""The load generator: a separate process sending prepared requests with asyncio and httpx.

`python -m benchmarks.load SPEC.json` reads the base URL, headers, concurrency and the list of
requests, sends them over `concurrency` keep-alive connections, and prints one JSON object:
wall seconds, per-request latencies in ms, and how many answers were not 2xx. Requests are
built before the clock starts, so the generator's own work is only sending and reading.
"""

import asyncio
import json
import sys
import time
from typing import Any

import httpx


async def _worker(
    client: httpx.AsyncClient,
    queue: "asyncio.Queue[dict[str, Any]]",
    latencies: list[float],
    failures: list[str],
) -> None:
    while True:
        try:
            request = queue.get_nowait()
        except asyncio.QueueEmpty:
            return
        started = time.perf_counter()
        response = await client.request(
            request["method"],
            request["path"],
            json=request.get("json"),
            content=request.get("content"),
            headers=request.get("headers"),
        )
        await response.aread()
        latencies.append((time.perf_counter() - started) * 1000)
        if not 200 <= response.status_code < 300 and len(failures) < 5:
            failures.append(f"{response.status_code} {response.text[:200]}")
        elif not 200 <= response.status_code < 300:
            failures.append("")


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for request in spec["requests"]:
        queue.put_nowait(request)
    latencies: list[float] = []
    failures: list[str] = []
    limits = httpx.Limits(
        max_connections=spec["concurrency"], max_keepalive_connections=spec["concurrency"]
    )
    async with httpx.AsyncClient(
        base_url=spec["base_url"], headers=spec.get("headers", {}), timeout=300, limits=limits
    ) as client:
        started = time.perf_counter()
        await asyncio.gather(
            *(_worker(client, queue, latencies, failures) for _ in range(spec["concurrency"]))
        )
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "latencies_ms": latencies,
        "failures": len(failures),
        "failure_samples": [f for f in failures if f],
    }


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as spec_file:
        spec = json.load(spec_file)
    print(json.dumps(asyncio.run(run(spec))))


if __name__ == "__main__":
    main()
