import ast
import pathlib

import sklearn_hpo

PACKAGE = pathlib.Path(sklearn_hpo.__file__).parent
COMPAT = PACKAGE / "utils" / "_compat.py"


def _is_sklearn(module):
    return module == "sklearn" or module.startswith("sklearn.")


def _private_sklearn_imports(path):
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _is_sklearn(node.module or ""):
            if any(p.startswith("_") for p in node.module.split(".")) or any(
                a.name.startswith("_") for a in node.names
            ):
                found.append(node.module)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if _is_sklearn(a.name) and any(
                    p.startswith("_") for p in a.name.split(".")
                ):
                    found.append(a.name)
    return found


def test_only_the_compat_module_imports_private_sklearn_names():
    offenders = {
        str(p.relative_to(PACKAGE)): _private_sklearn_imports(p)
        for p in PACKAGE.rglob("*.py")
        if p != COMPAT
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert _private_sklearn_imports(COMPAT)  # the check itself can see imports
