"""One measurement in a process of its own: `python -m bench.work TASK JSON`.

A fresh process per measurement makes its peak memory (ru_maxrss) that of the one
operation (plus the interpreter and libraries, reported as `base_mb`). The last line
printed is a JSON object: {"times": [seconds per repetition], "first": seconds of the
first, uncached run where there is one, "peak_mb", "base_mb", "extra": {...}}.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gonmetrics.demo import generate  # noqa: E402
from gonmetrics.load import LoadReport  # noqa: E402
from gonmetrics.store import Store  # noqa: E402

# The anchor of every figure and page: count the users per quarter and area straight from
# the current deliveries, without any of the monitor's definitions beyond "active".
RAW_QUERY = """
    SELECT peildatum, gebied, count(DISTINCT client_id) AS users
    FROM current_trajectories
    WHERE startdatum <= peildatum AND (einddatum IS NULL OR einddatum >= peildatum)
    GROUP BY ALL
"""
UNLIMITED = 1 << 34  # max_bytes for the benchmark's large files (over the upload limit)


def _mb(kilobytes: int) -> float:
    return round(kilobytes / 1024, 1)


def peak_mb() -> float:
    """The process's peak resident memory (VmHWM). Not ru_maxrss: on Linux that keeps the
    high-water mark of the process it was started from (vfork + exec), i.e. the parent's."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return _mb(int(line.split()[1]))
    return _mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _timed(work, reps: int) -> list[float]:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


# --- ingest and its anchors ---------------------------------------------------------------


def anchor_csv(path: str, reps: int, work: str) -> dict:
    """DuckDB's own read_csv of the file into a table of a fresh database file."""
    def once():
        with tempfile.TemporaryDirectory(dir=work) as folder:
            con = duckdb.connect(str(Path(folder) / "raw.duckdb"))
            con.execute("CREATE TABLE raw AS SELECT * FROM read_csv(?, delim = ';', header = true)", [path])
            con.close()
    return {"times": _timed(once, reps)}


def anchor_xlsx(path: str, reps: int, work: str) -> dict:
    """The fastest raw XLSX read here: fastexcel (calamine) straight to Arrow."""
    import fastexcel

    def once():
        fastexcel.read_excel(Path(path).read_bytes()).load_sheet(0, header_row=2).to_arrow()
    return {"times": _timed(once, reps)}


def ingest(path: str, reps: int, work: str) -> dict:
    """Store.ingest (read, validate, store, materialised facts, archive, manifest) into a
    fresh database; the bytes are in memory first, as an upload holds them."""
    name, data = Path(path).name, Path(path).read_bytes()
    times = []
    for _ in range(reps):
        with tempfile.TemporaryDirectory(dir=work) as folder:
            store = Store(Path(folder) / "gon.duckdb")
            start = time.perf_counter()
            report = store.ingest(data, name, user="bench", max_bytes=UNLIMITED)
            times.append(time.perf_counter() - start)
            if report.status != "accepted":
                raise RuntimeError(f"{name} was refused: {report.errors[:3]}")
    return {"times": times}


# --- whole processes: the command line and its anchors -------------------------------------

# Every command runs under this prelude, which prints the process's own peak memory
# (VmHWM) on stderr when it ends: ru_maxrss of a child counts its parent's memory too.
_PRELUDE = """
import atexit, os, sys
def _peak():
    with open("/proc/self/status") as status:
        sys.stderr.write("".join(f"\\nPEAK {l.split()[1]}\\n" for l in status if l.startswith("VmHWM:")))
atexit.register(_peak)
"""
_COMMANDS = {
    "help": "import runpy; sys.argv = ['gonmetrics', '--help']; runpy.run_module('gonmetrics', run_name='__main__')",
    "import_duckdb": "import duckdb",
    # `ingest` stopped where it reads the first file: its start-up (imports, a fresh database).
    "until_first_read": (
        "import pathlib\n"
        "pathlib.Path.read_bytes = lambda self: (_peak(), os._exit(0))\n"
        "sys.argv = ['gonmetrics', 'ingest', *sys.argv[1:]]\n"
        "from gonmetrics.cli import main\nmain()"
    ),
    "ingest": ("import runpy; sys.argv = ['gonmetrics', 'ingest', *sys.argv[1:], '--json']\n"
               "runpy.run_module('gonmetrics', run_name='__main__')"),
    "raw_csv": ("import duckdb\ncon = duckdb.connect(sys.argv[-1])\n"
                "con.execute(\"CREATE TABLE raw AS SELECT * FROM read_csv(?, delim = ';', header = true)\", [sys.argv[1]])\n"
                "con.close()"),
}


