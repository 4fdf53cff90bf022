"""Real-browser tests: pytest-playwright driving the system Chromium against live_server."""

from pathlib import Path

import pytest

OUTPUT = Path(__file__).resolve().parent.parent.parent / "test-output" / "screenshots"


@pytest.fixture
def shot(page, request):
    """Save a numbered screenshot of the current page under test-output/screenshots/<test>/."""
    folder = OUTPUT / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def take(name: str):
        counter["n"] += 1
        page.screenshot(path=str(folder / f"{counter['n']:02d}-{name}.png"), full_page=True)

    return take


@pytest.fixture
def live_demo(live_server, transactional_db):
    """A live server with the demo studio loaded."""
    from studio.services import demo_seed

    demo_seed()
    return live_server
