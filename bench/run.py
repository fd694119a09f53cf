"""Benchmark the GON monitor against raw anchors: `.venv/bin/python -m bench [--scale ...]`.

    .venv/bin/python -m bench                          # city and national scale, 5 repetitions
    .venv/bin/python -m bench --scale tiny --reps 1 --out /tmp/b.md   # the smoke run of CI

What is measured (each in a fresh process, so that its peak memory is its own):

- ingest: Store.ingest (read, validate, store with the materialised facts, archive,
  manifest) of a provider CSV of 50,000 and 1,000,000 rows and an XLSX of 100,000 rows,
  each into a fresh database, against DuckDB's read_csv of the same CSV into a table of
  a fresh database file, and fastexcel's read of the same workbook to Arrow;
- the command line as whole processes: `--help` and `ingest` until it reads its first file
  against `python -c 'import duckdb'`, and `ingest` of a 200,000-row CSV against a process
  that reads the same CSV with DuckDB into a table; and Aanleveren's preview followed by
  Opslaan of that CSV against one validation of it (and how often Opslaan validated);
- per scale (a store with every delivery of the synthetic city of gonmetrics.demo at that
  many users, 16 quarters): the full export (metrics.export_frame) and every page's server
  time (Streamlit AppTest of dashboard.py switched to the page; the first render with
  empty caches, then warm), against a plain grouped distinct count of the users per
  quarter and area over the same rows; plus, for scale, the export computed from scratch
  (what it cost before the facts were materialised) and the facts refresh that storing a
  delivery now includes;
- in headless Chromium (bench/browser.py; not in the tiny smoke run): the first chart of
  Gebied and of Voortgang on a warm server against a one-chart Streamlit page, and `scripts/start.sh` on an empty
  folder from healthy to the first chart against that page's cold start.

The table goes to stdout and into `--out` (default docs/benchmarks.md) between the
markers below, with the machine and the date; the rest of that file is left as it is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gonmetrics.access import PAGES  # noqa: E402

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
SCALES = {"tiny": 300, "city": 10_000, "national": 2_000_000}  # users (gonmetrics.demo.generate)
FILES = {  # rows of the ingest files: (small CSV, large CSV, XLSX, CSV for the command line and Aanleveren)
    "full": (50_000, 1_000_000, 100_000, 200_000),
    "tiny": (2_000, 10_000, 1_000, 5_000),
}
PACKAGES = ("duckdb", "streamlit", "pyarrow", "pandas", "numpy", "fastexcel", "plotly")
QUARTER = dt.date(2028, 12, 31)
SCALE_NOTES: list[str] = []  # what each scale's store holds, filled in while measuring


@dataclass
class Row:
    key: str  # stable id: what the smoke test looks for
    what: str
    scale: str
    data: str
    median: float | None = None
    first: float | None = None
    anchor: str = "—"
    anchor_median: float | None = None
    peak_mb: float | None = None
    goal: str = "—"
    checks: list = field(default_factory=list)  # (description, bool)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.median is None or not self.anchor_median:
            return None
        return self.median / self.anchor_median

    @property
    def verdict(self) -> str:
        if self.median is None and self.first is None:
            return "n/a"
        if not self.checks:
            return "—"
        missed = [text for text, ok in self.checks if not ok]
        return "yes" if not missed else "**no**: " + "; ".join(missed)


def row_keys(scales: list[str]) -> list[str]:
    """Every row a run over `scales` produces, in table order (the smoke test checks them)."""
    keys = ["ingest-csv-small", "ingest-csv-large", "ingest-xlsx", "cli-help", "cli-ingest-start", "cli-ingest-csv",
            "aanleveren-save"]
    for scale in scales:
        keys += [f"{scale}-store-refresh", f"{scale}-export", f"{scale}-export-scratch"]
        keys += [f"{scale}-page-{p.key}" for p in PAGES]
        if scale != "tiny":  # in a browser: not in the smoke run
            keys += [f"{scale}-page-first-chart", f"{scale}-page-first-chart-voortgang"]
    if any(scale != "tiny" for scale in scales):
        keys.append("start-first-chart")
    return keys


# --- running a measurement ---------------------------------------------------------------


def measure(task: str, **arguments) -> dict:
    """One bench.work task in a process of its own; its JSON result."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.work", task, json.dumps(arguments)],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench task {task} {arguments} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- ingest rows -------------------------------------------------------------------------


