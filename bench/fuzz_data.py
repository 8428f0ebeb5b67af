"""Fuzz what doccheck reads besides documents: result caches and configuration files.

A cache or a doccheck.yaml can come from anywhere (a repository, a parent folder). Each input
here is a real cache (written by a scan of a small library) or a real configuration, mutated;
doccheck must give a result, a miss or an error naming the file (exit 2), and never an uncaught
exception, a hang, or code run from the data. Used by ``bench/fuzz.py --caches N --configs N``.
"""

from __future__ import annotations

import contextlib
import io
import json
import pickle
import random
import shutil
import signal
import sqlite3
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fuzz import mutate_bytes  # noqa: E402

LIBRARY = ["sops/SOP-QA-004-document-control.md", "sops/WI-label-inspection.txt", "bad/invalid-front-date.md"]


class _Hang(Exception):
    pass


def _alarm(signum, frame):  # type: ignore[no-untyped-def]
    raise _Hang


class _Marker:
    """A pickle that leaves a file behind if anything ever loads it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (self.path,))


def _library(folder: Path) -> Path:
    lib = folder / "library"
    for name in LIBRARY:
        (lib / Path(name).parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "fixtures" / name, lib / Path(name).parent.name / Path(name).name)
    return lib


def _cli(args: list[str], cwd: Path, timeout: float) -> tuple[str, int | None, str]:
    """("ok"|"hang"|"exception", exit code, stderr) of ``doccheck ARGS`` run in this process."""
    import os

    from doccheck.cli import main

    err = io.StringIO()
    here = os.getcwd()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        os.chdir(cwd)
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(args)
        return "ok", code, err.getvalue()
    except _Hang:
        return "hang", None, err.getvalue()
    except BaseException as exc:  # noqa: BLE001 - counted, not fatal
        return "exception", None, f"{exc.__class__.__name__}: {exc}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        os.chdir(here)


# --- caches ----------------------------------------------------------------------------------

def _mutate_cache(path: Path, rng: random.Random, marker: Path) -> str:
    """Change the cache at ``path`` one way an attacker or a crash could; returns what was done."""
    kind = rng.randrange(8)
    if kind == 0:  # bytes of the file itself (its header kept half of the time)
        data = path.read_bytes()
        mutated = mutate_bytes(data, rng)
        path.write_bytes(data[:100] + mutated[100:] if rng.random() < 0.5 else mutated)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return "bytes"
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT key, payload, details FROM results").fetchall()
        if kind == 1:  # a row's JSON mutated
            key, payload, details = rng.choice(rows)
            db.execute("UPDATE results SET payload = ?, details = ? WHERE key = ?",
                       (mutate_bytes(payload, rng), mutate_bytes(details, rng) if details else details, key))
            return "json"
        if kind == 2:  # pickles, wrong types, nonsense
            evil = pickle.dumps(_Marker(marker))
            value = rng.choice([evil, json.dumps(rng.choice([[], {}, 1, "x", None, {"document": []}])).encode(), b"\x00" * 64, "text", 12345])
            db.execute("UPDATE results SET payload = ?, details = ?", (value, value))
            return "types"
        if kind == 3:  # a trigger that rewrites what doccheck stores
            db.execute("CREATE TRIGGER t AFTER INSERT ON results BEGIN UPDATE results SET payload = X'"
                       + pickle.dumps(_Marker(marker)).hex() + "'; END")
            return "trigger"
        if kind == 4:  # a view or an extra table
            db.execute(rng.choice(["CREATE VIEW v AS SELECT * FROM results", "CREATE TABLE extra (x)"]))
            return "extra-object"
        if kind == 5:  # meta changed
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (rng.choice(["1", "999", "x", ""]),))
            return "meta"
        if kind == 6:  # keys changed: rows for other content
            for key, *_ in rows:
                db.execute("UPDATE results SET key = ? WHERE key = ?", (key[::-1], key))
            return "keys"
        db.execute(f"PRAGMA application_id={rng.choice([0, 1, 0x7FFFFFFF])}")
        return "application-id"


def fuzz_caches(n: int, seed: int, timeout: float = 60.0) -> Counter[str]:
    """``n`` mutated caches, each used by a scan (--jobs 0) and a readiness report."""
    rng = random.Random(f"{seed}-caches")
    counts: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix="doccheck-fuzz-caches-") as tmp:
        lib = _library(Path(tmp))
        marker = Path(tmp) / "code-ran"
        clean = Path(tmp) / "clean.sqlite"
        status, code, err = _cli(["scan", ".", "--no-config", "--jobs", "0", "--cache", str(clean)], lib, timeout)
        assert status == "ok" and code in (0, 1), err
        for i in range(n):
            cache = Path(tmp) / f"cache-{i}.sqlite"
            shutil.copy(clean, cache)
            what = _mutate_cache(cache, rng, marker)
            counts["inputs"] += 1
            config = Path(tmp) / f"cache-{i}.yaml"  # NOTE: `report` takes its cache from the configuration, as a parent folder's would give it
            config.write_text(f"cache: {cache.name}\n", encoding="utf-8")
            for args in (["scan", ".", "--config", str(config), "--jobs", "0"],
                         ["report", ".", "--config", str(config), "-o", str(Path(tmp) / f"r{i}.html")]):
                status, code, err = _cli(args, lib, timeout)
                outcome = status if status != "ok" else ("refused" if code == 2 else "internal-error" if code not in (0, 1) else "ok")
                counts[outcome] += 1
                if outcome in ("hang", "exception", "internal-error"):
                    print(f"  cache {i} ({what}): {outcome}: {err.strip().splitlines()[-1] if err.strip() else ''}", file=sys.stderr)
            if marker.exists():
                counts["code-executed"] += 1
                marker.unlink()
            for extra in [*Path(tmp).glob(f"cache-{i}.*"), Path(tmp) / f"r{i}.html"]:
                extra.unlink(missing_ok=True)
    return counts


# --- configurations ----------------------------------------------------------------------------

_CONFIGS = [
    (ROOT / "doccheck" / "templates" / "doccheck.yaml").read_text(encoding="utf-8"),
    "fail_on: warning\nselect: [QMSR-, DC-]\nignore: [DC-009]\nseverity: {DC-003: info}\nper_path_ignores: {\"sops/*\": [QMSR-TERM-]}\n",
    "document_types: {\"sops/*\": capa-procedure}\nroles: {\"bad/**\": external}\nexclude: [\"*.tmp\"]\ntimeout: 30\njobs: 0\n",
    "not_applicable: {iso-7.5.7: \"No sterile devices\"}\nsites: \"^(?P<site>[^/]+)/\"\ncomplete_set: true\nset_analysis: always\n",
    "waivers: doccheck-waivers.yaml\ncache: false\nrules: [extra/]\nextend_select: [STYLE-]\n",
]
_HOSTILE_LINES = [
    "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nselect: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
    "sites: \"^(?P<site>(a+)+)b\"\n", "sites: \"(?P<site>\\\\w)\\\\1\"\n", "jobs: 99999999999999999999\n", "timeout: -1\n", "timeout: .nan\n",
    "cache: /etc/passwd\n", "cache: .\n", "rules: [/dev/zero]\n", "waivers: /dev/zero\n", "exclude: [\"[\"]\n", "per_path_ignores: {\"**/**/**/**/**/**\": [QMSR-]}\n",
    "!!python/object/apply:os.system [\"touch CODE-RAN\"]\n", "select: !!python/name:os.system\n", "fail_on: [error]\n", "\x00\x01\x02\n", "\ufeffjobs: 1\n",
    "severity: {QMSR-: critical}\n", "document_types: {\"*\": no-such-type}\n", "roles: {\"*\": emperor}\n", "not_applicable: {iso-7.5.7: \"\"}\n",
    "key: " + "[" * 5000 + "]" * 5000 + "\n", "x: " + "a" * 200_000 + "\n", "executor: dask://\n", "executor: \"dask://256.1.1.1:1\"\n",
]


def _mutate_config(rng: random.Random) -> str:
    text = rng.choice(_CONFIGS)
    kind = rng.randrange(4)
    if kind == 0:
        return mutate_bytes(text.encode(), rng).decode("utf-8", "replace")
    if kind == 1:
        return text + rng.choice(_HOSTILE_LINES)
    if kind == 2:
        lines = text.splitlines(keepends=True)
        rng.shuffle(lines)
        return "".join(lines[: rng.randint(0, len(lines))]) + rng.choice(_HOSTILE_LINES)
    return "".join(rng.choice(_HOSTILE_LINES) for _ in range(rng.randint(1, 3)))


def fuzz_configs(n: int, seed: int, timeout: float = 60.0) -> Counter[str]:
    """``n`` mutated doccheck.yaml files, each found by a scan from the library's folder."""
    rng = random.Random(f"{seed}-configs")
    counts: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix="doccheck-fuzz-configs-") as tmp:
        lib = _library(Path(tmp))
        (lib / "extra").mkdir()
        for i in range(n):
            text = _mutate_config(rng)
            (lib / "doccheck.yaml").write_bytes(text.encode("utf-8", "surrogateescape"))
            counts["inputs"] += 1
            status, code, err = _cli(["scan", ".", "--jobs", "0", "--no-cache", "--executor", "local"], lib, timeout)
            outcome = status if status != "ok" else ("refused" if code == 2 else "internal-error" if code not in (0, 1) else "ok")
            if outcome == "refused" and "doccheck.yaml" not in err:
                outcome = "error-without-file"
            counts[outcome] += 1
            if outcome not in ("ok", "refused"):
                print(f"  config {i}: {outcome}: {err.strip().splitlines()[-1] if err.strip() else ''}\n    {text[:200]!r}", file=sys.stderr)
            if (lib / "CODE-RAN").exists():
                counts["code-executed"] += 1
                (lib / "CODE-RAN").unlink()
    return counts


FAILURES = ("hang", "exception", "internal-error", "error-without-file", "code-executed")
