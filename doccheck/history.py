"""Scan history: one row per scan in an SQLite file, so a transition project can show progress."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

from doccheck.errors import DoccheckUserError
from doccheck.results import Report


def _open(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not path.is_file():
        raise DoccheckUserError(f"history path {path} is not a file")
    db = sqlite3.connect(path, timeout=30)
    db.text_factory = lambda data: data.decode("utf-8", "replace")  # NOTE: a damaged file's text is not UTF-8
    try:
        db.execute("PRAGMA trusted_schema=OFF")
        db.execute(
            "CREATE TABLE IF NOT EXISTS scans (time TEXT, documents INTEGER, findings INTEGER, by_category TEXT, by_severity TEXT, by_site TEXT)"
        )
    except sqlite3.DatabaseError as exc:  # NOTE: SQLite never writes into a file that is not a database; say so
        db.close()
        raise DoccheckUserError(f"{path} is not a doccheck history file ({exc}); doccheck left it untouched (give another --history)") from None
    return db


def append(path: Path, report: Report, sites: dict[str, str]) -> None:
    summary = report.summary()
    by_site: dict[str, int] = {}
    for f in report.all_findings():
        site = sites.get(f.path, f.path.split("/")[0])
        by_site[site] = by_site.get(site, 0) + 1
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    with _open(path) as db:
        db.execute(
            "INSERT INTO scans VALUES (?, ?, ?, ?, ?, ?)",
            (stamp, summary["documents"], summary["findings"], json.dumps(summary["by_category"]), json.dumps(summary["by_severity"]), json.dumps(by_site)),
        )


def trend(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with _open(path) as db:
        rows = db.execute("SELECT time, documents, findings, by_category, by_severity, by_site FROM scans ORDER BY time").fetchall()
    return [
        {"time": t, "documents": d, "findings": n, "by_category": json.loads(c), "by_severity": json.loads(s), "by_site": json.loads(site)}
        for t, d, n, c, s, site in rows
    ]
