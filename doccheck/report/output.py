"""Write outputs atomically, and never over an input document."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from doccheck.errors import DoccheckUserError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def shareable(path: str | Path) -> None:
    """mkstemp makes 0600 files; a report or annotated copy gets the permissions a new file would."""
    os.chmod(path, 0o666 & ~_umask())


def write_atomic(target: Path, data: str | bytes | Iterable[str], inputs: Iterable[Path] = ()) -> None:
    """Write ``data`` (or its pieces, as they come) to a temporary file beside ``target``, then rename it into place."""
    resolved = target.resolve()
    if any(resolved == Path(p).resolve() for p in inputs):
        raise DoccheckUserError(f"refusing to write output over an input document: {target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    # NOTE: backslashreplace: a writer that let a non-UTF-8 name through still writes a valid file, never an exception
    pieces = [data.encode("utf-8", "backslashreplace")] if isinstance(data, str) else [data] if isinstance(data, bytes) else \
        (p.encode("utf-8", "backslashreplace") for p in data)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as fh:
            for piece in pieces:
                fh.write(piece)
            fh.flush()
            os.fsync(fh.fileno())
        shareable(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
