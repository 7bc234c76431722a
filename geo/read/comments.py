"""Threads of comments on a feature, a task of the notice or an indicator: the questions a planner asks the
commune and the answers, where the leader sees them (the record panel, the task board, the meeting pack).

A thread is its first comment and the replies to it, one row each in the store's ``comments`` table
(:data:`geo.model.catalog.COMMENTS`), every row written through :mod:`geo.store.edit` as an audited change: the time
machine reads the threads back as they stood on any date, a rollback undoes them, and both stores
(GeoPackage, PostGIS) hold them the same way. Rules, stated once:

* a comment is text, never markup: it is stored as typed and shown escaped everywhere;
* ``@name`` mentions a user: the thread is in that user's "Cần tôi xử lý" list while it is open and the
  user has not answered since the mention;
* the author may change the text of a comment for :data:`EDIT_MINUTES` minutes after writing it;
* anyone who may comment resolves a thread, and reopens it;
* planners and admins comment; viewers read, and comment when an admin allows it (the ``viewers_comment``
  setting, stored and audited in the ``settings`` table);
* a thread on a layer with sensitive fields (dispute parties, households) is read and written only by those
  who see those fields.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from geo.model.catalog import CATALOG, COMMENTS, SETTINGS, Catalog
from geo.model.i18n import Lang, t
from geo.read import history
from geo.read.access import Reader, at
from geo.store import db
from geo.store.changelog import EditError
from geo.store.edit import edit, insert

TABLE = COMMENTS.id
SETTINGS_TABLE = SETTINGS.id
EDIT_MINUTES = 15
VIEWERS_COMMENT = "viewers_comment"
MAX_LENGTH = 2000
KINDS = ("feature", "task", "indicator")
MENTION = re.compile(r"(?<![\w@])@([\w][\w.\-]*[\w]|[\w])", re.UNICODE)

_COMMENTS_DDL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    {{pk}},
    comment_id TEXT NOT NULL UNIQUE,
    thread_id TEXT NOT NULL,
    target TEXT NOT NULL,
    layer TEXT,
    "text" TEXT NOT NULL,
    author TEXT NOT NULL,
    "at" TEXT NOT NULL,
    mentions TEXT,
    edited_at TEXT,
    resolved_at TEXT,
    resolved_by TEXT
)"""
_SETTINGS_DDL = f"CREATE TABLE IF NOT EXISTS {SETTINGS_TABLE} ({{pk}}, name TEXT NOT NULL UNIQUE, value TEXT)"


def ensure_tables(location: db.Location, stamp: str | None = None) -> None:
    """Create the ``comments`` and ``settings`` tables if the store lacks them (a store made before threads)."""
    when = stamp or _now()
    try:
        with db.connect(location) as conn:
            if conn.has_table(TABLE) and conn.has_table(SETTINGS_TABLE):
                return

            def run() -> None:
                conn.attributes_table(TABLE, _COMMENTS_DDL, when)
                conn.attributes_table(SETTINGS_TABLE, _SETTINGS_DDL, when)

            conn.write(run)
    except FileNotFoundError:
        raise EditError("error.store_missing", path=str(location)) from None
    except db.StoreDown as down:
        raise EditError("error.store_down", reason=str(down)[:200]) from None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Target:
    """What a thread is about: a feature (``layer`` and ``key``), a task or an indicator (``key``: its id)."""

    kind: str
    key: str
    layer: str = ""

    @property
    def text(self) -> str:
        """As stored: ``feature:LAYER:KEY``, ``task:ID``, ``indicator:ID``."""
        return f"feature:{self.layer}:{self.key}" if self.kind == "feature" else f"{self.kind}:{self.key}"

    @classmethod
    def parse(cls, text: str) -> Target:
        """The target stored as ``text`` (see :attr:`text`); ``ValueError`` if it is not one."""
        kind, _, rest = str(text).partition(":")
        if kind == "feature":
            layer, _, key = rest.partition(":")
            if layer and key:
                return cls("feature", key, layer)
        elif kind in KINDS and rest:
            return cls(kind, rest)
        raise ValueError(f"not a thread's subject: {str(text)[:60]!r}")


def feature(layer: str, key: str) -> Target:
    """A thread's subject: one feature of a layer."""
    return Target("feature", key, layer)


def task(task_id: str) -> Target:
    """A thread's subject: a task of the notice."""
    return Target("task", task_id)


def indicator(ind_id: str) -> Target:
    """A thread's subject: an indicator's value."""
    return Target("indicator", ind_id)


