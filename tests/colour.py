"""Colours as readers see them: contrast ratios (WCAG 2.1), colour-vision deficiency, CIEDE2000.

A legend works only if its classes can be told apart by everyone who reads it. This module measures
that: :func:`simulate` shows a colour as a reader with protanopia, deuteranopia or tritanopia sees it
(Machado, Oliveira & Fernandes 2009, severity 1.0, in linear sRGB), :func:`delta_e` is the CIEDE2000
difference of two colours (Sharma, Wu & Dalal 2005), :func:`contrast` the WCAG contrast ratio, and
:func:`legend_separation` the smallest difference between any two classes of a legend, for each kind
of vision. The palette test holds every legend of the catalog to ΔE2000 ≥ 10 under all four.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Literal

Vision = Literal["normal", "protanopia", "deuteranopia", "tritanopia"]
VISIONS: tuple[Vision, ...] = ("normal", "protanopia", "deuteranopia", "tritanopia")
RGB = tuple[float, float, float]

# Machado et al. 2009, severity 1.0: linear RGB → linear RGB as the dichromat sees it.
_MACHADO: dict[str, tuple[RGB, RGB, RGB]] = {
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}


def rgb(hex_colour: str) -> RGB:
    """``#rrggbb`` (or ``#rgb``) as sRGB in 0..1."""
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    if len(h) != 6:
        raise ValueError(f"not a colour: {hex_colour!r}")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255)


def hex_of(c: RGB) -> str:
    """Colour (sRGB in 0..1) as ``#rrggbb``."""
    return "#" + "".join(f"{round(min(max(v, 0.0), 1.0) * 255):02x}" for v in c)


def _linear(v: float) -> float:
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def _gamma(v: float) -> float:
    v = min(max(v, 0.0), 1.0)
    return v * 12.92 if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055


def blend(fg: str, bg: str, alpha: float) -> str:
    """``fg`` at ``alpha`` over ``bg`` (as a map fill at its opacity over the map's background)."""
    f, b = rgb(fg), rgb(bg)
    return hex_of(tuple(alpha * x + (1 - alpha) * y for x, y in zip(f, b, strict=True)))  # type: ignore[arg-type]


def simulate(hex_colour: str, vision: Vision) -> str:
    """``hex_colour`` as a reader with ``vision`` sees it."""
    if vision == "normal":
        return hex_colour
    lin = [_linear(v) for v in rgb(hex_colour)]
    m = _MACHADO[vision]
    out = tuple(_gamma(sum(m[i][j] * lin[j] for j in range(3))) for i in range(3))
    return hex_of(out)  # type: ignore[arg-type]


def luminance(hex_colour: str) -> float:
    """WCAG relative luminance."""
    r, g, b = (_linear(v) for v in rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two colours (1..21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def lab(hex_colour: str) -> RGB:
    """CIE L*a*b* (D65) of an sRGB colour."""
    r, g, b = (_linear(v) for v in rgb(hex_colour))
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x), f(y), f(z)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def delta_e(a: str | RGB, b: str | RGB) -> float:
    """CIEDE2000 difference of two colours (hex strings, or L*a*b* triples)."""
    l1, a1, b1 = lab(a) if isinstance(a, str) else a
    l2, a2, b2 = lab(b) if isinstance(b, str) else b
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    cm = (c1 + c2) / 2
    g = 0.5 * (1 - math.sqrt(cm**7 / (cm**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    else:
        dh = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    dhh = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    lm, cmp_ = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hm = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hm = (h1p + h2p) / 2
    else:
        hm = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(hm - 30))
        + 0.24 * math.cos(math.radians(2 * hm))
        + 0.32 * math.cos(math.radians(3 * hm + 6))
        - 0.20 * math.cos(math.radians(4 * hm - 63))
    )
    sl = 1 + 0.015 * (lm - 50) ** 2 / math.sqrt(20 + (lm - 50) ** 2)
    sc = 1 + 0.045 * cmp_
    sh = 1 + 0.015 * cmp_ * t
    rt = -2 * math.sqrt(cmp_**7 / (cmp_**7 + 25**7)) * math.sin(math.radians(60 * math.exp(-(((hm - 275) / 25) ** 2))))
    return math.sqrt((dl / sl) ** 2 + (dc / sc) ** 2 + (dhh / sh) ** 2 + rt * (dc / sc) * (dhh / sh))


def legend_separation(colours: Sequence[str], vision: Vision) -> tuple[float, tuple[int, int]]:
    """The smallest CIEDE2000 difference between two of ``colours`` as ``vision`` sees them, and which two."""
    seen = [lab(simulate(c, vision)) for c in colours]
    best, pair = math.inf, (0, 0)
    for i, j in itertools.combinations(range(len(seen)), 2):
        d = delta_e(seen[i], seen[j])
        if d < best:
            best, pair = d, (i, j)
    return best, pair
