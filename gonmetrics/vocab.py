"""The delivery contract's vocabulary: areas, categories, columns, age groups.

Everything here comes from shared/extract-format.md and shared/metrics.md; the
rest of the package refers to these tables instead of repeating literals.
"""

AREAS = {
    "centrum": "Centrum, Oude Wijken",
    "west": "West",
    "oost": "Oost en Ten Boer",
    "zuid": "Zuid en Haren",
}
CITY = "stad"
CITY_LABEL = "Gemeente Groningen"  # the whole; the export keeps the id `stad`

# Accepted spellings (already lower-cased and trimmed) -> area code.
AREA_SYNONYMS = {
    **{code: code for code in AREAS},
    **{label.lower(): code for code, label in AREAS.items()},
    "centrum en oude wijken": "centrum",
    "centrum/oude wijken": "centrum",
}

ONDERSTEUNING = {
    "basis": "basis",
    "basisondersteuning": "basis",
    "algemene voorziening": "basis",
    "aanvullend": "aanvullend",
    "aanvullende ondersteuning": "aanvullend",
    "maatwerk": "aanvullend",
    "maatwerkvoorziening": "aanvullend",
}
PRODUCT = {
    "begeleiding": "begeleiding",
    "dagbesteding": "dagbesteding",
    "kortdurend_verblijf": "kortdurend_verblijf",
    "kortdurend verblijf": "kortdurend_verblijf",
}
DOELGROEP = {v: v for v in ("psychisch", "verstandelijk", "lichamelijk", "ouderen", "overig")}
TOELEIDING = {
    v: v
    for v in ("basis", "aanvullend", "lichte_ondersteuning", "maatschappelijk_initiatief", "anders", "lopend")
}
BESCHIKKING_DUUR = {"bepaald": "bepaald", "onbepaald": "onbepaald"}

KIND_PROVIDER = "aanbieder"
KIND_WIJ = "wij"
KIND_AREA = "gebied"  # the area table (gebiedsgegevens): per year, not per quarter
KIND_LABELS = {KIND_PROVIDER: "aanbiedersextract", KIND_WIJ: "WIJ-extract", KIND_AREA: "gebiedsgegevens"}  # the kind of a delivered file
SUPPLIER_LABELS = {KIND_PROVIDER: "hoofdaanbieder", KIND_WIJ: "WIJ-extract", KIND_AREA: "gemeente (gebiedsgegevens)"}  # who delivers it

# Columns per extract kind: name -> required?  Order is the contract's order.
PROVIDER_COLUMNS = {
    "aanbieder": True,
    "peildatum": True,
    "client_id": True,
    "gebied": True,
    "geboortejaar": True,
    "ondersteuning": True,
    "product": True,
    "doelgroep": True,
    "startdatum": True,
    "einddatum": False,
    "maatschappelijk_initiatief": False,
    "uitvoerder": False,
}
WIJ_COLUMNS = {
    "peildatum": True,
    "client_id": True,
    "gebied": True,
    "geboortejaar": True,
    "aanmelddatum": True,
    "doelgroep": True,
    "toeleiding": True,
    "hoofdaanbieder": False,
    "beschikking_duur": False,
}

AREA_TABLE_COLUMNS = {
    "jaar": True,
    "gebied": True,
    "inwoners": True,
    "inwoners_75plus": True,
    "lumpsum_euro": True,
}

# Headers that hold direct identifiers: a file with any of them is refused whole.
IDENTIFIER_HEADERS = frozenset(
    {
        "bsn", "burgerservicenummer", "naam", "achternaam", "voornaam", "adres",
        "straat", "huisnummer", "geboortedatum", "telefoon", "email", "e-mail",
    }
)

# (label, lowest age, highest age or None)
AGE_GROUPS = (
    ("0-17", 0, 17),
    ("18-26", 18, 26),
    ("27-34", 27, 34),
    ("35-49", 35, 49),
    ("50-64", 50, 64),
    ("65-74", 65, 74),
    ("75+", 75, None),
)


def normalise_header(text: str) -> str:
    """`  Client ID ` -> `client_id`: the contract's tolerated header spellings."""
    return "_".join(str(text).strip().lower().split())
