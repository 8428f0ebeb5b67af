"""The Python API the CLI is built on: ``doccheck.api.scan(paths, config) -> Report``.

The cache is consulted before anything heavy is imported, so a run whose files are all
unchanged never imports spaCy (``import spacy`` alone costs over a second).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import gc
import hashlib
import os
import stat
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

from doccheck import __version__
from doccheck.config import Config, check_rule_names
from doccheck.discover import discover, display_path
from doccheck.errors import DoccheckUserError
from doccheck.finding import Finding, Severity
from doccheck.results import DocumentResult, Report, unpack_details

# never cached: they say nothing about the file's content. NOTE: a timeout is cached (for the same
# content, settings and a time limit no longer than the one it ran out of): a file that hangs its
# reader would otherwise cost the whole time limit on every run.
_TRANSIENT = {"worker-crashed", "internal-error", "missing", "io-error"}

def _content_hash(path: Path) -> str | None:
    """The file's SHA-256, or None (not cached) for anything but a readable regular file."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None  # NOTE: opening a FIFO named x.pdf would block here forever
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()  # reads in C, without a Python loop
    except OSError:
        return None


class _Recorded(NamedTuple):
    """Each file's stat (None: not a regular file, or gone) and the content hashes the cache recorded with those stats."""

    stats: list[os.stat_result | None]
    known: dict[Path, str]


def _recorded(files: list[Path], cache) -> _Recorded:  # type: ignore[no-untyped-def]
    """Stat every file once and look the stats up once: for the early worker's decision and for the hashing."""
    stats: list[os.stat_result | None] = []
    for path in files:
        try:
            st = path.stat()
        except OSError:
            st = None
        stats.append(st if st is not None and stat.S_ISREG(st.st_mode) else None)
    return _Recorded(stats, cache.known_contents([(p, st) for p, st in zip(files, stats) if st is not None]))


def _content_hashes(files: list[Path], names: list[str], cache, recorded: _Recorded) -> list[str | None]:  # type: ignore[no-untyped-def]
    """Each file's SHA-256 (None: not cached), read again only when its stat is not the one the cache recorded with it."""
    stats, known = recorded
    shas: list[str | None] = []
    learnt = []
    for path, shown, st in zip(files, names, stats):
        sha = known.get(path) if st is not None else None
        if sha is None and st is not None:
            began = time.time_ns()
            sha = _content_hash(path)  # NOTE: serial here: reads in C, ~0.15 ms per real document
            if sha:
                learnt.append((path, shown, st, sha, began))
        shas.append(sha)
    cache.remember_contents(learnt)
    return shas


def _override_severity(finding: Finding, overrides: dict[str, str]) -> Finding:
    if not overrides:
        return finding
    best = max((p for p in overrides if finding.rule.startswith(p)), key=len, default=None)
    return finding._replace(severity=Severity.parse(overrides[best])) if best else finding


def _post_process(report: Report, config: Config) -> None:
    """Configuration that applies after checking (so it never invalidates the cache)."""
    from doccheck.engine.run import today

    waiver_file = None
    if config.waivers_path:
        from doccheck import waivers

        if not config.waivers_path.exists():
            raise DoccheckUserError(
                f"waiver file {config.waivers_path} (set in {config.source or 'the command line'}) does not exist;"
                " create it with 'doccheck waivers add' or remove the setting"
            )
        waiver_file = waivers.read(config.waivers_path)
    if waiver_file is None and not config.per_path_ignores and not config.severity:
        return  # nothing to apply: keep the findings as they are

    def adjusted(findings: list[Finding]) -> list[Finding]:
        out = []
        for f in findings:
            if not any(fnmatch.fnmatch(f.path, g) and any(f.rule.startswith(p) for p in ps) for g, ps in config.per_path_ignores.items()):
                out.append(_override_severity(f, config.severity))
        return out

    numbers = {r.document.path: r.document.metadata.get("document_number") for r in report.documents}
    for result in report.documents:
        result.findings = adjusted(result.findings)
    report.findings = adjusted(report.findings)
    if waiver_file is None:
        return
    from doccheck import waivers

    pairs = [(f, numbers.get(f.path)) for r in report.documents for f in r.findings] + [(f, numbers.get(f.path)) for f in report.findings]
    outcome = waivers.apply(pairs, waiver_file, today())
    kept = {id(f) for f in outcome.kept}
    for result in report.documents:
        result.findings = [f for f in result.findings if id(f) in kept]
    report.findings = [f for f in report.findings if id(f) in kept]
    report.waivers = {
        "file": str(waiver_file.path),
        "waived": outcome.waived,
        "expired": [f"{waiver_file.path}:{w.line}: {w.rule} on {w.document} expired {w.expires}" for w in outcome.expired],
        "unused": [f"{waiver_file.path}:{w.line}: {w.rule} on {w.document} matched no finding" for w in outcome.unused],
    }


