"""`python -m benchmarks [--scale quick|full] [--dialect sqlite|postgresql|all] [--only P1,P3]`.

With `--dialect all` (the default) PostgreSQL runs when CONSENTRY_TEST_DATABASE_URL names a
server. Each dialect's table is printed and written to benchmarks/results/.
"""

import argparse
import os
import sys
import tempfile
import traceback
from pathlib import Path

from benchmarks.harness import Result
from benchmarks.report import markdown, write
from benchmarks.scenarios import SCALES, SCENARIOS, Run


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--scale", choices=sorted(SCALES), default="quick")
    parser.add_argument("--dialect", choices=["sqlite", "postgresql", "all"], default="all")
    parser.add_argument("--only", default="", help="comma-separated scenario ids, e.g. P1,P3")
    options = parser.parse_args()
    pg_server = os.environ.get("CONSENTRY_TEST_DATABASE_URL") or None
    dialects = ["sqlite", "postgresql"] if options.dialect == "all" else [options.dialect]
    if "postgresql" in dialects and not pg_server:
        if options.dialect == "postgresql":
            parser.error("--dialect postgresql needs CONSENTRY_TEST_DATABASE_URL")
        dialects.remove("postgresql")
        print("PostgreSQL skipped: set CONSENTRY_TEST_DATABASE_URL to run it too.")
    wanted = [s.strip().upper() for s in options.only.split(",") if s.strip()] or list(SCENARIOS)
    failed = False
    for dialect in dialects:
        with tempfile.TemporaryDirectory(prefix="consentry-bench-") as workdir:
            run = Run(dialect, SCALES[options.scale], Path(workdir), pg_server)
            results: list[Result] = []
            for scenario in wanted:
                print(f"[{dialect}] {scenario}…", file=sys.stderr, flush=True)
                try:
                    outcome = SCENARIOS[scenario](run)
                except Exception as error:  # one broken scenario still reports the others
                    traceback.print_exc()
                    failed = True
                    outcome = Result(
                        scenario, "failed", 0, 0.0, "", "", False, notes=[str(error)[:300]]
                    )
                results.extend(outcome if isinstance(outcome, list) else [outcome])
            print(markdown(results, dialect, options.scale))
            print(f"Written to {write(results, dialect, options.scale)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
