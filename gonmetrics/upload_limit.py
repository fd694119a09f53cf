"""The upload limit, apart from the readers: the command line refuses a file that is too
large before anything heavy is imported or the file is read into memory."""

from __future__ import annotations

import math

from . import settings


def too_large(size: int, limit: int | None = None) -> str | None:
    """The Dutch refusal for a file of `size` bytes over the upload limit (the setting
    when `limit` is None), else None."""
    limit = settings.max_upload_bytes() if limit is None else limit
    if size <= limit:
        return None
    return f"Het bestand is {megabytes(size)} MB; de grens is {megabytes(limit)} MB."


def megabytes(size: int) -> str:
    """`50` or `50,1` (rounded up, so a file over the limit never reads as equal to it)."""
    tenths = math.ceil(size * 10 / (1024 * 1024))
    return f"{tenths // 10},{tenths % 10}".removesuffix(",0")
