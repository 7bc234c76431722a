"""Sign-in (local users file) and the signed-in user, kept in session state."""

from __future__ import annotations

import streamlit as st

from geo.i18n import t
from geo.users import User, authenticate, for_identity, users_path
from ui import state


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


def current_user() -> User | None:
    """The signed-in user, if any: through the organisation's identity provider, or the local users file."""
    oidc = _oidc_user()
    if oidc is not None:
        return oidc
    value = st.session_state.get("user")
    return User(value["name"], value["role"]) if isinstance(value, dict) else None


def _sign_in() -> None:
    user = authenticate(users_path(), st.session_state.get("login_name", ""), st.session_state.get("login_pw", ""))
    st.session_state["login_pw"] = ""  # never keep a password in the session
    if user is None:
        st.session_state["login_failed"] = True
    else:
        st.session_state["user"] = {"name": user.name, "role": user.role}
        st.session_state.pop("login_failed", None)


def sign_in_box() -> None:
    """In the sidebar: who is signed in, or a sign-in form (for planners and admins)."""
    lang = state.lang()
    user = current_user()
    if user:
        st.caption(t("auth.signed_in", lang, name=user.name, role=t(f"auth.role.{user.role}", lang)))
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
        if st.session_state.get("login_failed"):
            st.error(t("auth.failed", lang))
