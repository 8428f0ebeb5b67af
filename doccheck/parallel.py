"""Check files in worker processes, one file per worker at a time.

NOTE: not concurrent.futures: one PDF that makes PDFium abort (SIGABRT) or hang would
break a whole ProcessPoolExecutor. Here each worker has its own pipe; a worker that dies
or overruns the per-file time limit is killed and replaced, its file reported as
unreadable, and the batch goes on. Workers are forked, parallelise by file (spaCy's own
n_process is 40x slower on paragraph-sized texts), and inherit the parsed rules. One
worker builds the spaCy pipeline itself, while the parent parses the rules; two or more
fork from a parent that has built it once, while `doccheck.prefetch` extracts files.
"""

from __future__ import annotations

import gc
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
    document: bytes | None = None  # the file already extracted (pickled), by `doccheck.prefetch`
    seconds: float = 0.0  # what that extraction took


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


def as_child(memory_mb: int = 0) -> None:
    """What every child that reads documents sets first: quiet aborts, Ctrl-C left to the parent, death with it; the memory cap."""
    import faulthandler
    import signal

    faulthandler.disable()  # a reader that aborts is reported as a finding, not as a dump on the terminal
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # NOTE: Ctrl-C reaches the whole process group: the parent alone handles it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    _limit_memory(memory_mb)


def _ready(memory_mb: int) -> None:
    """Before the first file: the memory cap, and the garbage collector told to skip what the worker holds by now.

    NOTE: spaCy, the pipeline and the rules are ~70,000 objects that live as long as the worker; each
    full collection walked them all again (~40 ms, three times in a 329-file scan). `gc.freeze`
    moves them to the permanent generation (one list splice; still freed by reference counting):
    a one-worker scan of the real documents ran ~2% faster.
    """
    _limit_memory(memory_mb)
    gc.freeze()


def _worker(conn: Connection, settings: Settings | None, memory_mb: int) -> None:
    """Check the files sent on ``conn``. A worker started before the rules were parsed (``settings``
    None) imports spaCy meanwhile and takes its settings and rules from the first message."""
    as_child()
    if settings is None:
        from doccheck.worker import prime

        _warm()  # NOTE: while the parent parses the rules; before the memory cap, which is for the files
        conn.send(WARM)  # the parent stops its prefetch helper now (doccheck.prefetch)
        init = conn.recv()
        if init is None:
            return
        settings, rules = init
        prime(settings, rules)
    _ready(memory_mb)
    while True:
        task = conn.recv()
        if task is None:
            return
        try:
            extracted = ((task.document, task.seconds),) if task.document is not None else ()  # a file the prefetch helper read
            result = check_file(task.path, task.display, settings, *extracted)
        except MemoryError:
            result = failed(task.path, task.display, settings, "too-large", f"needed more than {memory_mb} MB of memory")
        except Exception:  # noqa: BLE001 - a bug on one file must not cost the batch
            result = failed(task.path, task.display, settings, "internal-error", "doccheck failed on this file: " + traceback.format_exc(limit=-1).strip().splitlines()[-1])
        conn.send((task.index, result))


WARM = "warm"  # what a worker started early sends once its pipeline is built


class _Slot:
    def __init__(self, ctx: mp.context.BaseContext, settings: Settings | None, memory_mb: int) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, settings, memory_mb), daemon=True)
        self.process.start()
        child.close()
        self.task: Task | None = None  # the file it is on
        self.next: Task | None = None  # the file sent after it, waiting in its pipe
        self.started = 0.0
        self.waiting = settings is None  # started early: its settings and rules are still to be sent
        self.warming = settings is None  # started early: it has not said WARM yet

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class Pool:
    """Work started before the rules are parsed, for a scan that will check every file (no cache).

    One worker imports spaCy while the parent parses the rules (NOTE: started after them, it
    paid ~0.6 s of import the parent's ~0.15 s of parsing could have hidden: a one-file
    pre-commit run's ~15%); with a ``spare`` core (a few files, more cores allowed), a
    `doccheck.prefetch` helper extracts them meanwhile, until the worker is warm. For two or
    more, the parent imports spaCy once the rules are parsed and forks its workers from it,
    and a helper starts extracting ``tasks`` now.
    """

    def __init__(self, jobs: int, memory_mb: int, tasks: list[Task] | None, spare: bool = False) -> None:
        """``tasks`` None: the files to check are not known yet (the cache decides): only the one worker starts."""
        self.ctx = mp.get_context("fork")
        self.slots: list[_Slot] = []
        self.prefetch = None
        self.spare = spare
        if jobs < 2:
            self.slots = [_Slot(self.ctx, None, memory_mb)]
        if tasks is not None and (jobs >= 2 or spare) and not _warm_here():
            from doccheck.prefetch import Prefetch

            self.prefetch = Prefetch(self.ctx, tasks, memory_mb)

    def close(self) -> None:
        for slot in self.slots:
            if slot.waiting:  # never used (every file came from the cache): busy importing spaCy, it reads no pipe
                slot.kill()
            else:
                _stop(slot)
        self.slots = []
        if self.prefetch is not None:
            self.prefetch.close()
            self.prefetch = None