def make_files(folder: Path, sizes: tuple[int, int, int]) -> dict[str, Path]:
    """The ingest files: slices of one provider's extract of one quarter, generated by the
    demo generator at a number of users that gives the largest file enough rows."""
    from gonmetrics.demo import generate, write_csv, write_xlsx

    small, large, xlsx, cli = sizes
    need = max(sizes)
    users = int(need / 0.7) + 100
    table = None
    while table is None or table.num_rows < need:
        deliveries = generate(n_users=users, first=QUARTER, last=QUARTER)
        table = max((d.table for d in deliveries if d.kind == "aanbieder"), key=lambda t: t.num_rows)
        users *= 2
    files = {
        "ingest-csv-small": write_csv(table.slice(0, small), folder / f"provider_{small}.csv"),
        "ingest-csv-large": write_csv(table.slice(0, large), folder / f"provider_{large}.csv"),
        "ingest-xlsx": write_xlsx(table.slice(0, xlsx), folder / f"provider_{xlsx}.xlsx",
                                  title_rows=["Wmo-trajecten (synthetische benchmarkdata)"]),
        "cli-ingest-csv": write_csv(table.slice(0, cli), folder / f"provider_{cli}.csv"),
    }
    return files


def ingest_rows(folder: Path, sizes: tuple[int, ...], reps: int, full: bool, wanted=lambda key: True) -> list[Row]:
    """The ingest and command-line rows that `wanted(row id)` selects."""
    files = make_files(folder, sizes)
    rows = []
    for key in filter(wanted, ("ingest-csv-small", "ingest-csv-large", "ingest-xlsx")):
        path = files[key]
        n = {"ingest-csv-small": sizes[0], "ingest-csv-large": sizes[1], "ingest-xlsx": sizes[2]}[key]
        kind = "XLSX" if path.suffix == ".xlsx" else "CSV"
        _say(f"  {key}: {path.name}")
        anchor = measure("anchor_xlsx" if kind == "XLSX" else "anchor_csv", path=str(path), reps=reps,
                         work=str(folder))
        result = measure("ingest", path=str(path), reps=reps, work=str(folder))
        row = Row(
            key=key, what=f"Ingest {kind} (Store.ingest)", scale="—",
            data=f"{n:,} rows, {path.stat().st_size / 1e6:.1f} MB",
            median=result["median"],
            anchor="fastexcel → Arrow" if kind == "XLSX" else "DuckDB read_csv → table",
            anchor_median=anchor["median"], peak_mb=result["peak_mb"],
            note=f"anchor peak {anchor['peak_mb']:.0f} MiB",
        )
        if full:
            row.goal = "≤ 2× anchor"
            row.checks.append((f"{row.ratio:.1f}× > 2×", row.ratio <= 2))
            if key == "ingest-csv-large":
                row.goal += ", peak ≤ 1.5× anchor's"
                row.checks.append((f"peak {row.peak_mb / anchor['peak_mb']:.1f}× > 1.5×",
                                   row.peak_mb <= 1.5 * anchor["peak_mb"]))
        rows.append(row)
    return rows + command_line_rows(files["cli-ingest-csv"], sizes[3], reps, folder, full, wanted)


def command_line_rows(path: Path, n: int, reps: int, folder: Path, full: bool, wanted) -> list[Row]:
    """Whole processes of the command line against Python importing DuckDB, and Aanleveren's
    preview + Opslaan against one validation of the same file."""
    data = f"{n:,} rows, {path.stat().st_size / 1e6:.1f} MB"
    _say(f"  command line: {path.name}")
    starts = [(key, command, what, on) for key, command, what, on in (
        ("cli-help", "help", "`python -m gonmetrics --help`, whole process", "—"),
        ("cli-ingest-start", "until_first_read",
         "`ingest` until it reads the first file (fresh database), whole process", data)) if wanted(key)]
    imports = measure("process", command="import_duckdb", reps=reps, work=str(folder)) if starts else None
    rows = []
    for key, command, what, on in starts:
        result = measure("process", command=command, path=str(path) if command != "help" else "", reps=reps,
                         work=str(folder))
        row = Row(key=key, what=what, scale="—", data=on, median=result["median"],
                  anchor="`python -c 'import duckdb'`", anchor_median=imports["median"], peak_mb=result["peak_mb"],
                  note=f"anchor peak {imports['peak_mb']:.0f} MiB")
        if full:
            row.goal = "≤ 0.35 s"
            row.checks.append((f"{row.median:.2f} s > 0.35 s", row.median <= 0.35))
        rows.append(row)

    if wanted("cli-ingest-csv"):
        rows.append(_cli_ingest_row(path, data, reps, folder, full))
    if wanted("aanleveren-save"):
        rows.append(_aanleveren_row(path, data, reps, folder))
    return rows


