"""Instruction counts of a command and every process it forks (valgrind's cachegrind, no cache model).

On a shared machine one wall-clock run of a scan moves by ±10%, more than the changes a benchmark
is asked to resolve; the number of instructions executed barely moves (the hash seed is fixed; object
addresses still vary: two runs of bench_set's 5,000-document scan differed by 0.1%).
It leaves out cache misses and the kernel, so quote it beside the wall-clock figure, not instead.
About 50 times slower than a plain run: use it on small sets. Needs valgrind (``apt install valgrind``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile

_REFS = re.compile(r"==(\d+)== I\s+refs:\s+([\d,]+)")


def available() -> bool:
    return shutil.which("valgrind") is not None


def count(argv: list[str], cwd: str | None = None) -> tuple[int, dict[int, int]]:
    """(``argv``'s own process id, process id -> instructions executed) for ``argv`` and each process it forked."""
    with tempfile.TemporaryDirectory() as tmp:
        command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--trace-children=yes",
                   f"--cachegrind-out-file={tmp}/out.%p", *argv]
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"}, check=True)
    first = re.search(r"==(\d+)==", done.stderr)  # the banner of the command's own process comes first
    return int(first.group(1)) if first else 0, {int(pid): int(refs.replace(",", "")) for pid, refs in _REFS.findall(done.stderr)}
