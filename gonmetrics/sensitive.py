"""BSN-like values: what makes a delivery sensitive, and what may never be echoed.

A BSN (citizen service number) is nine digits passing the elfproef. extract-format.md
refuses a file with a BSN-like `client_id` or with a BSN-like word in any other cell
("BSNs outside client_id"). Scanning millions of cells in Python is too slow, so the
callers first select cells with `PREFILTER` (RE2, in DuckDB or pyarrow), a pattern every
cell holding a BSN-like word matches, and only those cells get the exact check here.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

import pyarrow as pa
import pyarrow.compute as pc

# The area table's number columns are validated as numbers and left out of the scan.
NOT_SCANNED = frozenset({"inwoners", "inwoners_75plus", "lumpsum_euro"})
HIDDEN = "(waarde verborgen)"
FILE_NAME_LIMIT = 120

# Separators between digit groups, after invisible characters are removed; the no-break
# spaces are read as spaces (thousands separators in some locales).
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})
_CHAIN = re.compile(r"[0-9]+(?:[ .][0-9]+)*")

# RE2: nine digits in a row between characters that are no ASCII letter or digit (or the
# ends of the text), or three groups of two to four digits with one separator between
# them (a BSN-like word has at least three groups: 9 > 2 * 4); invisible characters (Cf)
# may stand anywhere in between. Looser than the contract (any non-ASCII letter borders
# too), never stricter; the digits inside hexadecimal pseudonyms are bordered by letters
# or by more digits, so those rarely reach the exact check.
_INVISIBLE = r"\p{Cf}*"
_BORDER = r"[^0-9A-Za-z\p{Cf}]"
_GROUP = rf"[0-9](?:{_INVISIBLE}[0-9]){{1,3}}"
_SEPARATOR = rf"{_INVISIBLE}[ .\x{{00A0}}\x{{202F}}]{_INVISIBLE}"
PREFILTER = (rf"(?:^|{_BORDER}){_INVISIBLE}[0-9](?:{_INVISIBLE}[0-9]){{8}}{_INVISIBLE}(?:$|{_BORDER})"
             rf"|{_GROUP}{_SEPARATOR}{_GROUP}{_SEPARATOR}{_GROUP}")
# RE2, full match: a client_id that holds nothing but digits and what `client_id_digits`
# removes (Python's str.isspace is \s, \p{Z} and a few control characters).
CLIENT_ID_PREFILTER = r"[0-9.\s\p{Z}\p{Cf}\x{000B}\x{001C}-\x{001F}\x{0085}]+"


class Cell(NamedTuple):
    """Where a BSN-like value was found, as the user sees it (never the value itself)."""

    row: int | None
    column: str


def passes_elfproef(digits: str) -> bool:
    """Nine digits: 9*d1 + 8*d2 + ... + 2*d8 - d9 divisible by 11."""
    total = sum((9 - i) * int(d) for i, d in enumerate(digits[:8])) - int(digits[8])
    return total % 11 == 0


def _visible(text: str) -> str:
    """Without invisible characters, no-break spaces as spaces (ASCII has neither: the
    common case is fast)."""
    if text.isascii():
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Cf").translate(_SPACES)


def client_id_digits(value: str) -> str:
    """The client_id without spaces, invisible characters, a trailing `.0` and dots."""
    return "".join(_visible(value).split()).removesuffix(".0").replace(".", "")


def bsn_like_client_id(value: str) -> bool:
    """Nine digits passing the elfproef, or eight that pass with the leading zero Excel drops
    (`000000000` passes too: it is no pseudonym either)."""
    digits = client_id_digits(value)
    return len(digits) in (8, 9) and digits.isascii() and digits.isdigit() and passes_elfproef(digits.zfill(9))


def bsn_like_word(text: str) -> bool:
    """True when `text` holds a BSN-like number as a word of its own (extract-format.md)."""
    visible = _visible(text)
    return any(_chain_holds_bsn(visible, chain) for chain in _CHAIN.finditer(visible) if len(chain.group()) >= 9)


def _chain_holds_bsn(text: str, chain: re.Match) -> bool:
    """Whether consecutive groups of this run of digit groups form a BSN-like word: one
    group of nine digits, or groups of two to four digits that total nine. A word may
    not touch a letter or digit: the chain's first (last) group only counts when the
    character before (after) the chain is none."""
    groups = chain.group().replace(".", " ").split(" ")
    free_start = chain.start() == 0 or not text[chain.start() - 1].isalnum()
    free_end = chain.end() == len(text) or not text[chain.end()].isalnum()
    last = len(groups) - 1

    def is_word(i: int, j: int, digits: str) -> bool:
        return (i > 0 or free_start) and (j < last or free_end) and passes_elfproef(digits)

    for i, group in enumerate(groups):
        if len(group) == 9 and is_word(i, i, group):
            return True
        digits = ""
        for j in range(i, last + 1):
            if not 2 <= len(groups[j]) <= 4:
                break
            digits += groups[j]
            if len(digits) >= 9:
                if len(digits) == 9 and is_word(i, j, digits):
                    return True
                break
    return False


def mask_bsn_words(text: str) -> str:
    """`text` without invisible characters, each run of digit groups that holds a BSN-like
    word replaced by `***` (never longer than the run, so a length limit still holds)."""
    visible = _visible(text)
    return _CHAIN.sub(lambda chain: "***" if _chain_holds_bsn(visible, chain) else chain.group(), visible)


def may_echo(text: str) -> bool:
    """Fewer than eight digits: cannot be or hold a BSN (8 digits: one without its leading zero)."""
    return len(re.sub(r"[^0-9]", "", text)) < 8


def quoted(text: str) -> str:
    """A value as messages quote it: between quotes, or HIDDEN when it may be a BSN."""
    return f"'{text}'" if may_echo(text) else HIDDEN


def first_bsn_cell(columns: list[pa.Array], labels: list[str], first_row: int, where: str = "") -> Cell | None:
    """The first cell (by row, then column) holding a BSN-like word among text columns
    whose row i is row `first_row + i`; `where` is added to the column's label."""
    flagged = []
    for index, column in enumerate(columns):
        if not pa.types.is_string(column.type):
            column = pc.cast(column, pa.string())  # an empty column comes as type null
        hits = pc.fill_null(pc.match_substring_regex(column, PREFILTER), False)
        flagged += [(int(i), index) for i in pc.indices_nonzero(hits).to_numpy()]
    for i, index in sorted(flagged):
        if bsn_like_word(columns[index][i].as_py()):
            return Cell(first_row + i, labels[index] + where)
    return None
