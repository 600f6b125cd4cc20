"""The opt-out importer on generated files (issue 11): any encoding, delimiter, quoting, BOM,
blank lines and bad rows (NULs, garbage, duplicates). It either refuses the whole file with a
clear InvalidInput, writing nothing, or imports it: every good address is opted out, every bad
row is reported with its line number, and the summary's counts add up to the data rows.
"""

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from consentry.config import Config
from consentry.domain import Actor, ActorKind, InvalidInput, normalise_email
from consentry.services import job_pump  # noqa: F401  (registers the import job kinds)
from consentry.services.imports import OptOutImport, submit_optout_import
from consentry.services.imports.optouts import inspect
from consentry.services.job_runner import JobRunner, result_file
from consentry.storage import tables

GOOD = [f"reader{n}@example.com" for n in range(6)] + ["Jane@Bücher.example", "j\u0430ne@x.org"]
BAD = ["not an address", "a\x00b@example.com", "jane@@x.com", "\u202e@x.com", "", "  "]
row = st.one_of(
    st.tuples(st.just("good"), st.sampled_from(GOOD)),
    st.tuples(st.just("bad"), st.sampled_from(BAD[:4])),
    st.tuples(st.just("bad"), st.text(max_size=12)),
)
files = st.fixed_dictionaries(
    {
        "rows": st.lists(row, max_size=12),
        "encoding": st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
        "delimiter": st.sampled_from([",", ";", "\t"]),
        "quoting": st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
        "extra_column": st.booleans(),
    }
)


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(tables.ledger)).scalar_one()


@settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(spec=files)
def test_generated_opt_out_files(engine: Engine, tmp_path: Path, spec: dict[str, object]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=str(spec["delimiter"]), quoting=spec["quoting"])  # type: ignore[arg-type]
    writer.writerow(["email", "note"] if spec["extra_column"] else ["email"])
    for _, cell in spec["rows"]:  # type: ignore[attr-defined]
        writer.writerow([cell, "x"] if spec["extra_column"] else [cell])
    path = tmp_path / f"list-{abs(hash(repr(spec)))}.csv"
    try:
        path.write_bytes(out.getvalue().encode(str(spec["encoding"])))
    except UnicodeEncodeError:
        return  # cp1252 cannot spell every generated cell
    config = Config(database_url="sqlite://", jobs_dir=tmp_path / "jobs")
    before = _count(engine)
    runner = JobRunner(engine, config)
    import_spec = OptOutImport(path, Actor(ActorKind.USER, "tester"))
    try:
        rows = inspect(import_spec).rows
        job = submit_optout_import(
            engine, config, import_spec, expect_rows=rows, worker_id=runner.worker_id
        )
    except InvalidInput as refused:
        assert refused.message
        assert _count(engine) == before
        return
    finished = runner.run(job.id)
    summary = dict(finished.summary)
    blank = summary.pop("blank_lines", 0)  # reported, but not data rows
    assert blank >= 0 and sum(summary.values()) == rows, summary
    with result_file(config, job.id).open(newline="", encoding="utf-8") as results:
        lines = list(csv.DictReader(results))
    bad = [line for line in lines if line["outcome"] in ("BAD_ROW", "DUPLICATE")]
    assert len(bad) == summary.get("bad_rows", 0)
    numbers = [int(line["line"]) for line in bad]
    assert len(set(numbers)) == len(numbers) and all(n >= 2 for n in numbers)  # 1: header
    good = {normalise_email(cell).key for kind, cell in spec["rows"] if kind == "good"}  # type: ignore[attr-defined]
    with engine.connect() as connection:
        stored = set(connection.execute(select(tables.subscribers.c.key)).scalars())
    assert good <= stored  # every good address went in (opted out from all)
