"""Exceptions that cross module boundaries, and the exit codes they lead to."""

from __future__ import annotations

import enum


class ExitStatus(enum.IntEnum):
    """Process exit codes (documented in the README and in ``--help``)."""

    OK = 0  # nothing at or above the failure threshold
    FINDINGS = 1  # findings at or above the failure threshold
    USAGE = 2  # usage, configuration or rule error
    INTERNAL = 3  # a bug: one line to the user, the traceback to the log file
    INTERRUPTED = 130  # Ctrl-C (SIGINT)
    TERMINATED = 143  # SIGTERM


class Terminated(BaseException):
    """SIGTERM reached the parent: unwind like Ctrl-C (workers stopped, finished files cached)."""


class DoccheckUserError(Exception):
    """A mistake the user can fix (bad path, bad option, invalid rule or config): exit 2."""


class Unreadable(Exception):
    """A file doccheck cannot read; becomes an `unreadable` finding, never stops a scan."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
