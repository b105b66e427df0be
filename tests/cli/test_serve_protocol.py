"""`serve` builds on textual-serve's files and Textual's public web-driver protocol, never on their internals.

The room used to subclass textual-serve's AppService and Server and reach into their private
attributes, so textual-serve had to be pinned exactly; these tests keep it from creeping back.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

from backprop_stepper.tui import room
from backprop_stepper.tui.session_files import PackedError, unpack

PACKAGE = Path(room.__file__).resolve().parent.parent  # as installed: core/, tui/, scenarios/
CHECKOUT = Path(__file__).resolve().parents[2]  # pyproject.toml is not installed
SERVE_MODULES = ("room", "session", "session_files", "served", "forker")


def modules() -> list[Path]:
    return sorted(path for path in PACKAGE.glob("[!.]*/**/*.py") if ".venv" not in path.parts
                  and path.parts[len(PACKAGE.parts)] in ("core", "tui", "scenarios"))


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def imported_from(tree: ast.AST, package: str) -> list[str]:
    """Every dotted name a module imports from `package` ('textual_serve.app_service.AppService')."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.split(".")[0] == package]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == package:
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def textual_serve_private_names() -> set[str]:
    """The names textual-serve keeps to itself: its `_` modules, methods and attributes."""
    spec = importlib.util.find_spec("textual_serve")
    names = set()
    for path in Path(spec.origin).parent.rglob("*.py"):
        if private(path.stem):
            names.add(path.stem)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and private(node.attr):
                names.add(node.attr)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and private(node.name):
                names.add(node.name)
    return names


def test_the_package_uses_no_private_name_of_textual_serve():
    theirs = textual_serve_private_names()
    assert {"_open_app_process", "_stdin", "_download_manager"} <= theirs  # the scan sees textual-serve's source
    offences = []
    for path in modules():
        tree = ast.parse(path.read_text())
        imports = imported_from(tree, "textual_serve")
        offences += [f"{path.name}: imports {name}" for name in imports
                     if any(private(part) for part in name.split("."))]
        if not imports:
            continue
        # A module that builds on textual-serve's classes must not touch what they keep private.
        for node in ast.walk(tree):
            name = (node.attr if isinstance(node, ast.Attribute)
                    else node.name if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else None)
            if name in theirs:
                offences.append(f"{path.name}:{node.lineno}: {name}")
    assert offences == []


def test_the_serve_modules_touch_no_private_attribute_but_their_own():
    offences = []
    for name in SERVE_MODULES:
        path = PACKAGE / "tui" / f"{name}.py"
        tree = ast.parse(path.read_text())
        own = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
               and isinstance(node.ctx, ast.Store)}
        own |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
        own |= {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
        ours = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and (node.level > 0 or (node.module or "").startswith("backprop_stepper")) for alias in node.names}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and any(private(part) for part in (node.module or "").split(".")):
                offences.append(f"{path.name}:{node.lineno}: from {node.module}")
            if (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) and private(node.attr)
                    and node.attr not in own
                    and not (isinstance(node.value, ast.Name) and node.value.id in ours)  # the package's own modules
                    and not (node.attr == "_exit" and isinstance(node.value, ast.Name) and node.value.id == "os")):
                offences.append(f"{path.name}:{node.lineno}: .{node.attr}")
    assert offences == []


def test_textual_serve_is_a_compatible_range_not_a_pin():
    dependencies = tomllib.loads((CHECKOUT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert "textual-serve>=1.1.3,<2" in dependencies
    named = {re.split(r"[<>=!~ ]", dependency)[0].lower() for dependency in dependencies}
    assert {"aiohttp", "jinja2"} <= named  # imported by tui/room.py and tui/session.py themselves


def test_the_page_files_are_where_textual_serve_ships_them(tmp_path):
    assert room.missing_page_files() == []
    assert room.missing_page_files(tmp_path) == list(room.PAGE_FILES)  # a release that moved them is named
    page = (PACKAGE / "tui" / "templates" / "app_index.html").read_text()
    assert all(name in page for name in room.PAGE_FILES)  # the list is what the page loads


# -- the packed packets a served app sends its file chunks in --------------------------------


def test_a_file_chunk_packet_unpacks():
    assert unpack(b"ts13:deliver_chunks3:abc5:<svg>e") == ("deliver_chunk", "abc", b"<svg>")
    assert unpack(b"ts13:deliver_chunks3:abcs2:\xc3\xa9e") == ("deliver_chunk", "abc", "é")
    assert unpack(b"ts13:deliver_chunks3:abc0:e") == ("deliver_chunk", "abc", b"")  # the last chunk


def test_every_packed_value_kind_unpacks():
    assert unpack(b"ld1:ai-12es1:bNeTFi0e3:a:be") == [{b"a": -12, "b": None}, True, False, 0, b"a:b"]


@pytest.mark.parametrize("bad", [b"", b"ts13:deliver", b"x", b"i12", b"5:abc", b"NN", b"l"])
def test_a_malformed_packet_is_refused(bad):
    with pytest.raises((PackedError, ValueError)):
        unpack(bad)
