"""Result cache: an SQLite file keyed by what a file's findings depend on.

Key = content hash of the bytes the worker read + display path + doccheck version + rule packs
and corpora digest + settings digest + the date (a few checks depend on "today"). Safe for two
scans at once (WAL, busy timeout).

A cache file is data from anywhere (a repository, a `cache:` path in a parent folder's
configuration), so:

* rows are JSON read back field by field into doccheck's own types (`doccheck.records`);
  nothing is unpickled, nothing runs; a row that is not doccheck's is a miss;
* a file is used only if it is a doccheck cache: SQLite with doccheck's application id, owned
  by the current user, holding only doccheck's two tables. A file at the path that is not a
  doccheck cache is an error naming it (exit 2), left untouched; a doccheck cache with
  triggers, views or other tables in it, or owned by someone else, is never read or written:
  a fresh one is built beside it (``NAME.rebuilt``);
* only a doccheck cache is ever deleted (a damaged one, to rebuild it).

A file whose size, times, inode and device are those recorded when it was last hashed is not
read again (``stat:`` rows, as git's index does): its content hash comes from the row. The
change time cannot be set back by tools that restore a modification time (``cp -p``,
``rsync -t``, ``tar``), and a file changed less than `RACY_NS` before it was hashed is never
recorded (a second change within one tick of a coarse file-system clock would not show).

NOTE: a result is stored in two parts. The slim part (identity, facts, findings) is what
every output format needs and is all a warm rescan reads; the blocks and tags (hundreds of
thousands of small objects over a library) load only when a reporter asks for them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from pathlib import Path

import orjson

from doccheck.errors import DoccheckUserError
from doccheck.finding import Finding
from doccheck.records import RecordError, decode_details, decode_findings, decode_result, encode_details, encode_findings, encode_result
from doccheck.results import DocumentResult

log = logging.getLogger("doccheck")
SCHEMA = 5
APPLICATION_ID = 0x44434B31  # "DCK1" in the SQLite header (offset 68): this file is a doccheck cache
_HEADER = b"SQLite format 3\x00"
_OURS = {("table", "meta"), ("table", "results"), ("index", "sqlite_autoindex_meta_1"), ("index", "sqlite_autoindex_results_1")}


def _text(data: bytes) -> str:
    """TEXT columns as read: a damaged cache may hold bytes that are not UTF-8 (a miss, not a crash)."""
    return data.decode("utf-8", "replace")


RACY_NS = 2_000_000_000  # FAT's clock ticks in 2 s; ext4 and NTFS in far less
_STAT = "stat:"


def make_key(content_sha: str, display: str, context: str) -> str:
    return hashlib.sha256(f"{content_sha}|{display}|{context}".encode("utf-8", "surrogatepass")).hexdigest()


def _header(path: Path) -> tuple[bool, int]:
    """(is an SQLite file, its application id)."""
    with open(path, "rb") as fh:
        head = fh.read(100)
    return head.startswith(_HEADER) and len(head) >= 72, int.from_bytes(head[68:72], "big") if len(head) >= 72 else 0


def _foreign(path: Path) -> str | None:
    """Why an existing doccheck cache must not be trusted (None: it may be used)."""
    if hasattr(os, "getuid") and path.stat().st_uid != os.getuid():
        return "it belongs to another user"
    try:
        with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30) as db:
            db.text_factory = _text
            db.execute("PRAGMA trusted_schema=OFF")
            objects = {(kind, name) for kind, name in db.execute("SELECT type, name FROM sqlite_master")}
    except sqlite3.DatabaseError:
        return None  # damaged: ours (its header says so), rebuilt on open
    extra = sorted(f"{kind} {name}" for kind, name in objects - _OURS)
    return f"it holds {', '.join(extra)}" if extra else None


def _older_doccheck(path: Path) -> bool:
    """A cache of an older doccheck (no application id yet): doccheck's tables and a schema row."""
    try:
        with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30) as db:
            db.text_factory = _text
            db.execute("PRAGMA trusted_schema=OFF")
            tables = {name for kind, name in db.execute("SELECT type, name FROM sqlite_master") if kind == "table"}
            return tables == {"meta", "results"} and db.execute("SELECT 1 FROM meta WHERE key = 'schema'").fetchone() is not None
    except sqlite3.DatabaseError:
        return False


