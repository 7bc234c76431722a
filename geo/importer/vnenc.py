"""Vietnamese text in the encodings land offices still deliver: detect, decode, normalise to NFC.

Attribute text arrives as UTF-8, Windows-1258 (often without a ``.cpg``),
TCVN3 (the "ABC" font encoding, one byte per letter) or VNI (a base letter
followed by a byte for its marks). GDAL's own Windows-1258 conversion drops
the last character of strings, so we never let GDAL decode: readers hand us
the raw bytes (read as Latin-1, which maps every byte to one character) and
this module decodes them.

Detection scores each candidate by how Vietnamese the decoded text looks:
letters of the Vietnamese alphabet count for it, any other non-ASCII
character counts against it.

>>> decode(encode("Đình Lập", "tcvn3"), "tcvn3")
'Đình Lập'
>>> detect([encode("Thị trấn Đình Lập", "vni"), encode("Xã Bắc Xa", "vni")])
'vni'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Literal

Encoding = Literal["utf-8", "cp1258", "tcvn3", "vni"]
ENCODINGS: tuple[Encoding, ...] = ("utf-8", "cp1258", "tcvn3", "vni")
LABELS: dict[str, str] = {
    "utf-8": "UTF-8 (Unicode)",
    "cp1258": "Windows-1258",
    "tcvn3": "TCVN3 (ABC)",
    "vni": "VNI Windows",
}
_ALIASES = {
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "unicode": "utf-8",
    "65001": "utf-8",
    "cp1258": "cp1258",
    "1258": "cp1258",
    "windows-1258": "cp1258",
    "windows1258": "cp1258",
    "ansi 1258": "cp1258",
    "windowsvietnamese": "cp1258",
    "tcvn3": "tcvn3",
    "tcvn": "tcvn3",
    "abc": "tcvn3",
    "vni": "vni",
    "vni-windows": "vni",
}

# TCVN3 (TCVN 5712:1993, VN3 "ABC"): lower-case letters and the seven upper-case base letters.
_TCVN3_LETTERS = "áàảãạăắằẳẵặâấầẩẫậéèẻẽẹêếềểễệíìỉĩịóòỏõọôốồổỗộơớờởỡợúùủũụưứừửữựýỳỷỹỵđĂÂÊÔƠƯĐ"
_TCVN3_BYTES = bytes(
    [
        0xB8, 0xB5, 0xB6, 0xB7, 0xB9, 0xA8, 0xBE, 0xBB, 0xBC, 0xBD, 0xC6, 0xA9, 0xCA, 0xC7, 0xC8, 0xC9, 0xCB,
        0xD0, 0xCC, 0xCE, 0xCF, 0xD1, 0xAA, 0xD5, 0xD2, 0xD3, 0xD4, 0xD6,
        0xDD, 0xD7, 0xD8, 0xDC, 0xDE,
        0xE3, 0xDF, 0xE1, 0xE2, 0xE4, 0xAB, 0xE8, 0xE5, 0xE6, 0xE7, 0xE9, 0xAC, 0xED, 0xEA, 0xEB, 0xEC, 0xEE,
        0xF3, 0xEF, 0xF1, 0xF2, 0xF4, 0xAD, 0xF8, 0xF5, 0xF6, 0xF7, 0xF9,
        0xFD, 0xFA, 0xFB, 0xFC, 0xFE, 0xAE,
        0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
    ]
)  # fmt: skip
_TCVN3_DECODE = dict(zip(_TCVN3_BYTES, _TCVN3_LETTERS, strict=True))
_TCVN3_ENCODE = {v: k for k, v in _TCVN3_DECODE.items()}

# VNI Windows: a base letter, then one byte (read as Windows-1252) for its marks.
_TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")  # none, sắc, huyền, hỏi, ngã, nặng
_VNI_TONE = ("", "ù", "ø", "û", "õ", "ï")
_VNI_CIRC = ("â", "á", "à", "å", "ã", "ä")  # â ê ô and their tones
_VNI_BREVE = ("ê", "é", "è", "ú", "ü", "ë")  # ă and its tones


def _vni_table() -> dict[str, str]:
    """Unicode letter (NFC) → its VNI spelling, lower and upper case."""
    table: dict[str, str] = {}

    def add(letter: str, spelling: str) -> None:
        letter = unicodedata.normalize("NFC", letter)
        if letter != spelling:
            table[letter] = spelling
            table[letter.upper()] = spelling.upper()

    for base in "aeouy":
        for tone, suffix in zip(_TONES, _VNI_TONE, strict=True):
            if base == "y" and tone == "\u0323":
                add("y" + tone, "î")  # ỵ has a byte of its own
            else:
                add(base + tone, base + suffix)
    for base in "aeo":
        for tone, suffix in zip(_TONES, _VNI_CIRC, strict=True):
            add(base + "\u0302" + tone, base + suffix)
    for tone, suffix in zip(_TONES, _VNI_BREVE, strict=True):
        add("a\u0306" + tone, "a" + suffix)
    for base, horn in (("o", "ô"), ("u", "ö")):
        for tone, suffix in zip(_TONES, _VNI_TONE, strict=True):
            add(base + "\u031b" + tone, horn + suffix)
    for tone, single in zip(_TONES, ("i", "í", "ì", "æ", "ó", "ò"), strict=True):
        add("i" + tone, single)
    add("đ", "ñ")
    return table


_VNI_ENCODE = _vni_table()
_VNI_DECODE = sorted(((v, k) for k, v in _VNI_ENCODE.items()), key=lambda p: -len(p[0]))
_VNI_FIRST: dict[str, list[tuple[str, str]]] = {}
for _spelling, _letter in _VNI_DECODE:
    _VNI_FIRST.setdefault(_spelling[0], []).append((_spelling, _letter))

_VIET_LETTERS = frozenset(
    unicodedata.normalize("NFC", c)
    for c in (
        "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
        "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ"
    )
)
_NEUTRAL = frozenset("–—‘’“”…°²³±×·«»€")


def normalize(name: str) -> Encoding:
    """The encoding called ``name`` (``cp1258``, ``1258``, ``TCVN3``, ``WindowsVietnamese``…).

    ``ValueError`` if unknown.
    """
    key = name.strip().lower().replace("_", "-")
    if key in _ALIASES:
        return _ALIASES[key]  # type: ignore[return-value]
    raise ValueError(name)


def _cp1252(data: bytes) -> str:
    """Bytes read the way a VNI font sees them (Windows-1252; bytes it leaves undefined as Latin-1)."""
    return "".join(data[i : i + 1].decode("cp1252", errors="ignore") or chr(data[i]) for i in range(len(data)))


def decode(data: bytes, encoding: Encoding) -> str:
    """``data`` decoded from ``encoding`` into NFC Unicode; undecodable bytes become U+FFFD."""
    if encoding == "utf-8":
        text = data.decode("utf-8", errors="replace")
    elif encoding == "cp1258":
        text = data.decode("cp1258", errors="replace")
    elif encoding == "tcvn3":
        text = "".join(_TCVN3_DECODE.get(b, chr(b)) for b in data)
    else:
        text = _decode_vni(_cp1252(data))
    return unicodedata.normalize("NFC", text)


def _decode_vni(text: str) -> str:
    out = []
    i = 0
    while i < len(text):
        for spelling, letter in _VNI_FIRST.get(text[i], ()):
            if text.startswith(spelling, i):
                out.append(letter)
                i += len(spelling)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def encode(text: str, encoding: Encoding) -> bytes:
    """``text`` in ``encoding``: what a legacy program would have written (used to build test files)."""
    text = unicodedata.normalize("NFC", text)
    if encoding == "utf-8":
        return text.encode("utf-8")
    if encoding == "tcvn3":
        out = bytearray()
        for c in text:
            if c in _TCVN3_ENCODE:
                out.append(_TCVN3_ENCODE[c])
            elif c.lower() in _TCVN3_ENCODE:  # TCVN3 has no upper-case toned letters: fonts draw them
                out.append(_TCVN3_ENCODE[c.lower()])
            else:
                out += c.encode("ascii")
        return bytes(out)
    if encoding == "vni":
        return "".join(_VNI_ENCODE.get(c, c) for c in text).encode("cp1252")
    out = bytearray()
    for c in text:  # Windows-1258 keeps â ê ô ă ơ ư đ whole and adds the tone as a combining mark
        try:
            out += c.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", c)
            base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONES[1:]))
            tone = "".join(p for p in parts if p in _TONES[1:])
            out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


_SYLLABLE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    r"(iêu|yêu|oai|oay|oeo|uây|uôi|ươi|ươu|uyê|uya|uyu|"
    r"ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|ôi|ơi|oo|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ươ|ưu|yê|"
    r"[aăâeêioôơuưy])"
    r"(ch|ng|nh|[cmnpt])?"
)
_WORD = re.compile(r"[^\W\d_]+")


def _syllable(word: str) -> bool:
    """Whether ``word`` is spelt like one Vietnamese syllable: one tone at most, one case pattern."""
    if not (word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())):
        return False
    parts = unicodedata.normalize("NFD", word.lower())
    if sum(1 for p in parts if p in _TONES[1:]) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONES[1:]))
    return _SYLLABLE.fullmatch(bare) is not None


def score(text: str) -> int:
    """How Vietnamese ``text`` looks: each word with non-ASCII letters counts +3 if it is spelt like
    a Vietnamese syllable, -3 if not; every non-ASCII character outside the alphabet counts -3.
    """
    total = -3 * sum(1 for c in text if not c.isascii() and c not in _VIET_LETTERS and c not in _NEUTRAL)
    for word in _WORD.findall(text):
        if not word.isascii():
            total += 3 if all(c in _VIET_LETTERS or c.isascii() for c in word) and _syllable(word) else -3
    return total


MAX_SAMPLES = 4000  # distinct texts scored to detect a legacy encoding, spread over the file


def detect(samples: Iterable[bytes], hint: str | None = None) -> Encoding:
    """The encoding that makes ``samples`` read as Vietnamese.

    Valid UTF-8 with non-ASCII text wins outright; otherwise the best-scoring
    legacy encoding, ``hint`` (from a ``.cpg`` or a MapInfo charset) breaking ties.
    """
    data = list(dict.fromkeys(s for s in samples if s and not s.isascii()))  # each distinct text once
    if not data:
        return normalize(hint) if hint and _known(hint) else "utf-8"
    try:
        for s in data:
            s.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    preferred: Encoding = normalize(hint) if hint and _known(hint) else "cp1258"
    legacy: tuple[Encoding, ...] = ("cp1258", "tcvn3", "vni")
    order = [preferred, *(e for e in legacy if e != preferred)]
    if len(data) > MAX_SAMPLES:  # a 50,000-row file's words say no more than a few thousand of them
        data = data[:: len(data) // MAX_SAMPLES + 1]
    scores = {enc: sum(score(decode(s, enc)) for s in data) for enc in order if enc != "utf-8"}
    return max(scores, key=lambda e: (scores[e], -order.index(e)))


def _known(name: str) -> bool:
    try:
        normalize(name)
    except ValueError:
        return False
    return True


def legacy_bytes(text: str) -> bytes | None:
    """The bytes behind text that a program decoded as Windows-1252/Latin-1 (TCVN3 or VNI typed
    in Excel with a legacy font, say), or ``None`` when the text cannot have come from one byte per character.
    """
    out = bytearray()
    for c in text:
        try:
            out += c.encode("cp1252")
        except UnicodeEncodeError:
            if ord(c) > 0xFF:
                return None
            out.append(ord(c))
    return bytes(out)


def repair(values: Iterable[str]) -> tuple[Encoding | None, dict[str, str]]:
    """For Unicode text that may hide a legacy encoding: the encoding found and a map old → repaired text.

    Returns ``(None, {})`` when the text already reads as Vietnamese.
    """
    texts = [v for v in set(values) if v and not v.isascii()]
    raw = {v: legacy_bytes(v) for v in texts}
    if not texts or any(b is None for b in raw.values()):
        return None, {}
    as_is = sum(score(unicodedata.normalize("NFC", v)) for v in texts)
    best: tuple[int, Encoding | None] = (as_is, None)
    candidates: tuple[Encoding, ...] = ("tcvn3", "vni", "cp1258")
    for cand in candidates:
        s = sum(score(decode(b, cand)) for b in raw.values() if b is not None)
        if s > best[0]:
            best = (s, cand)
    found = best[1]
    if found is None:
        return None, {}
    return found, {v: decode(b, found) for v, b in raw.items() if b is not None}
