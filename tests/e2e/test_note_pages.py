"""The note's other questions in a real browser on the demo: Gebied and Voortgang show their
new sections without an error (screenshots test-artifacts/note-<page>.png)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import open_page, screenshot

SECTIONS = {
    "gebied?gebied=oost": ("Overgang van bestaande gebruikers", "Toegang via WIJ", "Keuze", "Gebied in context"),
    "voortgang": ("Meer over de gemeente en de gebieden", "Overgang van bestaande gebruikers", "Toegang via WIJ", "Keuze",
                  "Ouderen (75 jaar of ouder)"),
}


@pytest.mark.parametrize("path", SECTIONS, ids=lambda path: path.split("?")[0])
def test_new_sections_are_shown(demo_server, page, path):
    page.set_default_timeout(180_000)  # the first visit builds the demo, slowly on a busy machine
    open_page(page, f"{demo_server.url}/{path}")
    for heading in SECTIONS[path]:
        page.get_by_role("heading", name=heading, exact=True).first.wait_for()
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0  # friendly_errors' message
    page.wait_for_timeout(500)  # let the charts draw
    assert screenshot(page, f"note-{path.split('?')[0]}").stat().st_size > 10_000  # the whole page
