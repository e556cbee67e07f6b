"""The package's import graph: no cycles, and each layer imports only those below."""

import ast
import pathlib

import sklearn_hpo

PACKAGE = pathlib.Path(sklearn_hpo.__file__).parent

# DESIGN.md's layers, lowest first; a module may import its own layer and the
# layers below it.
LAYERS = [
    ("utils",),
    ("space",),
    ("optimizers", "schedulers"),
    ("journal",),
    ("search", "callbacks"),
    ("plotting",),
]


def _module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules():
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name, path, modules):
    """The package's modules that ``name`` imports (anywhere in its code)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0]
                base = f"{anchor}.{base}" if base else anchor
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                for a in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t in modules and t != name)
    return found


def _graph():
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_the_import_graph_has_no_cycle():
    graph = _graph()
    state = {}
    stack = []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycle = stack[stack.index(nxt) :] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)


def _layer(name):
    parts = name.split(".")
    if len(parts) < 2:
        return None  # the top-level package re-exports everything
    for level, names in enumerate(LAYERS):
        if parts[1] in names:
            return level
    return None


def test_each_layer_imports_only_itself_and_the_layers_below():
    offenders = []
    for name, targets in _graph().items():
        level = _layer(name)
        if level is None:
            continue
        for target in targets:
            other = _layer(target)
            if other is not None and other > level:
                offenders.append(f"{name} -> {target}")
    assert offenders == []


def test_the_checks_see_imports():
    graph = _graph()
    assert "sklearn_hpo.search._evaluation" in graph["sklearn_hpo.search._base"]
    assert _layer("sklearn_hpo.search._base") > _layer("sklearn_hpo.optimizers._base")
