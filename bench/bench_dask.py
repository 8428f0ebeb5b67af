"""The Dask executor against the local workers, on the same machine and the same real documents.

    python bench/bench_dask.py [--copies 7] [--workers 2] [--repeat 3]

Scans bench_real.py's library (../shared/realdocs/docs copied N times) cold, with the local
worker pool (``--jobs W``) and with a Dask LocalCluster of W single-threaded worker processes
on loopback (``--executor dask://...``), alternately; prints files per second of each and
their ratio. On one machine the cluster can only add overhead (task hand-off through the
scheduler, results over TCP): the figure says what a file costs to ship, which decides how
many machines a library needs before a cluster pays. Quote the ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_real import library  # noqa: E402
from bench_scan import timed_scan  # noqa: E402

from doccheck.api import scan  # noqa: E402
from doccheck.config import Config  # noqa: E402


def timed(folder: Path, config: Config) -> tuple[float, int]:
    start = time.perf_counter()
    report = scan([folder], config)
    return time.perf_counter() - start, len(report.documents)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "realdocs" / "docs")
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    folder = library(args.source, args.copies)
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None, silence_logs=50) as cluster:
        with Client(cluster):
            address = "dask://" + cluster.scheduler_address.removeprefix("tcp://")
            local, dask = [], []
            for _ in range(args.repeat):  # alternately: the machine is shared
                local.append(timed_scan(folder, args.workers))  # NOTE: in a fresh process each time, as a user's scan
                dask.append(timed(folder, Config(root=folder, use_cache=False, executor=address)))
    files = dask[0][1]
    best_local, best_dask = min(t for t, _ in local), min(t for t, _ in dask)
    print(f"{files} real files, {args.workers} workers, best of {args.repeat} cold scans each")
    print(f"local workers   {best_local:6.2f} s  {files / best_local:6.1f} files/s")
    print(f"Dask (loopback) {best_dask:6.2f} s  {files / best_dask:6.1f} files/s  = {best_local / best_dask:.2f}x the local throughput")


if __name__ == "__main__":
    main()