def _cli_ingest_row(path: Path, data: str, reps: int, folder: Path, full: bool) -> Row:
    raw = measure("process", command="raw_csv", path=str(path), reps=reps, work=str(folder))
    result = measure("process", command="ingest", path=str(path), reps=reps, work=str(folder))
    row = Row(key="cli-ingest-csv", what="`python -m gonmetrics ingest` of a CSV, whole process", scale="—",
              data=data, median=result["median"], anchor="DuckDB read_csv → table, whole process",
              anchor_median=raw["median"], peak_mb=result["peak_mb"], note=f"anchor peak {raw['peak_mb']:.0f} MiB")
    if full:
        row.goal = "≤ 2× anchor"
        row.checks.append((f"{row.ratio:.1f}× > 2×", row.ratio <= 2))
    return row


def _aanleveren_row(path: Path, data: str, reps: int, folder: Path) -> Row:
    _say("  Aanleveren: preview, then Opslaan")
    once = measure("check_once", path=str(path), reps=reps, work=str(folder))
    result = measure("aanleveren", path=str(path), reps=reps, work=str(folder))
    checks = result["extra"]["checks_on_save"]
    row = Row(key="aanleveren-save", what="Aanleveren: preview, then Opslaan (desk.preview + desk.save)",
              scale="—", data=data, median=result["median"], anchor="one validation (load.check)",
              anchor_median=once["median"], peak_mb=result["peak_mb"],
              note=f"Opslaan validated {checks} time(s)", goal="Opslaan validates nothing")
    row.checks.append((f"Opslaan validated {checks}×", checks == 0))
    return row


# --- rows per scale ----------------------------------------------------------------------


def _marker(users: int) -> str:
    """A store built earlier is reused only while what shaped it is unchanged."""
    digest = hashlib.sha256()
    for name in ("gonmetrics/demo.py", "gonmetrics/metrics.py", "gonmetrics/schema.sql", "gonmetrics/store.py",
                 "bench/work.py"):
        digest.update((ROOT / name).read_bytes())
    return f"{users}:{digest.hexdigest()[:16]}"


def scale_rows(scale: str, folder: Path, reps: int, full: bool) -> list[Row]:
    users = SCALES[scale]
    db = folder / f"bench_{scale}.duckdb"
    _say(f"  {scale}: building the store ({users:,} users)")
    built = measure("build", db=str(db), n_users=users, marker=_marker(users))["extra"]
    described = (f"{scale}: {users:,} users generated, {built['deliveries']} deliveries over 16 quarters, "
                 f"{built['trajectories']:,} current trajectories, {built['registrations']:,} current registrations, "
                 f"at most {built['users_per_quarter_max']:,} users in a quarter")
    if not built["reused"]:
        described += f"; stored delivery by delivery in {built['stored_s']:.0f} s"
    SCALE_NOTES.append(described)
    data = f"{built['trajectories'] / 1e6:.2f} M rows"
    _say(f"  {described}")
    raw = measure("raw", db=str(db), reps=reps)
    anchor = "grouped distinct count"
    rows = []

    refresh = Row(
        key=f"{scale}-store-refresh", what="Facts refresh per stored provider delivery (in its transaction)",
        scale=scale, data=data,
        median=statistics.median(built["refresh_provider"]), anchor=anchor, anchor_median=raw["median"],
        note=f"WIJ deliveries: median {statistics.median(built['refresh_wij']):.3f} s; slowest of all "
             f"{max(built['refresh_provider'] + built['refresh_wij']):.3f} s",
    )
    rows.append(refresh)

    _say(f"  {scale}: export")
    result = measure("export", db=str(db), reps=reps)
    row = Row(key=f"{scale}-export", what="Full export (metrics.export_frame)", scale=scale, data=data,
              median=result["median"], anchor=anchor, anchor_median=raw["median"], peak_mb=result["peak_mb"],
              note=f"{result['extra']['export_rows']:,} rows")
    if full and scale == "city":
        row.goal = "< 0.3 s"
        row.checks.append((f"{row.median:.2f} s ≥ 0.3 s", row.median < 0.3))
    rows.append(row)

    scratch_reps = 1 if scale == "national" else reps
    _say(f"  {scale}: export from scratch ({scratch_reps}×)")
    result = measure("export", db=str(db), reps=scratch_reps, materialised=False)
    rows.append(Row(key=f"{scale}-export-scratch", what="Export computed from scratch (fallback; before this change)",
                    scale=scale, data=data, median=result["median"], anchor=anchor, anchor_median=raw["median"],
                    peak_mb=result["peak_mb"], note=f"{scratch_reps} run(s)"))

    for spec in PAGES:
        key = f"{scale}-page-{spec.key}"
        row = Row(key=key, what=f"Page {spec.key}: server time", scale=scale,
                  data=data, anchor=anchor, anchor_median=raw["median"])
        _say(f"  {scale}: page {spec.key}")
        result = measure("page", db=str(db), page=spec.key, reps=reps)
        row.median, row.first, row.peak_mb = result["median"], result["first"], result["peak_mb"]
        if full:
            limit, first_limit = (0.5, None) if scale == "city" else (1.0, 3.0)
            row.goal = f"< {limit} s" + (f", first < {first_limit} s" if first_limit else "")
            row.checks.append((f"{row.median:.2f} s ≥ {limit} s", row.median < limit))
            if first_limit:
                row.checks.append((f"first {row.first:.2f} s ≥ {first_limit} s", row.first < first_limit))
        rows.append(row)
    if full:
        rows += page_first_chart_rows(scale, db, data, reps)
    return rows


