"""Altair charts built once per data: a rerun that shows the same numbers sends the chart it made before.

Building an Altair chart and turning it into Vega-Lite validates every part against the schema: about a
tenth of a second per chart, on every rerun of the page (a click on the map, a widget elsewhere, each of
fifty people in a meeting). :func:`chart` keeps the Vega-Lite spec per (what the chart shows, the data it
is drawn from) and hands Streamlit the kept spec.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

_SPECS: OrderedDict[tuple[Hashable, ...], str] = OrderedDict()
_LOCK = threading.Lock()
_BUILDING = threading.Lock()  # Altair's theme is global to all threads (sessions)
_MAX = 64


def _digest(frame: pd.DataFrame) -> str | None:
    """A digest of everything ``frame`` holds (pickle writes every column, label and value it is given);
    ``None`` for a value pickle cannot write: that chart is built afresh.
    """
    try:
        return hashlib.blake2b(pickle.dumps(frame, protocol=5), digest_size=20).hexdigest()
    except Exception:  # an odd value: no digest, no keeping
        return None


def spec_of(build: Callable[[], Any], memo: tuple[Hashable, ...], data: tuple[pd.DataFrame, ...]) -> dict[str, Any]:
    """The Vega-Lite spec of the Altair chart ``build()`` makes, made once per ``memo`` and ``data``.

    ``memo`` names what the chart shows beyond its data (which chart, the language, the field it is
    coloured by); ``data`` is every frame ``build`` draws from. A fresh copy is returned each time.
    Made as Streamlit makes it: without Altair's default theme (its fixed 300-pixel view).
    """
    digests = tuple(_digest(f) for f in data)
    key = (*memo, *digests)
    keep = None not in digests
    with _LOCK:
        text = _SPECS.get(key) if keep else None
        if text is not None:
            _SPECS.move_to_end(key)
    if text is None:
        with _BUILDING, alt.theme.enable("none"):
            text = json.dumps(build().to_dict(), ensure_ascii=False)
        if keep:
            with _LOCK:
                _SPECS[key] = text
                while len(_SPECS) > _MAX:
                    _SPECS.popitem(last=False)
    spec: dict[str, Any] = json.loads(text)
    return spec


def chart(build: Callable[[], Any], memo: tuple[Hashable, ...], data: tuple[pd.DataFrame, ...], **kwargs: Any) -> Any:
    """``st.altair_chart(build(), **kwargs)``, with the chart built once per ``memo`` and ``data``."""
    return st.vega_lite_chart(spec=spec_of(build, memo, data), **kwargs)
