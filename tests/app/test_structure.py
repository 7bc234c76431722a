"""The shape of the code: imports flow one way, the engine knows nothing of Streamlit, no program in a string."""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("geo", "ui", "pages")


def _modules() -> dict[str, Path]:
    out = {"app": ROOT / "app.py"}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def _imports(path: Path, known: set[str]) -> set[str]:
    """Every module of ours that ``path`` imports, at module level or inside a function alike."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from geo.store.reads import edit`` imports the module geo.store.reads.edit, not the package's own code
            subs = [f"{node.module}.{a.name}" for a in node.names]
            names = [n for n in subs if n in known] or [node.module]
        for n in names:
            while n and n not in known:
                n = n.rpartition(".")[0]
            if n:
                found.add(n)
    return found


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {m: _imports(p, known) - {m} for m, p in mods.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                return [*stack[stack.index(n) :], n]
            if n not in state and (found := visit(n)):
                return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = _graph()
    assert len(graph) > 40  # the walk found the project
    assert _cycle(graph) is None, " → ".join(_cycle(graph) or [])


def test_the_walk_finds_a_cycle_made_of_function_level_imports() -> None:
    """The check itself: a deferred import closing a loop is a cycle too."""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_engine_knows_nothing_of_streamlit_or_the_pages() -> None:
    for path in sorted((ROOT / "geo").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for n in names:
                top = n.split(".")[0]
                assert top not in ("streamlit", "streamlit_folium", "ui", "pages"), f"{path.name} imports {n}"


# A program: a function, a control statement, or a statement chain of JavaScript inside a Python string.
_JS = re.compile(
    r"\bfunction\s*\(|=>\s*[{(]|\bvar\s+\w+\s*=|\bdocument\.|\bnew\s+(Worker|Promise|Path2D)\b|\.prototype\."
)


def test_no_python_string_holds_a_javascript_program() -> None:
    offenders = []
    for pkg in (*PACKAGES, "app.py"):
        paths = [ROOT / pkg] if pkg.endswith(".py") else sorted((ROOT / pkg).rglob("*.py"))
        for path in paths:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and _JS.search(node.value):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders


def test_the_map_scripts_are_files_of_the_package() -> None:
    from geo.webmap.mapview import STATIC_CSS, STATIC_DIR, STATIC_JS, WORKER_JS

    for name in (*STATIC_JS, *STATIC_CSS, WORKER_JS):
        assert (STATIC_DIR / name).stat().st_size > 200, name


def _store_reads(path: Path) -> list[int]:
    """Lines of ``path`` that read a layer straight off the store: ``.read(…)`` on ``data.store()``, on a
    name given ``data.store()``, or on a ``Store(…)`` made there."""

    def is_store(node: ast.AST, names: set[str]) -> bool:
        if isinstance(node, ast.Name):
            return node.id in names
        if isinstance(node, ast.Call):
            f = node.func
            return (isinstance(f, ast.Attribute) and f.attr == "store") or (isinstance(f, ast.Name) and f.id == "Store")
        return False

    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and is_store(node.value, set()):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple):
            for t, v in zip(getattr(node.targets[0], "elts", []), node.value.elts, strict=False):
                if isinstance(t, ast.Name) and is_store(v, set()):
                    names.add(t.id)
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "read"
        and is_store(node.func.value, names)
    ]


def test_pages_and_the_board_read_through_the_one_read_path() -> None:
    """The pages' glue reads layers through ui.data (geo.read.access, with the day, units and role); the board and
    the alerts are given a reader and never open the store."""
    offenders = {
        str(p.relative_to(ROOT)): lines
        for p in [*sorted((ROOT / "ui").rglob("*.py")), *sorted((ROOT / "pages").rglob("*.py")), ROOT / "app.py"]
        if p.name != "data.py" and (lines := _store_reads(p))
    }
    assert not offenders, offenders
    board = (ROOT / "geo" / "read" / "board.py").read_text(encoding="utf-8")
    assert "geo.store.reads" not in board and "db.connect" not in board and "Store(" not in board


def test_the_read_path_check_sees_a_direct_read() -> None:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write("from ui import data\ns = data.store()\nx = s.read('tasks')\ny = data.store().read('units')\n")
    assert _store_reads(Path(f.name)) == [3, 4]


def _hand_quoted(source: str) -> list[int]:
    """The lines of ``source`` that quote an SQL identifier by hand: a ``"`` just before an f-string's
    placeholder (``f'SELECT * FROM "{layer}"'``), a ``'"'`` glued on with ``+``, or ``'"{}"'.format(…)``;
    the store's one quoting helper (:func:`geo.store.db.quote_ident`) is the exception.
    """
    tree = ast.parse(source)
    helper: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "quote_ident":
            helper.update(n.lineno for n in ast.walk(node) if hasattr(n, "lineno"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for a, b in itertools.pairwise(node.values):
                if isinstance(a, ast.Constant) and str(a.value).endswith('"') and isinstance(b, ast.FormattedValue):
                    found.add(node.lineno)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            if any(isinstance(x, ast.Constant) and x.value == '"' for x in (node.left, node.right)):
                found.add(node.lineno)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and isinstance(node.func.value, ast.Constant)
            and re.search(r'"\{[^}]*\}"', str(node.func.value.value))
        ):
            found.add(node.lineno)
    return sorted(found - helper)


def test_the_store_quotes_every_identifier_through_its_one_helper() -> None:
    """A layer or column name in the store's SQL goes through ``Session.ident`` (``db.quote_ident`` on a
    GeoPackage, ``psycopg.sql.Identifier`` on PostGIS): a name holding a quote, or ``?`` on PostGIS, is
    written as the database spells it, never by hand."""
    offenders = {
        str(p.relative_to(ROOT)): lines
        for p in sorted((ROOT / "geo" / "store").rglob("*.py"))
        if (lines := _hand_quoted(p.read_text(encoding="utf-8")))
    }
    assert not offenders, offenders


def test_the_quoting_check_sees_a_hand_quoted_identifier() -> None:
    source = (
        "def quote_ident(name):\n    return '\"' + name.replace('\"', '\"\"') + '\"'\n"
        "a = f'SELECT * FROM \"{layer}\"'\n"
        'b = f\'INSERT INTO main."{layer}" ("{c}")\'\n'
        "c = '\"' + column + '\"'\n"
        "d = 'DELETE FROM \"{}\"'.format(layer)\n"
        "e = f'CREATE INDEX \"{layer}_{geom}_idx\" ON x'\n"
        "f = f'SELECT {conn.ident(layer)} FROM t WHERE x = \"literal\"'\n"
        'g = f"{x:.6f}"\n'
    )
    assert _hand_quoted(source) == [3, 4, 5, 6, 7]


def _room(module: str) -> str:
    """The room of a module of ``geo``: its sub-package (``geo.store.reads.edit`` → ``store``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else module


def test_no_private_name_crosses_a_room() -> None:
    """A name that starts with ``_`` is its room's own: no module of another room imports or reaches it."""
    mods = _modules()
    offenders = []
    for name, path in mods.items():
        if not name.startswith("geo."):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("geo") and node.level == 0:
                for a in node.names:
                    full = f"{node.module}.{a.name}"
                    if full in mods:  # a module imported from its package
                        aliases[a.asname or a.name] = full
                    elif a.name.startswith("_") and _room(node.module) != _room(name):
                        offenders.append(f"{name} imports {node.module}.{a.name}")
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name in mods:
                        aliases[a.asname or a.name] = a.name
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and _room(aliases[node.value.id]) != _room(name)
            ):
                offenders.append(f"{name} reaches {aliases[node.value.id]}.{node.attr}")
    assert not offenders, offenders


