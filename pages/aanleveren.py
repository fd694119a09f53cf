"""Aanleveren: load quarterly extracts and area tables (report first, store on
confirmation), the upload history with restore, the current area table, the targets
table and the toelichtingen.

Anything that comes from a delivered file is shown in st.dataframe cells, never in
Markdown: a file name or value such as `<b>x</b>` stays literal text.
"""

import streamlit as st

from gonmetrics import catalogue, desk, fmt
from gonmetrics.errors import GonError
from pages import _ui

user = _ui.guard("aanleveren")
shows_demo = _ui.is_demo()
_ui.use_real_database()  # uploads, history, targets and notes are always the real database's

# Session-state keys of this page.
REPORTS = "aanleveren_reports"  # uploader file id -> LoadReport, with its checked rows while desk allows
OUTCOMES = "aanleveren_outcomes"  # what the last Opslaan did, shown once
FLASH = "aanleveren_flash"


def _widget_key(name: str) -> str:
    """A key that _reset() replaces: a widget under a new key starts empty."""
    return f"aanleveren_{name}_{st.session_state.get(f'aanleveren_round_{name}', 0)}"


def _reset(name: str) -> None:
    st.session_state[f"aanleveren_round_{name}"] = st.session_state.get(f"aanleveren_round_{name}", 0) + 1


def _flash(section: str, text: str) -> None:
    """A message for the next run (st.rerun() follows), shown in its section."""
    st.session_state.setdefault(FLASH, {})[section] = text


def _show_flash(section: str) -> None:
    text = st.session_state.get(FLASH, {}).pop(section, None)
    if text is not None:
        st.success(text)


st.title("Aanleveren")
st.write("Laad de extracten van een kwartaal en de gebiedsgegevens, beheer eerdere versies, de streefwaarden en de "
         "toelichtingen.")

if shows_demo:
    st.info("De andere pagina's tonen de **demodata** zolang de echte database leeg is. Hier werkt u altijd in de "
            "echte database: het eerste bestand dat u opslaat, neemt haar in gebruik, en vanaf dan toont de "
            "monitor alleen echte gegevens. De demodata worden nooit met echte gegevens gemengd.",
            icon=":material/database:")