def _warm_here() -> bool:
    """This process has built the pipeline already (a library caller's second scan): workers forked now start warm."""
    import sys

    pipeline = sys.modules.get("doccheck.nlp.pipeline")
    return pipeline is not None and pipeline._pipeline.cache_info().currsize > 0


def _stop(slot: _Slot) -> None:
    if slot.process.is_alive():
        try:
            slot.conn.send(None)
        except (OSError, BrokenPipeError):
            pass
    slot.process.join(1)
    if slot.process.is_alive():
        slot.kill()


def _start(tasks: list[Task], settings: Settings, wanted: int, memory_mb: int, ctx: mp.context.BaseContext, pool: Pool | None):  # type: ignore[no-untyped-def]
    """The workers for ``tasks`` and the prefetch helper whose files they wait for (or None).

    NOTE: two or more workers fork from this process once it has built the pipeline, so spaCy is
    imported once rather than once per worker at the same time; a helper extracts meanwhile.
    """
    from doccheck.engine.run import needs_tags
    from doccheck.worker import _rules

    prefetch = pool.prefetch if pool else None
    if pool:
        pool.prefetch = None  # ours now
    if prefetch is not None and [(t.index, t.path) for t in prefetch.tasks] != [(t.index, t.path) for t in tasks]:
        prefetch.close()
        prefetch = None
    if pool and pool.slots:
        slots = pool.slots[:wanted]
        for extra in pool.slots[wanted:]:
            _stop(extra)
        pool.slots = []
        if prefetch is None and pool.spare and any(s.warming for s in slots):  # the cache left these files: read them meanwhile
            from doccheck.prefetch import Prefetch

            prefetch = Prefetch(ctx, tasks, memory_mb)
        return slots, prefetch
    if wanted >= 2 and (needs_tags(_rules(settings)) or settings.set_facts) and not _warm_here():
        if prefetch is None:
            from doccheck.prefetch import Prefetch

            prefetch = Prefetch(ctx, tasks, memory_mb)
        _warm()
    elif prefetch is not None:
        prefetch.close()
        prefetch = None
    return [_Slot(ctx, settings, memory_mb) for _ in range(wanted)], prefetch


def _dispatch(slots: list[_Slot], queue: deque[Task], init: tuple, respawn: Callable[[_Slot], _Slot]) -> None:  # type: ignore[type-arg]
    """Send each worker started early its settings and rules, each idle worker a file, each busy one its next."""
    for i, slot in enumerate(slots):
        if slot.waiting:
            slot.waiting = False
            if not _send(slot, init):
                slot = slots[i] = respawn(slot)
        if slot.task is None and queue:
            task = queue.popleft()
            if _send(slot, task):
                slot.task, slot.started = task, time.monotonic()
            else:  # it died before reading it
                queue.appendleft(task)
                slot = slots[i] = respawn(slot)
        if slot.task is not None and slot.next is None and len(queue) > len(slots):
            # NOTE: its next file waits in its pipe: a worker that finishes one file starts the next at
            # once, not a round trip through the parent later (~0.2 ms a file); not near the end of the
            # queue, where it would leave another worker idle
            task = queue.popleft()
            if _send(slot, task):
                slot.next = task
            else:  # it is dying on its file: read as that file's crash
                queue.appendleft(task)


def _hear_warm(slots: list[_Slot], ready: list, queue: deque[Task], respawn: Callable[[_Slot], _Slot]) -> None:  # type: ignore[type-arg]
    """Read the WARM of each worker started early that sent it (``ready`` keeps a result that came with it);
    one that died importing spaCy, before its files, is replaced and its files go back to the queue."""
    for i, slot in enumerate(slots):
        if not (slot.warming and slot.conn in ready):
            continue
        ready.remove(slot.conn)
        if _warmed(slot):
            if slot.conn.poll():
                ready.append(slot.conn)  # its first result came with it
        else:  # not its files' fault
            queue.extendleft(t for t in (slot.next, slot.task) if t is not None)
            slots[i] = respawn(slot)


def _send(slot: _Slot, message: object) -> bool:
    """False: the worker is gone (its pipe is broken)."""
    try:
        slot.conn.send(message)
        return True
    except (BrokenPipeError, ConnectionResetError, EOFError, OSError):
        return False


def _warmed(slot: _Slot) -> bool:
    """Read a warming worker's WARM (False: its pipe closed, it died first)."""
    slot.warming = False
    try:
        return slot.conn.recv() == WARM
    except (EOFError, OSError):
        return False


def _crash(process: mp.process.BaseProcess) -> tuple[str, str]:
    """(reason, message) for a child whose pipe closed on its file: it died reading it."""
    process.join(5)  # the pipe closes before the process is reaped
    code = process.exitcode
    why = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    return "worker-crashed", f"the reader crashed on this file ({why})"


