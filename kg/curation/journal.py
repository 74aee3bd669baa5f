"""The curation journal: append-only JSON Lines at ``Settings.journal_path``, the source of truth.

Contract: ``Journal.locked()`` takes the file lock (``filelock``, so two processes never interleave)
and yields every entry written so far. Before yielding it repairs the tail: a last line cut short by
a crash (or a batch whose last lines are missing) is moved to ``journal.jsonl.torn`` with a warning,
never dropped silently; a line that cannot be read *before* the last one is an error naming it.
``append(entries)`` writes the entries as one ``write`` followed by ``fsync`` (and an fsync of the
directory when the file is created), so an entry is durable when ``append`` returns. Readers take the
lock too, so nobody sees half a batch.
"""

from __future__ import annotations

import json
import os
import secrets
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import StoreError

ACTIONS = ("add", "verdict", "approve", "reject", "retract", "comment")
NEW_ASSERTION = ("add", "verdict")
STATUSES = ("pending", "approved", "rejected", "retracted")
VERDICTS = ("correct", "incorrect")
LOCK_TIMEOUT = 120.0


class JournalError(StoreError):
    """The journal cannot be read (a corrupt line before the last one) or written."""


@dataclass(frozen=True)
class Entry:
    """One line of the journal. ``assertion`` is the curated assertion the entry belongs to: its own
    id for a new ``add``/``verdict``, the existing assertion's id for added evidence and reviews."""

    id: str
    time: str  # UTC, ISO 8601 with a Z
    action: str
    author: str
    assertion: str
    subject: str | None = None
    predicate: str | None = None
    object: str | None = None
    source: str | None = None
    sentence: str | None = None
    negated: bool = False
    verdict: str | None = None
    conflict: bool = False
    reason: str | None = None
    text: str | None = None
    batch: str | None = None
    batch_size: int | None = None
    line: int = field(default=0, compare=False)

    def to_json(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k != "line" and v not in (None, False)}
        return out

    def to_line(self) -> bytes:
        text = json.dumps(self.to_json(), ensure_ascii=False, separators=(", ", ": "))
        for sep in ("\x85", "\u2028", "\u2029"):  # line breaks to other tools: keep one entry per line for them too
            text = text.replace(sep, f"\\u{ord(sep):04x}")
        return (text + "\n").encode("utf-8")

    @property
    def statement(self) -> tuple[str, str, str] | None:
        return (self.subject, self.predicate, self.object) if self.subject else None


_STR_FIELDS = ("subject", "predicate", "object", "source", "sentence", "verdict", "reason", "text", "batch")
_REQUIRED = {"add": ("subject", "predicate", "object", "source"), "verdict": ("subject", "predicate", "object", "source",
             "verdict"), "approve": (), "reject": (), "retract": ("reason",), "comment": ("text",)}


