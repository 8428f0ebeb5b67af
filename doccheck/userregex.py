"""Regular expressions that come from a configuration file (data from anywhere): compiled with
RE2, whose matching time is linear in the text, so no pattern can stall the parent process."""

from __future__ import annotations

import functools

import re2


class PatternError(ValueError):
    pass


@functools.lru_cache(maxsize=64)
def compile_linear(pattern: str):  # type: ignore[no-untyped-def]
    """``pattern`` in RE2 syntax (Python's, less backreferences and look-around)."""
    options = re2.Options()
    options.log_errors = False  # NOTE: RE2 logs parse errors to stderr by default; ours name the file and line
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise PatternError(f"not a pattern doccheck can run in linear time ({detail}; backreferences and look-around are not supported)") from None
