"""The command line of shared/cli.md, run as a real subprocess."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROW, provider_csv
from tests.test_validate import replace_field

PROJECT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, env_db: Path | None = None, **extra_env: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT), **extra_env}
    if env_db:
        env["GONMETRICS_DB"] = str(env_db)
    return subprocess.run([sys.executable, "-m", "gonmetrics", *args], capture_output=True, text=True,
                          cwd=PROJECT, env=env, timeout=120)


def test_ingest_json_reports_each_file_and_exit_code(tmp_path):
    good = tmp_path / "goed.csv"
    good.write_bytes(provider_csv(ROW))
    bad = tmp_path / "fout.csv"
    bad.write_bytes(provider_csv(ROW, replace_field(replace_field(ROW, 2, "client-0002"), 3, "Noord")))
    db = tmp_path / "gon.duckdb"
    result = run_cli("ingest", str(good), str(bad), "--db", str(db), "--user", "ana", "--json")
    assert result.returncode == 1, result.stderr
    reports = json.loads(result.stdout)
    assert [r["status"] for r in reports] == ["accepted", "refused"]
    assert reports[0] == {"file": "goed.csv", "status": "accepted", "kind": "aanbieder", "rows": 1,
                          "errors": [], "warnings": []}
    assert reports[1]["rows"] == 2
    assert [(e["row"], e["column"]) for e in reports[1]["errors"]] == [(3, "gebied")]


def test_ingest_all_accepted_exits_0_and_prints_dutch_report(tmp_path):
    good = tmp_path / "goed.csv"
    good.write_bytes(provider_csv(ROW))
    result = run_cli("ingest", str(good), env_db=tmp_path / "gon.duckdb")
    assert result.returncode == 0, result.stderr
    assert "goed.csv: goedgekeurd (aanbiedersextract, Zorg BV, peildatum 31-03-2027, 1 regel)" in result.stdout
    assert (tmp_path / "gon.duckdb").exists()  # GONMETRICS_DB chose the database


def test_refused_report_names_row_and_column_in_dutch(tmp_path):
    bad = tmp_path / "fout.csv"
    bad.write_bytes(provider_csv(replace_field(ROW, 3, "Noord")))
    result = run_cli("ingest", str(bad), "--db", str(tmp_path / "gon.duckdb"))
    assert result.returncode == 1
    assert "fout.csv: GEWEIGERD, 1 fout(en); er is niets opgeslagen." in result.stdout
    assert "regel 2, kolom gebied: Onbekend gebied 'Noord'" in result.stdout


def test_help_imports_none_of_the_heavy_libraries():
    # What `--help` imports, seen from inside the process (no timing: that is the benchmark's).
    code = ("import runpy, sys\nsys.argv = ['gonmetrics', '--help']\ntry:\n"
            "    runpy.run_module('gonmetrics', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('pandas', 'plotly', 'streamlit', 'pyarrow') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT)}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_ingest_reads_its_first_file_before_importing_pandas(tmp_path):
    # A command pays only for what it uses: opening a fresh store and reading the file need
    # neither pandas nor the dashboard's libraries (the benchmark times it; this sees it).
    code = ("import os, pathlib, runpy, sys\n"
            "def first_read(self):\n"
            "    print(sorted(m for m in ('pandas', 'plotly', 'streamlit') if m in sys.modules), flush=True)\n"
            "    os._exit(0)\n"
            "pathlib.Path.read_bytes = first_read\n"
            f"sys.argv = ['gonmetrics', 'ingest', 'levering.csv', '--db', {str(tmp_path / 'gon.duckdb')!r}]\n"
            "runpy.run_module('gonmetrics', run_name='__main__')")
    (tmp_path / "levering.csv").write_bytes(provider_csv(ROW))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT)}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]"]


def test_the_public_names_are_there_on_first_use():
    import gonmetrics
    from gonmetrics.load import check
    from gonmetrics.store import Store

    assert gonmetrics.Store is Store and gonmetrics.check is check
    assert set(gonmetrics.__all__) <= set(dir(gonmetrics))
    with pytest.raises(AttributeError):
        gonmetrics.no_such_name


def test_usage_error_exits_2(tmp_path):
    assert run_cli("ingest", "--db", str(tmp_path / "x.duckdb")).returncode == 2
    assert run_cli("bestaat-niet").returncode == 2


def test_missing_file_is_refused_not_a_crash(tmp_path):
    result = run_cli("ingest", str(tmp_path / "nergens.csv"), "--db", str(tmp_path / "gon.duckdb"), "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout)[0]["status"] == "refused"


def test_ingest_refuses_a_file_over_the_upload_limit_and_stores_nothing(tmp_path):
    big = tmp_path / "groot.csv"
    big.write_bytes(provider_csv(*(replace_field(ROW, 2, f"client-{i:06d}") for i in range(20_000))))  # 1,81 MiB: shown rounded up
    db = tmp_path / "gon.duckdb"
    result = run_cli("ingest", str(big), "--db", str(db), "--json", GONMETRICS_MAX_UPLOAD_MB="1")
    assert result.returncode == 1, result.stderr
    [report] = json.loads(result.stdout)
    assert report["status"] == "refused"
    assert [e["message"] for e in report["errors"]] == ["Het bestand is 1,9 MB; de grens is 1 MB."]
    assert not (tmp_path / "gon.duckdb.archive").exists()


def test_demo_then_export_gives_the_same_bytes_twice(tmp_path):
    db = tmp_path / "demo.duckdb"
    built = run_cli("demo", "--db", str(db))
    assert built.returncode == 0, built.stderr
    first, second = (run_cli("export", "--db", str(db)) for _ in range(2))
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout
    lines = first.stdout.splitlines()
    assert lines[:2] == ["# DEMODATA: synthetische gegevens, geen echte cijfers",
                         "metric,gebied,peildatum,numerator,denominator,value,target"]
    assert len(lines) > 1000
    public = run_cli("export", "--db", str(db), "--out", str(tmp_path / "public.csv"), "--public")
    assert public.returncode == 0 and (tmp_path / "public.csv").read_text(encoding="utf-8") != first.stdout


def test_public_export_writes_the_marks_of_protected_cells(tmp_path):
    # west: 3 users (below 10); oost: 12 users; centrum and zuid: none; the city: 15.
    rows = [replace_field(replace_field(ROW, 2, f"client-w{i:04d}"), 3, "west") for i in range(3)]
    rows += [replace_field(replace_field(ROW, 2, f"client-o{i:04d}"), 3, "oost") for i in range(12)]
    (tmp_path / "q1.csv").write_bytes(provider_csv(*rows))
    db = tmp_path / "gon.duckdb"
    assert run_cli("ingest", str(tmp_path / "q1.csv"), "--db", str(db)).returncode == 0
    result = run_cli("export", "--db", str(db), "--public")
    assert result.returncode == 0, result.stderr
    cells = {(r["metric"], r["gebied"]): r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert cells[("users", "west")]["value"] == "< 10"
    # 15 in the city minus 12 in oost would give west away: oost is hidden too
    assert cells[("users", "oost")]["value"] == "x"
    assert cells[("users", "stad")]["value"] == "15"
    assert cells[("share_basis", "west")]["value"] == ""  # a share of fewer than 10 is not shown
    assert cells[("share_basis", "stad")]["value"] == "1.000000"  # 15 of 15 basis


def test_demo_lives_beside_the_real_database_and_never_mixes_with_it(tmp_path):
    real = tmp_path / "gon.duckdb"
    built = run_cli("demo", env_db=real)
    assert built.returncode == 0, built.stderr
    demo = tmp_path / "gon-demo.duckdb"
    assert demo.exists() and not real.exists()

    demo_export = run_cli("export", "--db", str(demo)).stdout.splitlines()
    assert demo_export[:2] == ["# DEMODATA: synthetische gegevens, geen echte cijfers",
                               "metric,gebied,peildatum,numerator,denominator,value,target"]

    (tmp_path / "q1.csv").write_bytes(provider_csv(ROW))  # one client, basis, in west
    refused = run_cli("ingest", str(tmp_path / "q1.csv"), "--db", str(demo))
    assert refused.returncode == 1 and "demodatabase" in refused.stderr
    assert run_cli("export", "--db", str(demo)).stdout.splitlines() == demo_export  # nothing of it stored

    assert run_cli("ingest", str(tmp_path / "q1.csv"), env_db=real).returncode == 0
    lines = run_cli("export", env_db=real).stdout.splitlines()
    assert lines[0] == "metric,gebied,peildatum,numerator,denominator,value,target"  # no demo notice
    users = {(r["gebied"]): r["value"] for r in csv.DictReader(io.StringIO("\n".join(lines)))
             if r["metric"] == "users"}
    assert users == {"centrum": "0", "west": "1", "oost": "0", "zuid": "0", "stad": "1"}


def test_the_demo_is_never_built_into_a_database_with_real_deliveries(tmp_path):
    real = tmp_path / "gon.duckdb"
    (tmp_path / "q1.csv").write_bytes(provider_csv(ROW))
    assert run_cli("ingest", str(tmp_path / "q1.csv"), "--db", str(real)).returncode == 0
    refused = run_cli("demo", "--db", str(real))
    assert refused.returncode == 1 and "echte leveringen" in refused.stderr
    users = [r for r in csv.DictReader(io.StringIO(run_cli("export", "--db", str(real)).stdout))
             if r["metric"] == "users" and r["gebied"] == "stad"]
    assert [r["value"] for r in users] == ["1"]


def test_demo_if_missing_builds_nothing_beside_real_deliveries_or_over_an_existing_demo(tmp_path):
    # scripts/start.sh runs `demo --if-missing` on every start.
    real, demo = tmp_path / "gon.duckdb", tmp_path / "gon-demo.duckdb"
    (tmp_path / "q1.csv").write_bytes(provider_csv(ROW))
    assert run_cli("ingest", str(tmp_path / "q1.csv"), env_db=real).returncode == 0
    assert run_cli("demo", "--if-missing", env_db=real).returncode == 0
    assert not demo.exists()

    demo.write_bytes(b"a demo being looked at")  # not even opened
    assert run_cli("demo", "--if-missing", "--db", str(demo)).returncode == 0
    assert demo.read_bytes() == b"a demo being looked at"


def test_a_missing_file_with_a_line_break_in_its_name_cannot_forge_report_lines(tmp_path):
    result = run_cli("ingest", "weg.csv\nregel 2: geaccepteerd.csv", "--db", str(tmp_path / "gon.duckdb"))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "weg.csv regel 2: geaccepteerd.csv: GEWEIGERD, 1 fout(en); er is niets opgeslagen.",
        "  Bestand niet gevonden of niet leesbaar."]


def test_a_line_with_too_many_fields_is_named_by_its_row_in_json(tmp_path):
    (tmp_path / "q1.csv").write_bytes(provider_csv(ROW, ROW.replace("client-0001", "client-0002") + ";extra"))
    result = run_cli("ingest", str(tmp_path / "q1.csv"), "--db", str(tmp_path / "gon.duckdb"), "--json")
    assert result.returncode == 1
    [report] = json.loads(result.stdout)
    assert report["errors"] == [{"row": 3, "column": None, "message": "Regel 3 heeft meer velden dan de kopregel."}]