def test_every_empty_choice_speaks_the_page_s_language() -> None:
    """Streamlit's own placeholder ("Choose an option") is English only: every multiselect, and every select
    that may show empty, says "Chọn…" / "Choose…" from the catalog instead."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    missing = []
    for path in [*root.glob("ui/*.py"), *root.glob("pages/*.py"), root / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("multiselect", "selectbox")
                and "placeholder" not in {k.arg for k in node.keywords}
                and (node.func.attr == "multiselect" or any(k.arg == "index" for k in node.keywords))
            ):
                missing.append(f"{path.name}:{node.lineno}")
    assert not missing, missing


def test_every_button_that_writes_keeps_its_press() -> None:
    """Streamlit reports a press for one run, and a map's report can cut that run short before the page reaches
    the button (ui/press.py). So every button either acts in a callback (run before the page) or goes through
    ui.press; only the buttons that write nothing are left plain."""
    import ast
    from pathlib import Path

    writes_nothing = {"edit.reload"}  # draws the edit form again from the store
    root = Path(__file__).resolve().parents[2]
    plain = []
    for path in [*root.glob("ui/*.py"), *root.glob("pages/*.py"), root / "app.py"]:
        if path.name == "press.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("button", "form_submit_button")
                and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "press")
                and "on_click" not in {k.arg for k in node.keywords}
            ):
                continue
            label = node.args[0] if node.args else None
            text_key = (
                label.args[0].value
                if isinstance(label, ast.Call) and label.args and isinstance(label.args[0], ast.Constant)
                else None
            )
            if text_key not in writes_nothing:
                plain.append(f"{path.name}:{node.lineno}")
    assert not plain, plain


# What a run can be cut short at (ui/press.py): a Streamlit call, the session's state, and the app's helpers
# that read either (ui.data: the store's place, the units, the role; ui.state: the language, the day).
_CUTS = {"st", "data", "state"}


def _is_press_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "press"
    )


def _press_names(fn: ast.FunctionDef | ast.AsyncFunctionDef, handed: set[str]) -> set[str]:
    """The names a function binds to a press: ``x = press.button(…)`` / ``press.submit(…)``, its parameters a
    press is handed to (``handed``), and a loop's names over presses (``for keep, pressed in ((a, x), …)``)."""
    names = set(handed)
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign) and _is_press_call(node.value):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    for node in ast.walk(fn):
        if isinstance(node, ast.For) and any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node.iter)):
            names |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
    return names


