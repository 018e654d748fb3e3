"""Issue 12: billing's packages import each other without a cycle, and no import hides inside a function.

The import graph is read from the source with `ast` (nothing is imported): a module's billing imports anywhere in
it, at any depth (a function body, `if TYPE_CHECKING:`), are its edges. Two checks:
- every `from billing...` / `import billing...` sits at module level, unconditionally (a function-local import is how
  a cycle hid here before);
- the graph between billing's packages (`billing.invoices`, `billing.payments`, ...; a top-level module such as
  `billing.config` is a node of its own) has no cycle, nor has the graph between its modules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = "billing"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted((SRC / ROOT).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_package(module: str, modules: dict[str, Path]) -> bool:
    return modules[module].name == "__init__.py"


def _resolve(node: ast.ImportFrom, module: str, modules: dict[str, Path]) -> list[str]:
    if node.level:
        base = module.split(".") if _is_package(module, modules) else module.split(".")[:-1]
        base = base[: len(base) - node.level + 1]
        target = ".".join([*base, node.module] if node.module else base)
    else:
        target = node.module or ""
    # `from billing.payments import credit` imports the module billing.payments.credit.
    subs = [f"{target}.{alias.name}" for alias in node.names if f"{target}.{alias.name}" in modules]
    return subs or [target]


def _imports(module: str, modules: dict[str, Path]) -> Iterator[tuple[str, ast.stmt, bool]]:
    """(imported billing module, the statement, whether it sits at module level unconditionally)."""
    tree = ast.parse(modules[module].read_text(), filename=str(modules[module]))
    top = {id(stmt) for stmt in tree.body}
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            targets = _resolve(node, module, modules)
        for target in targets:
            if target == ROOT or target.startswith(ROOT + "."):
                yield target, node, id(node) in top


def _owner(name: str, modules: dict[str, Path]) -> str:
    """The longest known billing module a dotted name belongs to."""
    parts = name.split(".")
    while parts and ".".join(parts) not in modules:
        parts.pop()
    return ".".join(parts)


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def _graph(level: str) -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for module in modules:
        source = _package(module) if level == "package" else module
        graph.setdefault(source, set())
        for target, _, _ in _imports(module, modules):
            dest = _owner(target, modules)
            dest = _package(dest) if level == "package" else dest
            if dest and dest != source and dest != ROOT:
                graph[source].add(dest)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _path(graph: dict[str, set[str]], cycle: list[str]) -> str:
    """One loop through the component, to say where it is."""
    members, start = set(cycle), cycle[0]
    trail, node = [start], start
    while True:
        node = sorted(n for n in graph[node] if n in members)[0]
        if node in trail:
            return " -> ".join([*trail[trail.index(node):], node])
        trail.append(node)


def test_issue12_no_function_local_billing_imports() -> None:
    modules = _modules()
    hidden = [f"{modules[m].relative_to(SRC)}:{node.lineno} imports {target}"
              for m in modules for target, node, at_top in _imports(m, modules) if not at_top]
    assert not hidden, "billing imports must sit at module level (a local import hides a cycle):\n" + "\n".join(hidden)


def test_issue12_no_cycle_between_billing_packages() -> None:
    graph = _graph("package")
    assert {"billing.invoices", "billing.payments", "billing.config"} <= set(graph)  # the check sees the tree
    cycles = _cycles(graph)
    assert not cycles, "import cycles between billing's packages:\n" + "\n".join(_path(graph, c) for c in cycles)


def test_issue12_no_cycle_between_billing_modules() -> None:
    graph = _graph("module")
    cycles = _cycles(graph)
    assert not cycles, "import cycles between billing's modules:\n" + "\n".join(_path(graph, c) for c in cycles)


def test_issue12_the_check_finds_a_cycle() -> None:
    """The detector itself: a loop of three is reported, a chain is not."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


# Modules whose functions open and commit their own transactions besides the `jobs.py` of each domain: the
# checkout and paying several invoices at once, the direct-debit sign-up and saving a payment method (B-21) (what
# they ask for is committed before the provider is called), the webhook endpoint (the event is stored and committed
# before it is answered) and the seed.
COMMITTING = {"billing.payments.checkout", "billing.payments.batches", "billing.payments.webhook_endpoints",
              "billing.direct_debit.signup", "billing.autopay.saving", "billing.seed"}


def _opens_transactions(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in ("unit_of_work", "commit"):
                return True
    return False


def test_issue12_only_jobs_commit() -> None:
    """Item 5: a function that opens its own transactions lives in a domain's `jobs.py` (or one of COMMITTING),
    and such a module has no top-level function that works in a caller's session (those only flush)."""
    modules = _modules()
    wrong, mixed = [], []
    for module, path in modules.items():
        tree = ast.parse(path.read_text())
        committing = module.endswith(".jobs") or module in COMMITTING
        if _opens_transactions(tree) and not committing:
            wrong.append(module)
        if committing:
            mixed += [f"{module}.{f.name}" for f in tree.body if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
                      and any(a.arg == "session" for a in f.args.args + f.args.kwonlyargs)]
    assert not wrong, f"these open transactions outside a jobs.py: {wrong}"
    assert not mixed, f"these only flush but sit among committing functions: {mixed}"
