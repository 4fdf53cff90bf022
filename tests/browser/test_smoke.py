"""The home page renders in a real browser with the local Bootstrap and htmx."""

import pytest


@pytest.mark.django_db(transaction=True)
def test_home_page_shows_the_services_in_chromium(page, live_demo, shot):
    page.goto(live_demo.url + "/")
    shot("home")
    assert page.get_by_role("heading", name="Our massages").is_visible()
    assert page.get_by_role("link", name="Leg massage").first.is_visible()
    # Bootstrap loaded from /static with its integrity hash: the navbar is styled.
    background = page.locator("nav.navbar").evaluate("el => getComputedStyle(el).display")
    assert background == "flex"
    assert page.evaluate("typeof htmx") == "object"
