"""The service catalog: articles and API keys in SQLite, inputs and audio on disk.

Layout of the data folder (default NARRATOR_HOME/service)::

    catalog.sqlite3        articles and keys (WAL journal)
    secret                 the HMAC key of signed URLs, made once (0600)
    inputs/<id>.<ext>      what was submitted (.txt, .md, .html, or .url holding the URL)
    audio/<id>.mp3 .vtt .json   finished audio and captions
    work/<id>/                  a render in progress: the progressive stream
                                (stream.mp3) and the files being made; one
                                folder per article, so removing one article's
                                work never touches another's (``x`` and ``x.y``)

Every file is written to a hidden temporary name and renamed into place, so no
reader ever sees half a file under a final name. The store is shared by the
event-loop thread and the renderer thread: each thread has its own
connection, and writes are serialized by one lock. API keys are stored as a
salted SHA-256 hash only and checked with :func:`hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .cursor import decode_cursor, encode_cursor  # noqa: F401 - the catalog's paging
from ..errors import CatalogError, InputError
from ..formats import OUTPUT_TYPES
from ..paths import write_atomic

STATUSES = ("queued", "rendering", "ready", "failed")   # an article's status, in the order it goes through
KEY_NAME_MAX = 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, title TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, error TEXT NOT NULL DEFAULT '',
    voice TEXT NOT NULL, kind TEXT NOT NULL, input TEXT NOT NULL, digest TEXT NOT NULL,
    duration REAL, size INTEGER, etag TEXT NOT NULL DEFAULT '', version INTEGER NOT NULL DEFAULT 1,
    created TEXT NOT NULL, updated TEXT NOT NULL, queued TEXT NOT NULL, narrated_by TEXT NOT NULL DEFAULT '',
    check_wer REAL, check_flagged INTEGER, check_json TEXT);
CREATE INDEX IF NOT EXISTS articles_updated ON articles (updated, id);
CREATE INDEX IF NOT EXISTS articles_queue ON articles (status, queued);
CREATE TABLE IF NOT EXISTS keys (
    name TEXT PRIMARY KEY, salt TEXT NOT NULL, hash TEXT NOT NULL, created TEXT NOT NULL, revoked TEXT);
"""
# columns added since the first catalogs, made on open when missing: name -> declaration
_ADDED = {"narrated_by": "TEXT NOT NULL DEFAULT ''",       # --voice auto
          "check_wer": "REAL", "check_flagged": "INTEGER", "check_json": "TEXT"}   # serve --check


def utcnow() -> str:
    """The current time as sortable ISO 8601 UTC with microseconds."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def iso(value: str) -> str:
    """An ISO 8601 time (any offset, or naive = UTC) in the catalog's sortable form;
    InputError when it is not a time."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise InputError(f"{value!r} is not an ISO 8601 time; give e.g. 2024-05-01T12:00:00Z") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class ArticleRow:
    """One article of the catalog."""

    id: str
    title: str
    status: str
    error: str
    voice: str
    kind: str
    input: str
    digest: str
    duration: float | None
    size: int | None
    etag: str
    version: int
    created: str
    updated: str
    queued: str
    narrated_by: str = ""
    check_wer: float | None = None        # the check of the render (serve --check); NULL: not checked
    check_flagged: int | None = None      # sentences flagged; NULL when skipped, failed or not checked
    check_json: str | None = None         # CheckResult.as_json(), or {"error": ...}

    @property
    def check(self) -> dict[str, object] | None:
        """The check of the render as stored, or None when it was not checked."""
        return json.loads(self.check_json) if self.check_json else None


@dataclass(frozen=True)
class KeyRow:
    """One API key as listed: never the key itself."""

    name: str
    created: str
    revoked: str | None


def _key_hash(salt: str, key: str) -> str:
    return hashlib.sha256(f"{salt}:{key}".encode()).hexdigest()


