"""The analyst's desk and the Definities page as display tables and texts.

Pure functions from library objects (load reports, the upload history, notes,
the delivery status, the targets) to Dutch tables. Values that come from
delivered files stay plain cells: the pages show these tables with
st.dataframe, which never interprets a cell as Markdown or HTML.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pandas as pd

from . import catalogue, fmt, quarters
from .load import LoadReport, check, years_label
from .metrics import WIJ_NAME
from .narrative import area_label
from .targets import target_frame
from .vocab import AREAS, CITY, KIND_AREA, KIND_LABELS, KIND_WIJ

HASH_CHARS = 12
AREA_TABLE_NAME = "Gebiedsgegevens"  # who an area table is from, in the tables below

ACCEPTED = "goedgekeurd — nog niet opgeslagen"
REFUSED = "geweigerd — niets opgeslagen"
SENSITIVE_NL = (
    "Dit bestand bevat vermoedelijk burgerservicenummers of andere direct identificerende gegevens. Het is "
    "geweigerd en nergens opgeslagen, ook niet in het archief. Haal het uit de lijst hierboven (×), verwijder "
    "het van uw computer en vraag de leverancier om een gepseudonimiseerd bestand."
)


# --- load reports ---------------------------------------------------------------


# The checked rows one session keeps from its previews until Opslaan (a 200,000-row CSV
# holds about 19 MiB, so a few files at the upload limit); a file beyond what is left is
# checked again when it is stored.
KEPT_ROWS_BYTES = 128 << 20


def preview(data: bytes, file_name: str, room: int = 0) -> LoadReport:
    """check(), keeping its typed rows only if they fit in `room` bytes: the page keeps the
    report across reruns, and `save` stores those rows without checking the file again."""
    report = check(data, file_name)
    if not report.accepted or kept_bytes([report]) > room:  # a refused file's rows are never kept
        report.typed_rows = None
    return report


def kept_bytes(reports) -> int:
    """The memory held by the typed rows of these reports."""
    return sum(r.typed_rows.get_total_buffer_size() for r in reports if r.typed_rows is not None)


def save(store, data: bytes, file_name: str, report: LoadReport, user: str) -> LoadReport:
    """Store a previewed file: the rows its preview checked when it kept them and the bytes
    are still those it checked (same SHA-256), else by checking the file again."""
    if report.typed_rows is not None and report.sha256 == hashlib.sha256(data).hexdigest():
        return store.ingest_checked(data, report, user)
    return store.ingest(data, file_name, user=user)


def kind_label(kind: str | None) -> str:
    return KIND_LABELS.get(kind, "–")


def quarter_label(peildatum: dt.date | None) -> str:
    """'K1 2027 (31-03-2027)'."""
    return "–" if peildatum is None else f"{fmt.quarter(peildatum)} ({fmt.date(peildatum)})"


def supplier(kind: str | None, aanbieder) -> str:
    """Who a delivery is from: the provider, WIJ, or the area table kept by the analysts."""
    if kind == KIND_AREA:
        return AREA_TABLE_NAME
    if kind == KIND_WIJ:
        return WIJ_NAME
    return aanbieder if isinstance(aanbieder, str) and aanbieder else "–"


def report_facts(report: LoadReport) -> pd.DataFrame:
    """One row: what the file is, as far as it could be read, and the verdict."""
    period = years_label(report.years) if report.kind == KIND_AREA else quarter_label(report.peildatum)
    return pd.DataFrame([{
        "Bestand": report.file,
        "Soort": kind_label(report.kind),
        "Aanbieder": supplier(report.kind, report.aanbieder),
        "Periode": period,
        "Regels": report.rows,
        "Fouten": report.error_count,
        "Oordeel": ACCEPTED if report.accepted else REFUSED,
    }])


def error_table(report: LoadReport) -> pd.DataFrame:
    """Every reported error: row as the user sees it in the file, column, message."""
    return pd.DataFrame({
        "Regel": pd.array([e["row"] for e in report.errors], dtype="Int64"),
        "Kolom": [e["column"] or "" for e in report.errors],
        "Melding": [e["message"] for e in report.errors],
    })


def errors_cut_off(report: LoadReport) -> str | None:
    """For large files only the first errors are listed: say how many there are in all."""
    if report.error_count <= len(report.errors):
        return None
    return (f"In totaal {fmt.number(report.error_count)} fouten; hieronder staan de eerste "
            f"{fmt.number(len(report.errors))}.")


def warning_table(report: LoadReport) -> pd.DataFrame:
    return pd.DataFrame({"Waarschuwing": list(report.warnings)})


def outcome(report: LoadReport) -> str:
    """What storing one file did, in words."""
    if report.duplicate_of is not None:
        return f"al eerder geladen (upload {report.duplicate_of}) — niets veranderd"
    if report.upload_id is None:
        return REFUSED
    if report.kind == KIND_AREA:
        replaced = "" if report.replaces is None else " (vervangt eerdere gebiedsgegevens)"
        return f"opgeslagen als upload {report.upload_id}; actueel voor {years_label(report.years)}{replaced}"
    if report.replaces is None:
        return f"opgeslagen als upload {report.upload_id}; eerste levering voor dit kwartaal"
    return f"opgeslagen als upload {report.upload_id}; vervangt upload {report.replaces}"


def outcome_table(outcomes: list[tuple[str, str, bool]]) -> pd.DataFrame:
    """(file name, outcome in words, stored?) per file the user asked to store."""
    return pd.DataFrame([(name, text) for name, text, _ in outcomes], columns=["Bestand", "Resultaat"])


# --- history, notes, delivery status ----------------------------------------------


def _day(value) -> dt.date:
    return pd.Timestamp(value).date()


def _moment(value) -> str:
    return pd.Timestamp(value).strftime("%d-%m-%Y %H:%M")


def _period(row) -> str:
    """An upload's quarter, or an area table's years."""
    return years_label(row.years) if row.kind == KIND_AREA else fmt.quarter(_day(row.peildatum))


def _status(row) -> str:
    if row.current:
        return "actueel"
    if len(row.current_years):  # an area table that later ones replaced for some of its years
        return f"actueel voor {years_label(row.current_years)}"
    return "vervangen"


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """Store.history() for people: who, when, which file (short hash), rows, status."""
    rows = list(history.itertuples(index=False))
    return pd.DataFrame({
        "Upload": history["upload_id"].astype("Int64"),
        "Soort": history["kind"].map(kind_label),
        "Aanbieder": [supplier(row.kind, row.aanbieder) for row in rows],
        "Periode": [_period(row) for row in rows],
        "Bestand": history["file_name"],
        "Hash (kort)": history["sha256"].str[:HASH_CHARS],
        "Geladen door": history["uploaded_by"],
        "Geladen op": history["uploaded_at"].map(_moment),
        "Regels": history["n_rows"].astype("Int64"),
        "Status": [_status(row) for row in rows],
    })


def restorable(history: pd.DataFrame) -> dict[int, str]:
    """Uploads that are not current (an area table: not for all its years) -> a one-line
    description for a picker."""
    old = history[~history["current"].astype(bool)]
    return {
        int(row.upload_id): (
            f"Upload {row.upload_id}: {supplier(row.kind, row.aanbieder)}, "
            f"{_period(row)}, {row.file_name} ({_moment(row.uploaded_at)}, {row.uploaded_by})"
        )
        for row in old.itertuples(index=False)
    }


def area_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Store.area_table() for people: per year the areas in the contract's order, with
    Dutch numbers ('243.800', '€ 4.325.000,00')."""
    order = {code: i for i, code in enumerate(AREAS)}
    rows = rows.sort_values(["jaar", "gebied"], key=lambda c: c.map(order) if c.name == "gebied" else c)
    rows = rows.reset_index(drop=True)
    return pd.DataFrame({
        "Jaar": rows["jaar"].map(str),
        "Gebied": rows["gebied"].map(area_label),
        "Inwoners": rows["inwoners"].map(fmt.number),
        "Inwoners 75+": rows["inwoners_75plus"].map(fmt.number),
        "Lumpsum": rows["lumpsum_euro"].map(lambda x: f"€ {fmt.number(float(x), 2)}"),
        "Upload": rows["upload_id"].astype("Int64"),
    })


