"""`python -m gonmetrics ...`: the command line of shared/cli.md."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path

from .databases import DEMO_NOTICE, demo_path
from .errors import GonError
from .upload_limit import too_large
from .vocab import KIND_LABELS

# Each command imports what it uses (DuckDB, pandas, the readers) when it runs, so that
# `--help` and a usage error stay quick.



def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gonmetrics", description="GON-monitor: laden en exporteren.")
    sub = parser.add_subparsers(dest="command", required=True)
    db_help = "database (standaard: $GONMETRICS_DB, anders die van het dashboard)"

    ingest = sub.add_parser("ingest", help="lever één of meer extracten aan")
    ingest.add_argument("files", nargs="+", metavar="FILE")
    ingest.add_argument("--db", type=Path, help=db_help)
    ingest.add_argument("--user", default="cli", help="naam van wie aanlevert (voor de uploadgeschiedenis)")
    ingest.add_argument("--json", action="store_true", help="rapport als JSON op stdout")

    export = sub.add_parser("export", help="schrijf de machineleesbare export (CSV)")
    export.add_argument("--db", type=Path, help=db_help)
    export.add_argument("--out", type=Path, help="bestand (standaard: stdout)")
    export.add_argument("--public", action="store_true", help="kleine aantallen afschermen zoals op de raadspagina's")

    demo = sub.add_parser("demo", help="bouw de demodatabase met synthetische gegevens")
    demo.add_argument("--db", type=Path, help="demodatabase (standaard: die naast de echte database, die het "
                                              "dashboard toont zolang de echte leeg is)")
    demo.add_argument("--if-missing", action="store_true",
                      help="alleen als de demodatabase er nog niet is en de echte database geen levering bevat "
                           "(scripts/start.sh bouwt zo de demo terwijl het dashboard start)")

    rebuild = sub.add_parser("rebuild", help="herbouw de database uit het archief van ruwe bestanden")
    rebuild.add_argument("--db", type=Path, help=db_help)
    return parser


def _report_lines(report) -> list[str]:
    from . import fmt
    from .load import years_label

    if report.accepted:
        what = KIND_LABELS.get(report.kind, report.kind)
        who = f", {report.aanbieder}" if report.aanbieder else ""
        when = f"jaren {years_label(report.years)}" if report.years else f"peildatum {fmt.date(report.peildatum)}"
        rows = f"{fmt.number(report.rows)} {'regel' if report.rows == 1 else 'regels'}"
        head = f"{report.file}: goedgekeurd ({what}{who}, {when}, {rows})"
        if report.upload_id:
            head += f", opgeslagen als upload {report.upload_id}"
            if report.replaces:
                head += f"; vervangt upload {report.replaces}"
        lines = [head + "."]
    else:
        lines = [f"{report.file}: GEWEIGERD, {fmt.number(report.error_count)} fout(en); er is niets opgeslagen."]
        for e in report.errors:
            where = ", ".join(p for p in (
                f"regel {e['row']}" if e["row"] is not None else "",
                f"kolom {e['column']}" if e["column"] else "",
            ) if p)
            lines.append(f"  {where + ': ' if where else ''}{e['message']}")
        if report.error_count > len(report.errors):
            lines.append(f"  ... en nog {fmt.number(report.error_count - len(report.errors))} fout(en).")
    lines += [f"  waarschuwing: {w}" for w in report.warnings]
    return lines


def _refused(name: str, message: str):
    from .load import LoadReport, safe_file_name

    return LoadReport(file=safe_file_name(name), status="refused", error_count=1,
                      errors=[{"row": None, "column": None, "message": message}])


def _ingest(args) -> int:
    from .store import Store

    store = Store(args.db)
    reports = []
    for name in args.files:
        path = Path(name)
        try:
            # The upload limit holds here too, before a huge file is read into memory.
            problem = too_large(path.stat().st_size)
            report = _refused(name, problem) if problem else store.ingest(path.read_bytes(), path.name, user=args.user)
        except OSError:
            report = _refused(name, "Bestand niet gevonden of niet leesbaar.")
        reports.append(report)
        if not args.json:
            print("\n".join(_report_lines(report)))
    if args.json:
        json.dump([r.as_json() for r in reports], sys.stdout, ensure_ascii=False, indent=1)
        print()
    return 0 if all(r.accepted for r in reports) else 1


def _export(args) -> int:
    from .metrics import export_csv, export_frame
    from .privacy import protect
    from .store import Store

    store = Store(args.db)
    with store.connect() as con:
        frame = export_frame(con)
        demo = store.is_demo()
    if args.public:
        frame = protect(frame)
    text = export_csv(frame, notice=DEMO_NOTICE if demo else None)
    if args.out:
        args.out.write_text(text, encoding="utf-8", newline="")
    else:
        sys.stdout.write(text)
    return 0


def _demo(args) -> int:
    from .settings import db_path as real_path

    path = args.db or demo_path(real_path())
    if args.if_missing and path.exists():
        return 0  # nothing to build (every start.sh asks): decided before any library is loaded
    from .store import holds_deliveries

    if args.if_missing and not args.db and holds_deliveries(real_path()):
        return 0  # real deliveries: no demo, and the real database only read
    from . import fmt
    from .demo import build_demo, ensure_demo

    print(f"De demodata (synthetische gegevens) worden opgebouwd in {path}…", flush=True)
    begin, stopped = time.monotonic(), []

    def interrupted(*frame):  # DuckDB turns a ctrl-C during a query into an error of its own: note it came
        stopped.append(True)
        signal.default_int_handler(*frame)

    signal.signal(signal.SIGINT, interrupted)
    try:
        if args.if_missing:
            built = ensure_demo(path)  # False: another process built it meanwhile
        else:
            build_demo(path)
            built = True
    except BaseException:
        if not stopped:
            raise
        # A new demo is only moved into place once complete; the next start begins afresh.
        print("Onderbroken: de demodata zijn niet opgebouwd; de volgende start bouwt ze opnieuw.", file=sys.stderr)
        return 130
    if built:
        print(f"Demodata opgebouwd in {fmt.number(time.monotonic() - begin, 1)} s.")
    else:
        print("De demodata waren er al: een ander proces heeft ze intussen opgebouwd.")
    return 0


def _rebuild(args) -> int:
    from .rebuild import rebuild
    from .store import default_db_path

    path = args.db or default_db_path()
    result = rebuild(path)
    for problem in result.problems:
        print(f"  waarschuwing: {problem}")
    kept = f"de vorige staat in {result.backup.name}" if result.backup else "er was nog geen database"
    print(f"Database {path} herbouwd uit het archief ({kept}).")
    return 1 if result.problems else 0


COMMANDS = {"ingest": _ingest, "export": _export, "demo": _demo, "rebuild": _rebuild}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except GonError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 1
