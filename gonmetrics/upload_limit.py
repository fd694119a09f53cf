"""The upload limit, apart from the readers: the command line refuses a file that is too
large before anything heavy is imported or the file is read into memory."""

from __future__ import annotations

import math
import os

MAX_UPLOAD_BYTES = int(float(os.environ.get("GONMETRICS_MAX_UPLOAD_MB", "50")) * 1024 * 1024)


def too_large(size: int, limit: int = MAX_UPLOAD_BYTES) -> str | None:
    """The Dutch refusal for a file of `size` bytes over the upload limit, else None."""
    if size <= limit:
        return None
    return f"Het bestand is {megabytes(size)} MB; de grens is {megabytes(limit)} MB."


def megabytes(size: int) -> str:
    """`50` or `50,1` (rounded up, so a file over the limit never reads as equal to it)."""
    tenths = math.ceil(size * 10 / (1024 * 1024))
    return f"{tenths // 10},{tenths % 10}".removesuffix(",0")