@dataclass(frozen=True)
class Comment:
    """One comment: the first of its thread (``thread == id``) or a reply."""

    id: str
    thread: str
    target: Target
    text: str
    user: str
    at: str  # UTC, as the change log writes times
    mentions: tuple[str, ...] = ()
    edited_at: str = ""
    resolved_at: str = ""
    resolved_by: str = ""

    def editable_by(self, user: str, now: dt.datetime | None = None) -> bool:
        """Whether ``user`` may still change this comment's text (its author, within :data:`EDIT_MINUTES`)."""
        if user != self.user:
            return False
        when = now or dt.datetime.now(dt.UTC)
        return when - dt.datetime.fromisoformat(self.at) <= dt.timedelta(minutes=EDIT_MINUTES)


@dataclass(frozen=True)
class Thread:
    """A first comment and its replies, oldest first."""

    first: Comment
    replies: tuple[Comment, ...] = field(default=())

    @property
    def id(self) -> str:
        """The thread's number: its first comment's."""
        return self.first.id

    @property
    def target(self) -> Target:
        """What the thread is about."""
        return self.first.target

    @property
    def resolved(self) -> bool:
        """Whether someone marked it resolved (and nobody reopened it)."""
        return bool(self.first.resolved_at)

    @property
    def comments(self) -> tuple[Comment, ...]:
        """Every comment of the thread, oldest first."""
        return (self.first, *self.replies)

    @property
    def last_at(self) -> str:
        """When the thread last got a comment."""
        return max(c.at for c in self.comments)

    def needs(self, user: str) -> bool:
        """Whether ``user`` is asked for something here: the thread is open and mentions them after their own
        latest comment in it.
        """
        if self.resolved or not user:
            return False
        mentioned = [c.at for c in self.comments if user in c.mentions and c.user != user]
        answered = [c.at for c in self.comments if c.user == user]
        return bool(mentioned) and (not answered or max(mentioned) > max(answered))

    def as_dict(self) -> dict[str, Any]:
        """What ``python -m geo comments list --json`` prints for the thread."""
        return {
            **_comment_dict(self.first),
            "on": self.target.text,
            "resolved": self.resolved,
            "resolved_by": self.first.resolved_by or None,
            "resolved_at": self.first.resolved_at or None,
            "replies": [_comment_dict(c) for c in self.replies],
        }


def subject(on: Target, lang: Lang, catalog: Catalog = CATALOG) -> str:
    """What a thread is about, in words: "Nhiệm vụ 2.6", a layer's title and the feature's key, an indicator."""
    if on.kind == "task":
        return t("comments.on_task", lang, id=on.key)
    if on.kind == "indicator":
        return t("comments.on_indicator", lang, name=on.key)
    title = catalog[on.layer].title(lang) if on.layer in catalog else on.layer
    return f"{title} {on.key}"


def _comment_dict(c: Comment) -> dict[str, Any]:
    return {
        "id": c.id,
        "text": c.text,
        "user": c.user,
        "at": c.at,
        "mentions": list(c.mentions),
        "edited_at": c.edited_at or None,
    }


def mentions(text: str) -> tuple[str, ...]:
    """The user names ``@mentioned`` in ``text``, each once, in order.

    Examples
    --------
    >>> mentions("@xa.dongthang xin cho biết, cc @lanhdao và @xa.dongthang.")
    ('xa.dongthang', 'lanhdao')

    """
    seen: dict[str, None] = {}
    for m in MENTION.finditer(str(text)):
        seen.setdefault(m.group(1), None)
    return tuple(seen)


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def from_frame(frame: pd.DataFrame) -> list[Thread]:
    """The threads of a ``comments`` table, newest activity first."""
    if frame is None or not len(frame):
        return []
    comments: list[Comment] = []
    for r in frame.to_dict("records"):
        try:
            target = Target.parse(_text(r.get("target")))
        except ValueError:
            continue
        comments.append(
            Comment(
                id=_text(r["comment_id"]),
                thread=_text(r["thread_id"]),
                target=target,
                text=_text(r["text"]),
                user=_text(r["author"]),
                at=_text(r["at"]),
                mentions=tuple(m for m in _text(r.get("mentions")).split(";") if m),
                edited_at=_text(r.get("edited_at")),
                resolved_at=_text(r.get("resolved_at")),
                resolved_by=_text(r.get("resolved_by")),
            )
        )
    comments.sort(key=lambda c: (c.at, _number(c.id)))
    firsts = {c.id: c for c in comments if c.thread == c.id}
    replies: dict[str, list[Comment]] = {k: [] for k in firsts}
    for c in comments:
        if c.thread != c.id and c.thread in replies:
            replies[c.thread].append(c)
    threads = [Thread(firsts[k], tuple(replies[k])) for k in firsts]
    return sorted(threads, key=lambda th: th.last_at, reverse=True)