def process(command: str, reps: int, work: str, path: str = "") -> dict:
    """Whole-process wall time of one command (`python -c`, a fresh database per run) and the
    largest peak memory of its runs."""
    times, peaks = [], []
    for _ in range(reps):
        with tempfile.TemporaryDirectory(dir=work) as folder:
            arguments = [path, "--db", str(Path(folder) / "gon.duckdb")] if path else []
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", _PRELUDE + _COMMANDS[command], *arguments], cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                  env={**os.environ, "PYTHONPATH": str(ROOT)})
            times.append(time.perf_counter() - start)
            if done.returncode not in (0, 1) or "PEAK" not in done.stderr:
                raise RuntimeError(f"{command} failed: {done.stderr[-2000:]}")
            peaks.append(int(done.stderr.rsplit("PEAK ", 1)[1].split()[0]))
    return {"times": times, "peak_mb": _mb(max(peaks))}


# --- Aanleveren: preview, then Opslaan -------------------------------------------------------


def aanleveren(path: str, reps: int, work: str) -> dict:
    """The page's two steps on one file (desk.preview with room for its rows, then desk.save)
    into a fresh database, counting how often Opslaan validates (load.check)."""
    from gonmetrics import desk, load

    name, data = Path(path).name, Path(path).read_bytes()
    checks_on_save, times = [], []
    for _ in range(reps):
        with tempfile.TemporaryDirectory(dir=work) as folder:
            store = Store(Path(folder) / "gon.duckdb")
            start = time.perf_counter()
            report = desk.preview(data, name, desk.KEPT_ROWS_BYTES)
            calls = []
            real_check = load.check
            load.check = lambda *args, **kwargs: calls.append(1) or real_check(*args, **kwargs)
            try:
                stored = desk.save(store, data, name, report, "bench")
            finally:
                load.check = real_check
            times.append(time.perf_counter() - start)
            checks_on_save.append(len(calls))
            if stored.status != "accepted":
                raise RuntimeError(f"{name} was refused: {stored.errors[:3]}")
    return {"times": times, "extra": {"checks_on_save": max(checks_on_save)}}


def check_once(path: str, reps: int, work: str) -> dict:
    """One validation of the file (load.check): what Aanleveren should cost beyond storing."""
    from gonmetrics.load import check

    name, data = Path(path).name, Path(path).read_bytes()
    return {"times": _timed(lambda: check(data, name), reps)}


# --- a store at scale -------------------------------------------------------------------


def _typed(table: pa.Table) -> pa.Table:
    """A generated delivery as validate() hands it to the store: typed, plain text, row numbers."""
    columns = {"row_no": pa.array(range(2, table.num_rows + 2), pa.int32())}
    for name in table.column_names:
        if name in ("aanbieder", "peildatum"):
            continue
        column = table[name]
        columns[name] = column.cast(pa.string()) if pa.types.is_dictionary(column.type) else column
    return pa.table(columns)


