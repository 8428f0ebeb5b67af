"""Check files in worker processes, one file per worker at a time.

NOTE: not concurrent.futures: one PDF that makes PDFium abort (SIGABRT) or hang would
break a whole ProcessPoolExecutor. Here each worker has its own pipe; a worker that dies
or overruns the per-file time limit is killed and replaced, its file reported as
unreadable, and the batch goes on. Workers are forked, parallelise by file (spaCy's own
n_process is 40x slower on paragraph-sized texts), and load rules and the spaCy
pipeline once each.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from doccheck.results import DocumentResult
from doccheck.worker import Settings, check_file, failed


@dataclass(frozen=True)
class Task:
    index: int
    path: str
    display: str


def _limit_memory(megabytes: int) -> None:
    if megabytes:
        import resource

        cap = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _die_with_parent() -> None:
    """Linux: this worker gets SIGKILL when the parent dies, whatever killed it (no orphans that
    keep reading with no time limit). Elsewhere the parent's own clean-up stops the workers."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass


def _warm() -> None:
    """Import spaCy and build the pipeline (and the set-facts index) before the first file needs them."""
    from doccheck.nlp.pipeline import get_pipeline
    from doccheck.setfacts import prepare

    get_pipeline()
    prepare()


def _worker(conn: Connection, settings: Settings | None, memory_mb: int) -> None:
    """Check the files sent on ``conn``. A worker started before the rules were parsed (``settings``
    None) imports spaCy meanwhile and takes its settings and rules from the first message."""
    import faulthandler
    import signal

    faulthandler.disable()  # a reader that aborts is reported as a finding, not as a dump on the terminal
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # NOTE: Ctrl-C reaches the whole process group: the parent alone handles it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    if settings is None:
        from doccheck.worker import prime

        _warm()  # NOTE: while the parent parses the rules; before the memory cap, which is for the files
        init = conn.recv()
        if init is None:
            return
        settings, rules = init
        prime(settings, rules)
    _limit_memory(memory_mb)
    while True:
        task = conn.recv()
        if task is None:
            return
        try:
            result = check_file(task.path, task.display, settings)
        except MemoryError:
            result = failed(task.path, task.display, settings, "too-large", f"needed more than {memory_mb} MB of memory")
        except Exception:  # noqa: BLE001 - a bug on one file must not cost the batch
            result = failed(task.path, task.display, settings, "internal-error", "doccheck failed on this file: " + traceback.format_exc(limit=-1).strip().splitlines()[-1])
        conn.send((task.index, result))


class _Slot:
    def __init__(self, ctx: mp.context.BaseContext, settings: Settings | None, memory_mb: int) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, settings, memory_mb), daemon=True)
        self.process.start()
        child.close()
        self.task: Task | None = None
        self.started = 0.0
        self.waiting = settings is None  # started early: its settings and rules are still to be sent

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class Pool:
    """Workers started before the rules are parsed: they import spaCy while the parent parses.

    NOTE: a scan without a cache checks every file, so its workers are certain to be needed;
    started after the rules, each paid ~0.6 s of spaCy import the parent's ~0.15 s of rule
    parsing could have hidden (a one-file pre-commit run: ~15% of its time).
    """

    def __init__(self, jobs: int, memory_mb: int) -> None:
        self.ctx = mp.get_context("fork")
        self.slots = [_Slot(self.ctx, None, memory_mb) for _ in range(max(1, jobs))]

    def close(self) -> None:
        for slot in self.slots:
            _stop(slot)
        self.slots = []


def _stop(slot: _Slot) -> None:
    if slot.process.is_alive():
        try:
            slot.conn.send(None)
        except (OSError, BrokenPipeError):
            pass
    slot.process.join(1)
    if slot.process.is_alive():
        slot.kill()


