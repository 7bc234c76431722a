"""Sign-in (local users file) and the signed-in user, kept in session state."""

from __future__ import annotations

import datetime as dt
import math
import os
import time

import pandas as pd
import streamlit as st

from geo.i18n import fmt_datetime, fmt_number, t
from geo.safe import md_quote, md_text
from geo.signin import locked, log, sign_in, unlock
from geo.users import User, for_identity, users_path
from ui import state

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


def _sign_in() -> None:
    got = sign_in(users_path(), st.session_state.get("login_name", ""), st.session_state.get("login_pw", ""))
    st.session_state["login_pw"] = ""  # never keep a password in the session
    st.session_state.pop("login_expired", None)
    if got.user is None:
        st.session_state["login_failed"] = got.wait_s or True
    else:
        st.session_state["user"] = {"name": got.user.name, "role": got.user.role, "seen": time.time()}
        st.session_state.pop("login_failed", None)


def sign_in_box() -> None:
    """In the sidebar: who is signed in, or a sign-in form (for planners and admins)."""
    lang = state.lang()
    user = current_user()
    if user:
        st.caption(t("auth.signed_in", lang, name=md_quote(user.name), role=t(f"auth.role.{user.role}", lang)))
        if st.button(t("auth.sign_out", lang), key="sign_out"):
            st.session_state.pop("user", None)
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
            st.form_submit_button(t("auth.sign_in", lang), on_click=_sign_in)
        failed = st.session_state.get("login_failed")
        if isinstance(failed, float) and failed > 0:  # the name must wait after failures in a row
            st.error(t("auth.throttled", lang, s=fmt_number(math.ceil(failed), lang)))
        elif failed:
            st.error(t("auth.failed", lang))
        if st.session_state.get("login_expired"):
            st.info(t("auth.expired", lang, m=fmt_number(idle_limit_s() / 60, lang)), icon=":material/timer_off:")


def signin_panel() -> None:
    """For admins: the user names on hold after failed sign-ins (with an unlock each) and recent attempts."""
    lang = state.lang()
    user = current_user()
    if not user or user.role != "admin":
        return
    path = users_path()
    st.header(t("signin.title", lang))
    held = locked(path)
    if not held:
        st.caption(t("signin.none", lang))
    for lock in held:
        c1, c2, c3, c4 = st.columns([3, 2, 3, 2])
        c1.markdown(f"**{md_text(lock.name)}**")
        c2.markdown(f"{t('signin.failures', lang)}: {fmt_number(lock.failures, lang)}")
        c3.markdown(f"{t('signin.until', lang)}: {fmt_datetime(_iso(lock.until), lang)}")
        if c4.button(t("signin.unlock", lang, name=md_quote(lock.name)), key=f"unlock_{lock.name}"):
            unlock(path, lock.name, user.name)
            st.success(t("signin.unlocked", lang, name=md_quote(lock.name)))
            st.rerun()
    rows = log(path, limit=50)
    if rows:
        with st.expander(t("signin.log", lang), key="signin_log"):
            st.dataframe(
                pd.DataFrame(
                    {
                        t("signin.name", lang): [r[1] for r in rows],
                        t("signin.outcome", lang): [t(f"signin.outcome.{r[2]}", lang) for r in rows],
                        t("rollback.time", lang): [fmt_datetime(_iso(r[0]), lang) for r in rows],
                    }
                ),
                hide_index=True,
            )


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat()
