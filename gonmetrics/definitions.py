"""Every figure's Dutch name and plain-Dutch definition, for the Definities page.

The order of `METRICS` is also the order of the metrics in the export (see
metrics.METRIC_ORDER), so the page and the table list the figures alike.
Source: shared/metrics.md; the extra figures (spreiding, wachttijd) are ours.
"""

from __future__ import annotations

from .vocab import AGE_GROUPS


def _age_group_text(low: int, high: int | None) -> str:
    ages = f"{low} jaar of ouder" if high is None else f"{low} tot en met {high} jaar"
    return (
        f"Gebruikers van {ages} op de peildatum, gedeeld door alle gebruikers. Leeftijd = het jaar van de "
        "peildatum min het geboortejaar. Noemen de trajecten van één cliënt verschillende geboortejaren, "
        "dan telt dat van het traject met de laatste startdatum (bij gelijke startdatum het hoogste geboortejaar)."
    )


METRICS: dict[str, tuple[str, str]] = {
    "users": (
        "Aantal gebruikers",
        "Het aantal verschillende cliënten met minstens één actief traject in het gebied op de peildatum, "
        "bij alle hoofdaanbieders samen. Een traject is actief als het op of vóór de peildatum begon en niet "
        "vóór de peildatum eindigde. Wie in twee gebieden ondersteuning heeft, telt in beide gebieden mee, "
        "maar in de stad als geheel één keer.",
    ),
    "share_basis": (
        "Aandeel basisondersteuning",
        "Het deel van de gebruikers van wie álle actieve trajecten in het gebied basisondersteuning zijn. "
        "Voor de stad tellen alle actieve trajecten van de cliënt, in welk gebied ook.",
    ),
    "spread_basis": (
        "Spreiding basisondersteuning tussen gebieden",
        "Alleen voor de stad: het hoogste min het laagste aandeel basisondersteuning van de vier gebieden in "
        "hetzelfde kwartaal (in procentpunten), over de gebieden die een aandeel hebben. Leeg als minder dan "
        "twee gebieden een aandeel hebben. Hoe kleiner, hoe dichter de gebieden bij elkaar liggen.",
    ),
    "share_mixed": (
        "Aandeel basis én aanvullend",
        "Het deel van de gebruikers met op de peildatum zowel een actief traject basisondersteuning als een "
        "actief traject aanvullende ondersteuning in het gebied.",
    ),
    "share_mi": (
        "Gebruik maatschappelijk initiatief",
        "Van de gebruikers met minstens één actief traject basisondersteuning in het gebied: het deel bij wie "
        "minstens één van die trajecten via een maatschappelijk initiatief loopt.",
    ),
    **{
        f"age_group:{label}": (f"Leeftijdsopbouw {label} jaar", _age_group_text(low, high))
        for label, low, high in AGE_GROUPS
    },
    "youth_mh_inflow": (
        "Instroom jongvolwassenen psychisch kwetsbaar",
        "Het aantal aanmeldingen in het WIJ-extract van het kwartaal in het gebied van cliënten die op de "
        "aanmelddatum 18 tot en met 26 jaar zijn, met doelgroep psychisch. Wie zich in het kwartaal twee keer "
        "aanmeldt, telt twee keer.",
    ),
    "youth_mh_inflow_share": (
        "Aandeel van alle aanmeldingen",
        "De instroom jongvolwassenen psychisch kwetsbaar, gedeeld door alle aanmeldingen in het gebied in "
        "hetzelfde WIJ-extract.",
    ),
    "wait_open": (
        "Aandeel aanmeldingen nog zonder start",
        "Van de aanmeldingen in het WIJ-extract van het kwartaal met toeleiding basis of aanvullend: het deel "
        "waarvoor nog geen traject bij een hoofdaanbieder is gestart (in geen enkel actueel aanbiedersextract "
        "een traject van dezelfde cliënt, in welk gebied ook, met startdatum op of na de aanmelddatum).",
    ),
    "wait_days_median": (
        "Wachttijd tot start (mediaan, dagen)",
        "Voor de aanmeldingen met toeleiding basis of aanvullend waarvoor een traject is gestart: het aantal "
        "dagen van de aanmelddatum tot de eerste startdatum van een traject van dezelfde cliënt op of na die "
        "datum (bij welke hoofdaanbieder en in welk gebied ook); hiervan de mediaan. De teller is het aantal "
        "aanmeldingen met een start.",
    ),
    "wait_days_p80": (
        "Wachttijd tot start (80e percentiel, dagen)",
        "Als de mediaan wachttijd, maar dan de waarde waaronder 80 % van de wachttijden ligt (lineair "
        "geïnterpoleerd).",
    ),
}

# Metrics whose value is a count (exported as a whole number) or a number of days.
COUNT_METRICS = frozenset({"users", "youth_mh_inflow"})
DAYS_METRICS = frozenset({"wait_days_median", "wait_days_p80"})
# Metrics whose value is a share between 0 and 1: the ones a minimum (target) can apply to.
FRACTION_METRICS = frozenset(METRICS) - COUNT_METRICS - DAYS_METRICS - {"spread_basis"}

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