def _taken(test: ast.expr, names: set[str]) -> tuple[str | None, bool] | None:
    """The press an ``if`` takes, and whether its body runs without it (``if not x:``): ``if x:``,
    ``if x and …:``, ``if not x:``, ``if press.button(…):`` (``x.waiting`` only looks). ``None``: no take."""
    if _is_press_call(test):
        return None, False
    negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    inner = test.operand if isinstance(test, ast.UnaryOp) and negated else test
    parts = inner.values if isinstance(inner, ast.BoolOp) and isinstance(inner.op, ast.And) else [inner]
    for part in parts:
        if isinstance(part, ast.Name) and part.id in names:
            return part.id, negated
    return None


def _pos(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


# What only formats or reads the catalog: a call of these is not the write a window ends at.
_PURE = ("geo.model.i18n", "geo.model.safe", "geo.model.values", "geo.model.catalog", "geo.model.crs")


def _engine_names(source: str) -> set[str]:
    """The names a module imports from the engine (``from geo… import x``, ``from geo… import module``), but for
    those that only format text or read the catalog (:data:`_PURE`)."""
    return {
        alias.asname or alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom)
        and (node.module or "").split(".")[0] == "geo"
        and not (node.module or "").startswith(_PURE)
        for alias in node.names
    }


def _reads_after_the_take(source: str, engine: set[str]) -> list[int]:
    """Lines where a function, having taken a press, reads what Streamlit gives before the press's write.

    The take: ``if x:`` (its body), ``if not x: return`` (what follows it), ``if press.button(…):``. A use of a
    name of :data:`_CUTS` after the take is late unless, on its own path, a call of the engine (``engine``: what
    the module imports from ``geo``, the write or what prepares it) or ``x.then`` / ``x.note`` came before it, in
    a statement before it in an enclosing block (a read in the write's own arguments is late: it comes first).
    Each branch of an ``if`` is its own path; what an ``except`` does (the write failed: say why) is not checked,
    nor a branch that writes nothing and returns (a refusal). A press handed to a function of the module
    (``_save(x, …)``) is followed there, whether it was taken before or is taken there.
    """
    tree = ast.parse(source)
    local = {f.name: f for f in tree.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}
    parent: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parent[id(child)] = node

    def ends(n: ast.AST, name: str | None) -> bool:
        if not isinstance(n, ast.Call):
            return False
        f = n.func
        if isinstance(f, ast.Name):
            return f.id in engine
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
            return f.value.id in engine or (f.value.id == name and f.attr in ("then", "note"))
        return False

    def written_before(n: ast.AST, top: ast.AST, name: str | None, since: tuple[int, int]) -> bool:
        """Whether a write comes before ``n`` on its path, after ``since`` (the take), looking up to ``top``."""
        child, up = n, parent.get(id(n))
        while up is not None and child is not top:
            if isinstance(up, ast.ExceptHandler):
                return True  # what an except does is not checked
            for field in ("body", "orelse", "finalbody", "handlers"):
                block = getattr(up, field, None)
                if isinstance(block, list) and child in block:
                    earlier = [e for e in block[: block.index(child)] if _pos(e) > since]
                    if any(ends(m, name) for stmt in earlier for m in ast.walk(stmt)):
                        return True
            child, up = up, parent.get(id(up))
        return False

    def refusal(n: ast.AST, top: ast.AST, name: str | None) -> bool:
        """Whether ``n`` is in a branch that writes nothing and returns (a refusal said on the page)."""
        up = parent.get(id(n))
        while up is not None and up is not top:
            if (
                isinstance(up, ast.If)
                and up.body
                and isinstance(up.body[-1], (ast.Return, ast.Raise))
                and not any(ends(m, name) for stmt in up.body for m in ast.walk(stmt))
            ):
                return True
            up = parent.get(id(up))
        return False

    found: set[int] = set()

    def hand_offs(nodes: list[ast.AST], names: set[str]) -> list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, str]]:
        """The functions of the module a press of ``names`` is handed to among ``nodes``, with their parameter."""
        out = []
        for call in nodes:
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in local:
                callee = local[call.func.id]
                for i, a in enumerate(call.args):
                    if isinstance(a, ast.Name) and a.id in names and i < len(callee.args.args):
                        out.append((callee, callee.args.args[i].arg))
        return out

    def check(region: list[ast.AST], top: ast.AST, name: str | None, since: tuple[int, int]) -> None:
        late = [n for n in region if not written_before(n, top, name, since)]
        found.update(n.lineno for n in late if isinstance(n, ast.Name) and n.id in _CUTS and not refusal(n, top, name))
        for callee, param in hand_offs(late, {name} if name else set()):  # taken, then handed on before its write
            check([m for stmt in callee.body for m in ast.walk(stmt)], callee, param, (0, 0))

    handed: dict[str, set[str]] = {}  # function → its parameters a press is handed to (to be taken there)
    for _ in range(2):  # a press handed on, and handed on again
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for callee, param in hand_offs(list(ast.walk(fn)), _press_names(fn, handed.get(fn.name, set()))):
                    handed.setdefault(callee.name, set()).add(param)
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        names = _press_names(fn, handed.get(fn.name, set()))
        for stmt in ast.walk(fn):
            if not isinstance(stmt, ast.If):
                continue
            take = _taken(stmt.test, names)
            if take is None:
                continue
            name, negated = take
            if negated:  # `if not x: return`: what follows the take, up the enclosing blocks
                after = (stmt.end_lineno or 0, stmt.end_col_offset or 0)
                region = [n for n in ast.walk(fn) if _pos(n) > after]
                top: ast.AST = fn
            else:
                after = _pos(stmt)
                region = [n for s in stmt.body for n in ast.walk(s)]
                top = stmt
            check(region, top, name, after)
    return sorted(found)


