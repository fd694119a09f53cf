"""One file's way in: read, validate, and the load report the user sees.

`check()` stores nothing; `Store.ingest()` calls it and stores an accepted file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass, field

import pyarrow as pa

from .errors import UnreadableFile
from .read import read_delivery
from .sensitive import FILE_NAME_LIMIT, mask_bsn_words
from .validate import Validated, validate


@dataclass
class LoadReport:
    """What happened to one file; `as_json()` is the object of cli.md."""

    file: str
    status: str  # "accepted" | "refused"
    kind: str | None = None
    rows: int = 0
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    warnings: list[str] = field(default_factory=list)
    aanbieder: str | None = None
    peildatum: dt.date | None = None  # an area table: 31 December of its latest year
    years: list[int] = field(default_factory=list)  # an area table's years, ascending
    sha256: str = ""
    fmt: str = ""
    sensitive: bool = False  # refused for BSN-like data: nothing of it may be kept
    upload_id: int | None = None  # set once stored
    replaces: int | None = None  # the upload this one superseded as current
    duplicate_of: int | None = None  # the same bytes were loaded before as this upload
    typed_rows: pa.Table | None = field(default=None, repr=False)

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"

    def as_json(self) -> dict:
        return {
            "file": self.file,
            "status": self.status,
            "kind": self.kind,
            "rows": self.rows,
            "errors": [{"row": e["row"], "column": e["column"], "message": e["message"]} for e in self.errors],
            "warnings": list(self.warnings),
        }


def check(data: bytes, file_name: str, max_bytes: int | None = None) -> LoadReport:
    """Read and validate one file in memory; nothing is written anywhere."""
    digest = hashlib.sha256(data).hexdigest()
    shown_name = safe_file_name(file_name)
    try:
        raw = read_delivery(data, file_name, max_bytes=max_bytes)
    except UnreadableFile as exc:
        return LoadReport(
            file=shown_name, status="refused", sha256=digest, error_count=1,
            errors=[{"row": exc.row, "column": None, "message": str(exc)}],
        )
    result: Validated = validate(raw)
    return LoadReport(
        file=shown_name,
        status="accepted" if result.ok else "refused",
        kind=result.kind,
        rows=result.rows_read,
        errors=result.errors,
        error_count=result.error_count,
        warnings=result.warnings,
        aanbieder=result.aanbieder,
        peildatum=result.peildatum,
        years=result.years,
        sha256=digest,
        fmt=raw.fmt,
        sensitive=result.sensitive,
        typed_rows=result.rows,
    )


def years_label(years) -> str:
    """An area table's years as people read them: '2025', '2025–2028', or '2025, 2027'
    when a year in between is missing."""
    years = sorted(int(y) for y in years)
    if not years:
        return "–"
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(y) for y in years)


def safe_file_name(name: str) -> str:
    """The file name as reports, history and manifest show it: line breaks and other
    control characters (which would forge lines in a text report) as spaces, at most
    FILE_NAME_LIMIT characters with the extension kept, and no BSN-like word."""
    flat = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in name)
    stem, dot, extension = flat.rpartition(".")
    if not dot or len(extension) > 10:
        stem, extension = flat, ""
    else:
        extension = dot + extension
    # Masking after shortening: a cut may turn a longer number into a nine-digit word.
    return mask_bsn_words(stem[: FILE_NAME_LIMIT - len(extension)] + extension)