# --- in the browser (bench/browser.py) ------------------------------------------------------


FIRST_CHART_PAGES = {"gebied": "", "voortgang": "-voortgang"}  # page -> suffix of its row's id


def page_first_chart_rows(scale: str, db: Path, data: str, reps: int) -> list[Row]:
    from bench import browser

    _say(f"  {scale}: the pages' first chart in the browser")
    result = browser.page_first_chart(str(db), tuple(FIRST_CHART_PAGES), reps)
    rows = []
    for page, suffix in FIRST_CHART_PAGES.items():
        row = Row(key=f"{scale}-page-first-chart{suffix}",
                  what=f"{page.capitalize()}: opening its URL to its first chart in Chromium (warm server)",
                  scale=scale, data=data, median=result["pages"][page], anchor="a one-chart Streamlit page, same browser",
                  anchor_median=result["anchor_median"], goal="≤ 1.5× anchor")
        row.checks.append((f"{row.ratio:.1f}× > 1.5×", row.ratio <= 1.5))
        rows.append(row)
    return rows


def start_first_chart_row(reps: int) -> Row:
    from bench import browser

    _say("start.sh on an empty folder: first chart")
    result = browser.start_first_chart(reps)
    row = Row(key="start-first-chart", what="`scripts/start.sh` on an empty folder: healthy → first chart (a visitor "
              "at once; start.sh builds the demo before the server starts)", scale="—", data="the demo",
              median=result["median"], anchor="one-chart Streamlit page: process start → first chart",
              anchor_median=result["anchor_median"], goal="≤ 5 s after healthy",
              note=f"start → healthy {result['healthy_median']:.1f} s (setup.sh, demo build, server start)")
    row.checks.append((f"{row.median:.1f} s > 5 s", row.median <= 5))
    return row


# --- the report --------------------------------------------------------------------------


def _seconds(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def table(rows: list[Row]) -> str:
    lines = [
        "| Id | Measurement | Scale | Data | Median s | First s | Anchor (same run) | Anchor median s | Ratio "
        "| Peak MiB | Goal | Met | Note |",
        "|---|---|---|---|---:|---:|---|---:|---:|---:|---|---|---|",
    ]
    for r in rows:
        ratio = "—" if r.ratio is None else f"{r.ratio:.2f}×"
        peak = "—" if r.peak_mb is None else f"{r.peak_mb:.0f}"
        first = "—" if r.first is None else _seconds(r.first)
        lines.append(
            f"| `{r.key}` | {r.what} | {r.scale} | {r.data} | {_seconds(r.median)} | {first} | {r.anchor} "
            f"| {_seconds(r.anchor_median)} | {ratio} | {peak} | {r.goal} | {r.verdict} | {r.note} |"
        )
    return "\n".join(lines)


def machine(load_before: tuple, load_after: tuple) -> str:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as f:
        mem_kb = next(int(line.split()[1]) for line in f if line.startswith("MemTotal"))
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in PACKAGES)
    return (
        f"- Machine: {os.cpu_count()} cores (`nproc`), {mem_kb / 1024 / 1024:.1f} GiB memory, CPU {cpu}; "
        f"{platform.system()} {platform.release()}\n"
        f"- Python {platform.python_version()}; {versions}\n"
        f"- Load average (1, 5, 15 min) at the start {', '.join(f'{x:.2f}' for x in load_before)}, at the end "
        f"{', '.join(f'{x:.2f}' for x in load_after)}: above ~0.5 other work shared the cores and the times are "
        "higher than on a quiet machine"
    )


