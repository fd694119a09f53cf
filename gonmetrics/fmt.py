"""Dutch display formats: 12,5 %, 1.234, 31-12-2027, K4 2027.

Written out rather than via locale or Babel: the rules are few, must not depend
on the machine's locales, and are called for every cell of every table.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .quarters import label as quarter  # noqa: F401  (the pages format quarters through fmt)

NBSP = "\u00a0"  # keeps "12,5 %" on one line


def _missing(x) -> bool:
    return x is None or bool(pd.isna(x))


def number(x, decimals: int = 0) -> str:
    """1234.5 -> '1.234,5'; None -> '–'."""
    if _missing(x):
        return "–"
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(share, decimals: int = 1) -> str:
    """0.125 -> '12,5 %' (share as a fraction)."""
    if _missing(share):
        return "–"
    return number(share * 100, decimals) + NBSP + "%"


def minimum(share) -> str:
    """A minimum of the targets table as written, never rounded: 0.15 -> '15 %', 0.125 -> '12,5 %'."""
    if _missing(share):
        return "–"
    digits = f"{share * 100:.4f}".rstrip("0").rstrip(".")
    return percent(share, len(digits.partition(".")[2]))


def date(d: dt.date | None) -> str:
    return "–" if _missing(d) else d.strftime("%d-%m-%Y")


def points(delta, decimals: int = 1) -> str:
    """A change in a share, in percentage points: +2,3 procentpunt."""
    if _missing(delta):
        return "–"
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    return f"{sign}{number(abs(delta) * 100, decimals)}{NBSP}procentpunt"
