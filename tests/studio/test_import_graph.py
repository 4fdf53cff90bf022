"""The project's dependencies run one way (studio ← bookings ← intake) and never in a circle.

``scripts/import_graph.py`` reads every import of the apps (those inside functions too);
these tests run it on the project, and on small made-up projects to prove it catches what
it must.
"""

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_script():
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts/import_graph.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and annotations look the module up
    spec.loader.exec_module(module)
    return module


graph_script = _load_script()


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    for app in graph_script.LAYERS:
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
    for name, source in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return tmp_path


def test_the_project_has_no_upward_import_and_no_circle():
    graph = graph_script.build_graph()
    assert graph_script.problems(graph) == []
    # The graph is the real one: it sees the apps and the imports between them.
    assert "intake.services" in graph
    assert "bookings.services" in graph["intake.services"]
    assert "studio.models" in graph["bookings.models"]


def test_the_check_finds_an_import_from_bookings_into_intake(tmp_path):
    root = _project(
        tmp_path,
        {
            "intake/models.py": "",
            "bookings/views.py": "def page():\n    from intake.models import Submission\n",
        },
    )
    found = graph_script.problems(graph_script.build_graph(root))
    assert found == [
        "bookings.views:2 imports intake.models (bookings may not import intake)",
    ]


def test_the_check_finds_an_import_from_studio_into_bookings(tmp_path):
    root = _project(
        tmp_path, {"bookings/errors.py": "", "studio/views.py": "import bookings.errors\n"}
    )
    found = graph_script.problems(graph_script.build_graph(root))
    assert found == ["studio.views:1 imports bookings.errors (studio may not import bookings)"]


def test_the_check_finds_a_circle_through_relative_and_deferred_imports(tmp_path):
    root = _project(
        tmp_path,
        {
            "bookings/services.py": "from . import tasks\n",
            "bookings/tasks.py": "from bookings import sweeps\n",
            "bookings/sweeps.py": "def run():\n    from bookings.services import x\n",
            "bookings/models.py": "",
        },
    )
    found = graph_script.problems(graph_script.build_graph(root))
    assert found == ["circle: bookings.services -> bookings.sweeps -> bookings.tasks"]


def test_the_check_allows_what_the_layers_allow(tmp_path):
    root = _project(
        tmp_path,
        {
            "studio/models.py": "",
            "bookings/models.py": "from studio.models import Service\n",
            "intake/models.py": "from bookings.models import Booking\nfrom studio import models\n",
        },
    )
    assert graph_script.problems(graph_script.build_graph(root)) == []


# Migrations are history: they may name the models' own callables (default tokens) and the
# schema helpers their operations are made of, nothing else of the apps.
MIGRATION_MAY_IMPORT = {"bookings.models", "studio.models", "studio.ranges", "studio.constraints"}


@pytest.mark.parametrize(
    "path",
    sorted(ROOT.glob("*/migrations/0*.py")),
    ids=lambda p: f"{p.parent.parent.name}/{p.name}",
)
def test_no_migration_imports_live_app_code(path):
    """A data migration carries its data: editing app code cannot change what it loads."""
    apps = set(graph_script.ALLOWED)
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
    ours = {name for name in imported if name.split(".")[0] in apps}
    assert {
        name for name in ours if not any(name.startswith(ok) for ok in MIGRATION_MAY_IMPORT)
    } == set()
