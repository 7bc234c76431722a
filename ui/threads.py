"""Threads on the page: under a feature's record, on a task's slide, on an indicator's card, and the signed-in
user's "Cần tôi xử lý" list in the sidebar.

The rules are :mod:`geo.read.comments`'s; this module lays them out. A comment's text is shown escaped, as typed
(``white-space: pre-wrap``), never as markdown or HTML. Threads are read as of the day the app shows (the
time machine), and written only at today. Reading the ``comments`` table marks it shown, so a page open on
another replica reruns when someone answers (:mod:`ui.live`).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo.model.catalog import OVERVIEW_LAYERS, THEME_LAYERS
from geo.model.i18n import Lang, fmt_datetime, fmt_number, t
from geo.model.safe import html_text, md_text
from geo.model.views import Task
from geo.read import board, comments
from geo.read.comments import CommentError, Target, Thread
from ui import data, notice, press, state
from ui.auth import current_user
from ui.nav import PAGE_FILES
from ui.search import show_feature

STYLE = """<style>
.dl-comment { border-left: 3px solid #8a9bb0; padding: .15rem 0 .15rem .55rem; margin: .35rem 0; }
.dl-comment-reply { margin-left: 1rem; border-left-color: #c5ced8; }
.dl-comment-meta { font-size: .8rem; color: #4f5863; }
.dl-comment-text { white-space: pre-wrap; overflow-wrap: anywhere; font-size: .92rem; color: #1f2d3d; }
.dl-thread-state { font-size: .8rem; font-weight: 600; color: #1f5f3a; }
.dl-thread-state.open { color: #8a4b00; }
</style>"""

#: The page each theme's features open on (an overlay's, and the base layers': the overview).
THEME_PAGES = {"roads": "giao-thong", "industry": "cum-cong-nghiep", "forest": "dat-lam-nghiep", "ntm": "nong-thon-moi"}


def _found(on: Target | None = None, kind: str | None = None) -> list[Thread]:
    """The threads as this user may read them, on the day shown."""
    return comments.threads(data.reader(), on=on, kind=kind)


def _writer() -> str | None:
    """The name of the signed-in user if they may write in threads now (today, and their role allows it)."""
    user = current_user()
    if user is None or data.as_of_day() is not None:
        return None
    allowed = comments.may_comment(user.role, comments.viewers_may_comment(data.store()))
    return user.name if allowed else None


def _comment_html(c: comments.Comment, lang: Lang, reply: bool) -> str:
    edited = f" {t('comments.edited', lang)}" if c.edited_at else ""
    meta = t("comments.by", lang, user=c.user, at=fmt_datetime(c.at, lang)) + edited
    return (
        f'<div class="dl-comment{" dl-comment-reply" if reply else ""}">'
        f'<div class="dl-comment-meta">#{html_text(c.id)} · {html_text(meta)}</div>'
        f'<div class="dl-comment-text">{html_text(c.text)}</div></div>'
    )


def _box(name: str) -> tuple[str, dict[str, int]]:
    """The key of a comment box, and what :meth:`ui.press.Press.then` is given to empty it once its text is
    stored: a new key.

    Not ``clear_on_submit``: a form that clears itself has already lost the text when a run cut short hands
    the press on (:mod:`ui.press`). Nor setting the box's value to "": the page still holds the text and
    sends it back with the next run it asks for (the map's report), and the text would stand there again,
    ready to be sent twice.
    """
    gen = st.session_state.get(f"box_gen_{name}", 0)
    return f"{name}_{gen}", {f"box_gen_{name}": gen + 1}


def _say(exc: CommentError, lang: Lang) -> None:
    notice.error(exc, lang, both=False)


def _thread(th: Thread, key: str, writer: str | None, lang: Lang) -> None:
    """One thread: its comments, its state, and (for a writer) reply, resolve or reopen, edit one's own."""
    with st.container(border=True, key=f"thread_{key}_{th.id}"):
        state_html = (
            f'<span class="dl-thread-state">{html_text(t("comments.resolved_by", lang, user=th.first.resolved_by, at=fmt_datetime(th.first.resolved_at, lang)))}</span>'  # noqa: E501
            if th.resolved
            else f'<span class="dl-thread-state open">{html_text(t("comments.open", lang))}</span>'
        )
        body = "".join(_comment_html(c, lang, i > 0) for i, c in enumerate(th.comments))
        st.html(f"<div>{state_html}{body}</div>")
        if writer is None:
            return
        now = dt.datetime.now(dt.UTC)
        mine = [c for c in th.comments if c.editable_by(writer, now)]
        box = f"reply_text_{key}_{th.id}"
        where, sensitive = data.store().location, data.sensitive_ok()  # read before the press is taken (ui.press)
        with st.form(f"reply_{key}_{th.id}", border=False):
            box_key, emptied = _box(box)
            text = st.text_area(t("comments.reply_label", lang, id=th.id), key=box_key, height=68)
            c1, c2 = st.columns(2)
            with c1:
                send = press.submit(t("comments.reply", lang), key=f"reply_go_{key}_{th.id}", about=th.id)
            with c2:
                toggle = press.submit(
                    t("comments.reopen" if th.resolved else "comments.resolve", lang),
                    key=f"toggle_go_{key}_{th.id}",
                    about=(th.id, th.resolved),
                )
        try:
            if send:  # an empty text is refused with its message (geo.read.comments)
                c = comments.add(where, None, text, writer, reply_to=th.id, sensitive=sensitive)
                send.then(**emptied, **{f"thread_flash_{key}": t("comments.sent", lang, id=c.id)})
            if toggle:
                comments.resolve(where, th.id, writer, reopen=th.resolved)
                toggle.then()
        except CommentError as exc:
            _say(exc, lang)
        for c in mine:
            with (
                st.expander(f"{t('comments.edit', lang)} #{c.id}", key=f"edit_exp_{key}_{c.id}"),
                st.form(f"edit_{key}_{c.id}", border=False),
            ):
                new = st.text_area(t("comments.edit", lang), value=c.text, key=f"edit_text_{key}_{c.id}")
                saved = press.submit(t("comments.save", lang), key=f"edit_go_{key}_{c.id}", about=c.id)
                if saved:
                    try:
                        comments.change_text(where, c.id, new, writer)
                        saved.then()
                    except CommentError as exc:
                        _say(exc, lang)


def thread_panel(key: str, on: Target) -> None:
    """The threads on ``on`` and a box to start one (``key``: unique on the page)."""
    lang = state.lang()
    if not comments.visible(on, data.sensitive_ok()):
        return
    st.html(STYLE)
    found = _found(on)
    n_open = sum(not th.resolved for th in found)
    st.markdown(f"**{t('comments.title_n', lang, n=fmt_number(n_open, lang))}**")
    flash = st.session_state.pop(f"thread_flash_{key}", None)
    if flash:
        st.success(flash)
    day = data.as_of_day()
    if day is not None:
        st.caption(t("comments.past", lang, day=day.strftime("%d/%m/%Y")))
    if not found:
        st.caption(t("comments.none", lang))
    writer = _writer()
    for th in found:
        _thread(th, key, writer, lang)
    if day is not None:
        return
    if writer is None:
        user = current_user()
        st.caption(t("comments.read_only" if user else "comments.sign_in", lang))
        return
    box = f"new_thread_text_{key}"
    where, sensitive = data.store().location, data.sensitive_ok()  # read before the press is taken (ui.press)
    with st.form(f"new_thread_{key}"):
        box_key, emptied = _box(box)
        text = st.text_area(t("comments.new", lang), key=box_key, height=80)
        sent = press.submit(t("comments.send", lang), key=f"new_thread_go_{key}", about=on, type="primary")
        if sent:  # an empty text is refused with its message (geo.read.comments)
            try:
                c = comments.add(where, on, text, writer, sensitive=sensitive)
                sent.then(**emptied, **{f"thread_flash_{key}": t("comments.sent", lang, id=c.id)})
            except CommentError as exc:
                _say(exc, lang)


def concerned_panel(key: str, task: Task) -> None:
    """Under a task's own threads: the open threads on what the task concerns (a dispute under the disputes'
    task, :func:`geo.read.board.task_threads`), each under its subject, answered here as under its record.
    """
    lang = state.lang()
    others = [th for th in board.task_threads(_found(), [task]).get(task.id, []) if th.target.kind != "task"]
    if not others:
        return
    st.html(STYLE)
    st.markdown(f"**{t('comments.concerned_n', lang, n=fmt_number(len(others), lang))}**")
    st.caption(t("comments.concerned_help", lang))
    writer = _writer()
    for th in others:
        st.markdown(f"*{md_text(subject(th.target, lang))}*")
        _thread(th, f"{key}_about", writer, lang)


def open_counts(kind: str) -> dict[str, int]:
    """How many open threads each subject of ``kind`` has, as this user reads them on the day shown."""
    return comments.open_counts(_found(kind=kind), kind)


def folded_panel(key: str, on: Target, n_open: int) -> None:
    """:func:`thread_panel` in a folded section titled with its number of open threads (an indicator's card)."""
    lang = state.lang()
    if not comments.visible(on, data.sensitive_ok()):
        return
    label = t("comments.title_n", lang, n=fmt_number(n_open, lang))
    with st.expander(label, icon=":material/forum:", key=f"threads_{key}"):
        thread_panel(key, on)


def subject(on: Target, lang: Lang) -> str:
    """What a thread is about, in words (a planner's own layer named by its title)."""
    return comments.subject(on, lang, data.catalog())


def _go(th: Thread) -> None:
    """From the sidebar: open what the thread is about, with the thread under it."""
    on = th.target
    if on.kind == "feature":
        catalog = data.catalog()
        theme = catalog[on.layer].theme if on.layer in catalog else "overlay"
        page = THEME_PAGES.get(theme, "")
        offered = THEME_LAYERS.get(theme, ()) if page else (*OVERVIEW_LAYERS, *data.store().overlays)
        show_feature(page or "overview", on.layer, on.key, tuple(offered))
        st.session_state["thread_go"] = (page, {})
    elif on.kind == "task":  # the task's slide, as a link from the overview's alerts opens it
        st.session_state["thread_go"] = ("giao-ban", {"task": on.key})
    else:
        st.session_state["thread_go"] = ("chi-tieu", {})


def my_threads() -> None:
    """The sidebar's "Cần tôi xử lý": the open threads that ask the signed-in user for an answer."""
    user = current_user()
    if user is None:
        return
    go = st.session_state.pop("thread_go", None)
    if go is not None and go[0] in PAGE_FILES:
        st.switch_page(PAGE_FILES[go[0]], query_params=go[1] or None)
    lang = state.lang()
    waiting = comments.needing(_found(), user.name)
    with st.container(key="my_threads"):
        st.markdown(f"**{t('comments.mine', lang)}**")
        if not waiting:
            st.caption(t("comments.mine_none", lang))
            return
        st.caption(t("comments.mine_n", lang, n=fmt_number(len(waiting), lang)))
        for th in waiting:
            last = th.comments[-1]
            label = f"#{th.id} {subject(th.target, lang)}: {last.user} — {' '.join(last.text.split())[:80]}"
            st.button(md_text(label), key=f"mine_{th.id}", on_click=_go, args=(th,), type="tertiary")


def viewers_setting() -> None:
    """For admins: whether viewers may comment (stored in the store, audited)."""
    user = current_user()
    lang = state.lang()
    if user is None or user.role != "admin" or data.as_of_day() is not None:
        return
    allowed = comments.viewers_may_comment(data.store())
    chosen = st.toggle(t("comments.viewers", lang), value=allowed, key="viewers_comment")
    if chosen != allowed:
        comments.allow_viewers(data.store().location, chosen, user.name)
        data.wrote()
        st.success(t("comments.viewers_saved", lang))