def _number(comment_id: str) -> int:
    return int(comment_id) if comment_id.isdigit() else 0


def visible(target: Target, sensitive: bool) -> bool:
    """Whether a reader with (or without) the right to sensitive fields may read threads on ``target``."""
    if sensitive or target.kind != "feature":
        return True
    spec = CATALOG.get(target.layer)
    return spec is None or not spec.sensitive


def threads(
    store: Any,
    on: Target | None = None,
    open_only: bool = False,
    when: dt.datetime | None = None,
    sensitive: bool = True,
    kind: str | None = None,
) -> list[Thread]:
    """The threads of ``store`` (a :class:`geo.store.reads.Store`, or a :class:`geo.read.access.Reader` with its date
    and
    rights) now or as they stood at ``when``: about ``on``
    (or about any subject of ``kind``), only the open ones if asked, as a reader with or without the right to
    sensitive fields may read them.
    """
    if not store.has(TABLE):
        return []
    if isinstance(store, Reader):  # its date and its rights (and, in the app, the page's cache)
        sensitive = sensitive and store.sensitive
        frame = store.read(TABLE) if when is None or when == store.as_of else at(store.store, TABLE, when)
    else:
        frame = at(store, TABLE, when)
    found = from_frame(frame)
    out = []
    for th in found:
        if on is not None and th.target != on:
            continue
        if kind is not None and th.target.kind != kind:
            continue
        if open_only and th.resolved:
            continue
        if not visible(th.target, sensitive):
            continue
        out.append(th)
    return out


def open_counts(found: Iterable[Thread], kind: str = "task") -> dict[str, int]:
    """How many open threads each subject of ``kind`` has (a task's id → n)."""
    out: dict[str, int] = {}
    for th in found:
        if th.target.kind == kind and not th.resolved:
            out[th.target.key] = out.get(th.target.key, 0) + 1
    return out


def needing(found: Iterable[Thread], user: str) -> list[Thread]:
    """The threads that ask ``user`` for something ("Cần tôi xử lý"), newest activity first."""
    return [th for th in found if th.needs(user)]


# -- settings ---------------------------------------------------------------------------------------------
def settings(store: Any) -> dict[str, str]:
    """The settings an admin set in the store (name → value)."""
    if not store.has(SETTINGS_TABLE):
        return {}
    frame = store.read(SETTINGS_TABLE)
    return {_text(r["name"]): _text(r["value"]) for r in frame.to_dict("records")}


def viewers_may_comment(store: Any) -> bool:
    """Whether an admin allowed viewers to comment."""
    return settings(store).get(VIEWERS_COMMENT) == "1"


def allow_viewers(location: db.Location, allowed: bool, user: str, current: Mapping[str, str] | None = None) -> None:
    """Let viewers comment, or stop them (``user``: the admin; audited like every write)."""
    ensure_tables(location)
    value = "1" if allowed else "0"
    try:
        insert(location, SETTINGS_TABLE, {"name": VIEWERS_COMMENT, "value": value}, user, reason="setting")
    except EditError as exc:
        if exc.message_key != "edit.duplicate":
            raise
        edit(location, SETTINGS_TABLE, VIEWERS_COMMENT, {"value": value}, user, reason="setting")


def may_comment(role: str | None, allowed_viewers: bool) -> bool:
    """Whether a user of ``role`` may write in threads (``None``: not signed in)."""
    return role in ("planner", "admin") or (role == "viewer" and allowed_viewers)


# -- writing ------------------------------------------------------------------------------------------------
class CommentError(EditError):
    """A comment refused; the message is for a user (Vietnamese, English)."""


def _clean(text: str) -> str:
    body = str(text or "").replace("\r\n", "\n").strip()
    body = "".join(ch for ch in body if ch in "\n\t" or ch.isprintable())
    if not body:
        raise CommentError("comments.empty")
    if len(body) > MAX_LENGTH:
        raise CommentError("comments.too_long", limit=MAX_LENGTH)
    return body


def _exists(location: db.Location, target: Target) -> bool:
    if target.kind == "feature":
        spec = CATALOG.get(target.layer)
        table, names, values = target.layer, spec.key.split(",") if spec else [], target.key.split(",")
        if spec is None or not spec.is_spatial or len(names) != len(values):
            return False
    else:
        table, names, values = ("tasks", ["task_id"], [target.key])
        if target.kind == "indicator":
            table, names = "indicators", ["ind_id"]
    with db.connect(location) as conn:
        if not conn.has_table(table):
            return False
        where = " AND ".join(f"{conn.ident(n)} = ?" for n in names)
        return conn.execute(f"SELECT 1 FROM {conn.ident(table)} WHERE {where}", values).fetchone() is not None


