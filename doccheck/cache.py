"""Result cache: an SQLite file keyed by what a file's findings depend on.

Key = file content hash + display path + doccheck version + rule packs and corpora digest +
settings digest + the date (a few checks depend on "today"). Safe for two scans at once
(WAL, busy timeout). A corrupt or unwritable cache is rebuilt or bypassed, never fatal.

NOTE: a result is stored in two parts. The slim part (identity, facts, findings) is what
every output format needs and is all a warm rescan reads; the blocks and tags (hundreds of
thousands of small objects over a library) load only when a reporter asks for them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import pickle
import sqlite3
import zlib
from pathlib import Path

from doccheck.results import DocumentResult, pack_details, unpack_details

log = logging.getLogger("doccheck")
SCHEMA = 4


def make_key(content_sha: str, display: str, context: str) -> str:
    return hashlib.sha256(f"{content_sha}|{display}|{context}".encode()).hexdigest()


class Cache:
    """``get``/``put`` DocumentResults; every method is a no-op once the store has failed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db: sqlite3.Connection | None = None
        try:
            self._open()
        except sqlite3.DatabaseError as exc:  # not a database, or damaged: start afresh
            log.warning("cache %s is unreadable (%s); rebuilding it", path, exc)
            self.close()
            try:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                self._open()
            except (OSError, sqlite3.Error) as again:
                log.warning("cache disabled: %s", again)
                self.db = None
        except OSError as exc:
            log.warning("cache disabled: %s", exc)
            self.db = None

    def _open(self) -> None:
        if not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.parent.name == ".doccheck":  # NOTE: the cache folder ignores itself in git, as .pytest_cache does
                (self.path.parent / ".gitignore").write_text("# created by doccheck\n*\n", encoding="utf-8")
        db = sqlite3.connect(self.path, timeout=30)
        self.db = db
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, path TEXT, payload BLOB, details BLOB)")
        row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
        elif row[0] != str(SCHEMA):
            db.execute("DROP TABLE results")
            db.execute("CREATE TABLE results (key TEXT PRIMARY KEY, path TEXT, payload BLOB, details BLOB)")
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA),))
        db.commit()

    def get(self, key: str) -> DocumentResult | None:
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT payload FROM results WHERE key = ?", (key,)).fetchone()
            return pickle.loads(row[0]) if row else None  # slim part stored raw: read on every warm run
        except (sqlite3.Error, zlib.error, pickle.UnpicklingError, EOFError, AttributeError, TypeError) as exc:
            log.warning("cache entry unreadable (%s); checking the file again", exc)
            return None

    def get_many(self, keys: list[str]) -> dict[str, DocumentResult]:
        """Cached results for ``keys`` (absent keys are left out): a query per 500 keys, not one per file."""
        found: dict[str, DocumentResult] = {}
        if self.db is None:
            return found
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            try:
                rows = self.db.execute(f"SELECT key, payload FROM results WHERE key IN ({','.join('?' * len(chunk))})", chunk).fetchall()
            except sqlite3.Error as exc:
                log.warning("cache unreadable (%s); checking the files again", exc)
                return found
            for key, payload in rows:
                try:
                    found[key] = pickle.loads(payload)
                except (pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
                    continue
        return found

    def get_blob(self, key: str) -> object | None:
        """Any other cached value (set-level findings) stored with `put_blob`."""
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT payload FROM results WHERE key = ?", ("blob:" + key,)).fetchone()
            return pickle.loads(row[0]) if row else None
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
            return None

    def put_blob(self, key: str, value: object) -> None:
        if self.db is None:
            return
        try:
            self.db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, NULL)", ("blob:" + key, "", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)))
            self.db.commit()
        except sqlite3.Error as exc:
            log.warning("cache not updated: %s", exc)

    def details(self, key: str) -> tuple[list, list] | None:
        """The blocks and tags of a cached result (None when absent)."""
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT details FROM results WHERE key = ?", (key,)).fetchone()
            return unpack_details(row[0]) if row else None
        except (sqlite3.Error, zlib.error, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
            return None

    def put_many(self, items: list[tuple[str, str, DocumentResult]]) -> None:
        if self.db is None or not items:
            return
        rows = []
        for key, path, result in items:
            doc = result.document
            details = result.packed_details or pack_details(doc.blocks, doc.tags)
            slim = dataclasses.replace(result, document=dataclasses.replace(doc, blocks=[], tags=[]), packed_details=None)
            rows.append((key, path, pickle.dumps(slim, protocol=pickle.HIGHEST_PROTOCOL), details))
        try:
            self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", rows)
            self.db.commit()
        except sqlite3.Error as exc:
            log.warning("cache not updated: %s", exc)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
