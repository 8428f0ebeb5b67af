"""Check files on an existing Dask distributed cluster: ``doccheck scan --executor dask://HOST:PORT``.

The same per-file check as the local workers (`doccheck.worker.check_file`), sent to the
cluster's workers; discovery, cache look-ups and writes, set analysis and reports stay in this
process. What the local pool guarantees holds here too:

* a file that runs past ``timeout`` seconds is reported unreadable (``timeout``); the worker
  running it is restarted through its nanny, as the local pool kills its process;
* a worker lost mid-scan costs only the files it had: the scheduler gives them to another
  worker; a file that has now killed workers repeatedly (Dask's ``KilledWorker``) is reported
  unreadable (``worker-crashed``); a check that raises is an ``internal-error`` finding;
* two files per worker thread are in flight (one running, one waiting, so a worker never
  waits for the scheduler); a file's time limit runs from when the files before it finished.

The rules travel with the scan (scattered once to every worker), so workers need the same
doccheck version, not the same rule files; they need to read the documents by the paths this
process gives (a shared file system mounted at the same place). Dask is an optional extra:
``pip install 'doccheck[dask]'``.
"""

from __future__ import annotations

import os
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from doccheck.errors import DoccheckUserError
from doccheck.parallel import Task
from doccheck.results import DocumentResult
from doccheck.worker import Settings, failed

SCHEME = "dask://"
ENV = "DASK_SCHEDULER_ADDRESS"


def scheduler_address(executor: str) -> str:
    """``dask://host:port`` -> ``tcp://host:port``; ``dask`` -> $DASK_SCHEDULER_ADDRESS."""
    if executor == "dask":
        address = os.environ.get(ENV, "").strip()
        if not address:
            raise DoccheckUserError(f"--executor dask needs the scheduler's address in ${ENV} (or give --executor dask://HOST:PORT)")
        return address if "://" in address else f"tcp://{address}"
    if executor.startswith(SCHEME) and len(executor) > len(SCHEME):
        return "tcp://" + executor[len(SCHEME):]
    raise DoccheckUserError(f"unknown executor '{executor}' (local, dask, or dask://HOST:PORT)")


def _identity() -> tuple[str, str]:
    """What a process runs: doccheck's version and a digest of its source files' contents.

    NOTE: by content, not by `doccheck.resources.code_digest`'s modification times: the
    workers' copies were installed at other times, on other machines.
    """
    import hashlib
    from pathlib import Path

    from doccheck import __version__

    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.j2")]):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return __version__, digest.hexdigest()


def _check(path: str, display: str, shipped: tuple[Settings, tuple[Any, ...]]) -> DocumentResult:
    """One file on a Dask worker, exactly as a local worker checks it (doccheck.parallel._worker)."""
    from doccheck import worker

    settings, rules = shipped
    if settings not in worker._RULES:
        worker.prime(settings, rules)
    try:
        return worker.check_file(path, display, settings)
    except MemoryError:
        return failed(path, display, settings, "too-large", "needed more memory than the Dask worker has")
    except Exception:  # noqa: BLE001 - a bug on one file must not cost the batch
        return failed(path, display, settings, "internal-error", "doccheck failed on this file: " + traceback.format_exc(limit=-1).strip().splitlines()[-1])