def _rows(location: db.Location) -> list[Thread]:
    with db.connect(location) as conn:
        cur = conn.execute(f"SELECT * FROM {TABLE}")
        names = [d[0] for d in cur.description]
        frame = pd.DataFrame([dict(zip(names, r, strict=True)) for r in cur.fetchall()], columns=names)
    return from_frame(frame)


def _find(location: db.Location, comment_id: str) -> tuple[Thread, Comment]:
    for th in _rows(location):
        for c in th.comments:
            if c.id == str(comment_id):
                return th, c
    raise CommentError("comments.not_found", id=str(comment_id)[:20])


def _next_id(location: db.Location) -> str:
    with db.connect(location) as conn:
        ids = [str(r[0]) for r in conn.execute(f"SELECT comment_id FROM {TABLE}").fetchall()]
    return str(max((_number(i) for i in ids), default=0) + 1)


def add(
    location: db.Location,
    on: Target | None,
    text: str,
    user: str,
    reply_to: str | None = None,
    sensitive: bool = True,
    ts: str | None = None,
) -> Comment:
    """Write a comment (a new thread on ``on``, or a reply to comment ``reply_to``'s thread) and return it.

    Refused (:class:`CommentError`): empty or too long text, a subject that does not exist, a reply to a
    comment that does not, a thread the writer may not read (``sensitive``: the writer sees sensitive fields).
    """
    if not user:
        raise CommentError("edit.no_user")
    body = _clean(text)
    ensure_tables(location)
    if reply_to:
        thread, _ = _find(location, reply_to)
        on, first = thread.target, thread.first.id
    elif on is None:
        raise CommentError("comments.no_target")
    else:
        if on.kind not in KINDS or not _exists(location, on):
            raise CommentError("comments.no_subject", on=on.text[:80])
        first = ""
    if not visible(on, sensitive):
        raise CommentError("comments.sensitive")
    stamp = ts or _now()
    for _ in range(50):  # another writer may take the number between our read and our write: take the next
        new_id = _next_id(location)
        row = {
            "comment_id": new_id,
            "thread_id": first or new_id,
            "target": on.text,
            "layer": on.layer,
            "text": body,
            "author": user,
            "at": stamp,
            "mentions": ";".join(mentions(body)),
        }
        try:
            insert(location, TABLE, row, user, reason="comment", ts=stamp)
        except EditError as exc:
            if exc.message_key == "edit.duplicate":
                continue
            raise
        return Comment(new_id, first or new_id, on, body, user, stamp, mentions(body))
    raise CommentError("edit.busy")


def change_text(
    location: db.Location, comment_id: str, text: str, user: str, now: dt.datetime | None = None
) -> Comment:
    """Change the text of one's own comment, within :data:`EDIT_MINUTES` minutes of writing it (audited)."""
    body = _clean(text)
    _, c = _find(location, comment_id)
    if c.user != user:
        raise CommentError("comments.not_yours")
    when = now or dt.datetime.now(dt.UTC)
    if not c.editable_by(user, when):
        raise CommentError("comments.too_late", minutes=EDIT_MINUTES)
    stamp = history.stamp(when)
    edit(
        location,
        TABLE,
        c.id,
        {"text": body, "mentions": ";".join(mentions(body)), "edited_at": stamp},
        user,
        reason="comment edited",
        expected={"text": c.text},
        ts=stamp,
    )
    return Comment(c.id, c.thread, c.target, body, c.user, c.at, mentions(body), stamp, c.resolved_at, c.resolved_by)


def resolve(location: db.Location, comment_id: str, user: str, reopen: bool = False, ts: str | None = None) -> Thread:
    """Mark the thread of comment ``comment_id`` resolved (or reopen it); audited. Returns the thread as it is."""
    if not user:
        raise CommentError("edit.no_user")
    thread, _ = _find(location, comment_id)
    if thread.resolved != reopen:
        raise CommentError("comments.already_open" if reopen else "comments.already_resolved", id=thread.id)
    stamp = ts or _now()
    values = {"resolved_at": "", "resolved_by": ""} if reopen else {"resolved_at": stamp, "resolved_by": user}
    edit(
        location,
        TABLE,
        thread.id,
        values,
        user,
        reason="thread reopened" if reopen else "thread resolved",
        expected={"resolved_at": thread.first.resolved_at} if thread.first.resolved_at else None,
        ts=stamp,
    )
    f = thread.first
    first = Comment(
        f.id,
        f.thread,
        f.target,
        f.text,
        f.user,
        f.at,
        f.mentions,
        f.edited_at,
        values["resolved_at"],
        values["resolved_by"],
    )
    return Thread(first, thread.replies)
