"""One way to reach an object: views get it from their app's ``access`` module and ask named
helpers about roles; selectors are plain reads that know nothing of HTTP."""

from __future__ import annotations

import ast
from pathlib import Path

import legemiddel

SRC = Path(legemiddel.__file__).parent


def _modules(pattern: str) -> list[Path]:
    return sorted(SRC.glob(pattern))


def _calls(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return names


def _imports(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def test_views_neither_check_roles_inline_nor_fetch_objects_themselves():
    views = _modules("*/views.py") + _modules("*/views/*.py")
    assert views
    offenders = {}
    for path in views:
        if found := _calls(ast.parse(path.read_text())) & {"has_role", "get_object_or_404"}:
            offenders[str(path.relative_to(SRC))] = sorted(found)
    assert offenders == {}


def test_selectors_know_nothing_of_http():
    http = ("django.http", "django.urls", "django.shortcuts")
    offenders = {}
    for path in _modules("*/selectors.py"):
        if found := [i for i in _imports(ast.parse(path.read_text())) if i.startswith(http)]:
            offenders[str(path.relative_to(SRC))] = sorted(found)
    assert offenders == {}