def _overtime(timeout: float) -> tuple[str, str]:
    return "timeout", f"reading took longer than {timeout:g} s"


def _collect(prefetch, ready: list, now: float, timeout: float, settings: Settings, claimed: int):  # type: ignore[no-untyped-def]
    """What the prefetch helper did with its ``claimed`` first tasks, once it is done: (tasks to
    queue first, carrying their documents; results for a file it crashed or hung on). None: not yet.

    A file the helper crashed or ran out of time on is reported as a worker's would be; the
    files it had extracted before are lost with it and go to the workers as if never tried.
    """
    since, on = prefetch.busy_since(), prefetch.on()
    failure = None
    if prefetch.conn in ready:
        try:
            done = prefetch.conn.recv()
        except (EOFError, OSError):
            done, failure = [], _crash(prefetch.process)
    elif since is not None and now - since > timeout:
        done, failure = [], _overtime(timeout)
    else:
        return None
    prefetch.close()
    extracted = {n: (blob, seconds) for n, blob, seconds in done if blob is not None}
    blamed = on if failure else None
    requeue = [Task(t.index, t.path, t.display, *extracted[n]) if n in extracted else t
               for n, t in enumerate(prefetch.tasks[:claimed]) if t is not blamed]
    results = [(blamed.index, failed(blamed.path, blamed.display, settings, *failure, now - since))] if blamed and failure else []  # type: ignore[operator]
    return requeue, results


def run(
    tasks: list[Task],
    settings: Settings,
    jobs: int,
    timeout: float,
    memory_mb: int,
    progress: Callable[[Task], None] = lambda task: None,
    pool: Pool | None = None,
) -> Iterator[tuple[int, DocumentResult]]:
    """Yield ``(task.index, result)`` as files finish (in any order); ``pool``: work started early."""
    from doccheck.worker import _RULES

    wanted = max(1, min(jobs, len(tasks)))
    ctx = pool.ctx if pool else mp.get_context("fork")
    slots, prefetch = _start(tasks, settings, wanted, memory_mb, ctx, pool)
    began = time.monotonic()
    # NOTE: a helper beside a worker still importing spaCy goes on extracting until that one is warm
    claimed = 0 if prefetch is None else None if any(s.warming for s in slots) else prefetch.stop()
    queue = deque(tasks[claimed:] if claimed is not None else ())
    by_index = {t.index: t for t in tasks}
    respawns = [0]

    def respawn(dead: _Slot) -> _Slot:
        """A fresh worker (forked from here, its settings given) for one that died holding no file."""
        dead.kill()
        respawns[0] += 1
        if respawns[0] > 3 * wanted:
            raise RuntimeError(f"workers died {respawns[0]} times before reading a file")
        return _Slot(ctx, settings, memory_mb)

    try:
        while queue or any(s.task for s in slots) or prefetch:
            _dispatch(slots, queue, (settings, _RULES[settings]), respawn)
            listened = [s.conn for s in slots if s.task or s.warming] + ([prefetch.conn] if prefetch and claimed is not None else [])
            ready = wait(listened, timeout=0.25)
            _hear_warm(slots, ready, queue, respawn)
            if claimed is None and (not any(s.warming for s in slots) or time.monotonic() - began > timeout):
                claimed = prefetch.stop()  # type: ignore[union-attr]
                queue.extend(tasks[claimed:])
            now = time.monotonic()
            if prefetch:
                collected = _collect(prefetch, ready, now, timeout, settings, claimed) if claimed is not None else None
                if collected is not None:
                    prefetch = None
                    requeue, lost = collected
                    queue.extendleft(reversed(requeue))
                    for index, result in lost:
                        progress(by_index[index])
                        yield index, result
            for i, slot in enumerate(slots):
                task = slot.task
                if task is None:
                    continue
                outcome = None
                if slot.conn in ready:
                    try:
                        outcome = slot.conn.recv()
                    except (EOFError, OSError):
                        outcome = (task.index, failed(task.path, task.display, settings, *_crash(slot.process), now - slot.started))
                elif now - slot.started > timeout:
                    outcome = (task.index, failed(task.path, task.display, settings, *_overtime(timeout), now - slot.started))
                if outcome is None:
                    continue
                if outcome[1].document.problems and outcome[1].document.problems[0].reason in ("worker-crashed", "timeout"):
                    slot.kill()
                    if slot.next is not None:  # sent, never begun: the new worker's
                        queue.appendleft(slot.next)
                    slots[i] = _Slot(ctx, settings, memory_mb)
                else:
                    slot.task, slot.next, slot.started = slot.next, None, now  # the next one began as this one ended
                progress(task)
                yield outcome
    finally:
        for slot in slots:
            _stop(slot)
        if prefetch:
            prefetch.close()


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
