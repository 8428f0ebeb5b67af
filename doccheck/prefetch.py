"""Extract the first files of a scan while spaCy is imported: by the parent before it forks two or
more workers, or by the one worker of a few files when a core is spare (a pre-commit run).

NOTE: each worker used to import spaCy and build the pipeline itself (~0.8 s of CPU), all of
them at once, so on N cores the first ~0.8 s of a scan did the same work N times. Now the
parent does it once and forks its workers from it (`doccheck.parallel.run`); meanwhile this
helper, a child under the workers' memory cap, extracts files, which needs no spaCy, so the
other cores do real work. With one worker started early, the helper goes on until that worker
says it is warm. Measured on 329 real documents: bench/bench_real.py.

Files are claimed from one shared counter: the helper takes the next one until the parent
says stop, and everything from the counter on is the workers'. The helper keeps what it
extracted (pickled) and sends it all once it stops: the parent reads nothing while it imports,
and a pipe that filled would stall the helper. A file the helper fails on is checked by a
worker as if never tried; one it crashes or hangs on is reported as a worker's would be.
"""

from __future__ import annotations

import multiprocessing as mp
import pickle
import time
from multiprocessing.connection import Connection

from doccheck.parallel import Task, as_child

_IDLE = -1
_BUDGET = 64 * 1024 * 1024  # bytes of pickled documents the helper holds at most (a parent slow to warm must not cost memory)


class Prefetch:
    """A helper process extracting ``tasks`` in order until `stop`."""

    def __init__(self, ctx: mp.context.BaseContext, tasks: list[Task], memory_mb: int) -> None:
        self.tasks = tasks
        self.next = ctx.Value("q", 0)  # the next task to claim; its lock also guards `stopped`
        self.stopped = ctx.Value("b", 0, lock=False)
        self.current = ctx.Value("q", _IDLE, lock=False)  # the task being extracted, or _IDLE
        self.started = ctx.Value("d", 0.0, lock=False)  # when it began (time.monotonic: one clock for every process)
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_helper, args=(child, tasks, self.next, self.stopped, self.current, self.started, memory_mb), daemon=True)
        self.process.start()
        child.close()

    def stop(self) -> int:
        """No more claims: tasks ``[0, n)`` are the helper's, the rest the workers'. Returns ``n``."""
        with self.next.get_lock():
            self.stopped.value = 1
            return self.next.value

    def busy_since(self) -> float | None:
        """When the helper began the file it is on, or None between files."""
        return self.started.value if self.current.value != _IDLE else None

    def on(self) -> Task | None:
        """The task the helper is extracting, if any."""
        n = self.current.value
        return self.tasks[n] if n != _IDLE else None

    def close(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


def _helper(conn: Connection, tasks: list[Task], next_task, stopped, current, started, memory_mb: int) -> None:  # type: ignore[no-untyped-def]
    as_child(memory_mb)
    from doccheck.extract import extract

    done: list[tuple[int, bytes | None, float]] = []
    held = 0
    while held < _BUDGET:
        with next_task.get_lock():
            if stopped.value or next_task.value >= len(tasks):
                break
            n = next_task.value
            next_task.value = n + 1
            started.value, current.value = time.monotonic(), n
        task = tasks[n]
        began = time.perf_counter()
        try:
            blob: bytes | None = pickle.dumps(extract(task.path, display=task.display), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - MemoryError included: a worker tries again and reports what happens
            blob = None
        current.value = _IDLE
        done.append((n, blob, time.perf_counter() - began))
        held += len(blob or b"")
    conn.send(done)
