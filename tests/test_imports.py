"""No import circles in the project's modules, function-level imports included."""

from helpers import ROOT
from latentspace.tools.deps import imported_modules, project_file

def graph() -> dict[str, set[str]]:
    """``{file: the project files it imports}`` over latentspace/ and stages/ (a package's __init__ aside)."""
    edges = {}
    for path in sorted([*(ROOT / "latentspace").rglob("*.py"), *(ROOT / "stages").glob("*.py")]):
        name = str(path.relative_to(ROOT))
        targets = {project_file(module) for module in imported_modules(path)}
        edges[name] = {str(t.relative_to(ROOT)) for t in targets if t is not None and t.name != "__init__.py"} - {name}
    return edges


def cycles(edges: dict[str, set[str]]) -> set[frozenset]:
    """The strongly connected components of more than one file (Tarjan's algorithm)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), set(), [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.add(frozenset(component))

    for node in edges:
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_circle_it_is_shown():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == {frozenset({"a", "b", "c"})}
    assert cycles({"a": {"b"}, "b": set()}) == set()


def test_no_import_circle():
    found = cycles(graph())
    assert not found, sorted(map(sorted, found))


def test_no_module_imports_a_private_keras_api():
    """keras.src is Keras's own inside: it moves between releases without notice."""
    from latentspace.tools.deps import imported_modules

    private = {str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.startswith("keras.src"))
               for path in [*(ROOT / "latentspace").rglob("*.py"), *(ROOT / "stages").glob("*.py")]}
    assert {path: found for path, found in private.items() if found} == {}


def test_stages_are_thin_and_modules_small():
    """A stage script is its declaration, its inputs read, one library call or a few, its outputs written: 60 lines at
    most; a module holds one thing: 300 lines at most."""
    long_stages = {p.name: n for p in (ROOT / "stages").glob("*.py") if (n := len(p.read_text().splitlines())) > 60}
    long_modules = {str(p.relative_to(ROOT)): n for p in (ROOT / "latentspace").rglob("*.py")
                    if (n := len(p.read_text().splitlines())) > 300}
    assert long_stages == {} and long_modules == {}


LAYERS = ("core", "data", "models", "measures", "claims", "pages", "tools")  # latentspace/__init__.py's map, bottom up


def layer(path: str) -> int | None:
    """The layer of a project file (latentspace/<layer>/...), None for a file outside them (a package's __init__)."""
    parts = path.split("/")
    return LAYERS.index(parts[1]) if parts[0] == "latentspace" and len(parts) > 2 and parts[1] in LAYERS else None


def test_each_subpackage_imports_only_the_layers_below_it():
    """core ← data ← models ← measures ← claims ← pages ← tools: no import runs back up, and no stage imports tools."""
    upward = sorted((source, target) for source, targets in graph().items() for target in targets
                    if layer(source) is not None and layer(target) is not None and layer(target) > layer(source))
    assert upward == []
    assert sorted((s, t) for s, targets in graph().items() for t in targets
                  if s.startswith("stages/") and layer(t) == LAYERS.index("tools")) == []
    assert {p.name for p in (ROOT / "latentspace").glob("*.py")} == {"__init__.py"}  # every module in a layer


def test_every_page_is_a_template_and_no_module_writes_markup():
    """The four pages and their parts live in latentspace/pages/templates (Jinja, every value escaped unless the
    code marks it as markup); no module builds HTML in a string of its own."""
    import re

    tag = re.compile(r"<(td|th|tr|table|p|h[1-6]|li|ul|img|figure|html)[ >]")
    writing = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "latentspace").rglob("*.py") if tag.search(p.read_text()))
    assert writing == []
    assert {p.name for p in (ROOT / "latentspace/pages/templates").glob("*.html")} >= {
        "report.html", "study.html", "sweep.html", "explore.html"}
