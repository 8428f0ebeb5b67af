"""The Dask executor: the same report as the local workers, on a LocalCluster over loopback."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
from pathlib import Path

import pytest

from doccheck import api
from doccheck.config import Config
from doccheck.report.json import render

from conftest import FIXTURES, REALDOCS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None, silence_logs=50) as local:
        yield local


def _comparable(report) -> dict:  # noqa: ANN001
    data = json.loads(render(report))
    for doc in data["documents"]:
        doc.pop("seconds", None)
    data["summary"].pop("slowest", None)  # timings
    return data


@pytest.mark.parametrize("folder", [FIXTURES, REALDOCS], ids=["fixtures", "realdocs"])
def test_a_dask_scan_reports_what_a_local_scan_reports(cluster, folder, tmp_path):
    local = cluster
    address = "dask://" + local.scheduler_address.removeprefix("tcp://")
    base = Config(root=folder, use_cache=False, jobs=2, timeout=120)
    on_dask = api.scan([folder], base.with_overrides(executor=address))
    at_home = api.scan([folder], base)
    assert len(on_dask.documents) == len(at_home.documents) > 40
    assert _comparable(on_dask) == _comparable(at_home)


def test_the_cache_stays_with_the_parent(cluster, tmp_path):
    local = cluster
    shutil.copytree(FIXTURES / "sets" / "two-sites", tmp_path / "set")
    config = Config(root=tmp_path, cache=tmp_path / "cache.sqlite", executor="dask://" + local.scheduler_address.removeprefix("tcp://"))
    first = api.scan([tmp_path / "set"], config)
    assert (tmp_path / "cache.sqlite").exists()
    second = api.scan([tmp_path / "set"], config)
    assert second.summary()["cached"] == len(second.documents) and first.summary()["cached"] == 0
    a, b = _comparable(first), _comparable(second)
    a["summary"].pop("cached"), b["summary"].pop("cached")
    assert a == b


def test_a_worker_lost_mid_scan_costs_only_its_files(cluster, tmp_path):
    """A worker killed while checking: its files go to the other worker (or are reported), the scan goes on."""
    from distributed import Client

    local = cluster
    folder = tmp_path / "library"
    for n in range(12):
        for source in sorted(REALDOCS.glob("R2*.docx"))[:4]:
            (folder / f"copy-{n}").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, folder / f"copy-{n}" / source.name)
    with Client(local.scheduler_address, set_as_default=False) as client:
        pids = client.run(os.getpid)
    seen: list[str] = []

    def kill_one_worker_after_a_few_files(done: int, total: int, name: str) -> None:
        seen.append(name)
        if len(seen) == 5:
            victim = sorted(pids.values())[0]
            threading.Thread(target=os.kill, args=(victim, signal.SIGKILL)).start()

    config = Config(root=tmp_path, use_cache=False, executor="dask://" + local.scheduler_address.removeprefix("tcp://"), set_analysis="never")
    report = api.scan([folder], config, progress=kill_one_worker_after_a_few_files)
    assert len(report.documents) == 48 and len(seen) == 48
    lost = [r.document.path for r in report.documents if not r.document.readable]
    assert all(p.reason == "worker-crashed" for r in report.documents for p in r.document.problems if p.fatal)
    assert len(lost) <= 1  # at most the file it was reading, and only when the scheduler gave up on it
    at_home = {r.document.path: [f.to_dict() for f in r.findings] for r in api.scan([folder], Config(root=tmp_path, use_cache=False, set_analysis="never")).documents}
    assert all([f.to_dict() for f in r.findings] == at_home[r.document.path] for r in report.documents if r.document.path not in lost)


def test_an_unreachable_scheduler_is_a_usage_error(run_cli):
    code, _, err = run_cli("scan", "fixtures/formats", "--executor", "dask://127.0.0.1:9", "--no-cache")
    assert code == 2 and "cannot reach the Dask scheduler" in err
    code, _, err = run_cli("scan", "fixtures/formats", "--executor", "spark://x")
    assert code == 2 and "dask://HOST:PORT" in err


def test_a_file_past_the_time_limit_is_reported_and_the_cluster_stays_usable(cluster, tmp_path):
    local = cluster
    address = "dask://" + local.scheduler_address.removeprefix("tcp://")
    slow = tmp_path / "slow.md"  # ~8 MB of cited text: seconds to check
    slow.write_text("# Design control\n\n" + "Design reviews follow 21 CFR 820.30(e) and the Design History File.\n\n" * 120_000, encoding="utf-8")
    (tmp_path / "quick.md").write_text("# Training\n\nTraining records are kept.\n", encoding="utf-8")
    report = api.scan([slow, tmp_path / "quick.md"], Config(root=tmp_path, use_cache=False, executor=address, timeout=0.5))
    by_name = {Path(r.document.path).name: r for r in report.documents}
    assert [p.reason for p in by_name["slow.md"].document.problems] == ["timeout"]
    assert [f.rule for f in by_name["slow.md"].findings] == ["READ-001"]
    assert by_name["quick.md"].document.readable
    again = api.scan([tmp_path / "quick.md"], Config(root=tmp_path, use_cache=False, executor=address))
    assert again.documents[0].document.readable
