"""Named failures. Each carries a Dutch message that pages and the CLI show as is."""


class GonError(Exception):
    """Base class; `str(err)` is a Dutch message fit for an end user."""


class UnreadableFile(GonError):
    """The bytes are not a CSV or XLSX file we can read (or are unsafe to read); `row` is
    the line the problem is on, where there is one."""

    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.row = row


class DatabaseBusy(GonError):
    """Another process holds the database longer than we are willing to wait."""


class NotFound(GonError):
    """An upload, area or quarter that does not exist was asked for."""


class InvalidTargets(GonError):
    """A new targets table breaks a rule (unknown metric, not a quarter end, ...)."""