def section(rows: list[Row], args, started: dt.datetime, load_before: tuple) -> str:
    command = "`.venv/bin/python -m bench " + " ".join(
        f"--{k} {v}" for k, v in (("scale", args.scale), ("reps", args.reps), ("rows", args.rows or None)) if v is not None) + "`"
    return (
        f"{BEGIN}\n"
        f"Run of {started:%Y-%m-%d %H:%M} with {command}; medians over {args.reps} repetition(s).\n\n"
        f"{machine(load_before, os.getloadavg())}\n"
        + "".join(f"- Scale {note}\n" for note in SCALE_NOTES)
        + "- Median: warm runs in one process; First: a page's first render with empty caches (figures "
        "computed, not cached); Ratio: median / anchor median; Peak: ru_maxrss of the measuring process, "
        "interpreter and libraries included (about 150–250 MiB of it)\n\n"
        f"{table(rows)}\n"
        f"{END}"
    )


TEMPLATE = """# Benchmarks

Produced by `bench/` ({command}); see `bench/run.py` for what each row measures.

{section}
"""


def write(out: Path, text: str) -> None:
    if out.exists():
        old = out.read_text(encoding="utf-8")
        if BEGIN in old and END in old:
            head, rest = old.split(BEGIN, 1)
            out.write_text(head + text + rest.split(END, 1)[1], encoding="utf-8")
            return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(TEMPLATE.format(command="`.venv/bin/python -m bench`", section=text), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="city,national",
                        help="comma-separated: tiny, city, national (default city,national)")
    parser.add_argument("--reps", type=int, default=5, help="repetitions per measurement (median)")
    parser.add_argument("--out", type=Path, default=None,
                        help="file whose table is rewritten (default docs/benchmarks.md; with --rows, none)")
    parser.add_argument("--rows", default="",
                        help="comma-separated row ids (e.g. ingest-csv-small,cli-ingest-csv): measure only these, "
                             "for an A/B comparison; the table is then only printed unless --out is given")
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for files and stores, kept (stores are reused); default a temporary one")
    args = parser.parse_args(argv)
    scales = [s.strip() for s in args.scale.split(",") if s.strip()]
    unknown = [s for s in scales if s not in SCALES]
    if unknown or not scales:
        parser.error(f"unknown scale(s): {', '.join(unknown) or '(none)'}; choose from {', '.join(SCALES)}")
    full = scales != ["tiny"]
    chosen = {key.strip() for key in args.rows.split(",") if key.strip()}
    if strange := chosen - set(row_keys(scales)):
        parser.error(f"unknown row id(s): {', '.join(sorted(strange))}; choose from {', '.join(row_keys(scales))}")

    def wanted(key: str) -> bool:
        return not chosen or key in chosen

    SCALE_NOTES.clear()
    started, load_before = dt.datetime.now(), os.getloadavg()
    folder = args.work or Path(tempfile.mkdtemp(prefix="gon-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        _say("ingest")
        rows = ingest_rows(folder, FILES["full" if full else "tiny"], args.reps, full, wanted)
        for scale in [s for s in scales if any(wanted(key) for key in row_keys([s]) if key.startswith(s + "-"))]:
            _say(scale)
            rows += [row for row in scale_rows(scale, folder, args.reps, full) if wanted(row.key)]
        if full and wanted("start-first-chart"):
            rows.append(start_first_chart_row(args.reps))
    finally:
        if args.work is None:
            shutil.rmtree(folder, ignore_errors=True)
    text = section(rows, args, started, load_before)
    if args.out or not chosen:
        write(args.out or ROOT / "docs" / "benchmarks.md", text)
    print(text)
    return 0
