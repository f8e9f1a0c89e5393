"""The layers of app/ as the README draws them, checked on the import graph (imports inside functions included).

A domain is a package app/<domain>/. Its routes.py and forms.py (and auth/deps.py) face the request; every other
module of it (service, queries, rules, helpers such as graduation/facts.py) sits below the web: a layer module.
"""

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
WEB_FACING = ("routes", "forms", "deps")
WEB_MODULES = ("app.web", "fastapi", "starlette")
DATABASE_MODULES = ("app.db", "sqlmodel", "sqlalchemy")


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int

    def __str__(self) -> str:
        return f"{self.source} → {self.target} (line {self.line})"


Graph = dict[str, list[Import]]


def module_names(root: Path) -> dict[str, Path]:
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def imports_of(name: str, path: Path, known: set[str]) -> list[Import]:
    """Every import statement anywhere in the module, resolved to a module of app/ where it names one."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [Import(name, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from ..b import y
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.append(Import(name, child if child in known else base, node.lineno))
    return list(dict.fromkeys(found))


def import_graph(root: Path = APP) -> Graph:
    names = module_names(root)
    return {name: imports_of(name, path, set(names)) for name, path in names.items()}


def find_cycle(edges: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One cycle as a path [a, b, …, a], or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    for start in sorted(edges):
        if start in state:
            continue
        path, pending = [start], [iter(sorted(edges.get(start, ())))]
        state[start] = 1
        while pending:
            nxt = next(pending[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                pending.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                pending.append(iter(sorted(edges.get(nxt, ()))))
    return None


def domain_of(module: str) -> str | None:
    """`app.<domain>.<module>` → domain; top-level modules (app.models, app.access, …) belong to none."""
    parts = module.split(".")
    return parts[1] if len(parts) == 3 and parts[0] == "app" else None


def kind_of(module: str) -> str:
    return module.rsplit(".", 1)[-1]


def is_layer(module: str) -> bool:
    return domain_of(module) is not None and kind_of(module) not in WEB_FACING


def within(target: str, prefixes: Iterable[str]) -> bool:
    return any(target == p or target.startswith(p + ".") for p in prefixes)


def cycle_text(cycle: list[str], evidence: Mapping[tuple[str, str], list[Import]]) -> str:
    lines = [" → ".join(cycle)]
    for a, b in zip(cycle, cycle[1:], strict=False):
        lines += [f"    {imp}" for imp in evidence[(a, b)]]
    return "\n".join(lines)


def module_cycle(graph: Graph) -> str | None:
    evidence: dict[tuple[str, str], list[Import]] = {}
    for imps in graph.values():
        for imp in imps:
            if imp.target in graph and imp.target != imp.source:
                evidence.setdefault((imp.source, imp.target), []).append(imp)
    edges: dict[str, set[str]] = {}
    for a, b in evidence:
        edges.setdefault(a, set()).add(b)
    cycle = find_cycle(edges)
    return cycle_text(cycle, evidence) if cycle else None


def domain_cycle(graph: Graph) -> str | None:
    """Domains linked by their layer modules (a service, queries or rules module importing another domain's)."""
    evidence: dict[tuple[str, str], list[Import]] = {}
    for name, imps in graph.items():
        for imp in imps:
            a, b = domain_of(name), domain_of(imp.target)
            if a and b and a != b and is_layer(name) and is_layer(imp.target):
                evidence.setdefault((a, b), []).append(imp)
    edges: dict[str, set[str]] = {}
    for a, b in evidence:
        edges.setdefault(a, set()).add(b)
    cycle = find_cycle(edges)
    return cycle_text(cycle, evidence) if cycle else None


def foreign_routes_imports(graph: Graph) -> list[str]:
    """Routes are mounted by app.main; no other module imports another domain's routes."""
    return [
        str(imp)
        for name, imps in graph.items()
        if name != "app.main"
        for imp in imps
        if kind_of(imp.target) == "routes" and domain_of(imp.target) not in (None, domain_of(name))
    ]


def web_imports(graph: Graph) -> list[str]:
    return [
        str(imp) for name, imps in graph.items() if is_layer(name) for imp in imps if within(imp.target, WEB_MODULES)
    ]


def database_imports_of_rules(graph: Graph) -> list[str]:
    return [
        str(imp)
        for name, imps in graph.items()
        if is_layer(name) and kind_of(name) == "rules"
        for imp in imps
        if within(imp.target, DATABASE_MODULES)
    ]


def services_imported_by_reads(graph: Graph) -> list[str]:
    """Services call queries and rules, never the reverse (the graduation cycle once hid behind that)."""
    return [
        str(imp)
        for name, imps in graph.items()
        if is_layer(name) and kind_of(name) in ("queries", "rules")
        for imp in imps
        if is_layer(imp.target) and kind_of(imp.target) == "service"
    ]


GRAPH = import_graph()


def test_graph_sees_the_app():
    assert {"app.models", "app.meetings.queries", "app.attendance.queries", "app.graduation.service"} <= set(GRAPH)
    targets = {imp.target for imp in GRAPH["app.meetings.routes"]}
    assert {"app.meetings.queries", "app.meetings.service", "app.web", "fastapi"} <= targets


def test_no_module_cycle():
    cycle = module_cycle(GRAPH)
    assert cycle is None, f"import cycle between modules:\n{cycle}"


def test_no_domain_cycle():
    cycle = domain_cycle(GRAPH)
    assert cycle is None, f"import cycle between domains (through their service/queries/rules modules):\n{cycle}"


def test_no_module_imports_another_domains_routes():
    wrong = foreign_routes_imports(GRAPH)
    assert not wrong, "another domain's routes imported:\n" + "\n".join(wrong)


def test_services_queries_rules_stay_off_the_web():
    wrong = web_imports(GRAPH)
    assert not wrong, "service/queries/rules modules import the web layer:\n" + "\n".join(wrong)


def test_rules_stay_off_the_database():
    wrong = database_imports_of_rules(GRAPH)
    assert not wrong, "rules.py modules import the database:\n" + "\n".join(wrong)


def test_queries_and_rules_never_import_a_service():
    wrong = services_imported_by_reads(GRAPH)
    assert not wrong, "queries/rules modules import a service:\n" + "\n".join(wrong)


def test_each_check_finds_its_fault(tmp_path: Path):
    """A small tree with every fault, one hidden inside a function: each check reports it."""
    for module, text in {
        "__init__": "",
        "web": "",
        "main": "from app.a import routes\n",
        "a/__init__": "",
        "a/service": "from app.b.queries import x\n",
        "a/routes": "",
        "b/__init__": "",
        "b/queries": "def f():\n    from app.a import service\n",
        "b/rules": "from app.web import render\nfrom app.a.routes import router\nimport sqlmodel\n",
        "c/__init__": "",
        "c/rules": "from . import service\n",
        "c/service": "from app.a.service import y\n",
    }.items():
        path = tmp_path / "app" / f"{module}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    graph = import_graph(tmp_path / "app")
    assert module_cycle(graph) == (
        "app.a.service → app.b.queries → app.a.service\n"
        "    app.a.service → app.b.queries (line 1)\n"
        "    app.b.queries → app.a.service (line 2)"
    )
    assert (domain_cycle(graph) or "").startswith("a → b → a\n")
    assert foreign_routes_imports(graph) == ["app.b.rules → app.a.routes (line 2)"]
    assert web_imports(graph) == ["app.b.rules → app.web (line 1)"]
    assert database_imports_of_rules(graph) == ["app.b.rules → sqlmodel (line 3)"]
    assert services_imported_by_reads(graph) == [
        "app.b.queries → app.a.service (line 2)",
        "app.c.rules → app.c.service (line 1)",
    ]
    assert [imp.target for imp in graph["app.c.rules"]] == ["app.c.service"]
    assert module_cycle({"app.x": [], "app.y": [Import("app.y", "app.x", 1)]}) is None
