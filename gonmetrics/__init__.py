"""gonmetrics: the GON monitor's library — read, validate, store and compute.

The public surface; pages and the command line use these names. Each is imported on
first use (module `__getattr__`), so that `import gonmetrics` or the command line's
`--help` does not pay for pandas, pyarrow and DuckDB before they are needed.
"""

from __future__ import annotations

import importlib

_HOMES = {
    "DatabaseBusy": "errors", "GonError": "errors", "InvalidTargets": "errors", "NotFound": "errors",
    "UnreadableFile": "errors",
    "LoadReport": "load", "check": "load",
    "delivery_status": "metrics", "export_csv": "metrics", "export_frame": "metrics", "outlook": "metrics",
    "provisional_quarters": "metrics",
    "Store": "store", "default_db_path": "store",
}

__all__ = list(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
