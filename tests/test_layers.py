"""Imports only go down: each package may import the packages below it in LAYERS, never one above it, lazily
(inside a function) or not. The few module-level exceptions are named here with their reason."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Bottom first. ARCHITECTURE.md ("Packages") says what each holds and why it sits where it does.
LAYERS = ["couples", "live", "privacy", "agreements", "ledger", "dialogue", "apology", "relay"]

# (module, package it may import although that package sits above the module's own).
EXCEPTIONS = {
    # The couple's own services and pages tell the couple and follow presence: live builds on couples' models
    # (User, LiveSocket), so it sits above the package, and these three modules sit above live.
    ("couples/linking.py", "live"),
    ("couples/views.py", "live"),
    ("couples/views.py", "privacy"),
    ("couples/events.py", "live"),
    ("couples/events.py", "privacy"),
}


def imports_of(path: Path) -> set[str]:
    """The top-level names of every absolute import in the file, wherever it stands."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found


def upward_imports() -> list[tuple[str, str]]:
    found = []
    for rank, package in enumerate(LAYERS):
        above = set(LAYERS[rank + 1:])
        for path in sorted((ROOT / package).rglob("*.py")):
            module = path.relative_to(ROOT).as_posix()
            found += [(module, name) for name in sorted(imports_of(path) & above)]
    return found


def test_every_package_imports_only_the_packages_below_it():
    assert [edge for edge in upward_imports() if edge not in EXCEPTIONS] == []


def test_each_exception_is_still_needed():
    assert set(upward_imports()) >= EXCEPTIONS, "an exception no longer needed: remove it from EXCEPTIONS"


def test_the_readme_layout_names_every_package_and_live_module():
    readme = (ROOT / "README.md").read_text()
    layout = readme[readme.index("## Layout"):readme.index("## ", readme.index("## Layout") + 3)]
    packages = sorted(p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name != "tests")
    assert [p for p in packages if f"{p}/" not in layout] == []
    assert [m.name for m in (ROOT / "live").glob("[!_]*.py") if m.name not in layout] == []


def test_the_tests_never_import_the_benchmarks():
    """The benchmarks reuse the tests' harness (servers, traces, clients); never the other way round."""
    assert [path.relative_to(ROOT).as_posix() for path in sorted((ROOT / "tests").rglob("*.py"))
            if "bench" in imports_of(path)] == []