with _ui.friendly_errors():
    # --- upload: check first, store on confirmation --------------------------------
    st.header("Extracten laden")
    st.write("Kies een of meer bestanden (CSV of XLSX): extracten van aanbieders en WIJ, of een tabel met "
             "gebiedsgegevens (inwoners en lumpsum per gebied en jaar). U ziet eerst per bestand het controleverslag; "
             "er wordt pas iets opgeslagen als u op **Opslaan** klikt. Een bestand wordt helemaal opgeslagen of "
             "helemaal niet.")
    files = st.file_uploader("Extracten (CSV of XLSX)", type=["csv", "xlsx"], accept_multiple_files=True,
                             key=_widget_key("files"))
    if outcomes := st.session_state.pop(OUTCOMES, None):
        if all(stored for _, _, stored in outcomes):
            st.success("De goedgekeurde bestanden zijn verwerkt; de cijfers zijn bijgewerkt.")
        else:
            st.error("Niet elk goedgekeurd bestand is opgeslagen; zie de tabel.")
        _ui.literal_table(desk.outcome_table(outcomes))

    known = st.session_state.get(REPORTS, {})
    reports = st.session_state[REPORTS] = {}
    for f in files:  # a report is made once per file; its checked rows are kept while there is room
        room = desk.KEPT_ROWS_BYTES - desk.kept_bytes(reports.values())
        reports[f.file_id] = known.get(f.file_id) or desk.preview(f.getvalue(), f.name, room)
    for f in files:
        report = reports[f.file_id]
        with st.container(border=True):
            _ui.literal_table(desk.report_facts(report))
            if report.accepted:
                st.success("Goedgekeurd: dit bestand kan worden opgeslagen.", icon=":material/check_circle:")
            else:
                st.error("**Geweigerd — er is niets opgeslagen.** Verbeter het bestand en laad het opnieuw.",
                         icon=":material/block:")
            if report.sensitive:
                st.warning(desk.SENSITIVE_NL, icon=":material/privacy_tip:")
            if report.errors:
                st.markdown("**Fouten**")
                if cut_off := desk.errors_cut_off(report):
                    st.caption(cut_off)
                _ui.literal_table(desk.error_table(report))
            if report.warnings:
                st.markdown("**Waarschuwingen**")
                _ui.literal_table(desk.warning_table(report))

    accepted = [f for f in files if reports[f.file_id].accepted]
    if files and not accepted:
        st.info("Er is geen goedgekeurd bestand om op te slaan.")
    elif len(accepted) < len(files):
        st.caption(f"Alleen de goedgekeurde bestanden ({len(accepted)} van {len(files)}) worden opgeslagen.")
    if accepted and st.button("Opslaan", type="primary"):
        done = []
        for f in accepted:
            try:
                report = desk.save(_ui.store(), f.getvalue(), f.name, reports[f.file_id], user.name)
                done.append((f.name, desk.outcome(report), True))
            except GonError as exc:  # e.g. the database is busy: the other files still get their turn
                done.append((f.name, f"niet opgeslagen: {exc}", False))
        st.session_state[OUTCOMES] = done
        st.session_state[REPORTS] = {}
        _reset("files")  # a new uploader drops the bytes from memory
        st.rerun()

    # --- history and restore ------------------------------------------------------
    st.header("Geschiedenis van de uploads")
    st.write("Elk opgeslagen bestand, nieuwste eerst. Per aanbieder (of WIJ) en kwartaal telt één upload: de actuele. "
             "Van de gebiedsgegevens telt per jaar de laatste upload met dat jaar.")
    _show_flash("history")
    history = _ui.store().history()
    if history.empty:
        st.info("Er is nog niets opgeslagen.")
    else:
        _ui.literal_table(desk.history_table(history))
        older = desk.restorable(history)
        if older:
            chosen = st.selectbox("Eerdere versie", list(older), format_func=older.get,
                                  help="De gekozen upload wordt weer de actuele voor zijn aanbieder en kwartaal; "
                                       "gebiedsgegevens voor elk jaar dat erin staat.")
            if st.button("Deze versie terugzetten"):
                _ui.store().restore(chosen, user.name)
                _flash("history", f"Upload {chosen} is weer de actuele versie; de cijfers zijn bijgewerkt.")
                st.rerun()
        else:
            st.caption("Er zijn geen eerdere versies om terug te zetten.")

    # --- the current area table -------------------------------------------------------
    st.header("Gebiedsgegevens")
    st.write("Inwoners, inwoners van 75 jaar en ouder en de lumpsum per gebied en jaar, zoals ze nu gelden: per jaar "
             "de laatst geladen gebiedsgegevens met dat jaar.")
    area_rows = _ui.store().area_table()
    if area_rows.empty:
        st.info("Er zijn nog geen gebiedsgegevens geladen.")
    else:
        _ui.literal_table(desk.area_table(area_rows))

    # --- targets ----------------------------------------------------------------------
    st.header("Streefwaarden")
    st.write("Het minimum per cijfer op een peildatum (de laatste dag van een kwartaal), als fractie: 0,15 = 15 %. "
             "Het minimum aan het eind van een jaar geldt dat hele jaar; zie de pagina Definities.")
    _show_flash("targets")
    goals = [m for m in catalogue.ids() if m in catalogue.with_target()]
    # The minimum as Dutch text (0,15), as written: a number column would show 0.1500.
    points = _ui.target_points().assign(minimum=lambda t: t["minimum"].map(fmt.fraction))
    edited = st.data_editor(
        points, key=_widget_key("targets"), num_rows="dynamic", hide_index=True,
        column_config={
            # Wide enough for the longest name ("Aandeel basisgebruikers via maatschappelijk initiatief").
            "metric": st.column_config.SelectboxColumn("Cijfer", options=goals, required=True, width=440,
                                                       format_func=lambda m: f"{catalogue.figure(m).name} ({m})"),
            "peildatum": st.column_config.DateColumn("Peildatum", format="DD-MM-YYYY", required=True),
            "minimum": st.column_config.TextColumn("Minimum (fractie)", required=True,
                                                   help="Een getal van 0 tot en met 1, met een komma: 0,15 = 15 %."),
        },
    )
    if st.button("Streefwaarden opslaan"):
        try:
            _ui.store().replace_targets(edited.assign(minimum=edited["minimum"].map(fmt.from_dutch)), user.name)
        except GonError as exc:  # InvalidTargets names every problem; nothing was changed
            st.error(desk.markdown_literal(str(exc)))
        else:
            _flash("targets", "De streefwaarden zijn opgeslagen; de cijfers gebruiken ze meteen.")
            _reset("targets")  # the saved table is the editor's new starting point
            st.rerun()

    # --- toelichtingen ------------------------------------------------------------
    st.header("Toelichtingen")
    st.write("Een korte toelichting bij de cijfers van een gebied (of de hele gemeente Groningen) in een kwartaal, "
             "bijvoorbeeld over een late of gecorrigeerde levering. Een lege toelichting opslaan verwijdert hem.")
    _show_flash("notes")
    quarters = sorted(set(_ui.delivery()["peildatum"]), reverse=True)
    notes = _ui.store().notes()
    if not quarters:
        st.info("Toelichtingen kunnen worden geschreven zodra er een extract is opgeslagen.")
    else:
        left, right = st.columns(2)
        gebied = left.selectbox("Gebied", desk.NOTE_AREAS, format_func=desk.area_label)
        peildatum = right.selectbox("Kwartaal", quarters, format_func=fmt.quarter)
        text = st.text_area("Toelichting", value=desk.note_text(notes, gebied, peildatum), max_chars=1000,
                            key=f"aanleveren_note_{gebied}_{peildatum}")
        if st.button("Toelichting opslaan"):
            _ui.store().set_note(gebied, peildatum, text, user.name)
            _flash("notes", "De toelichting is opgeslagen." if text.strip() else "De toelichting is verwijderd.")
            st.rerun()
    if not notes.empty:
        _ui.literal_table(desk.notes_table(notes))