def run(
    tasks: list[Task],
    settings: Settings,
    jobs: int,
    timeout: float,
    memory_mb: int,
    progress: Callable[[Task], None] = lambda task: None,
    pool: Pool | None = None,
) -> Iterator[tuple[int, DocumentResult]]:
    """Yield ``(task.index, result)`` as files finish (in any order); ``pool``: workers started early."""
    from doccheck.worker import _RULES

    ctx = pool.ctx if pool else mp.get_context("fork")
    queue = deque(tasks)
    wanted = max(1, min(jobs, len(tasks)))
    slots = pool.slots[:wanted] if pool else [_Slot(ctx, settings, memory_mb) for _ in range(wanted)]
    if pool:
        for extra in pool.slots[wanted:]:
            _stop(extra)
        pool.slots = []
    try:
        while queue or any(s.task for s in slots):
            for slot in slots:
                if slot.waiting:
                    slot.conn.send((settings, _RULES[settings]))
                    slot.waiting = False
                if slot.task is None and queue:
                    slot.task, slot.started = queue.popleft(), time.monotonic()
                    slot.conn.send(slot.task)
            busy = [s for s in slots if s.task]
            ready = wait([s.conn for s in busy], timeout=0.25)
            now = time.monotonic()
            for i, slot in enumerate(slots):
                task = slot.task
                if task is None:
                    continue
                outcome = None
                if slot.conn in ready:
                    try:
                        outcome = slot.conn.recv()
                    except (EOFError, OSError):
                        slot.process.join(5)  # the pipe closes before the process is reaped
                        code = slot.process.exitcode
                        why = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                        outcome = (task.index, failed(task.path, task.display, settings, "worker-crashed", f"the reader crashed on this file ({why})", now - slot.started))
                elif now - slot.started > timeout:
                    outcome = (task.index, failed(task.path, task.display, settings, "timeout", f"reading took longer than {timeout:g} s", now - slot.started))
                if outcome is None:
                    continue
                if outcome[1].document.problems and outcome[1].document.problems[0].reason in ("worker-crashed", "timeout"):
                    slot.kill()
                    slots[i] = _Slot(ctx, settings, memory_mb)
                else:
                    slot.task = None
                progress(task)
                yield outcome
    finally:
        for slot in slots:
            _stop(slot)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


FILES_PER_WORKER = 8  # NOTE: a worker costs ~0.6 s of start-up (spaCy); 34 files on 4 workers took 5.9 s, on 1 worker 2.4 s


def workers_for(jobs: int | None, files: int) -> int:
    """How many workers to start for ``files`` files: ``jobs`` (default: the cores), never more
    than one per `FILES_PER_WORKER` files to check, at least one; 0 (in-process) stays 0."""
    wanted = default_jobs() if jobs is None else jobs
    if wanted == 0:
        return 0
    return max(1, min(wanted, files, -(-files // FILES_PER_WORKER)))



class _Overran(Exception):
    pass


def _overran(signum, frame):  # type: ignore[no-untyped-def]
    raise _Overran


def _address_space() -> int:
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def check_here(task: Task, settings: Settings, timeout: float, memory_mb: int) -> DocumentResult:
    """``--jobs 0``: the file checked in this process, under the workers' limits.

    NOTE: the time limit is a SIGALRM timer, which interrupts Python code only (a reader inside
    C runs to its end); the memory cap is this process's address-space limit while the file is
    read, never below what the process already holds plus room to work.
    """
    import resource
    import signal
    import threading

    timed = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    previous = signal.signal(signal.SIGALRM, _overran) if timed else None
    limit = resource.getrlimit(resource.RLIMIT_AS)
    started = time.monotonic()
    try:
        if memory_mb:
            cap = max(memory_mb * 1024 * 1024, _address_space() + 512 * 1024 * 1024)
            if limit[1] == resource.RLIM_INFINITY or cap <= limit[1]:
                resource.setrlimit(resource.RLIMIT_AS, (cap, limit[1]))
        if timed:
            signal.setitimer(signal.ITIMER_REAL, timeout)
        return check_file(task.path, task.display, settings)
    except _Overran:
        return failed(task.path, task.display, settings, "timeout", f"reading took longer than {timeout:g} s", time.monotonic() - started)
    except MemoryError:
        return failed(task.path, task.display, settings, "too-large", f"needed more than {memory_mb} MB of memory")
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        resource.setrlimit(resource.RLIMIT_AS, limit)
