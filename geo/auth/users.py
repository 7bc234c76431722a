"""Local users: names, roles and salted password hashes in a JSON file kept out of the repository.

Roles: ``viewer`` (read only), ``planner`` (edit, import), ``admin`` (users,
rollback). Passwords are hashed with scrypt (standard library) and a random
salt; a check costs the same whether or not the name exists.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Role = Literal["viewer", "planner", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "planner", "admin")
ENV_USERS = "DINHLAP_USERS"
DEFAULT_USERS = Path(__file__).resolve().parents[2] / "instance" / "users.json"
_N, _R, _P = 2**14, 8, 1


@dataclass(frozen=True)
class User:
    """A signed-in person."""

    name: str
    role: Role

    @property
    def can_edit(self) -> bool:
        """Planners and admins edit data."""
        return self.role in ("planner", "admin")


def users_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The users file: ``path``, else ``$DINHLAP_USERS``, else ``instance/users.json``."""
    return Path(path) if path else Path(os.environ.get(ENV_USERS) or DEFAULT_USERS)


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` for ``password``."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time comparison)."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(
            password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


_DUMMY = hash_password("not a password", b"0" * 16)


def load(path: Path) -> dict[str, dict[str, str]]:
    """``{name: {"role": …, "hash": …}}`` (empty when the file does not exist)."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): {"role": str(v["role"]), "hash": str(v["hash"])} for k, v in data.items()}


def _save(path: Path, users: dict[str, dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # hashes are still secrets
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(users, f, ensure_ascii=False, indent=2, sort_keys=True)
    os.replace(tmp, path)


OIDC = "oidc"  # the "hash" of a user who signs in through the organisation's identity provider only


def add_user(path: Path, name: str, role: str, password: str | None) -> None:
    """Add or replace a user. ``password=None``: an e-mail address that signs in through OpenID
    Connect (``st.login``) and never with a password.
    """
    name = name.strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise ValueError("a user name is 1–64 characters without spaces")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if password is None:
        if "@" not in name:
            raise ValueError("a user who signs in through OpenID Connect is named by their e-mail address")
    elif len(password) < 8:
        raise ValueError("a password has at least 8 characters")
    users = load(path)
    users[name] = {"role": role, "hash": OIDC if password is None else hash_password(password)}
    _save(path, users)


def for_identity(path: Path, email: str | None, verified: bool | None = True) -> User:
    """The user an identity provider vouches for: their role from the users file, else a viewer.

    An address the provider says is unverified gets no more than a viewer's rights.
    """
    address = (email or "").strip().lower()
    entry = {k.lower(): v for k, v in load(path).items()}.get(address) if address and verified is not False else None
    role = entry["role"] if entry and entry["hash"] == OIDC and entry["role"] in ROLES else "viewer"
    return User(address or "?", role)


def remove_user(path: Path, name: str) -> bool:
    """Remove a user; whether there was one."""
    users = load(path)
    if users.pop(name, None) is None:
        return False
    _save(path, users)
    return True


def authenticate(path: Path, name: str, password: str) -> User | None:
    """The user if ``password`` is theirs, else ``None``."""
    entry = load(path).get(name.strip())
    ok = verify_password(password, entry["hash"] if entry else _DUMMY)
    return User(name.strip(), entry["role"]) if ok and entry and entry["role"] in ROLES else None
