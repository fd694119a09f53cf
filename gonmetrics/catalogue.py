"""The metric catalogue: every figure of the export (shared/metrics.md, version 2), once.

Three layers, each rule written once:

* building blocks: which trajectory is active, what a user, a basis user, a trajectory
  through a maatschappelijk initiatief, a young adult and a referred registration are,
  the uitvoerder of a trajectory (names normalised once, `normalised`), and the age
  groups (SQL fragments over current_trajectories / current_registrations);
* measures: named numbers per area and quarter (mostly counts of people) built from
  those blocks, with how they relate: a group within a larger group (its complement
  counts people too) and a total made of parts, which is what the small-number
  protection needs;
* figures: one entry per exported metric with its kind, numerator and denominator
  (measures), Dutch name, definition and short label, whether a target can apply, its
  chart kind and the measure without which it has no row (`requires`).

metrics.py builds the export SQL from this, definitions.py the Definities texts,
privacy.py its relations, charts.py and narrative.py their labels and formats. They
read FIGURES and MEASURES when they need them, never at import, so that adding an
entry here (even in a test) is all it takes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .vocab import AGE_GROUPS, KIND_PROVIDER, KIND_WIJ, TOELEIDING

# --- building blocks -------------------------------------------------------------------

# A row of a current provider extract that counts at its own peildatum.
ACTIVE = "startdatum <= peildatum AND (einddatum IS NULL OR einddatum >= peildatum)"
# An active trajectory that puts its client in share_mi's numerator.
MI_BASIS = "ondersteuning = 'basis' AND maatschappelijk_initiatief IS NOT NULL"
# Over the client facts (metrics.client_facts_sql): a user whose active trajectories in
# the area are all basis.
BASIS_USER = "has_basis AND NOT has_aanvullend"
YOUTH_AGES = (18, 26)
# A registration referred to a provider: a trajectory should follow.
REFERRED = "toeleiding IN ('basis', 'aanvullend')"




def normalised(name: str) -> str:
    """A name as compared (SQL): lower case, surrounding whitespace removed, each inner run
    of whitespace (spaces, tabs, non-breaking spaces) one space; '' for an empty one."""
    return f"trim(lower(regexp_replace({name}, '[\\s\u00a0]+', ' ', 'g')))"


# The uitvoerder of a trajectory (over current_trajectories): its own, or its aanbieder's.
UITVOERDER = f"coalesce(nullif({normalised('uitvoerder')}, ''), {normalised('aanbieder')})"
# A trajectory carried out by another organisation than the hoofdaanbieder.
OTHER_UITVOERDER = f"{UITVOERDER} <> {normalised('aanbieder')}"
# A registration referred to aanvullend with a stated duration of the beschikking.
AANVULLEND_DUUR = "toeleiding = 'aanvullend' AND nullif(trim(beschikking_duur), '') IS NOT NULL"


def age_at(day: str) -> str:
    """Age at a date (SQL): the year of that date minus geboortejaar."""
    return f"year({day}) - geboortejaar"


def age_group_case(age: str) -> str:
    """The age group (label of AGE_GROUPS) of an age, as SQL; NULL outside every group."""
    whens = " ".join(
        f"WHEN {age} >= {low} THEN '{label}'" if high is None else f"WHEN {age} BETWEEN {low} AND {high} THEN '{label}'"
        for label, low, high in AGE_GROUPS
    )
    return f"CASE {whens} END"


# A registration of a young adult (18-26 at aanmelddatum) with a psychische kwetsbaarheid.
YOUTH_MH = f"doelgroep = 'psychisch' AND {age_at('aanmelddatum')} BETWEEN {YOUTH_AGES[0]} AND {YOUTH_AGES[1]}"


# --- measures --------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """A number per area (incl. 'stad') and quarter, from the facts of one source.

    `fact`: an aggregate over the facts of a cell (client facts for the provider source,
    registration facts for WIJ); it is stored in the fact tables under the measure's name.
    `total`: an aggregate over the stored cells of one area and quarter (the provider's
    cells are split by age group), when it is not simply the sum of the fact.
    `within`: the measures whose group of people this one lies within; `parts`: measures
    that add up to this one; `hide_parts`: protection hides every part with the total.
    """

    name: str
    source: str
    fact: str | None = None
    total: str | None = None
    people: bool = True
    within: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    hide_parts: bool = False
    sums: tuple[tuple[str, ...], ...] = ()  # further ways in which parts add up to this measure
    at_baseline: str | None = None  # the same number as this measure in the baseline quarter

    @property
    def breakdowns(self) -> tuple[tuple[str, ...], ...]:
        return tuple(p for p in (self.parts, *self.sums) if p)

    @property
    def column(self) -> str:
        return f'"{self.name}"'

    def total_sql(self) -> str:
        if self.total is not None:
            return self.total
        # a count is 0 where there are no cells; anything else (a median) stays empty
        return f"coalesce(sum({self.column}), 0)::BIGINT" if self.people else f"any_value({self.column})"


def _age_measure(label: str) -> str:
    return f"age:{label}"


def _toeleiding_measure(value: str) -> str:
    return f"toeleiding:{value}"


def _given(name: str, **more) -> Measure:
    """A provider measure computed whole per area and quarter when the export runs (metrics.
    export_time_sql: the transition, the uitvoerders, the area table), not from the facts."""
    return Measure(name, KIND_PROVIDER, total=f'any_value("{name}")', **more)


# The baseline quarter's users (metrics.md section 3); the cell is empty where Q <= B or B has
# no provider figures, and the transition figures have no row there.
BASELINE_USERS = "baseline_users"
# The area table's inhabitants; empty where the year has no row for the area.
INWONERS = "inwoners"


MEASURES: tuple[Measure, ...] = (
    Measure("users", KIND_PROVIDER, "count(*)", parts=tuple(_age_measure(g) for g, _, _ in AGE_GROUPS),
            hide_parts=True),
    Measure("basis_only", KIND_PROVIDER, f"count(*) FILTER ({BASIS_USER})", within=("users",)),
    Measure("mixed", KIND_PROVIDER, "count(*) FILTER (has_basis AND has_aanvullend)", within=("users",)),
    Measure("with_basis", KIND_PROVIDER, "count(*) FILTER (has_basis)", within=("users",),
            parts=("basis_only", "mixed")),
    Measure("with_mi", KIND_PROVIDER, "count(*) FILTER (has_mi_basis)", within=("users", "with_basis")),
    *(Measure(_age_measure(g), KIND_PROVIDER, total=f"coalesce(sum(users) FILTER (age_group = '{g}'), 0)::BIGINT",
              within=("users",)) for g, _, _ in AGE_GROUPS),
    Measure("other_uitvoerder", KIND_PROVIDER, "count(*) FILTER (has_other_uitvoerder)", within=("users",)),
    Measure("uitvoerders", KIND_PROVIDER, total='coalesce(any_value("uitvoerders"), 0)::BIGINT', people=False),
    _given(BASELINE_USERS, at_baseline="users"),
    _given("kept", within=(BASELINE_USERS,)),
    _given("kept_same", within=("kept",)),
    _given(INWONERS, people=False),
    _given("inwoners_75plus", people=False),
    _given("lumpsum_euro", people=False),
    Measure("registrations", KIND_WIJ, "count(*)", parts=tuple(_toeleiding_measure(v) for v in TOELEIDING)),
    *(Measure(_toeleiding_measure(v), KIND_WIJ, f"count(*) FILTER (toeleiding = '{v}')", within=("registrations",))
      for v in TOELEIDING),
    Measure("aanvullend_duur", KIND_WIJ, f"count(*) FILTER ({AANVULLEND_DUUR})",
            within=(_toeleiding_measure("aanvullend"),)),
    Measure("onbepaald", KIND_WIJ, f"count(*) FILTER ({AANVULLEND_DUUR} AND beschikking_duur = 'onbepaald')",
            within=("aanvullend_duur",)),
    Measure("youth_mh", KIND_WIJ, "count(*) FILTER (youth_mh)", within=("registrations",)),
    Measure("referred", KIND_WIJ, "count(*) FILTER (referred)", within=("registrations",), parts=("open", "started"),
            sums=((_toeleiding_measure("basis"), _toeleiding_measure("aanvullend")),)),
    Measure("open", KIND_WIJ, total="(coalesce(sum(referred), 0) - coalesce(sum(started), 0))::BIGINT", within=("registrations",)),
    Measure("started", KIND_WIJ, "count(wait_days) FILTER (referred)", within=("registrations",)),
    Measure("wait_median", KIND_WIJ, "quantile_cont(wait_days, 0.5) FILTER (referred)", people=False),
    Measure("wait_p80", KIND_WIJ, "quantile_cont(wait_days, 0.8) FILTER (referred)", people=False),
)

# --- figures ---------------------------------------------------------------------------

COUNT, SHARE, DAYS, SPREAD, OUTLOOK, SHIFT = "count", "share", "days", "spread", "outlook", "shift"
# value = numerator x 1000 / denominator; value = numerator (euros, cents kept) / denominator
RATE, PER_USER = "rate", "per_user"
# Chart kinds: a line over time (with the target where one applies), one layer of a
# stacked breakdown, bars of a count, none (a key figure or a sentence only).
LINE, STACK, BARS = "line", "stack", "bars"


@dataclass(frozen=True)
class Figure:
    """One metric of the export: value = numerator (count), numerator / denominator
    (share), the `value` measure (days), or derived from the `of` figure: its spread over
    the areas, its outlook or the shift it needs (metrics.md section 2)."""

    id: str
    kind: str
    name: str  # Dutch, as on the Definities page
    text: str  # the Dutch definition
    numerator: str | None = None
    denominator: str | None = None
    value: str | None = None
    of: str | None = None
    target: bool = False  # whether a minimum (streefwaarde) can apply
    chart: str | None = None
    label: str | None = None  # short Dutch label in charts and tables; default: the name
    requires: str | None = None  # a measure without which the figure has no row (absent, not empty)

    @property
    def short(self) -> str:
        return self.label or self.name


def _count(id, name, text, numerator, **more) -> Figure:
    return Figure(id, COUNT, name, text, numerator=numerator, **more)


def _share(id, name, text, numerator, denominator, **more) -> Figure:
    return Figure(id, SHARE, name, text, numerator=numerator, denominator=denominator, **{"target": True, **more})


def _outlook(of: str, name: str, what: str) -> Figure:
    return Figure(
        f"{OUTLOOK}:{of}", OUTLOOK, name,
        f"Een indicatie, geen voorspelling: de rechte lijn die het best past bij {what} van de laatste vier "
        "kwartalen (de kwartalen met een waarde, minstens twee), doorgetrokken tot het eind van het jaar van de "
        "streefwaarde en begrensd tussen 0 % en 100 %. Voorbeeld: was het 9 %, 10 %, 11 % en 12 % in K4 2026 "
        "tot en met K3 2027, dan stijgt de lijn 1 procentpunt per kwartaal en komt ze eind 2027 op 13 %. Leeg "
        "zonder streefwaarde later in het jaar.",
        of=of, label="Vooruitblik",
    )


# The note sets no minimum for the figures of sections 3-6: no target, and not drawn as the
# steering lines (narrative.Figures.steering).
def _rate(id, name, text, numerator, denominator, **more) -> Figure:
    return Figure(id, RATE, name, text, numerator=numerator, denominator=denominator, requires=INWONERS, **more)


TOELEIDING_LABELS = {
    "basis": "Basisondersteuning", "aanvullend": "Aanvullende ondersteuning",
    "lichte_ondersteuning": "Lichte ondersteuning", "maatschappelijk_initiatief": "Maatschappelijk initiatief",
    "anders": "Anders", "lopend": "Nog lopend",
}


def _toeleiding_text(value: str) -> str:
    return (
        f"Het deel van de aanmeldingen in het WIJ-extract van het kwartaal in het gebied met als uitkomst van de "
        f"toeleiding ‘{value}’. De zes uitkomsten (basis, aanvullend, lichte ondersteuning, maatschappelijk "
        "initiatief, anders en lopend) tellen samen op tot 100 %. Wie zich in het kwartaal twee keer aanmeldt, "
        "telt twee keer."
    )


UITVOERDER_TEXT = (
    "De uitvoerder van een traject is de organisatie in de kolom uitvoerder, of de hoofdaanbieder als die kolom "
    "leeg is. Namen worden vergeleken zonder verschil tussen hoofdletters en kleine letters, zonder spaties aan "
    "het begin en eind, en met elke reeks spaties of tabs binnen de naam als één spatie."
)
CONTEXT_TEXT = (
    "De inwoners en de lumpsum komen uit de gebiedsgegevens van de gemeente (per jaar het laatst aangeleverde "
    "bestand). Voor Gemeente Groningen als geheel tellen de vier gebieden op; ontbreekt een gebied in een jaar, "
    "dan is er voor dat jaar geen cijfer voor de hele gemeente. Zonder gebiedsgegevens voor het jaar is er geen "
    "cijfer."
)


def _age_text(low: int, high: int | None) -> str:
    ages = f"{low} jaar of ouder" if high is None else f"{low} tot en met {high} jaar"
    return (
        f"Gebruikers van {ages} op de peildatum, gedeeld door alle gebruikers. Leeftijd = het jaar van de "
        "peildatum min het geboortejaar. Noemen de trajecten van één cliënt verschillende geboortejaren, "
        "dan telt dat van het traject met de laatste startdatum (bij gelijke startdatum het hoogste geboortejaar)."
    )


FIGURES: tuple[Figure, ...] = (
    _count(
        "users", "Aantal gebruikers",
        "Het aantal verschillende cliënten met minstens één actief traject in het gebied op de peildatum, "
        "bij alle hoofdaanbieders samen. Een traject is actief als het op of vóór de peildatum begon en niet "
        "vóór de peildatum eindigde. Wie in twee gebieden ondersteuning heeft, telt in beide gebieden mee, "
        "maar in de stad als geheel één keer.",
        "users",
    ),
    _share(
        "share_basis", "Aandeel basisondersteuning",
        "Het deel van de gebruikers van wie álle actieve trajecten in het gebied basisondersteuning zijn. "
        "Voor de stad tellen alle actieve trajecten van de cliënt, in welk gebied ook.",
        "basis_only", "users", chart=LINE, label="Alleen basis",
    ),
    Figure(
        "spread_basis", SPREAD, "Spreiding basisondersteuning tussen gebieden",
        "Alleen voor de stad: het hoogste min het laagste aandeel basisondersteuning van de vier gebieden in "
        "hetzelfde kwartaal (in procentpunten), over de gebieden die een aandeel hebben. Leeg als minder dan "
        "twee gebieden een aandeel hebben. Hoe kleiner, hoe dichter de gebieden bij elkaar liggen.",
        of="share_basis",
    ),
    _outlook("share_basis", "Vooruitblik aandeel basisondersteuning", "het aandeel basisondersteuning"),
    Figure(
        "shift_basis", SHIFT, "Benodigde verschuiving",
        "Hoeveel gebruikers er per kwartaal moeten overgaan naar alleen basisondersteuning om het minimum van "
        "het eerstvolgende eind van het jaar (binnen vier kwartalen) te halen, als het aantal gebruikers gelijk "
        "blijft. De teller is het kleinste hele aantal gebruikers dat in totaal nodig is (exact gerekend), de "
        "noemer het aantal kwartalen tot dat jaareinde. Voorbeeld: in K1 2027 heeft West 1.380 gebruikers, van "
        "wie 150 alleen basisondersteuning. Voor 15 % eind 2027 zijn er 207 nodig (15 % van 1.380 is precies "
        "207), dus 57 meer, in 3 kwartalen: 19 per kwartaal. Leeg als er geen gebruikers zijn; 0 als het "
        "minimum al bereikt is.",
        of="share_basis", label="Per kwartaal naar alleen basis",
    ),
    _share(
        "share_mixed", "Aandeel basis én aanvullend",
        "Het deel van de gebruikers met op de peildatum zowel een actief traject basisondersteuning als een "
        "actief traject aanvullende ondersteuning in het gebied.",
        "mixed", "users", chart=STACK, label="Basis én aanvullend",
    ),
    _share(
        "share_mi", "Gebruik maatschappelijk initiatief",
        "Van de gebruikers met minstens één actief traject basisondersteuning in het gebied: het deel bij wie "
        "minstens één van die trajecten via een maatschappelijk initiatief loopt.",
        "with_mi", "with_basis", chart=LINE,
    ),
    _outlook("share_mi", "Vooruitblik gebruik maatschappelijk initiatief", "het gebruik van maatschappelijke initiatieven"),
    *(
        _share(f"age_group:{g}", f"Leeftijdsopbouw {g} jaar", _age_text(low, high), _age_measure(g), "users",
               chart=STACK, label=f"{g} jaar")
        for g, low, high in AGE_GROUPS
    ),
    _count(
        "uitvoerders", "Aantal uitvoerders",
        "Het aantal verschillende uitvoerders van de actieve trajecten in het gebied op de peildatum: een aantal "
        "organisaties, geen aantal mensen (daarom nooit afgeschermd). " + UITVOERDER_TEXT,
        "uitvoerders", chart=BARS,
    ),
    _share(
        "share_other_uitvoerder", "Aandeel bij een andere uitvoerder dan de hoofdaanbieder",
        "Het deel van de gebruikers met minstens één actief traject in het gebied dat wordt uitgevoerd door een "
        "andere organisatie dan de hoofdaanbieder van dat traject (bijvoorbeeld een kleine stichting als "
        "onderaannemer). " + UITVOERDER_TEXT,
        "other_uitvoerder", "users", target=False, chart=LINE, label="Bij een andere uitvoerder",
    ),
    _share(
        "kept", "Bestaande gebruikers nog in ondersteuning",
        "Van de gebruikers van het gebied in het basiskwartaal (standaard het vierde kwartaal van 2026, het "
        "laatste kwartaal vóór de GON): het deel dat op de peildatum nog gebruiker is, in welk gebied ook. Wie "
        "verhuist naar een ander gebied, telt mee bij het gebied van het basiskwartaal. Alleen voor kwartalen na "
        "het basiskwartaal, en alleen als er voor het basiskwartaal cijfers van de hoofdaanbieders zijn.",
        "kept", BASELINE_USERS, target=False, chart=LINE, label="Nog in ondersteuning", requires=BASELINE_USERS,
    ),
    _share(
        "kept_same_uitvoerder", "Bestaande gebruikers nog bij dezelfde uitvoerder",
        "Van de bestaande gebruikers die nog in ondersteuning zijn: het deel met op de peildatum een actief "
        "traject (in welk gebied ook) bij dezelfde uitvoerder als één van hun actieve trajecten in het gebied in "
        "het basiskwartaal (voor Gemeente Groningen als geheel: in welk gebied ook). " + UITVOERDER_TEXT,
        "kept_same", "kept", target=False, chart=LINE, label="Bij dezelfde uitvoerder", requires=BASELINE_USERS,
    ),
    _rate(
        "users_per_1000", "Gebruikers per 1.000 inwoners",
        "Het aantal gebruikers op de peildatum per 1.000 inwoners van het gebied in dat jaar. " + CONTEXT_TEXT,
        "users", INWONERS, chart=BARS,
    ),
    _rate(
        "users75_per_1000", "Gebruikers van 75+ per 1.000 inwoners van 75+",
        "Het aantal gebruikers van 75 jaar of ouder op de peildatum per 1.000 inwoners van 75 jaar of ouder van "
        "het gebied in dat jaar. " + CONTEXT_TEXT,
        _age_measure("75+"), "inwoners_75plus", chart=BARS, label="Gebruikers 75+ per 1.000 inwoners 75+",
    ),
    Figure(
        "lumpsum_per_user", PER_USER, "Lumpsum per gebruiker (euro per jaar)",
        "De lumpsum van het gebied voor het hele jaar (in euro's), gedeeld door het aantal gebruikers op de "
        "peildatum. " + CONTEXT_TEXT,
        numerator="lumpsum_euro", denominator="users", chart=BARS, label="Lumpsum per gebruiker",
        requires=INWONERS,
    ),
    _count(
        "youth_mh_inflow", "Instroom jongvolwassenen psychisch kwetsbaar",
        "Het aantal aanmeldingen in het WIJ-extract van het kwartaal in het gebied van cliënten die op de "
        f"aanmelddatum {YOUTH_AGES[0]} tot en met {YOUTH_AGES[1]} jaar zijn, met doelgroep psychisch. Wie zich in "
        "het kwartaal twee keer aanmeldt, telt twee keer.",
        "youth_mh", chart=BARS, label=f"Aanmeldingen {YOUTH_AGES[0]}-{YOUTH_AGES[1]} jaar, psychisch",
    ),
    _share(
        "youth_mh_inflow_share", "Aandeel van alle aanmeldingen",
        "De instroom jongvolwassenen psychisch kwetsbaar, gedeeld door alle aanmeldingen in het gebied in "
        "hetzelfde WIJ-extract.",
        "youth_mh", "registrations",
    ),
    _share(
        "wait_open", "Aandeel aanmeldingen nog zonder start",
        "Van de aanmeldingen in het WIJ-extract van het kwartaal met toeleiding basis of aanvullend: het deel "
        "waarvoor nog geen traject bij een hoofdaanbieder is gestart (in geen enkel actueel aanbiedersextract "
        "een traject van dezelfde cliënt, in welk gebied ook, met startdatum op of na de aanmelddatum).",
        "open", "referred", label="Nog zonder start",
    ),
    Figure(
        "wait_days_median", DAYS, "Wachttijd tot start (mediaan, dagen)",
        "Voor de aanmeldingen met toeleiding basis of aanvullend waarvoor een traject is gestart: het aantal "
        "dagen van de aanmelddatum tot de eerste startdatum van een traject van dezelfde cliënt op of na die "
        "datum (bij welke hoofdaanbieder en in welk gebied ook); hiervan de mediaan. De teller is het aantal "
        "aanmeldingen met een start.",
        numerator="started", value="wait_median", chart=LINE, label="Mediaan",
    ),
    Figure(
        "wait_days_p80", DAYS, "Wachttijd tot start (80e percentiel, dagen)",
        "Als de mediaan wachttijd, maar dan de waarde waaronder 80 % van de wachttijden ligt (lineair "
        "geïnterpoleerd).",
        numerator="started", value="wait_p80", chart=LINE, label="80e percentiel",
    ),
    *(
        _share(f"toeleiding:{v}", f"Uitkomst toeleiding: {TOELEIDING_LABELS[v].lower()}", _toeleiding_text(v),
               _toeleiding_measure(v), "registrations", target=False, chart=STACK, label=TOELEIDING_LABELS[v])
        for v in TOELEIDING
    ),
    _share(
        "beschikking_onbepaald", "Beschikkingen voor onbepaalde tijd",
        "Van de aanmeldingen in het WIJ-extract van het kwartaal met toeleiding aanvullend waarbij de duur van de "
        "beschikking is ingevuld: het deel met een beschikking voor onbepaalde tijd. Aanmeldingen zonder "
        "ingevulde duur tellen niet mee.",
        "onbepaald", "aanvullend_duur", target=False, chart=LINE, label="Onbepaalde tijd",
    ),
)


# --- lookups ---------------------------------------------------------------------------


def figure(metric: str) -> Figure:
    return next(f for f in FIGURES if f.id == metric)


def ids() -> tuple[str, ...]:
    """Every metric id, in the order of the export and the Definities page."""
    return tuple(f.id for f in FIGURES)


def ids_of(kind: str) -> frozenset[str]:
    return frozenset(f.id for f in FIGURES if f.kind == kind)


def with_target() -> frozenset[str]:
    """The metrics a minimum (streefwaarde) can apply to."""
    return frozenset(f.id for f in FIGURES if f.target)


def measure(name: str) -> Measure:
    return next(m for m in MEASURES if m.name == name)


def measures_of(source: str) -> list[Measure]:
    return [m for m in MEASURES if m.source == source]


def source_of(f: Figure) -> str:
    """Where a figure's rows come from: provider quarters or WIJ quarters."""
    return source_of(figure(f.of)) if f.of else measure(f.numerator).source


def outlooks() -> list[Figure]:
    return [f for f in FIGURES if f.kind == OUTLOOK]


def shifts() -> list[Figure]:
    return [f for f in FIGURES if f.kind == SHIFT]


def value_sql(f: Figure) -> str:
    """A figure's value over the columns of its measures (SQL); not for a figure derived `of` another."""
    num = measure(f.numerator).column
    if f.kind == COUNT:
        return num
    if f.kind == DAYS:
        return measure(f.value).column
    per = " * 1000" if f.kind == RATE else ""
    return f"{num}{per} / nullif({measure(f.denominator).column}, 0)"
