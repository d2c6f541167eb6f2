"""Import a bundle in one transaction (all or nothing), streaming, in bulk.

Each file is read as a stream of records, validated row by row and written in batches with
bulk inserts inside one transaction; with any problem the transaction is rolled back and
every problem (up to ``MAX_SHOWN``) is reported with its file:line:column. Refs are keys: a
re-import finds every household, measure and incident by its ref and changes nothing that is
already there. Memory does not grow with the size of the bundle.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from flask import current_app

from conflict_app.bundles.bulk import INVALID, Batch, BulkWriter, Report
from conflict_app.bundles.schema import FILES, ORDER, Header, M, Problem
from conflict_app.bundles.source import Limits, Refused, Source, records
from conflict_app.core import audit
from conflict_app.core.heap import settled
from conflict_app.core.transaction import unit_of_work

__all__ = ["BundleInvalid", "Report", "import_bundle", "bundle_size"]

BATCH = 5000
MAX_SHOWN = 200


class BundleInvalid(Exception):
    def __init__(self, errors: list[Problem], total: int | None = None) -> None:
        super().__init__(f"{total or len(errors)} error(s)")
        self.errors = errors
        self.total = total if total is not None else len(errors)

    @property
    def hidden(self) -> int:
        return self.total - len(self.errors)


class Problems:
    """Every problem counted, the first ``MAX_SHOWN`` kept."""

    def __init__(self) -> None:
        self.shown: list[Problem] = []
        self.count = 0

    def append(self, problem: Problem) -> None:
        self.count += 1
        if len(self.shown) < MAX_SHOWN:
            self.shown.append(problem)

    def extend(self, problems: list[Problem]) -> None:
        for problem in problems:
            self.append(problem)

    def __bool__(self) -> bool:
        return self.count > 0


class _Rollback(Exception):
    pass


def limits() -> Limits:
    return Limits(max_bytes=current_app.config.get("BUNDLE_MAX_BYTES", Limits.max_bytes))


def bundle_size(path: Path) -> int:
    """Uncompressed bytes to read (for a progress bar); 0 if the bundle cannot be opened."""
    try:
        with Source(path, limits()) as source:
            return source.total
    except Refused:
        return 0


def import_bundle(path: Path, actor_id: int | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  name: str | None = None) -> Report:
    """Import the bundle at ``path``; raises ``BundleInvalid`` (nothing written) on any
    problem. ``progress(done, total)`` is told the bytes read so far; ``name`` is the
    file's name as the user knows it (an upload is stored under another)."""
    problems = Problems()
    report = Report()
    started = time.perf_counter()
    try:
        source = Source(path, limits())
    except Refused as exc:
        problem = exc.problem
        if name and problem.file == path.name:
            problem = Problem(name, problem.line, problem.column, problem.msgid,
                              problem.field, **dict(problem.params))
        raise BundleInvalid([problem]) from None
    with source, settled():
        try:
            with unit_of_work():
                writer = BulkWriter(report, problems)
                for name in sorted(source.members):
                    if name not in FILES:
                        problems.append(Problem(name, 1, 1, M.UNKNOWN_FILE,
                                                names=", ".join(ORDER)))
                for name in ORDER:
                    if name in source.members:
                        _load(source, name, writer, problems, progress)
                    elif FILES[name].required:
                        problems.append(Problem(name, 1, 1, M.MISSING_FILE))
                        writer.households_unread = True
                if problems:
                    raise _Rollback
                audit.record(actor_id=actor_id, object_type="bundle", object_id=0,
                             action="import_bundle",
                             changes={"file": name or path.name, "created": dict(report.created),
                                      "unchanged": dict(report.unchanged)})
        except _Rollback:
            pass
        except Refused as exc:
            problems.append(exc.problem)
    if problems:
        raise BundleInvalid(problems.shown, problems.count)
    report.seconds = time.perf_counter() - started
    return report


def _load(source: Source, name: str, writer: BulkWriter, problems: Problems,
          progress: Callable[[int, int], None] | None) -> None:
    with source.open(name) as stream:
        rows = records(name, stream)
        first = next(rows, None)
        if first is None:
            problems.append(Problem(name, 1, 1, M.EMPTY))
            writer.households_unread |= name == "households.csv"
            return
        before = problems.count
        header = Header(FILES[name], first[1], problems)
        if problems.count > before:  # rows under a wrong header would only add noise
            writer.households_unread |= name == "households.csv"
            return
        batch: Batch = []
        for line, values in rows:
            found: list[Problem] = []
            row = header.parse(line, values, found)
            if row is None:
                continue
            if found:
                problems.extend(found)
                row[INVALID] = True
            batch.append((line, row))
            writer.report.rows += 1
            if len(batch) >= BATCH:
                writer.write(header, batch)
                batch = []
                if progress:
                    progress(source.read[0], source.total)
        if batch:
            writer.write(header, batch)
        if progress:
            progress(source.read[0], source.total)