def test_a_press_is_taken_only_once_what_its_write_needs_is_read() -> None:
    """A run cut short after its press was taken loses the press: the planner's "Lưu" did nothing, and nothing
    said so (ui/press.py). So what the write needs from Streamlit (the store's place, the selection, the
    session's values) is read after ``if x.waiting:`` and before ``if x:``; from the take to the write, the page
    uses no Streamlit, no session state, no ``ui.data`` or ``ui.state``."""
    late = []
    for path in [*ROOT.glob("ui/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]:
        source = path.read_text(encoding="utf-8")
        late += [f"{path.name}:{line}" for line in _reads_after_the_take(source, _engine_names(source))]
    assert not late, late


def test_the_press_check_sees_a_read_after_the_take() -> None:
    """The check above, on the shape the save of a view had before (stop 44): the store's place and the
    session's values read after the press was taken."""
    before = """
from geo.model.views import save_view

def save(page):
    submitted = press.submit("Lưu", key="go")
    if not submitted:
        return
    where = data.store().location
    name = st.session_state.get("name")
    try:
        save_view(where, name)
    except ValueError as exc:
        st.error(str(exc))
    submitted.then()
"""
    after = """
from geo.model.views import save_view

def save(page):
    submitted = press.submit("Lưu", key="go")
    if not submitted.waiting:
        return
    where, name = data.store().location, st.session_state.get("name")
    if not submitted:
        return
    try:
        save_view(where, name)
    except ValueError as exc:
        st.error(str(exc))
    submitted.then()
"""
    handed = """
from geo.store.edit import save_edit

def form(page):
    submitted = press.submit("Lưu", key="go")
    if submitted:
        _save(submitted, page)

def _save(pressed, page):
    where = data.store().location
    save_edit(where, page)
    pressed.then()
"""
    assert _reads_after_the_take(before, _engine_names(before)) == [8, 9]
    assert _reads_after_the_take(after, _engine_names(after)) == []
    assert _reads_after_the_take(handed, _engine_names(handed)) == [10]  # in the function it was handed to
    # The press taken in the function it was handed to while only looked at, by a condition with more in it, in
    # a loop over presses; a text formatted first is no write; a refusal that writes nothing may speak.
    shapes = """
from geo.model.i18n import t
from geo.store.edit import edit

def form(page):
    submitted = press.submit("Lưu", key="go")
    if submitted.waiting:
        _save(submitted, page)
    make = press.submit("Tạo", key="make")
    if make and page:
        said = t("ok", "vi")
        edit(data.store().location, said)
    for keep, pressed in (("a", make), ("b", submitted)):
        if not pressed:
            continue
        if not keep:
            st.warning("Chưa chọn")
            return
        edit(st.session_state["where"], keep)

def _save(pressed, page):
    if not pressed:
        return
    edit(data.store().location, page)
"""
    assert _reads_after_the_take(shapes, _engine_names(shapes)) == [12, 19, 24]
