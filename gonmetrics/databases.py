"""Which database the monitor shows: the real one, or the demo beside it.

The synthetic demo city (`gonmetrics.demo`) lives in a database of its own beside the
real one (`gon.duckdb` -> `gon-demo.duckdb`), so that it can never be mixed with real
deliveries: a demo database refuses real uploads (`Store.ingest`), the demo is never
built into a database that holds real deliveries, and the monitor shows the real
database as soon as it holds one delivery.
"""

from __future__ import annotations

from pathlib import Path

DEMO_NOTICE = "DEMODATA: synthetische gegevens, geen echte cijfers"


def demo_path(real: str | Path) -> Path:
    """Where the demo of the real database at `real` lives: `<stem>-demo<suffix>` beside it."""
    real = Path(real)
    return real.with_name(f"{real.stem}-demo{real.suffix}")


def demo_file_name(name: str, demo: bool) -> str:
    """A download's file name, marked when its figures are synthetic."""
    return f"DEMODATA_{name}" if demo else name