NOTE_AREAS = (CITY, *AREAS)


def note_text(notes: pd.DataFrame, gebied: str, peildatum: dt.date) -> str:
    """The current toelichting for one area and quarter ('' when there is none)."""
    hits = notes[(notes["gebied"] == gebied) & (notes["peildatum"].map(_day) == peildatum)]
    return "" if hits.empty else str(hits["text"].iloc[0])


def notes_table(notes: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Gebied": notes["gebied"].map(area_label),
        "Kwartaal": notes["peildatum"].map(lambda d: fmt.quarter(_day(d))),
        "Toelichting": notes["text"],
        "Door": notes["author"],
        "Bijgewerkt": notes["updated_at"].map(_moment),
    })


DELIVERED, MISSING, NOT_DELIVERED = "geleverd", "ontbreekt", "–"


def delivery_matrix(status: pd.DataFrame) -> pd.DataFrame:
    """metrics.delivery_status as one row per supplier and one column per quarter."""
    if status.empty:
        return pd.DataFrame(columns=["Leverancier"])
    words = [DELIVERED if delivered else (MISSING if missing else NOT_DELIVERED)
             for delivered, missing in zip(status["delivered"], status["missing"])]
    long = status.assign(word=words, quarter=status["peildatum"].map(fmt.quarter))
    suppliers = list(dict.fromkeys(long["aanbieder"]))  # delivery_status order: providers, then WIJ
    quarters = list(dict.fromkeys(long.sort_values("peildatum")["quarter"]))
    wide = long.pivot_table(index="aanbieder", columns="quarter", values="word", aggfunc="first")
    return wide.reindex(index=suppliers, columns=quarters).rename_axis(index="Leverancier", columns=None).reset_index()


