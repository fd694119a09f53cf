"""The benchmark runs end to end at tiny scale (no timings are judged here: CI machines
differ); the table it writes has a row for every measurement, each with a number."""

from __future__ import annotations

import re

from bench.run import BEGIN, END, main, row_keys


def test_tiny_benchmark_writes_every_row(tmp_path, capsys):
    out = tmp_path / "benchmarks.md"
    assert main(["--scale", "tiny", "--reps", "1", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert BEGIN in text and END in text and "nproc" in text and "Python 3" in text
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z0-9-]+)` \|.*$", text, flags=re.M)}
    assert list(rows) == row_keys(["tiny"])
    for key, line in rows.items():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert re.fullmatch(r"\d+\.\d+", cells[4]), (key, cells)  # a median in seconds, not n/a
    assert capsys.readouterr().out.strip().endswith(END)  # and the same section on stdout


def test_the_section_replaces_only_its_own_part(tmp_path):
    out = tmp_path / "benchmarks.md"
    out.write_text(f"# Mine\n\nbefore\n\n{BEGIN}\nold table\n{END}\n\nafter\n", encoding="utf-8")
    from bench.run import write

    write(out, f"{BEGIN}\nnew table\n{END}")
    assert out.read_text(encoding="utf-8") == f"# Mine\n\nbefore\n\n{BEGIN}\nnew table\n{END}\n\nafter\n"


def test_rows_measures_only_the_chosen_rows_and_writes_nothing_by_default(tmp_path, capsys, monkeypatch):
    import bench.run as run

    written = []
    monkeypatch.setattr(run, "write", lambda out, text: written.append(out))
    assert main(["--scale", "tiny", "--reps", "1", "--rows", "cli-help,ingest-csv-small",
                 "--work", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert re.findall(r"^\| `([a-z0-9-]+)` \|", printed, flags=re.M) == ["ingest-csv-small", "cli-help"]
    assert "--rows cli-help,ingest-csv-small" in printed and written == []