def connect(address: str) -> Any:
    """A client of the cluster at ``address`` whose workers run this doccheck."""
    try:
        from distributed import Client
    except ImportError:
        raise DoccheckUserError("the Dask executor needs the 'dask' extra: pip install 'doccheck[dask]'") from None
    try:
        client = Client(address, timeout=10, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise DoccheckUserError(f"cannot reach the Dask scheduler at {address} ({exc.__class__.__name__}: {exc})") from None
    mine = _identity()
    theirs = client.run(_identity)
    if not theirs:
        client.close()
        raise DoccheckUserError(f"the Dask cluster at {address} has no workers")
    other = {w: v for w, v in theirs.items() if tuple(v) != mine}
    if other:
        client.close()
        worker, (version, digest) = next(iter(other.items()))
        raise DoccheckUserError(f"Dask worker {worker} runs doccheck {version} ({digest[:12]}), this is {mine[0]} ({mine[1][:12]}): install the same on every worker")
    return client


def run(
    tasks: list[Task], settings: Settings, rules: tuple[Any, ...], address: str, timeout: float,
    progress: Callable[[Task], None] = lambda task: None, client: Any = None,
) -> Iterator[tuple[int, DocumentResult]]:
    """Yield ``(task.index, result)`` as files finish on the cluster (in any order)."""
    from distributed import wait
    from distributed.client import FutureCancelledError

    try:
        from distributed.scheduler import KilledWorker
    except ImportError:  # pragma: no cover - older distributed
        from distributed import KilledWorker

    own = client is None
    client = client or connect(address)
    run_id = uuid.uuid4().hex[:12]
    try:
        shipped = client.scatter((settings, rules), broadcast=True, hash=False)
        slots = max(1, sum(client.nthreads().values()))
        queue: deque[tuple[Task, int]] = deque((t, 0) for t in tasks)
        flying: dict[Any, tuple[Task, int, float]] = {}  # in submission order
        while queue or flying:
            while queue and len(flying) < 2 * slots:
                task, tries = queue.popleft()
                future = client.submit(_check, task.path, task.display, shipped, key=f"doccheck-{run_id}-{task.index}-{tries}", pure=False)
                flying[future] = (task, tries, 0.0)
            now = time.monotonic()
            for n, (future, (task, tries, started)) in enumerate(list(flying.items())):
                if n < slots and not started:  # NOTE: among the first `slots` in flight: running now (the clock starts)
                    flying[future] = (task, tries, now)
            try:
                with client.as_current():  # NOTE: distributed's wait looks for the current client; ours is not the default
                    done, _ = wait(list(flying), timeout=0.25, return_when="FIRST_COMPLETED")
            except TimeoutError:  # NOTE: distributed's wait raises where concurrent.futures' returns
                done = set()
            now = time.monotonic()
            finished = [f for f in done if f.status == "finished"]
            # NOTE: one round trip for every result that is ready, not one per file
            gathered = dict(zip(finished, client.gather(finished))) if finished else {}
            for future in list(flying):
                task, tries, started = flying[future]
                if future in done:
                    try:
                        result = gathered[future] if future in gathered else future.result()
                    except KilledWorker:
                        result = failed(task.path, task.display, settings, "worker-crashed", "the Dask workers running this file died", now - (started or now))
                    except (FutureCancelledError, KeyError) as exc:
                        if tries == 0:  # NOTE: lost with the workers that held its rules: scatter them again, try once more
                            shipped = client.scatter((settings, rules), broadcast=True, hash=False)
                            del flying[future]
                            queue.append((task, 1))
                            continue
                        result = failed(task.path, task.display, settings, "worker-crashed", f"lost on the Dask cluster ({exc.__class__.__name__})", now - (started or now))
                    except Exception as exc:  # noqa: BLE001 - reported on the file, the batch goes on
                        result = failed(task.path, task.display, settings, "internal-error", f"the Dask worker failed on this file ({exc.__class__.__name__}: {exc})", now - (started or now))
                elif started and now - started > timeout:
                    result = failed(task.path, task.display, settings, "timeout", f"reading took longer than {timeout:g} s", now - started)
                    _stop(client, future)
                else:
                    continue
                del flying[future]
                progress(task)
                yield task.index, result
    finally:
        if own:
            client.close()


def _stop(client: Any, future: Any) -> None:
    """Cancel an overrunning file and restart the worker stuck in it (a thread cannot be killed)."""
    stuck = [worker for worker, keys in client.processing().items() if future.key in keys]
    client.cancel([future], force=True)
    if stuck:
        try:
            client.restart_workers(stuck, timeout=30, raise_for_error=False)
        except Exception:  # noqa: BLE001 - a worker without a nanny cannot be restarted; the file is reported either way
            pass
