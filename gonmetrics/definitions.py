"""The Definities page's texts: every figure's Dutch name and definition (from the
catalogue, in the export's order) and the texts about the figures as a whole.
Source: shared/metrics.md (version 2); the extra figures (spreiding, wachttijd) are ours.
"""

from __future__ import annotations

from . import catalogue


def figure_texts() -> dict[str, tuple[str, str]]:
    """metric id -> (Dutch name, Dutch definition), in the order of the export."""
    return {f.id: (f.name, f.text) for f in catalogue.FIGURES}


GENERAL_TEXT = (
    "Alle cijfers gaan per kwartaal over de peildatum (de laatste dag van het kwartaal) en tellen alleen de "
    "actuele levering: per hoofdaanbieder en per kwartaal het laatst geaccepteerde extract, en per kwartaal het "
    "laatst geaccepteerde WIJ-extract, en per jaar de laatst aangeleverde gebiedsgegevens (inwoners en lumpsum). "
    "Is de noemer 0, dan blijft het cijfer leeg (niet 0 %). Een gebied zonder gebruikers heeft 0 gebruikers en "
    "lege aandelen. Cijfers voor Gemeente Groningen als geheel tellen elke gebruiker één keer."
)

TARGETS_TEXT = (
    "Streefwaarde. De gemeente stelt per cijfer een minimum aan het eind van elk jaar, in één tabel (cijfer, "
    "peildatum, minimum) die zij kan aanpassen. Dat minimum geldt het hele jaar: elk kwartaal krijgt de "
    "streefwaarde van het eerstvolgende eind van het jaar, en er is geen lijn tussen twee jaren. Voorbeeld: in "
    "het eerste, tweede, derde en vierde kwartaal van 2027 is de streefwaarde van het aandeel "
    "basisondersteuning steeds 15 % (streefwaarde eind 2027: 15 %). Een streefwaarde geldt voor elk gebied "
    "apart en voor de stad als geheel."
)

STATUS_TEXT = (
    "Status. Aan het eind van het jaar is een cijfer 'gehaald' als het op of boven het minimum ligt, anders "
    "'niet gehaald'. Eerder in het jaar kijken we naar de vooruitblik: komt die aan het eind van het jaar op of "
    "boven het minimum, dan is het cijfer 'op koers', anders 'niet op koers'. Is er geen vooruitblik, dan is de "
    "status 'onbekend'. Voorbeeld: in K3 2027 is het aandeel 12 % en de vooruitblik voor eind 2027 13 %; dat "
    "is onder 15 %, dus 'niet op koers'. Is het aandeel eind 2027 16 %, dan is het doel 'gehaald'."
)

OUTLOOK_TEXT = (
    "Vooruitblik. Een indicatie, geen voorspelling. We trekken een rechte lijn die zo goed mogelijk past bij de "
    "laatste vier kwartalen (alleen de kwartalen met een waarde; met minder dan twee kwartalen is er geen "
    "vooruitblik) en lezen af waar die lijn aan het eind van het jaar staat, begrensd tussen 0 % en 100 %. "
    "Voorbeeld: was het aandeel 9 %, 10 %, 11 % en 12 % in K4 2026 tot en met K3 2027, dan stijgt de lijn 1 "
    "procentpunt per kwartaal en komt ze eind 2027 op 13 %. Beleid, seizoenen en leveringen veranderen; de lijn "
    "houdt daar geen rekening mee."
)

DELIVERY_TEXT = (
    "Een kwartaal is voorlopig als een hoofdaanbieder (of WIJ Groningen) die het kwartaal ervoor wel leverde, "
    "voor dit kwartaal nog niets heeft aangeleverd: de cijfers kunnen dan nog veranderen."
)