# --- targets ----------------------------------------------------------------------


def target_points_table(points: pd.DataFrame) -> pd.DataFrame:
    """The targets table in force, in words."""
    return pd.DataFrame({
        "Cijfer": points["metric"].map(lambda m: catalogue.figure(m).name if m in catalogue.ids() else m),
        "Peildatum": points["peildatum"].map(fmt.date),
        "Minimum": points["minimum"].map(fmt.minimum),
    })


def quarterly_targets(points: pd.DataFrame) -> pd.DataFrame:
    """The target of every quarter up to the last point, per metric: the minimum of the
    year end it leads to (no interpolation)."""
    if points.empty:
        return pd.DataFrame(columns=["Kwartaal"])
    first, last = (_day(d) for d in (points["peildatum"].min(), points["peildatum"].max()))
    frame = target_frame(points, quarters.ends(dt.date(first.year, 1, 1), last))
    wide = frame.pivot_table(index="peildatum", columns="metric", values="target", aggfunc="first")
    wide = wide[[m for m in catalogue.ids() if m in wide.columns]].map(fmt.minimum).fillna("–")
    wide.columns = [catalogue.figure(m).name for m in wide.columns]
    wide.index = [fmt.quarter(d) for d in wide.index]
    return wide.rename_axis("Kwartaal").reset_index()


# --- texts ------------------------------------------------------------------------

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")


def markdown_literal(text: str) -> str:
    """Text that Streamlit's Markdown shows exactly as written (for messages that quote input)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


ACCESSIBILITY_NL = (
    "De gemeente Groningen wil dat iedereen de GON-monitor kan gebruiken, ook met een schermlezer, alleen met "
    "het toetsenbord of met een vergroting. Daarom heeft elke grafiek een beschrijving in woorden, en staan de "
    "gegevens erachter ook als tabel eronder, te downloaden als CSV en XLSX. Kleur is nooit de enige drager van "
    "informatie: of een doel gehaald is of op koers ligt, staat er in woorden bij. De monitor wordt getoetst aan "
    "WCAG 2.1 op niveau AA, met automatische controles (axe) in een echte browser."
)

# Known issues inside Streamlit's own widgets that this app cannot change (open upstream).
KNOWN_ISSUES_NL = (
    # Streamlit 1.67's st.file_uploader has no parameter for these texts (upstream request streamlit#13500).
    "Het uploadveld op de pagina Aanleveren toont de Engelse teksten van Streamlit zelf: \"Drag and drop files "
    "here\", de knop \"Upload\" en de regel met de grootte \"per file\" en de toegestane bestandssoorten. "
    "Streamlit biedt geen instelling om die te vertalen; de Nederlandse uitleg staat er steeds boven.",
    "De knoppen in de werkbalk van grafieken en tabellen (zoals vergroten en zoeken) hebben Engelse "
    "knopinfo van Streamlit en Plotly.",
    "Wie een adres opent dat niet bestaat, krijgt de Engelse melding \"Page not found\" van Streamlit en daarna "
    "de startpagina.",
    "De automatische controle (axe, regels van WCAG 2.1 A en AA) vindt op geen enkele pagina een overtreding; "
    "de punten hierboven vallen buiten wat zo'n controle kan zien.",
)

# KNOWN_AXE_FINDINGS: axe rule ids (wcag2a/wcag2aa/wcag21aa) that the browser test accepts
# because they come from Streamlit's own markup; rule id -> what it means, in Dutch. Added
# by hand after review (none today); every entry is also listed on the Definities page.
KNOWN_AXE_FINDINGS: dict[str, str] = {}


def known_accessibility_issues() -> list[str]:
    return [*KNOWN_ISSUES_NL, *(f"{text} (axe: {rule})" for rule, text in KNOWN_AXE_FINDINGS.items())]