def parse_entry(obj: object, line: int) -> Entry:
    """A decoded JSON value -> Entry; ValueError says what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    for key in ("id", "time", "action", "author", "assertion"):
        if not isinstance(obj.get(key), str) or not obj[key]:
            raise ValueError(f"missing or empty {key!r}")
    if obj["action"] not in ACTIONS:
        raise ValueError(f"unknown action {obj['action']!r}")
    datetime.fromisoformat(obj["time"].replace("Z", "+00:00"))
    for key in _STR_FIELDS:
        if key in obj and not isinstance(obj[key], str):
            raise ValueError(f"{key!r} is not a string")
    for key in _REQUIRED[obj["action"]]:
        if not obj.get(key):
            raise ValueError(f"a {obj['action']} entry needs {key!r}")
    if obj.get("verdict") is not None and obj["verdict"] not in VERDICTS:
        raise ValueError(f"unknown verdict {obj['verdict']!r}")
    for key in ("negated", "conflict"):
        if not isinstance(obj.get(key, False), bool):
            raise ValueError(f"{key!r} is not a boolean")
    size = obj.get("batch_size")
    if size is not None and (not isinstance(size, int) or size < 1 or "batch" not in obj):
        raise ValueError("bad 'batch_size'")
    unknown = set(obj) - set(Entry.__dataclass_fields__) | ({"line"} & set(obj))
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}")
    return Entry(**obj, line=line)


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id(*taken: set[str]) -> str:
    """A fresh 12-hex-digit entry id, in none of the ``taken`` sets."""
    while True:
        candidate = secrets.token_hex(6)
        if not any(candidate in t for t in taken):
            return candidate


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_dirs(path: Path) -> None:
    """mkdir -p, fsyncing each parent of a directory created, so the new entries survive a power cut."""
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        d.mkdir(exist_ok=True)
        _fsync_dir(d.parent)


class Journal:
    def __init__(self, path: Path, lock_timeout: float = LOCK_TIMEOUT):
        self.path = Path(path)
        self.torn_path = self.path.with_name(self.path.name + ".torn")
        self.lock_timeout = lock_timeout
        self.entries: list[Entry] = []
        self.generation = 0  # bumped whenever the cached entries are read again from scratch
        self.notices: list[str] = []
        self._offset = 0
        self._inode: int | None = None
        self._locked = False

    @property
    def exists(self) -> bool:
        return self.path.is_file()

    @contextmanager
    def locked(self):
        """Hold the journal lock; yield the entries (after setting aside a torn tail)."""
        _make_dirs(self.path.parent)
        lock = FileLock(str(self.path) + ".lock", timeout=self.lock_timeout)
        try:
            lock.acquire()
        except Timeout as exc:
            raise JournalError(f"the curation journal {self.path} is locked by another process "
                               f"(waited {self.lock_timeout:g} s)") from exc
        self._locked = True
        try:
            self._refresh()
            yield self.entries
        finally:
            self._locked = False
            lock.release()

    def read(self) -> list[Entry]:
        with self.locked() as entries:
            return list(entries)

    def _refresh(self) -> None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._reset(None)
            return
        if st.st_ino != self._inode or st.st_size < self._offset:
            self._reset(st.st_ino)
        if st.st_size == self._offset:
            return
        with self.path.open("rb") as fh:
            fh.seek(self._offset)
            data = fh.read()
        self._absorb(data)

    def _reset(self, inode: int | None) -> None:
        self.entries, self._offset, self._inode = [], 0, inode
        self.generation += 1

    def _absorb(self, data: bytes) -> None:
        """Parse the bytes after ``_offset``; set aside a torn tail; raise on corruption before it."""
        base_line = len(self.entries)  # lines before _offset are all entries (blank lines are refused)
        parts = data.split(b"\n")
        complete, rest = parts[:-1], parts[-1]
        parsed: list[tuple[Entry, int]] = []  # entry and the offset of the byte after its line
        pos = self._offset
        torn_at: int | None = None
        for i, raw in enumerate(complete):
            lineno = base_line + i + 1
            try:
                entry = parse_entry(json.loads(raw.decode("utf-8")), lineno)
            except (ValueError, UnicodeDecodeError) as exc:
                if i == len(complete) - 1 and not rest:
                    torn_at = pos
                    break
                raise JournalError(f"{self.path}:{lineno}: corrupt journal entry ({exc}); the lines after it "
                                   "are intact: fix or remove this line by hand") from exc
            pos += len(raw) + 1
            parsed.append((entry, pos))
        needs_newline = False
        if torn_at is None and rest:
            try:
                entry = parse_entry(json.loads(rest.decode("utf-8")), base_line + len(complete) + 1)
                pos += len(rest)
                parsed.append((entry, pos))
                needs_newline = True  # complete but its newline was never written: keep it
            except (ValueError, UnicodeDecodeError):
                torn_at = pos
        # a batch is written in one go: a trailing batch with lines missing was cut short as a whole
        if parsed and parsed[-1][0].batch:
            last = parsed[-1][0]
            run = [p for p in parsed if p[0].batch == last.batch]
            if len(run) < (last.batch_size or 0):
                torn_at = self._start_of(parsed, run[0])
                parsed = parsed[: parsed.index(run[0])]
                needs_newline = False
        if torn_at is not None:
            self._set_aside(torn_at, base_line + len(parsed) + 1)
        elif needs_newline:
            self._write_bytes(b"\n")
            parsed[-1] = (parsed[-1][0], parsed[-1][1] + 1)
        for entry, end in parsed:
            self.entries.append(entry)
            self._offset = end

    def _start_of(self, parsed, item) -> int:
        idx = parsed.index(item)
        return parsed[idx - 1][1] if idx else self._offset

    def _set_aside(self, start: int, line: int) -> None:
        """Move bytes from ``start`` to the end into the .torn file (fsynced), then truncate the journal."""
        with self.path.open("rb") as fh:
            fh.seek(start)
            tail = fh.read()
        created = not self.torn_path.exists()
        header = f"# set aside {utc_now()} from {self.path.name} at byte {start}\n".encode()
        fd = os.open(self.torn_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, header + tail + (b"" if tail.endswith(b"\n") else b"\n"))
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            _fsync_dir(self.torn_path.parent)
        fd = os.open(self.path, os.O_WRONLY)
        try:
            os.ftruncate(fd, start)
            os.fsync(fd)
        finally:
            os.close(fd)
        message = (f"{self.path}: the last journal entry (line {line}, {len(tail)} bytes) was cut short by a crash "
                   f"and never acknowledged; it was set aside in {self.torn_path}")
        self.notices.append(message)

    def _write_bytes(self, data: bytes) -> None:
        created = not self.path.exists()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            _fsync_dir(self.path.parent)
            self._inode = self.path.stat().st_ino

    def append(self, entries: list[Entry]) -> None:
        """Write ``entries`` (one write, one fsync); they are durable when this returns. Lock held."""
        assert self._locked, "append() needs the journal lock (use Journal.locked())"
        if not entries:
            return
        data = b"".join(e.to_line() for e in entries)
        before = self._offset
        try:
            self._write_bytes(data)
        except OSError as exc:
            try:  # do not leave a torn tail behind (it would be set aside by the next reader anyway)
                os.truncate(self.path, before)
            except OSError:
                pass
            self._reset(None)
            raise JournalError(f"cannot write the curation journal {self.path}: {exc}") from exc
        first = len(self.entries) + 1
        self.entries.extend(Entry(**{**e.__dict__, "line": first + i}) for i, e in enumerate(entries))
        self._offset = before + len(data)

    def take_notices(self) -> list[str]:
        out, self.notices = self.notices, []
        return out