class Store:
    """Articles, keys and files under ``root``."""

    def __init__(self, root: str | Path, *, private: bool = False) -> None:
        """Open (or make) the catalog in ``root``. CatalogError when it is missing or
        empty while articles' files remain, or damaged: an empty catalog must never
        be served in place of a lost one. ``private`` keeps the folder to its owner."""
        self.root = Path(root)
        self.inputs, self.audio, self.work = self.root / "inputs", self.root / "audio", self.root / "work"
        for folder in (self.root, self.inputs, self.audio, self.work):
            folder.mkdir(parents=True, exist_ok=True)
        self.path = self.root / "catalog.sqlite3"
        self._local = threading.local()
        self._write = threading.Lock()
        if private:
            self._keep_private()
        self._open_checked()

    def _keep_private(self) -> None:
        """Only the owner may enter the data folder or read the catalog and secret."""
        self.root.chmod(0o700)
        for path in self.root.iterdir():
            if path.is_file():
                path.chmod(0o600)

    def _open_checked(self) -> None:
        """Make the schema, after checking that the catalog is whole."""
        existed = self.path.is_file() and self.path.stat().st_size > 0
        try:
            with self._write:
                db = self._db()
                tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                if existed and db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise sqlite3.DatabaseError("database disk image is malformed")
                if "articles" not in tables and self._has_files():
                    raise CatalogError(f"{self.path}: the catalog is missing or empty, but {self.root} still holds "
                                       "articles' files (inputs/, audio/); restore catalog.sqlite3 from a backup, "
                                       "or move the folder away to start afresh")
                db.executescript(_SCHEMA)
                columns = {r[1] for r in db.execute("PRAGMA table_info(articles)")}
                for name, declaration in _ADDED.items():   # a catalog made by an earlier version
                    if name not in columns:
                        db.execute(f"ALTER TABLE articles ADD COLUMN {name} {declaration}")
        except sqlite3.DatabaseError as exc:
            self.close()
            raise CatalogError(f"{self.path}: the catalog is damaged ({exc}); restore it from a backup, "
                               "or move the data folder away to start afresh") from exc

    def _has_files(self) -> bool:
        return any(p.is_file() for folder in (self.inputs, self.audio) for p in folder.iterdir())

    # -- connections -------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, serialized with the other threads' writes."""
        with self._write:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def secret(self) -> bytes:
        """The signing secret of this data folder, made on first use."""
        path = self.root / "secret"
        with self._write:
            if not path.exists():
                write_atomic(path, secrets.token_bytes(32), fsync=True, mode=0o600)
        return path.read_bytes()

    # -- articles ----------------------------------------------------------------------

    def get(self, article_id: str) -> ArticleRow | None:
        """The article, or None."""
        row = self._db().execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return ArticleRow(**dict(row)) if row else None

    def put(self, article_id: str, *, kind: str, ext: str, data: bytes, voice: str, title: str = "",
            force: bool = True) -> tuple[ArticleRow, bool]:
        """Create or replace an article's input and queue it; (row, queued).

        Without ``force`` a ready article whose input, voice and title did
        not change is left as it is (a failed one is tried again). A queued
        article loses the check of its previous render."""
        digest = hashlib.sha256(data + b"\0" + kind.encode()).hexdigest()
        path = self.inputs / f"{article_id}.{ext}"
        with self._tx() as db:
            old = db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
            if (old and not force and old["digest"] == digest and old["voice"] == voice
                    and old["title"] == title and old["status"] == "ready"):
                return ArticleRow(**dict(old)), False
            if old and old["input"] != path.name:
                (self.inputs / old["input"]).unlink(missing_ok=True)
            write_atomic(path, data)
            now = utcnow()
            db.execute(
                "INSERT INTO articles (id, title, status, voice, kind, input, digest, created, updated, queued) "
                "VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                "title = excluded.title, status = 'queued', error = '', voice = excluded.voice, "
                "kind = excluded.kind, input = excluded.input, digest = excluded.digest, "
                "check_wer = NULL, check_flagged = NULL, check_json = NULL, "
                "version = version + 1, updated = excluded.updated, queued = excluded.queued",
                (article_id, title, voice, kind, path.name, digest, now, now, now))
        row = self.get(article_id)
        assert row is not None
        return row, True

    def delete(self, article_id: str) -> bool:
        """Remove the article and its files; False when there was none."""
        with self._tx() as db:
            row = db.execute("SELECT input FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row is None:
                return False
            db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        (self.inputs / row["input"]).unlink(missing_ok=True)
        self.remove_audio(article_id)
        return True

    def remove_audio(self, article_id: str) -> None:
        """Delete the article's audio, captions and its render's work folder."""
        for suffix in OUTPUT_TYPES:
            (self.audio / f"{article_id}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(self.work_dir(article_id), ignore_errors=True)

    def page(self, *, since: str | None = None, limit: int = 50, cursor: str | None = None,
             flagged: bool | None = None) -> tuple[list[ArticleRow], str | None]:
        """Articles by last update (oldest first), after ``since`` and ``cursor``;
        the cursor of the next page, or None at the end. ``flagged`` True keeps
        the articles whose check flagged a sentence, False those checked with
        none flagged (not the skipped, failed or unchecked ones)."""
        clauses, args = [], []
        if flagged is not None:
            clauses.append("check_flagged > 0" if flagged else "check_flagged = 0")
        if since:
            clauses.append("updated > ?")
            args.append(iso(since))
        if cursor:
            updated, last_id = decode_cursor(cursor)
            clauses.append("(updated > ? OR (updated = ? AND id > ?))")
            args += [updated, updated, last_id]
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._db().execute(f"SELECT * FROM articles {where} ORDER BY updated, id LIMIT ?",
                                  (*args, limit + 1)).fetchall()
        items = [ArticleRow(**dict(r)) for r in rows[:limit]]
        more = len(rows) > limit
        return items, (encode_cursor(items[-1].updated, items[-1].id) if more else None)

    def ready(self, limit: int = 500) -> list[ArticleRow]:
        """Ready articles, most recently updated first."""
        rows = self._db().execute("SELECT * FROM articles WHERE status = 'ready' ORDER BY updated DESC LIMIT ?",
                                  (limit,)).fetchall()
        return [ArticleRow(**dict(r)) for r in rows]

    def queue_position(self, article_id: str) -> int | None:
        """How many queued articles go before this one (0 = next), or None when it is not queued."""
        row = self.get(article_id)
        if row is None or row.status != "queued":
            return None
        (ahead,) = self._db().execute(
            "SELECT COUNT(*) FROM articles WHERE status = 'queued' AND (queued < ? OR (queued = ? AND id < ?))",
            (row.queued, row.queued, row.id)).fetchone()
        return int(ahead)

    # -- the renderer's side -----------------------------------------------------------

    def work_dir(self, article_id: str) -> Path:
        """The folder of the article's render in progress."""
        return self.work / article_id

    def stream_path(self, article_id: str) -> Path:
        """Where the progressive stream of a rendering article is written."""
        return self.work_dir(article_id) / "stream.mp3"

    def claim(self) -> ArticleRow | None:
        """Mark the oldest queued article as rendering and return it."""
        with self._tx() as db:
            row = db.execute("SELECT * FROM articles WHERE status = 'queued' ORDER BY queued, id LIMIT 1").fetchone()
            if row is None:
                return None
            db.execute("UPDATE articles SET status = 'rendering', updated = ? WHERE id = ?", (utcnow(), row["id"]))
        return self.get(row["id"])

    def finish(self, article_id: str, version: int, *, title: str, duration: float, size: int, etag: str,
               narrated_by: str = "", check: dict[str, object] | None = None) -> bool:
        """Mark a render ready unless the article changed or went meanwhile; False then.
        ``narrated_by`` is the voice that read it (the one ``auto`` chose);
        ``check`` is what hearing it back found (``CheckResult.as_json()``, or
        ``{"error": message}`` when the check could not run), None unchecked."""
        wer = flagged = None
        if check is not None and "error" not in check and not check.get("skipped"):
            wer, flagged = check.get("wer"), len(check.get("flagged") or ())   # type: ignore[arg-type]
        stored = json.dumps(check, ensure_ascii=False) if check is not None else None
        with self._tx() as db:
            done = db.execute(
                "UPDATE articles SET status = 'ready', error = '', title = CASE WHEN title = '' THEN ? ELSE title END, "
                "duration = ?, size = ?, etag = ?, narrated_by = ?, check_wer = ?, check_flagged = ?, check_json = ?, "
                "updated = ? WHERE id = ? AND version = ? AND status = 'rendering'",
                (title, duration, size, etag, narrated_by, wer, flagged, stored, utcnow(), article_id,
                 version)).rowcount
        return bool(done)

    def fail(self, article_id: str, version: int, error: str) -> bool:
        """Mark a render failed with ``error`` unless the article changed meanwhile."""
        with self._tx() as db:
            done = db.execute("UPDATE articles SET status = 'failed', error = ?, updated = ? "
                              "WHERE id = ? AND version = ? AND status = 'rendering'",
                              (error, utcnow(), article_id, version)).rowcount
        return bool(done)

    def requeue_interrupted(self) -> list[str]:
        """After a restart: delete the renders' work folders and leftover temporary
        files, and queue again every article that was rendering. Returns their ids."""
        for folder in self.work.iterdir():
            shutil.rmtree(folder, ignore_errors=True)
        for leftover in [*self.audio.glob(".*.stream.mp3"), *self.audio.glob(".*.part"),
                         *self.inputs.glob(".*.part")]:
            leftover.unlink(missing_ok=True)
        with self._tx() as db:
            ids = [r["id"] for r in db.execute("SELECT id FROM articles WHERE status = 'rendering'")]
            db.execute("UPDATE articles SET status = 'queued', updated = ? WHERE status = 'rendering'", (utcnow(),))
        return ids

    # -- keys --------------------------------------------------------------------------

    def create_key(self, name: str) -> str:
        """A new API key named ``name`` (returned once, stored hashed); InputError if the name
        is taken or is not 1 to 64 printable characters without spaces at either end."""
        if not name or len(name) > KEY_NAME_MAX or not name.isprintable() or name != name.strip():
            shown = repr(name) if len(name) <= 80 else repr(name[:60]) + f" ({len(name)} characters)"
            raise InputError(f"key name {shown} is not valid: use 1 to {KEY_NAME_MAX} printable characters, "
                             "without line breaks or spaces at either end (e.g. newsroom)")
        key, salt = secrets.token_urlsafe(32), secrets.token_hex(16)
        try:
            with self._tx() as db:
                db.execute("INSERT INTO keys (name, salt, hash, created) VALUES (?, ?, ?, ?)",
                           (name, salt, _key_hash(salt, key), utcnow()))
        except sqlite3.IntegrityError as exc:
            raise InputError(f"a key named {name!r} exists already; choose another name or revoke it") from exc
        return key

    def keys(self) -> list[KeyRow]:
        """Every key: name, created, revoked (never the key)."""
        rows = self._db().execute("SELECT name, created, revoked FROM keys ORDER BY created").fetchall()
        return [KeyRow(**dict(r)) for r in rows]

    def revoke_key(self, name: str) -> bool:
        """Revoke the key ``name``; False when there is no such key."""
        with self._tx() as db:
            return bool(db.execute("UPDATE keys SET revoked = COALESCE(revoked, ?) WHERE name = ?",
                                   (utcnow(), name)).rowcount)

    def check_key(self, key: str) -> bool:
        """True when ``key`` is a key of this store that is not revoked."""
        found = False
        for row in self._db().execute("SELECT salt, hash, revoked FROM keys").fetchall():
            if hmac.compare_digest(_key_hash(row["salt"], key), row["hash"]) and row["revoked"] is None:
                found = True
        return found

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
