"""The package layout: each part of optout imports only from the parts below it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "optout"

# What each part may import (besides itself and the top-level `optout` for __version__).
# Keep this table and CONTRIBUTING.md's module map the same.
ALLOWED: dict[str, set[str]] = {
    "flow": set(),
    "browser": {"flow"},
    "check": {"flow", "browser"},
    "store": {"flow", "check"},
    "integrity": {"flow", "check", "store"},
    "outputs": {"flow", "check", "store", "integrity"},
    "report": {"flow", "check", "store", "integrity"},
    "terminal": {"flow", "check", "store"},
    "replica": {"flow"},
    "cli": {
        "flow",
        "browser",
        "check",
        "store",
        "integrity",
        "outputs",
        "report",
        "terminal",
        "replica",
    },
}
MAX_LINES = 420


def parts_imported(path: Path) -> set[str]:
    """The parts of optout a module imports (at run time or for type checking)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "optout":
                names.update(f"optout.{alias.name}" for alias in node.names)
            else:
                names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n.split(".")[1] for n in names if n.startswith("optout.") and n.count(".") >= 1}


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE or p.stem == "cli")


def test_every_part_is_in_the_table() -> None:
    """Each sub-package of optout has a row in the import table (a new part needs one)."""
    parts = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert parts == set(ALLOWED)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_only_go_down(path: Path) -> None:
    """A module imports only its own part and the parts the table allows below it."""
    part = path.relative_to(PACKAGE).parts[0]
    other = parts_imported(path) - {part, "__version__"}
    assert other <= ALLOWED[part], f"{part} may not import {sorted(other - ALLOWED[part])}"


def test_nothing_imports_the_command_line() -> None:
    """Only the cli package imports itself: the core never depends on click."""
    for path in modules():
        if path.relative_to(PACKAGE).parts[0] != "cli":
            assert "cli" not in parts_imported(path), path
            assert "import click" not in path.read_text(), path


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_too_long(path: Path) -> None:
    """A module past ~400 lines asks to be split along a seam."""
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines"
