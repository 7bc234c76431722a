"""Sign-in (local users file) and the signed-in user, kept in session state."""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
import os
import time
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.auth.signin import FIRST_DELAY_S, FREE_FAILURES, MAX_DELAY_S, locked, log, set_recovery_code, sign_in, unlock
from geo.auth.users import User, for_identity, users_path
from geo.model.i18n import Lang, fmt_datetime, fmt_number, t
from geo.model.safe import html_text, md_quote, md_text
from geo.store.db import StoreDown
from geo.store.reads import Store, StoreError
from ui import press, state

ENV_IDLE = "DINHLAP_IDLE_MINUTES"


def oidc_configured() -> bool:
    """Whether the app's secrets configure OpenID Connect (an ``[auth]`` section for ``st.login``)."""
    try:
        auth = st.secrets.get("auth")
    except Exception:  # no secrets file at all: st.secrets raises on access
        return False
    return bool(auth) and bool(auth.get("client_id") or any(isinstance(v, dict) for v in auth.values()))


def _oidc_user() -> User | None:
    """The identity provider's user, with the role the users file gives their e-mail (else viewer)."""
    if not oidc_configured() or not getattr(st.user, "is_logged_in", False):
        return None
    return for_identity(users_path(), st.user.get("email"), st.user.get("email_verified"))


def idle_limit_s() -> float:
    """How long a local sign-in lasts without use: ``$DINHLAP_IDLE_MINUTES`` (default 30) minutes."""
    try:
        return max(float(os.environ.get(ENV_IDLE, "30")), 0.1) * 60
    except ValueError:
        return 30 * 60.0


def current_user() -> User | None:
    """The signed-in user, if any: through the organisation's identity provider, or the local users file.

    A local sign-in unused for longer than :func:`idle_limit_s` ends here: the next run finds the user
    signed out and says why.
    """
    oidc = _oidc_user()
    if oidc is not None:
        return oidc
    value = st.session_state.get("user")
    if not isinstance(value, dict):
        return None
    now = time.time()
    if now - float(value.get("seen", now)) > idle_limit_s():
        st.session_state.pop("user", None)
        st.session_state["login_expired"] = True
        return None
    value["seen"] = now
    return User(value["name"], value["role"])


CLIENT_COOKIE = "dinhlap_client"  # the signed token of a browser its user signed in from (geo.auth.signin)
CLIENT_JS = Path(__file__).resolve().parent / "static" / "client.js"


def client_address() -> str:
    """The browser's address: the connection's, or, behind a proxy on this machine, the last one the proxy
    added to ``X-Forwarded-For`` (deploy/nginx.conf); the sign-in throttle counts failures per address too.
    """
    peer = str(getattr(st.context, "ip_address", None) or "")
    try:
        local = not peer or ipaddress.ip_address(peer).is_loopback
    except ValueError:
        local = False
    if local:
        forwarded = (st.context.headers.get("X-Forwarded-For") or "").split(",")[-1].strip()
        if forwarded:
            return forwarded[:64]
    return peer[:64]


def _sign_in() -> None:
    got = sign_in(
        users_path(),
        st.session_state.get("login_name", ""),
        st.session_state.get("login_pw", ""),
        client=client_address(),
        token=st.context.cookies.get(CLIENT_COOKIE),
        code=st.session_state.get("login_code") or None,
    )
    st.session_state["login_pw"] = ""  # never keep a password in the session
    st.session_state["login_code"] = ""
    st.session_state.pop("login_expired", None)
    if got.user is None:
        st.session_state["login_failed"] = got.wait_s or True
    else:
        st.session_state["user"] = {"name": got.user.name, "role": got.user.role, "seen": time.time()}
        st.session_state["client_token"] = got.token  # kept by this browser: see remember_client
        st.session_state.pop("login_failed", None)


def last_save(name: str, store: Store) -> dict[str, str] | None:
    """The user's latest change in the change log, as text, read afresh whenever the store changed.

    Shown in the sidebar on every run of a signed-in editor: after a dropped connection (a replica gone
    right after "Lưu"), the first run of the new session (signed in again, or still signed in through the
    organisation's account) or of the reconnected one says whether their last save was kept.
    """
    try:
        return _last_save_at(str(store.location), store.version, name)
    except (StoreError, StoreDown):  # the store not answering: the sidebar goes on without it
        return None


@st.cache_data(show_spinner=False, max_entries=64)
def _last_save_at(location: str, version: str, name: str) -> dict[str, str] | None:
    del version  # the cache key: a save anywhere changes it
    from geo.read.records import change_text
    from geo.store.changelog import EditError, last_save_by

    try:
        row = last_save_by(location, name)
        spec = None if row is None else Store(location).catalog.get(row.layer)
    except (EditError, StoreError):
        return None
    if row is None:
        return None
    out = {"ts": row.ts, "layer": row.layer, "feature": row.feature}
    langs: tuple[Lang, ...] = ("vi", "en")
    for lang in langs:
        what, old, new = change_text(spec, row.field, row.old, row.new, lang)
        title = spec.title(lang) if spec else row.layer
        out[lang] = f"{title} · {row.feature} · {what}: {old} → {new}"
    return out


def remember_client() -> None:
    """After a sign-in, once: the browser keeps its client token (``ui/static/client.js``)."""
    token = st.session_state.pop("client_token", None)
    if token:
        st.html(
            f'<div id="dl-client" data-token="{html_text(token)}" hidden></div>'
            f"<script>{CLIENT_JS.read_text(encoding='utf-8')}</script>",
            unsafe_allow_javascript=True,
        )