def scan(
    paths: Iterable[str | Path],
    config: Config | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    details: bool = False,
) -> Report:
    """Check every document under ``paths``: cached results first, the rest in worker processes.

    Documents come back without their blocks and tags unless ``details`` (a report will show
    the text) and the cache is off; with the cache on, the cache holds them. `load_details`
    gives them back to a report that shows the text, from the cache or by reading the file again.

    NOTE: results are acyclic data; with the cyclic collector on, every few thousand objects
    unpickled (from the cache or from workers) rescan a heap that only grows. It is paused
    for the scan and runs once at the end.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _scan(paths, config, progress, details)
    finally:
        if collecting:
            gc.enable()


def _scan(
    paths: Iterable[str | Path],
    config: Config | None,
    progress: Callable[[int, int, str], None] | None,
    details: bool = False,
) -> Report:
    config = config or Config()
    started = time.perf_counter()
    paths = list(paths)  # read twice: discovery, and whether a folder was given (set analysis)
    files = discover(paths, config.include, config.exclude)
    shown = [display_path(path) for path in files]  # how each file is named in every report (and to the workers)
    from doccheck.cache import Cache

    cache = Cache(config.cache_path) if config.use_cache else None
    recorded = _recorded(files, cache) if cache is not None else None
    pool = _early_pool(config, files, shown, recorded)
    try:
        return _scan_files(paths, files, shown, config, progress, details, pool, started, cache, recorded)
    finally:
        if pool is not None:
            pool.close()


def _early_pool(config: Config, files: list[Path], shown: list[str], recorded: _Recorded | None):  # type: ignore[no-untyped-def]
    """Workers started now, before the rules are parsed: when every file will be checked (no cache), or,
    with the cache, the one worker of a few files (a pre-commit run) of which one at least changed since
    the cache last hashed it, on a machine with a core to spare.

    NOTE: with the cache, a changed file waited for the hashing, the look-up and the rules before its
    worker began importing spaCy (~0.04 s of a one-file run of 0.68 s). Files the cache knows unchanged
    start no worker: one started and killed cost a cached run ~0.01 s of its 0.14 s."""
    from doccheck.parallel import Pool, Task, default_jobs, workers_for

    jobs = workers_for(config.jobs, len(files))
    if config.executor != "local" or not files or not jobs:
        return None
    spare = (default_jobs() if config.jobs is None else config.jobs) > jobs  # a core no worker will use
    if recorded is not None:  # the cache is on: only a worker for files it does not know unchanged
        return Pool(jobs, config.memory_mb, None, spare) if jobs == 1 and spare and len(recorded.known) < len(files) else None
    return Pool(jobs, config.memory_mb, [Task(n, str(path), name) for n, (path, name) in enumerate(zip(files, shown))], spare)


def _scan_files(paths: Iterable[str | Path], files: list[Path], names: list[str], config: Config, progress: Callable[[int, int, str], None] | None, details: bool,
                pool, started: float, cache, recorded: _Recorded | None) -> Report:  # type: ignore[no-untyped-def]
    from doccheck.cache import make_key
    from doccheck.engine.run import selected, today
    from doccheck.resources import code_digest, data_digest
    from doccheck.worker import Settings, prime

    ruleset = _rules(config, cache)  # a broken pack stops here, before any work
    check_rule_names(config, ruleset.rules)  # so does a setting that names no rule
    settings = Settings(
        tuple(str(p) for p in config.rule_paths()), config.select, config.ignore, config.extend_select, tuple(config.document_types.items()),
        tuple(config.roles.items()), config.set_analysis != "never", pack_details=cache is not None,
        drop_details=cache is None and not details,
    )
    prime(settings, ruleset.rules)  # NOTE: before the workers fork: they inherit the parsed rules
    context = "|".join((__version__, code_digest(), ruleset.digest, data_digest(), config.digest(), today().isoformat()))
    results: list[DocumentResult | None] = [None] * len(files)
    todo: list[tuple[int, Path, str, str | None]] = []
    done = 0
    shas = _content_hashes(files, names, cache, recorded) if cache and recorded else [None] * len(files)  # NOTE: keys serve only the cache
    shown_keys = [(shown, make_key(sha, shown, context) if sha else None) for shown, sha in zip(names, shas)]
    hits = cache.get_many([k for _, k in shown_keys if k]) if cache else {}
    for i, (path, (shown, key)) in enumerate(zip(files, shown_keys)):
        hit = hits.get(key) if key else None
        if hit is not None and any(p.reason == "timeout" for p in hit.document.problems) and config.timeout > hit.seconds * 1.05:
            hit = None  # it ran out of a shorter time limit than this run's: try again
        if hit is not None:
            hit.cached, hit.seconds, hit.cache_key = True, 0.0, key  # NOTE: just unpickled, ours alone: no copy
            results[i] = hit
            done += 1
            if progress:
                progress(done, len(files), shown)
        else:
            todo.append((i, path, shown, key))
    count = [done]

    def tick(shown: str) -> None:
        count[0] += 1
        if progress:
            progress(count[0], len(files), shown)

    def stored_key(key: str | None, shown: str, result: DocumentResult | None) -> str | None:
        """The key of the content the worker read (NOTE: a file edited after the parent hashed it
        is stored under its new content, never under the old content's key)."""
        sha = result.document.sha256 if result is not None else ""
        return make_key(sha, shown, context) if key and sha else key

    finished: dict[int, DocumentResult] = {}  # NOTE: filled as files finish, so an interrupt keeps them
    try:
        _check(todo, settings, config, tick, pool, finished)
    except BaseException:  # Ctrl-C, SIGTERM: the files already checked go to the cache, then the run ends
        if cache:
            cache.put_many([(stored_key(todo[n][3], todo[n][2], r), todo[n][2], r) for n, r in finished.items() if todo[n][3] and not _transient(r)])
        raise
    for n, (i, _, _, _) in enumerate(todo):
        results[i] = finished.get(n)
    if cache:
        cache.put_many(
            [(stored_key(key, shown, results[i]), shown, results[i]) for i, _, shown, key in todo if key and not _transient(results[i])]  # type: ignore[arg-type,misc]
        )
        for i, _, shown, key in todo:  # their blocks now load from the cache on demand, as cached results' do
            result = results[i]
            if result is not None and key:
                results[i] = dataclasses.replace(result, cache_key=stored_key(key, shown, result), packed_details=None)
            elif result is not None and result.packed_details is not None:
                results[i] = _unpacked(result)
    report = Report(documents=[r for r in results if r is not None])
    _mark_superseded(report)
    report.rules = [r for r in ruleset.rules if selected(r, config.select, config.ignore, config.extend_select)]
    if config.set_analysis == "always" or (config.set_analysis == "auto" and any(Path(p).is_dir() for p in paths)):
        # the set's findings depend only on every document's key and the settings: cached as a whole
        set_key = hashlib.sha256("|".join([context, repr(sorted(config.not_applicable.items())), str(config.sites), str(config.complete_set),
                                           *(k or "-" for _, k in shown_keys)]).encode()).hexdigest()
        cached_set = cache.get_findings(set_key) if cache and all(k for _, k in shown_keys) else None
        report.findings = cached_set if isinstance(cached_set, list) else _set_findings(report, config)
        if cache and cached_set is None and all(k for _, k in shown_keys):
            cache.put_findings(set_key, report.findings)
    if cache:
        cache.close()
    _post_process(report, config)
    report.elapsed = time.perf_counter() - started
    return report


def _rules(config: Config, cache) -> object:  # type: ignore[no-untyped-def]
    """The rule set, parsed from the packs.

    NOTE: not cached: a parsed rule set holds compiled patterns, which only pickle could store,
    and a cache file is data from anywhere (doccheck.cache); parsing costs ~0.1 s.
    """
    from doccheck.engine.loader import load_rules

    return load_rules(config.rule_paths())


def load_details(report: Report, config: Config | None = None) -> None:
    """Give every document of ``report`` its blocks and tags: from the cache, or by checking again.

    Cached results carry only what the machine formats need; reporters that show the text
    (HTML, annotated copies) call this first.
    """
    from doccheck.cache import Cache
    from doccheck.extract import extract

    config = config or Config()
    cache = Cache(config.cache_path) if config.use_cache else None
    for result in report.documents:
        doc = result.document
        if doc.blocks or not doc.readable:
            continue
        details = cache.details(result.cache_key) if cache and result.cache_key else None
        if details is not None:
            doc.blocks, doc.tags = details
            continue
        fresh = extract(doc.path)
        if fresh.readable:
            from doccheck.nlp import tag_document

            tag_document(fresh)
        doc.blocks, doc.tags = fresh.blocks, fresh.tags
    if cache:
        cache.close()


def _unpacked(result: DocumentResult) -> DocumentResult:
    """A result with its blocks and tags back (a file the cache could not key: no content hash)."""
    blocks, tags = unpack_details(result.packed_details or b"")
    return dataclasses.replace(result, document=dataclasses.replace(result.document, blocks=blocks, tags=tags), packed_details=None)


def _mark_superseded(report: Report) -> None:
    """A lower revision of a number whose higher revision is in the scan is superseded: its profile
    says so, its findings become information (legacy evidence), and it addresses no requirement."""
    from doccheck.profile import superseded

    lower = superseded([(r.document.path, r.set_facts) for r in report.documents if r.set_facts is not None])
    for result in report.documents:
        if result.document.path not in lower or result.profile is None:
            continue
        number, revision = lower[result.document.path]
        result.profile = result.profile.superseded_by(number, revision)
        note = f" [information: {result.profile.legacy_reason}]"
        result.findings = [f if f.category == "unreadable" else f._replace(severity=Severity.INFO, message=f.message + note) for f in result.findings]
        result.set_facts = result.set_facts._replace(counts_for_coverage=False, evidence={})


def _set_findings(report: Report, config: Config) -> list[Finding]:
    """Set rules over every readable document's set facts (cheap: no document is read again)."""
    from doccheck.engine.setcontext import SetContext, assign_sites, common_root
    from doccheck.engine.setrun import run_set_rules

    documents = [(r.document.path, r.set_facts) for r in report.documents if r.set_facts is not None]
    paths = [p for p, _ in documents]
    root = common_root(paths)
    context = SetContext(documents, root, assign_sites(documents, root, config.sites), config.not_applicable, config.complete_set)
    return run_set_rules(context, report.rules)


def _transient(result: DocumentResult | None) -> bool:
    return result is None or any(p.reason in _TRANSIENT for p in result.document.problems)


def _check(
    todo: list[tuple[int, Path, str, str | None]], settings, config: Config, tick: Callable[[str], None], pool=None,  # type: ignore[no-untyped-def]
    finished: dict[int, DocumentResult] | None = None,
) -> list[DocumentResult]:
    """Check the files of ``todo``; each result also goes into ``finished`` (by position in ``todo``) as it arrives."""
    finished = {} if finished is None else finished
    from doccheck.parallel import Task, run, workers_for

    jobs = workers_for(config.jobs, len(todo))
    if not todo:
        return []
    if jobs == 0:  # in-process, for debugging and profiling: no isolation, the same limits
        from doccheck.parallel import check_here

        for n, (_, path, shown, _) in enumerate(todo):
            finished[n] = check_here(Task(n, str(path), shown), settings, config.timeout, config.memory_mb)
            tick(shown)
        return [finished[n] for n in range(len(todo))]
    if settings.set_facts and pool is None and config.executor == "local":
        # NOTE: built once before the workers fork, not once in each of them; workers started early
        # (and a Dask cluster's) build it themselves while the parent parses the rules
        from doccheck.setfacts import prepare

        prepare()
    tasks = [Task(n, str(path), shown) for n, (_, path, shown, _) in enumerate(todo)]
    ordered: list[DocumentResult | None] = [None] * len(tasks)
    if config.executor != "local":  # a Dask cluster: the same check, elsewhere (doccheck.dask_executor)
        from doccheck import dask_executor
        from doccheck.worker import _RULES

        address = dask_executor.scheduler_address(config.executor)
        results = dask_executor.run(tasks, settings, _RULES[settings], address, config.timeout, lambda t: tick(t.display))
    else:
        results = run(tasks, settings, jobs, config.timeout, config.memory_mb, lambda t: tick(t.display), pool)
    for n, result in results:
        ordered[n] = finished[n] = result
    return [r for r in ordered if r is not None]
