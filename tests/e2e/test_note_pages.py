"""The note's other questions in a real browser on the demo: Gebied and Voortgang show their
new sections, each in its tab opened by its link, without an error (screenshots
test-artifacts/note-<page>-<tab>.png)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import open_page, screenshot

SECTIONS = {
    "gebied?gebied=oost&onderdeel=Overgang": ("Overgang van bestaande gebruikers",),
    "gebied?gebied=oost&onderdeel=WIJ": ("Toegang via WIJ",),
    "gebied?gebied=oost&onderdeel=Keuze": ("Keuze",),
    "gebied?gebied=oost&onderdeel=Context": ("Gebied in context",),
    "voortgang?onderdeel=Meer+cijfers": ("Meer over de gemeente en de gebieden", "Overgang van bestaande gebruikers",
                                         "Toegang via WIJ", "Keuze", "Ouderen (75 jaar of ouder)"),
}


def name(path: str) -> str:
    """note-gebied-wij for Gebied's WIJ tab, note-voortgang-meer-cijfers for Voortgang's last."""
    page, _, query = path.partition("?")
    tab = dict(part.split("=") for part in query.split("&"))["onderdeel"]
    return f"{page}-{tab.lower().replace('+', '-')}"


@pytest.mark.parametrize("path", SECTIONS, ids=name)
def test_new_sections_are_shown(demo_server, page, path):
    page.set_default_timeout(180_000)  # the first visit builds the demo, slowly on a busy machine
    open_page(page, f"{demo_server.url}/{path}")
    for heading in SECTIONS[path]:
        page.get_by_role("heading", name=heading, exact=True).first.wait_for()
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0  # friendly_errors' message
    page.wait_for_timeout(500)  # let the charts draw
    assert screenshot(page, f"note-{name(path)}").stat().st_size > 10_000  # the whole page