def sign_in_box(store: Store | None = None) -> None:
    """In the sidebar: who is signed in (and, for an editor, their latest save in ``store``'s change log, as of
    this run's version of it), or a sign-in form (for planners and admins).
    """
    lang = state.lang()
    user = current_user()
    if user:
        remember_client()
        st.caption(t("auth.signed_in", lang, name=md_text(user.name), role=t(f"auth.role.{user.role}", lang)))
        last = last_save(user.name, store) if user.can_edit and store is not None else None
        if last is not None:
            when = fmt_datetime(last["ts"], lang)
            st.caption(t("auth.last_save", lang, when=when, what=md_text(last.get(lang, ""))))
        out = press.button(t("auth.sign_out", lang), key="sign_out", about=user.name)
        if out:
            out.note(user=press.GONE)  # signed out by the next run, even if this one is cut short (ui.press)
            if _oidc_user() is not None:
                st.logout()
            st.rerun()
        return
    if oidc_configured():  # the organisation's accounts first; the local file stays for offline rooms
        st.button(t("auth.sign_in_oidc", lang), key="sign_in_oidc", on_click=st.login, icon=":material/badge:")
    with st.expander(t("auth.sign_in", lang), key="sign_in_panel"):
        with st.form("login", border=False):
            st.text_input(t("auth.name", lang), key="login_name")
            st.text_input(t("auth.password", lang), type="password", key="login_pw")
            failed = st.session_state.get("login_failed")
            if isinstance(failed, float) and failed > 0:  # while waiting: the admin's recovery code still works
                st.text_input(t("auth.code", lang), key="login_code", max_chars=16, help=t("auth.code_help", lang))
            st.form_submit_button(t("auth.sign_in", lang), on_click=_sign_in)
        if isinstance(failed, float) and failed > 0:  # the name must wait after failures in a row
            st.error(
                t(
                    "auth.throttled",
                    lang,
                    wait=wait_text(failed, lang),
                    free=fmt_number(FREE_FAILURES, lang),
                    first=fmt_number(FIRST_DELAY_S / 60, lang),
                    max=fmt_number(MAX_DELAY_S / 60, lang),
                )
            )
        elif failed:
            st.error(t("auth.failed", lang))
        if st.session_state.get("login_expired"):
            st.info(t("auth.expired", lang, m=fmt_number(idle_limit_s() / 60, lang)), icon=":material/timer_off:")


def wait_text(seconds: float, lang: Lang) -> str:
    """A wait as a person reads it: "45 giây" under two minutes, else whole minutes ("12 phút"), rounded up."""
    if seconds < 120:
        return t("auth.wait_s", lang, n=fmt_number(max(math.ceil(seconds), 1), lang))
    return t("auth.wait_min", lang, n=fmt_number(math.ceil(seconds / 60), lang))


def signin_panel() -> None:
    """For admins: the user names on hold after failed sign-ins (with an unlock each) and recent attempts."""
    lang = state.lang()
    user = current_user()
    if not user or user.role != "admin":
        return
    path = users_path()
    st.header(t("signin.title", lang))
    unlocked = st.session_state.pop("signin_unlocked", None)
    if unlocked:
        st.success(t("signin.unlocked", lang, name=md_quote(unlocked)))
    held = locked(path)
    if not held:
        st.caption(t("signin.none", lang))
    for lock in held:
        c1, c2, c3, c4 = st.columns([3, 2, 3, 2])
        c1.markdown(f"**{md_text(lock.name)}**")
        c2.markdown(f"{t('signin.failures', lang)}: {fmt_number(lock.failures, lang)}")
        c3.markdown(f"{t('signin.until', lang)}: {fmt_datetime(_iso(lock.until), lang)}")
        with c4:
            pressed = press.button(t("signin.unlock", lang, name=md_quote(lock.name)), key=f"unlock_{lock.name}")
        if pressed:
            unlock(path, lock.name, user.name)
            pressed.then(signin_unlocked=lock.name)
    with st.form("recovery_code", border=False):
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        who = c1.text_input(t("signin.code_for", lang), key="recovery_name", max_chars=64)
        with c2:
            make = press.submit(t("signin.code_make", lang), key="recovery_code_go")
        if make and who.strip():
            code = set_recovery_code(path, who, user.name)
            st.success(t("signin.code_made", lang, name=md_quote(who.strip()), code=code, h=24))
    rows = log(path, limit=50)
    if rows:
        with st.expander(t("signin.log", lang), key="signin_log"):
            st.dataframe(
                pd.DataFrame(
                    {
                        t("signin.name", lang): [r[1] for r in rows],
                        t("signin.outcome", lang): [
                            t(f"signin.outcome.{r[2]}", lang)
                            + (f" ({t(f'signin.via.{r[5]}', lang)})" if r[5] in ("token", "code") else "")
                            for r in rows
                        ],
                        t("signin.client", lang): [r[4] or "" for r in rows],
                        t("rollback.time", lang): [fmt_datetime(_iso(r[0]), lang) for r in rows],
                    }
                ),
                hide_index=True,
            )


def _outcome(outcome: str, via: str | None, lang: Lang) -> str:
    """An attempt's outcome, and how it got past a throttle (a known browser, a recovery code)."""
    text = t(f"signin.outcome.{outcome}", lang)
    return f"{text} ({t(f'signin.via.{via}', lang)})" if via in ("token", "code") else text


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat()
