"""Read a bundle (folder or .zip) as streams of CSV records, within hard limits.

Nothing is read whole: a zip member is checked against its declared size and compression
ratio before a byte is inflated, and counted while it streams (a header that lies about the
size is caught too); a physical line or a field beyond the limits ends that file with one
located problem instead of filling memory.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from conflict_app.bundles.schema import M, Problem
from conflict_app.core.inputs import nul_position

MAX_LINE = 1 << 20  # characters in one physical line
MIN_RATIO_SIZE = 1 << 20  # tiny members may compress very well; they cannot be bombs


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 1 << 30  # uncompressed, per member and in total
    max_ratio: int = 100  # CSV compresses 5-20x; a deflate bomb about 1000x
    max_files: int = 50


class Refused(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class _Counting(io.RawIOBase):
    """Counts the bytes read and refuses to read beyond ``limit``."""

    def __init__(self, raw: IO[bytes], name: str, limit: int, counter: list[int]) -> None:
        self.raw, self.name, self.limit, self.counter, self.read_here = raw, name, limit, \
            counter, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001
        data = self.raw.read(len(buffer))
        self.read_here += len(data)
        self.counter[0] += len(data)
        if self.read_here > self.limit:
            raise Refused(Problem(self.name, 1, 1, M.TOO_LARGE, mib=self.limit >> 20))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self.raw.close()
        super().close()


class Source:
    """The CSV files of a bundle, by base name; ``read`` counts bytes for progress."""

    def __init__(self, path: Path, limits: Limits | None = None) -> None:
        self.path, self.limits = path, limits or Limits()
        self.read = [0]
        self.archive: zipfile.ZipFile | None = None
        self.members: dict[str, object] = {}
        self.sizes: dict[str, int] = {}
        self.extra: list[str] = []  # files that are not bundle CSVs
        try:
            self._scan()
        except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
            self.close()
            raise Refused(Problem(path.name, 1, 1, M.UNREADABLE)) from exc

    def _scan(self) -> None:
        if self.path.is_dir():
            for file in sorted(self.path.iterdir()):
                if file.is_file() and file.suffix == ".csv":
                    self.members[file.name] = file
                    self.sizes[file.name] = file.stat().st_size
            self._check_total()
            return
        self.archive = zipfile.ZipFile(self.path)
        infos = [i for i in self.archive.infolist() if not i.is_dir()]
        if len(infos) > self.limits.max_files:
            raise Refused(Problem(self.path.name, 1, 1, M.TOO_MANY_FILES,
                                  count=self.limits.max_files))
        for info in infos:
            base = info.filename.rsplit("/", 1)[-1]
            if not base.endswith(".csv"):
                continue
            if base in self.members:
                raise Refused(Problem(base, 1, 1, M.FILE_TWICE))
            if info.file_size > self.limits.max_bytes:
                raise Refused(Problem(base, 1, 1, M.TOO_LARGE,
                                      mib=self.limits.max_bytes >> 20))
            if (info.file_size > MIN_RATIO_SIZE
                    and info.file_size > self.limits.max_ratio * max(info.compress_size, 1)):
                raise Refused(Problem(base, 1, 1, M.RATIO, ratio=self.limits.max_ratio))
            self.members[base] = info
            self.sizes[base] = info.file_size
        self._check_total()

    def _check_total(self) -> None:
        if sum(self.sizes.values()) > self.limits.max_bytes:
            raise Refused(Problem(self.path.name, 1, 1, M.TOO_LARGE,
                                  mib=self.limits.max_bytes >> 20))

    @property
    def total(self) -> int:
        return sum(self.sizes.values())

    def open(self, name: str) -> io.TextIOWrapper:
        member = self.members[name]
        if isinstance(member, Path):
            raw: IO[bytes] = member.open("rb")
        else:
            raw = self.archive.open(member)  # type: ignore[arg-type, union-attr]
        # Never more than the declared size: a header that lies about it is refused.
        limit = min(self.sizes[name], self.limits.max_bytes)
        counted = _Counting(raw, name, limit, self.read)
        return io.TextIOWrapper(io.BufferedReader(counted), encoding="utf-8-sig", newline="")

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _long_field_column(line: str, limit: int) -> int:
    """The 1-based column of the first field in ``line`` longer than ``limit``
    (or the last column reached)."""
    column, length, quoted = 1, 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            column, length = column + 1, 0
            continue
        length += 1
        if length > limit:
            return column
    return column


def records(name: str, stream: io.TextIOWrapper) -> Iterator[tuple[int, list[str]]]:
    """(first line, values) of each CSV record; raises ``Refused`` with a located problem
    for a line or field beyond the limits, text that is not UTF-8, or a damaged member."""
    last = [""]
    limit = csv.field_size_limit()
    physical = [0]

    def lines() -> Iterator[str]:
        while True:
            line = stream.readline(MAX_LINE)
            if not line:
                return
            last[0] = line
            physical[0] += 1
            if len(line) >= MAX_LINE and not line.endswith(("\n", "\r")):
                raise csv.Error("line too long")
            nul = nul_position(line)
            if nul is not None:  # PostgreSQL cannot store it; no value needs it
                column = nul[1] if physical[0] == start else 1
                raise Refused(Problem(name, physical[0], column, M.NUL))
            yield line

    reader = csv.reader(lines())
    start = 1
    try:
        for values in reader:
            yield start, values
            start = reader.line_num + 1
    except csv.Error as exc:
        raise Refused(Problem(name, start, _long_field_column(last[0], limit), M.FIELD,
                              limit=limit)) from exc
    except UnicodeDecodeError as exc:
        raise Refused(Problem(name, max(start, reader.line_num), 1, M.NOT_UTF8)) from exc
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise Refused(Problem(name, start, 1, M.DAMAGED)) from exc