def build(db: str, n_users: int, marker: str) -> dict:
    """A store with every delivery of the synthetic city at `n_users`, stored one by one
    through the store's own path (uploads, current version, materialised facts in one
    transaction each). Reading and validating are measured by the ingest rows instead:
    at national scale they would take most of an hour here. Reuses a store built before
    with the same marker (generator, metrics and schema unchanged)."""
    from gonmetrics import metrics

    path = Path(db)
    if path.exists():
        store = Store(path)
        if store.get_meta("bench") == marker:
            return {"times": [], "extra": {"reused": True, **json.loads(store.get_meta("bench_stats"))}}
        path.unlink()
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
    start = time.perf_counter()
    deliveries = generate(n_users=n_users)
    generated = time.perf_counter() - start
    store = Store(path)
    refresh = {"aanbieder": [], "wij": [], "gebied": []}
    original = metrics.refresh_facts

    def timed_refresh(con, upload_id, previous):
        begin = time.perf_counter()
        original(con, upload_id, previous)
        kind = con.execute("SELECT kind FROM uploads WHERE upload_id = ?", [upload_id]).fetchone()[0]
        refresh[kind].append(time.perf_counter() - begin)

    metrics.refresh_facts = timed_refresh
    start = time.perf_counter()
    try:
        with store.connect() as con:
            for number, delivery in enumerate(deliveries, start=1):
                report = LoadReport(
                    file=f"bench-{number}.csv", status="accepted", kind=delivery.kind, rows=delivery.table.num_rows,
                    aanbieder=delivery.aanbieder, peildatum=delivery.peildatum,
                    sha256=hashlib.sha256(f"{marker}/{number}".encode()).hexdigest(), fmt="csv",
                    typed_rows=_typed(delivery.table),
                )
                store._in_transaction(con, lambda: store._store(con, b"", report, "bench"))
            store._write_manifest(con)
    finally:
        metrics.refresh_facts = original
    stored = time.perf_counter() - start
    with store.connect() as con:
        trajectories = con.execute("SELECT count(*) FROM current_trajectories").fetchone()[0]
        registrations = con.execute("SELECT count(*) FROM current_registrations").fetchone()[0]
        users = con.execute(
            "SELECT max(users) FROM (SELECT count(DISTINCT client_id) AS users FROM current_trajectories "
            "WHERE startdatum <= peildatum AND (einddatum IS NULL OR einddatum >= peildatum) GROUP BY peildatum)"
        ).fetchone()[0]
    stats = {
        "generated_s": generated, "stored_s": stored, "deliveries": len(deliveries),
        "trajectories": trajectories, "registrations": registrations, "users_per_quarter_max": users,
        "refresh_provider": refresh["aanbieder"], "refresh_wij": refresh["wij"],
    }
    store.set_meta("bench_stats", json.dumps(stats))
    store.set_meta("bench", marker)
    return {"times": [], "extra": {"reused": False, **stats}}


# --- export and pages ---------------------------------------------------------------------


def raw(db: str, reps: int) -> dict:
    con = duckdb.connect(db, read_only=True)
    rows = con.execute(f"SELECT count(*) FROM ({RAW_QUERY.replace('count(DISTINCT client_id)', '1')})").fetchone()
    scanned = con.execute("SELECT count(*) FROM current_trajectories").fetchone()[0]
    times = _timed(lambda: con.execute(RAW_QUERY).fetchall(), reps)
    return {"times": times, "extra": {"rows": scanned, "groups": rows[0]}}


def export(db: str, reps: int, materialised: bool = True) -> dict:
    from gonmetrics.metrics import export_frame, facts_fresh

    store = Store(db)
    with store.connect() as con:
        if materialised and not facts_fresh(con):
            raise RuntimeError("the materialised facts of the benchmark store are not up to date")
        times = _timed(lambda: export_frame(con, materialised=materialised), reps)
        rows = len(export_frame(con, materialised=materialised))
    return {"times": times, "extra": {"export_rows": rows}}


def page(db: str, page: str, reps: int) -> dict:
    """Server time of one page through dashboard.py (login frame and menu included):
    first with empty caches, then warm (as every later visitor sees it)."""
    os.environ["GONMETRICS_DB"] = db
    os.environ["GONMETRICS_USERS"] = str(Path(db).with_name("no-users.toml"))  # local mode: an analyst
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    at.run()  # imports and the frame; the default page (overzicht) fills the caches
    st.cache_data.clear()
    at.switch_page(f"pages/{page}.py")
    start = time.perf_counter()
    at.run()
    first = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"page {page} failed: {at.exception}")
    times = _timed(at.run, reps)
    if at.exception:
        raise RuntimeError(f"page {page} failed: {at.exception}")
    return {"times": times, "first": first, "extra": {"elements": len(list(at.main))}}


TASKS = {
    "anchor_csv": anchor_csv, "anchor_xlsx": anchor_xlsx, "ingest": ingest, "build": build,
    "raw": raw, "export": export, "page": page, "process": process, "aanleveren": aanleveren,
    "check_once": check_once,
}


def main(argv: list[str]) -> int:
    task, arguments = argv[0], json.loads(argv[1])
    base = peak_mb()
    result = TASKS[task](**arguments)
    result.setdefault("peak_mb", peak_mb())
    result.update(base_mb=base, at=dt.datetime.now().isoformat(timespec="seconds"))
    if result.get("times"):
        result["median"] = statistics.median(result["times"])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
