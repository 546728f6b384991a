"""The project's size and layering rules (issue 16), checked on the source text: no module over
700 lines, no function over 80, the main window under 500, no benchmark inside the package, no
import cycle between the modules of one package. Nothing of the app is imported here: the source
is read with `ast`, the import graph built by `grimp` (import-linter's) from the files."""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "signstudio"
MAX_MODULE_LINES = 700
MAX_FUNCTION_LINES = 80
MAX_WINDOW_LINES = 500


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _scripts() -> list[Path]:
    """The benchmarks and packaging scripts: outside the package, held to the same function size."""
    return sorted([*(ROOT / "benchmarks").rglob("*.py"), *(ROOT / "packaging").rglob("*.py")])


def _line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _where(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _functions(path: Path) -> Iterator[tuple[int, str, int]]:
    """(line, name, length in lines) of every function and method in ``path``, nested ones too."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            yield node.lineno, node.name, node.end_lineno - node.lineno + 1


def _report(what: str, offenders: list[str]) -> str:
    return f"{len(offenders)} {what}:\n  " + "\n  ".join(offenders)


def test_no_module_over_700_lines():
    offenders = [f"{_where(p)}: {n} lines" for p in _modules() if (n := _line_count(p)) > MAX_MODULE_LINES]
    assert not offenders, _report(f"modules over {MAX_MODULE_LINES} lines", offenders)


def test_no_function_over_80_lines():
    offenders = [
        f"{_where(p)}:{line} {name}, {length} lines"
        for p in [*_modules(), *_scripts()]
        for line, name, length in _functions(p)
        if length > MAX_FUNCTION_LINES
    ]
    assert not offenders, _report(f"functions over {MAX_FUNCTION_LINES} lines", offenders)


def test_the_main_window_stays_small():
    window = PACKAGE / "app" / "window.py"
    lines = _line_count(window)
    assert lines <= MAX_WINDOW_LINES, f"{_where(window)}: {lines} lines (at most {MAX_WINDOW_LINES})"


# `signstudio bench`: the command that runs the top-level benchmarks/ from a checkout
BENCH_COMMAND = PACKAGE / "cli" / "bench_cmd.py"


def test_no_benchmark_module_in_the_package():
    # benchmarks live in the top-level benchmarks/ package, out of the wheel
    offenders = [_where(p) for p in _modules() if p.name.startswith("bench_") and p != BENCH_COMMAND]
    assert not offenders, _report("benchmark modules inside signstudio/", offenders)


def _sibling_cycles(graph: Any, package: str) -> list[list[str]]:
    """Strongly connected components (of more than one) among the direct children of
    ``package``, where a child imports another if any module under it imports any module under
    the other (imports inside functions and TYPE_CHECKING blocks included)."""
    prefix = package + "."

    def child_of(module: str) -> str:
        return prefix + module[len(prefix) :].split(".")[0]

    edges: dict[str, set[str]] = defaultdict(set)
    for module in graph.find_descendants(package):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.startswith(prefix) and child_of(imported) != child_of(module):
                edges[child_of(module)].add(child_of(imported))
    return [sorted(c) for c in _strongly_connected(sorted(graph.find_children(package)), edges) if len(c) > 1]


def _strongly_connected(nodes: list[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (no recursion limit to mind)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(edges.get(successor, ())))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def test_no_import_cycle_between_modules_of_one_package():
    import grimp  # import-linter's graph builder (a dev dependency)

    graph = grimp.build_graph("signstudio", cache_dir=None)
    packages = sorted(m for m in graph.modules if graph.find_children(m))
    offenders = [
        f"{package}: {' <-> '.join(c.rsplit('.', 1)[1] for c in cycle)}"
        for package in packages
        for cycle in _sibling_cycles(graph, package)
    ]
    assert not offenders, _report("import cycles between sibling modules", offenders)


def test_test_modules_have_unique_names():
    """pytest imports test modules by basename (no packages under tests/): two test_x.py in two
    folders stop the whole collection ("import file mismatch")."""
    names = [p.name for p in (ROOT / "tests").rglob("test_*.py")]
    twice = sorted({n for n in names if names.count(n) > 1})
    assert not twice, f"test modules named twice: {twice}"
