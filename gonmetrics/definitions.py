"""The Definities page's texts: every figure's Dutch name and definition (from the
catalogue, in the export's order) and the texts about the figures as a whole.
Source: shared/metrics.md; the extra figures (spreiding, wachttijd) are ours.
"""

from __future__ import annotations

from . import catalogue


def figure_texts() -> dict[str, tuple[str, str]]:
    """metric id -> (Dutch name, Dutch definition), in the order of the export."""
    return {f.id: (f.name, f.text) for f in catalogue.FIGURES}


GENERAL_TEXT = (
    "Alle cijfers gaan per kwartaal over de peildatum (de laatste dag van het kwartaal) en tellen alleen de "
    "actuele levering: per hoofdaanbieder en per kwartaal het laatst geaccepteerde extract, en per kwartaal het "
    "laatst geaccepteerde WIJ-extract. Is de noemer 0, dan blijft het cijfer leeg (niet 0 %). Een gebied zonder "
    "gebruikers heeft 0 gebruikers en lege aandelen."
)

TARGETS_TEXT = (
    "De streefwaarden staan in één tabel (cijfer, peildatum, minimum) die de gemeente kan aanpassen. Tussen "
    "twee punten van die tabel ligt de streefwaarde voor een kwartaal op de rechte lijn tussen die punten, "
    "geteld in kwartalen. Voorbeeld: van 0 % eind 2026 naar 15 % eind 2027 geeft 3,75 % in het eerste "
    "kwartaal van 2027, 7,5 % in het tweede en 11,25 % in het derde. Op of vóór het eerste punt van een cijfer "
    "en na het laatste punt geldt geen streefwaarde. Een streefwaarde geldt voor elk gebied apart en voor de "
    "stad als geheel. Een cijfer op of boven de streefwaarde is 'op koers', eronder 'achter'."
)

OUTLOOK_TEXT = (
    "De vooruitblik is een indicatie, geen voorspelling. Hij trekt een rechte lijn (kleinste kwadraten) door "
    "het aandeel basisondersteuning van de laatste vier kwartalen met een waarde (minder als er minder zijn; "
    "met minder dan twee kwartalen geen vooruitblik) en leest daarop af waar het aandeel aan het eind van het "
    "jaar zou staan (begrensd tot 0-100 %) en in welk kwartaal de lijn elke streefwaarde aan het eind van een "
    "jaar zou halen. Beleid, seizoenen en leveringen veranderen; de lijn houdt daar geen rekening mee."
)

DELIVERY_TEXT = (
    "Een kwartaal is voorlopig als een hoofdaanbieder (of WIJ Groningen) die het kwartaal ervoor wel leverde, "
    "voor dit kwartaal nog niets heeft aangeleverd: de cijfers kunnen dan nog veranderen."
)
