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


MAX_DECIMALS = 4  # of a percentage: the targets editor's precision (0,1234 = 12,34 %)
_EPSILON = 1e-9  # in percent: float noise, not a difference (207 / 1380 is 15 %)


def _written_decimals(x: float, most: int = MAX_DECIMALS) -> int:
    """The decimals x needs to be written exactly, up to `most`: 15.0 -> 0, 12.5 -> 1."""
    return len(f"{x:.{most}f}".rstrip("0").rstrip(".").partition(".")[2])


def _side(x: float, of: float) -> int:
    """-1, 0 or 1: below, at or above `of` (both in percent)."""
    return (x > of + _EPSILON) - (x < of - _EPSILON)


def minimum(share) -> str:
    """A minimum of the targets table as written, never rounded: 0.15 -> '15 %', 0.125 -> '12,5 %'."""
    if _missing(share):
        return "–"
    return percent(share, _written_decimals(share * 100))


def fraction(share) -> str:
    """A minimum as the fraction it is entered as, never rounded: 0.15 -> '0,15' (targets editor)."""
    if _missing(share):
        return "–"
    return number(share, _written_decimals(share, MAX_DECIMALS + 2))


def from_dutch(text):
    """What the targets editor holds back to a number: '0,15' -> 0.15; anything that is not
    a number is returned as it is, so that the targets check names it in its message."""
    if isinstance(text, str):
        try:
            return float(text.strip().replace(",", "."))
        except ValueError:
            return text
    return text


def share_against(share, target) -> str:
    """A share shown next to its minimum: one decimal, or more where rounding would hide
    on which side of the minimum it lies (0.1496 against 0.15 -> '14,96 %', never '15,0 %')."""
    if _missing(share) or _missing(target):
        return percent(share)
    side = _side(share * 100, target * 100)
    decimals = 1
    while decimals < MAX_DECIMALS and _side(round(share * 100, decimals), target * 100) != side:
        decimals += 1
    return percent(share, decimals)


def date(d: dt.date | None) -> str:
    return "–" if _missing(d) else d.strftime("%d-%m-%Y")


def points(delta, decimals: int = 1) -> str:
    """A change in a share, in percentage points: +2,3 procentpunt."""
    if _missing(delta):
        return "–"
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    return f"{sign}{number(abs(delta) * 100, decimals)}{NBSP}procentpunt"