class Cache:
    """``get``/``put`` DocumentResults; every method is a no-op once the store has failed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db: sqlite3.Connection | None = None
        try:
            self.path = self._placed(path)
        except (OSError, sqlite3.Error) as exc:
            log.warning("cache disabled: %s", exc)
            self.path = None
        if self.path is None:
            return
        try:
            self._open()
        except sqlite3.DatabaseError as exc:  # ours (checked above), but damaged: start afresh
            log.warning("cache %s is unreadable (%s); rebuilding it", self.path, exc)
            self.close()
            try:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
                self.path = self._placed(self.path)
                if self.path is None:
                    return
                self._open()
            except (OSError, sqlite3.Error) as again:
                log.warning("cache disabled: %s", again)
                self.db = None
        except OSError as exc:
            log.warning("cache disabled: %s", exc)
            self.db = None

    @staticmethod
    def _trusted(path: Path) -> Path | None:
        """The file to use: ``path`` when it is a trusted doccheck cache or absent, a fresh one beside
        an untrusted doccheck cache, never a file that is not a doccheck cache (an error)."""
        for candidate in (path, path.with_name(path.name + ".rebuilt")):
            if not os.path.lexists(candidate):
                return candidate
            if not candidate.is_file():
                raise DoccheckUserError(f"cache path {candidate} exists and is not a file; doccheck left it untouched (give another --cache)")
            sqlite, app = _header(candidate)
            if not sqlite or (app != APPLICATION_ID and not (app == 0 and _older_doccheck(candidate))):
                raise DoccheckUserError(f"{candidate} is not a doccheck cache; doccheck never writes over a file it did not create "
                                        "(give another --cache, or --no-cache)")
            why = _foreign(candidate)
            if why is None:
                return candidate
            log.warning("cache %s is not used: %s; a fresh one is built beside it", candidate, why)
        log.warning("cache disabled: %s and its rebuilt copy are not usable", path)
        return None

    @classmethod
    def _placed(cls, path: Path) -> Path | None:
        """The trusted cache file to open, created first when absent.

        NOTE: created whole under a temporary name and linked into place: a second scan starting
        at the same moment saw the empty file SQLite creates on connect and refused it as no
        doccheck cache. Whoever links first wins; the other checks what is there, as for any file.
        """
        for _ in range(3):
            target = cls._trusted(path)
            if target is None or os.path.lexists(target) or _create(target):
                return target
        return cls._trusted(path)

    def _open(self) -> None:
        assert self.path is not None
        db = sqlite3.connect(self.path, timeout=30)
        db.text_factory = _text
        self.db = db
        _initialise(db)

    def _payloads(self, keys: list[str]) -> list[tuple[str, object]]:
        """(key, payload) of the rows of ``keys`` there are: a query per 500 keys; none once the store fails."""
        out: list[tuple[str, object]] = []
        if self.db is None:
            return out
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            try:
                out += self.db.execute(f"SELECT key, payload FROM results WHERE key IN ({','.join('?' * len(chunk))})", chunk).fetchall()
            except sqlite3.Error as exc:
                log.warning("cache unreadable (%s); checking the files again", exc)
                return []
        return out

    def get_many(self, keys: list[str]) -> dict[str, DocumentResult]:
        """Cached results for ``keys`` (absent or unreadable keys are left out)."""
        found: dict[str, DocumentResult] = {}
        for key, payload in self._payloads(keys):
            try:
                found[key] = decode_result(payload)  # type: ignore[arg-type]
            except (RecordError, ValueError, TypeError, RecursionError):
                continue  # not a row doccheck wrote: a miss
        return found

    def known_contents(self, files: list[tuple[Path, os.stat_result]]) -> dict[Path, str]:
        """The content hash recorded for each file of ``files`` whose ``stat`` is the one recorded with it."""
        wanted = {_stat_key(path): (path, _identity(st)) for path, st in files}
        known = {}
        for key, payload in self._payloads(list(wanted)):
            path, identity = wanted[key]
            sha = _recorded_sha(payload, identity)
            if sha is not None:
                known[path] = sha
        return known

    def remember_contents(self, files: list[tuple[Path, str, os.stat_result, str, int]]) -> None:
        """Record (path, display, stat before hashing, content hash, when hashing began in ns) for
        `known_contents`, except for files changed less than `RACY_NS` before their hashing."""
        rows = [(_stat_key(path), display, orjson.dumps([sha, *_identity(st)]), None)
                for path, display, st, sha, began in files if max(st.st_mtime_ns, st.st_ctime_ns) < began - RACY_NS]
        if self.db is None or not rows:
            return
        try:
            self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", rows)
            self.db.commit()
        except sqlite3.Error as exc:
            log.warning("cache not updated: %s", exc)

    def get(self, key: str) -> DocumentResult | None:
        return self.get_many([key]).get(key)

    def get_findings(self, key: str) -> list[Finding] | None:
        """Set-level findings stored with `put_findings`."""
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT payload FROM results WHERE key = ?", ("set:" + key,)).fetchone()
            return decode_findings(row[0]) if row else None
        except (sqlite3.Error, RecordError, ValueError, TypeError, RecursionError):
            return None

    def put_findings(self, key: str, findings: list[Finding]) -> None:
        if self.db is None:
            return
        try:
            self.db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, NULL)", ("set:" + key, "", encode_findings(findings)))
            self.db.commit()
        except sqlite3.Error as exc:
            log.warning("cache not updated: %s", exc)

    def details(self, key: str) -> tuple[list, list] | None:
        """The blocks and tags of a cached result (None when absent or unreadable)."""
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT details FROM results WHERE key = ?", (key,)).fetchone()
            return decode_details(row[0]) if row and row[0] is not None else None
        except (sqlite3.Error, RecordError, ValueError, TypeError, RecursionError):
            return None

    def put_many(self, items: list[tuple[str, str, DocumentResult]]) -> None:
        if self.db is None or not items:
            return
        rows = []
        for key, path, result in items:
            doc = result.document
            details = result.packed_details or encode_details(doc.blocks, doc.tags)
            rows.append((key, path, encode_result(result), details))
        try:
            self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", rows)
            self.db.commit()
        except sqlite3.Error as exc:
            log.warning("cache not updated: %s", exc)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


def _stat_key(path: Path) -> str:
    return _STAT + hashlib.sha256(os.fsencode(os.path.abspath(path))).hexdigest()  # NOTE: any name the OS allows, even one not UTF-8


def _identity(st: os.stat_result) -> tuple[int, int, int, int, int]:
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev


def _recorded_sha(payload: object, identity: tuple[int, ...]) -> str | None:
    """The hash of a ``stat:`` row when the row is doccheck's and its stat is ``identity``; else None (a miss)."""
    if not isinstance(payload, (bytes, str)) or len(payload) > 512:
        return None
    try:
        row = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    if not (isinstance(row, list) and len(row) == 1 + len(identity) and isinstance(row[0], str) and len(row[0]) == 64):
        return None
    if tuple(row[1:]) != identity or any(type(v) is not int for v in row[1:]):
        return None
    return row[0] if all(c in "0123456789abcdef" for c in row[0]) else None


def _create(path: Path) -> bool:
    """Make a fresh cache at ``path``; False when another file got there first (left as it is)."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.parent.name == ".doccheck":  # NOTE: the cache folder ignores itself in git, as .pytest_cache does
            (path.parent / ".gitignore").write_text("# created by doccheck\n*\n", encoding="utf-8")
    import tempfile  # NOTE: here, not at the top: a one-file scan with a cache in place never creates one (~6 ms)

    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        db = sqlite3.connect(tmp)
        try:
            _initialise(db)
        finally:
            db.close()
        try:
            os.link(tmp, path)  # atomic, and never over an existing file
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: the same, with a window between test and rename
            if os.path.lexists(path):
                return False
            os.rename(tmp, path)
        return True
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)


def _initialise(db: sqlite3.Connection) -> None:
    """doccheck's application id, WAL, its two tables and the schema row (idempotent)."""
    db.execute("PRAGMA trusted_schema=OFF")
    db.execute(f"PRAGMA application_id={APPLICATION_ID}")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, path TEXT, payload BLOB, details BLOB)")
    row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    if row is None:
        db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('application', 'doccheck')")
    elif row[0] != str(SCHEMA):
        db.execute("DELETE FROM results")
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA),))
    db.commit()
