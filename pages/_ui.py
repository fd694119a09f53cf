"""What every page shares: the signed-in user, the page guard, the store and
cached figures. Streamlit code lives here and in the pages, never in gonmetrics."""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import runpy
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from gonmetrics import access, databases, desk, details, fmt, narrative, targets
from gonmetrics.downloads import to_csv_bytes, to_xlsx_bytes
from gonmetrics.errors import DatabaseBusy, GonError
from gonmetrics.metrics import delivery_status, export_frame, missing_in
from gonmetrics.narrative import Figures
from gonmetrics.privacy import display_count, protect
from gonmetrics.store import Store, default_db_path
from gonmetrics.vocab import AREAS, SUPPLIER_LABELS

USER_KEY = "gon_user"
RUN_KEY = "gon_run"  # the Run that begin_run chose
FRAME = Path(__file__).resolve().parent.parent / "dashboard.py"


@st.cache_resource
def _store(path: str) -> Store:
    return Store(path)


def real_store() -> Store:
    """The real database (GONMETRICS_DB or data/gon.duckdb): uploads, history, audit log."""
    return _store(str(default_db_path()))


def store() -> Store:
    """The database this run shows (begin_run): the real one, or the demo while that is empty."""
    return _store(st.session_state[RUN_KEY].path)


def user() -> access.User | None:
    return st.session_state.get(USER_KEY)


def guard(page_key: str) -> access.User:
    """Stop rendering unless the signed-in user's role may see this page."""
    _enter_through_the_frame()
    current = user()
    if current is None or not access.allowed(current.role, page_key):
        real_store().audit(current.name if current else "niet ingelogd", "toegang geweigerd", f"pagina {page_key}")
        st.error("U heeft geen toegang tot deze pagina.")
        st.stop()
    return current


def _enter_through_the_frame() -> None:
    """Until dashboard.py has called st.navigation once in this process, Streamlit treats a
    `pages/` folder as its legacy multipage app: the first visitor after a start who opens
    a page's URL directly gets that file run on its own, without login and menu (AppTest
    does so on every run). Then run the frame instead, which runs the page in its place."""
    if PagesManager.uses_pages_directory:
        runpy.run_path(str(FRAME), run_name="__main__")
        st.stop()


class Run(NamedTuple):
    """What every part of a run needs from the database, read once at its start."""

    path: str  # the database this run shows
    version: int  # a new upload, restore or target change makes a new one, and so new cache keys
    demo: bool


def begin_run() -> None:
    """Choose the database the run shows: the real one once it holds a delivery, else the
    demo beside it (built in the background if it is not there yet). A database that stays
    busy too long gives the Dutch 'bezet' message instead of Streamlit's error."""
    try:
        real = real_store()
        with real.connect():  # the store's calls below share this opening of the file
            if not real.is_empty():
                st.session_state[RUN_KEY] = _run_of(real)
                return
        demo_path = databases.demo_path(real.path)
        # A demo file is complete once there: a new one is moved into place when built.
        if not demo_path.exists() or _store(str(demo_path)).is_empty():
            _wait_for_demo(demo_path)
        demo = _store(str(demo_path))
        with demo.connect():
            st.session_state[RUN_KEY] = _run_of(demo)
    except DatabaseBusy as exc:
        st.error(str(exc))
        st.stop()


@st.cache_resource(show_spinner=False)
def _demo_build(path: str) -> concurrent.futures.Future:
    """The demo's build, started once per server process in a thread of its own, so that it
    goes on whether or not a visitor waits (a server started by scripts/start.sh finds it built)."""
    from gonmetrics.demo import ensure_demo

    pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="demo")
    build = pool.submit(ensure_demo, Path(path))
    pool.shutdown(wait=False)  # the thread ends when the build is done
    return build


def _wait_for_demo(path: Path) -> None:
    notice = st.empty()
    notice.info("De demodata worden opgebouwd… Dit gebeurt eenmalig, zolang er nog geen echte gegevens zijn; "
                "de monitor verschijnt vanzelf zodra ze klaar zijn.", icon=":material/hourglass_top:")
    build = _demo_build(str(path))
    try:
        build.result()
    except BaseException:
        _demo_build.clear()  # the next visit tries again
        raise
    notice.empty()


def use_real_database() -> None:
    """Let the rest of this run work on the real database, also while the demo is shown."""
    if is_demo():
        st.session_state[RUN_KEY] = _run_of(real_store())


def _run_of(store: Store) -> Run:
    return Run(str(store.path), store.data_version(), store.is_demo())


def data_version() -> int:
    return st.session_state[RUN_KEY].version


def is_demo() -> bool:
    return st.session_state[RUN_KEY].demo


def streamlit_pages(specs) -> list:
    """access.PageSpec -> st.Page, with Dutch titles and the page keys as URLs."""
    return [st.Page(p.script, title=p.title, url_path=p.key, default=p.key == "overzicht") for p in specs]


def sidebar(current: access.User, pages: list) -> None:
    """The menu of the user's pages, who is signed in, and the banners of every page."""
    if is_demo():
        st.warning("**Demodata**: synthetische, verzonnen gegevens, geen echte cijfers.", icon=":material/science:")
    with st.sidebar:
        with st.container(key="menu"):
            for page in pages:
                st.page_link(page)
        st.caption(f"Ingelogd als **{desk.markdown_literal(current.name)}** ({access.ROLES[current.role].split(' (')[0].lower()})")
        if current == access.LOCAL_USER:
            # beside who is signed in, not above every page: it says who may do what, not what the figures are
            st.info("**Lokale modus**: er zijn geen gebruikers ingesteld, dus iedereen op deze computer werkt als "
                    "analist. De monitor is alleen bereikbaar op deze computer.", icon=":material/computer:")
        else:
            st.button("Uitloggen", on_click=_logout)


def _logout() -> None:
    st.session_state.pop(USER_KEY, None)
    if st.user.get("is_logged_in"):
        st.logout()


# --- cached figures ----------------------------------------------------------
# Keyed on the database path and its data version: any upload or restore makes
# a new key, and nothing is recomputed while the data stays the same.


@st.cache_data(max_entries=8, show_spinner=False)
def _figures(path: str, version: int):
    with _store(path).connect() as con:
        return export_frame(con)


@st.cache_data(max_entries=8, show_spinner=False)
def _delivery(path: str, version: int):
    with _store(path).connect() as con:
        return delivery_status(con)


def delivery():
    """Which extracts are in per quarter (and which are missing)."""
    return _delivery(str(store().path), data_version())


# --- dashboards: shared parts of Overzicht, Gebied and Voortgang ----------------


@st.cache_resource(max_entries=8, show_spinner=False)
def _dashboard_figures(path: str, version: int, protected: bool) -> Figures:
    frame = _figures(path, version)
    return Figures(protect(frame) if protected else frame, tag=(path, version, protected),
                   incomplete=frozenset(missing_in(_delivery(path, version))), points=_target_points(path, version))


def dashboard_figures(protected: bool) -> Figures:
    """The figures a dashboard shows, protected (as the council sees them) or not; stops
    the page while there are none."""
    figs = _dashboard_figures(str(store().path), data_version(), protected)
    if not figs.quarters:
        st.info("Er zijn nog geen cijfers: er is nog geen extract van een hoofdaanbieder geladen.")
        st.stop()
    return figs


@st.cache_data(max_entries=8, show_spinner=False)
def _target_points(path: str, version: int):
    with _store(path).connect() as con:
        return targets.target_table(con)


def target_points():
    """The targets table (metric, peildatum, minimum), as the desk and Definities show it."""
    return _target_points(str(store().path), data_version())


@st.cache_data(max_entries=64, show_spinner=False)
def _top_initiatives(path: str, version: int, gebied: str, peildatum):
    with _store(path).connect() as con:
        return details.top_initiatives(con, gebied, peildatum)


def top_initiatives(gebied: str, peildatum):
    return _top_initiatives(str(store().path), data_version(), gebied, peildatum)


@contextlib.contextmanager
def friendly_errors():
    """A page's failure becomes a Dutch message, never a traceback (st.stop still stops)."""
    try:
        yield
    except GonError as exc:
        st.error(str(exc))
    except Exception:
        logging.getLogger("gonmetrics").exception("page failed")
        st.error("Deze pagina kon door een onverwachte fout niet worden getoond. Probeer het opnieuw; "
                 "blijft het misgaan, meld het dan aan een analist.")


PICKER_WIDTH = 260  # pixels: room for "Centrum, Oude Wijken"


def quarter_picker(quarters: list) -> object:
    """The quarter to show, latest by default."""
    return st.selectbox("Kwartaal", quarters, index=len(quarters) - 1, format_func=fmt.quarter, width=PICKER_WIDTH)


AREA_KEY = "gon_gebied"  # the area last chosen in this session, on whichever page


def area_picker() -> str:
    """The area to show: the link's (?gebied=west), else the one last chosen in this session
    (the menu's links carry no ?gebied=), else the first. Kept in the URL so that it can be shared."""
    # Not bind="query-params": that would put the label in the URL; the link should say ?gebied=oost.
    codes = list(AREAS)
    start = next((c for c in (st.query_params.get("gebied"), st.session_state.get(AREA_KEY)) if c in codes), codes[0])
    gebied = st.selectbox("Gebied", codes, index=codes.index(start), format_func=AREAS.get, width=PICKER_WIDTH)
    st.query_params["gebied"] = st.session_state[AREA_KEY] = gebied
    return gebied


def lazy_tabs(sections: dict, key: str) -> None:
    """Sections (tab label -> function that shows it) as tabs of which only the open one is
    run and sent to the browser: a long page's first chart then comes as fast as a short
    page's. The open tab is kept in the URL (?<key>=<label>), so that a link can open it;
    the first tab is open by default (no parameter)."""
    for tab, show in zip(st.tabs(list(sections), key=key, bind="query-params"), sections.values()):
        if tab.open:
            with tab:
                show()


_STATUS_ICON = {targets.ACHIEVED: ":material/check_circle:", targets.MISSED: ":material/cancel:",
               targets.ON_TRACK: ":material/trending_up:", targets.OFF_TRACK: ":material/warning:",
               targets.UNKNOWN: ":material/help:"}


def key_figure(figure, provisional: bool = False) -> None:
    """One narrative.KeyFigure: value, change since the quarter before, and status in words."""
    label = figure.label + (" (voorlopig)" if provisional else "")
    arrow = {1: "up", -1: "down", 0: "off"}[figure.direction]
    # st.metric cuts a long label off ("Aandeel basisgebruikers via maats…"); a caption wraps.
    st.caption(label)
    # Colour off: whether a change is good is said by the status words, not by red or green.
    st.metric(label, figure.text, label_visibility="collapsed", delta=figure.change, delta_color="off",
              delta_arrow=arrow,
              delta_description=f"t.o.v. {fmt.quarter(figure.since)}" if figure.since else None)
    if figure.status:
        st.markdown(f"{_STATUS_ICON[figure.status]} **{figure.status}**: {figure.goal}")


def key_figure_row(figs, metrics, gebied: str, peildatum, provisional: bool = False) -> None:
    """Several key figures of one area and quarter side by side."""
    for column, metric in zip(st.columns(len(metrics)), metrics):
        with column:
            key_figure(figs.key(metric, gebied, peildatum), provisional)


def provisional_notice(peildatum) -> bool:
    """Warn when a supplier that delivered the quarter before is missing; True if so."""
    status = delivery()
    missing = status[(status["peildatum"] == peildatum) & status["missing"]]
    if missing.empty:
        return False
    names = ", ".join(desk.markdown_literal(name) for name in missing["aanbieder"])  # as delivered: literal
    st.warning(f"**Voorlopige cijfers**: voor {fmt.quarter(peildatum)} ontbreekt nog de levering van {names}. "
               "De cijfers kunnen nog veranderen.", icon=":material/schedule:")
    return True


def delivery_table(peildatum) -> None:
    """Which extracts of the quarter are in, in words."""
    status = delivery()
    rows = status[status["peildatum"] == peildatum]
    words = ["✔ geleverd" if d else ("✖ ontbreekt (vorig kwartaal wel geleverd)" if m else "– niet geleverd")
             for d, m in zip(rows["delivered"], rows["missing"])]
    literal_table(pd.DataFrame({"Leverancier": rows["aanbieder"], "Soort": rows["kind"].map(SUPPLIER_LABELS),
                                "Status": words}))


def download_buttons(table, name: str) -> None:
    """CSV and XLSX of a (Dutch-formatted) table; files are made only when clicked."""
    notice = databases.DEMO_NOTICE if is_demo() else None
    file_name = databases.demo_file_name(name, is_demo())
    row = st.container(horizontal=True)
    row.download_button("CSV downloaden", lambda: to_csv_bytes(table, notice), file_name=f"{file_name}.csv",
                        mime="text/csv", key=f"csv-{name}", on_click="ignore", icon=":material/download:")
    row.download_button("XLSX downloaden", lambda: to_xlsx_bytes(table, notice), file_name=f"{file_name}.xlsx",
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        key=f"xlsx-{name}", on_click="ignore", icon=":material/download:")


def note(gebied: str, peildatum) -> None:
    """The toelichting an analyst wrote for this area and quarter, if any."""
    notes = store().notes()
    hits = notes[(notes["gebied"] == gebied) & (pd.to_datetime(notes["peildatum"]).dt.date == peildatum)]
    for row in hits.itertuples(index=False):
        st.info(f"**Toelichting**: {desk.markdown_literal(row.text)}\n\n"
                f"*{desk.markdown_literal(row.author)}, {fmt.date(row.updated_at)}*", icon=":material/info:")


def built(builder, figs: Figures, *args, **kwargs):
    """builder(figs, *args, **kwargs) (a charts builder), made once per Figures, which the
    cache above keeps per database, data version and protection."""
    return figs.made((builder, args, tuple(sorted(kwargs.items()))), lambda: builder(figs, *args, **kwargs))


def chart(c) -> None:
    """A charts.Chart: the figure with its accessible name, the summary in words,
    and its data as a table with downloads."""
    st.plotly_chart(c.fig, alt=c.summary, key=f"chart-{c.name}", theme=None,
                    config={"displaylogo": False})
    st.caption(c.summary)
    with st.expander("Gegevens als tabel"):
        st.table(c.data, hide_index=True)
        download_buttons(c.data, c.name)


def report_notices(peildatum, provisional: bool) -> list[str]:
    """What a downloaded report must say about its own data: demo, provisional."""
    notices = []
    if is_demo():
        notices.append("Demodata: dit rapport toont synthetische, verzonnen gegevens, geen echte cijfers.")
    if provisional:
        notices.append(f"Voorlopige cijfers: voor {fmt.quarter(peildatum)} ontbreekt nog een levering; "
                       "de cijfers kunnen nog veranderen.")
    return notices


def literal_table(frame) -> None:
    """A table whose cells may come from delivered files (names, values): st.dataframe
    shows them as plain text, whereas st.table would render Markdown in them."""
    st.dataframe(frame, hide_index=True, width="stretch")


# --- the note's other questions -----------------------------------------------------------


@st.cache_data(max_entries=64, show_spinner=False)
def _uitvoerders(path: str, version: int, gebied: str, peildatum):
    with _store(path).connect() as con:
        return details.uitvoerders(con, gebied, peildatum)


def uitvoerders(gebied: str, peildatum, protected: bool) -> pd.DataFrame | None:
    """The uitvoerders of an area (or the city) in a quarter with their users as shown: names
    as delivered, counts from 1 to 9 protected for the council (None without trajectories)."""
    table = _uitvoerders(str(store().path), data_version(), gebied, peildatum)
    if table.empty:
        return None
    if protected:
        table = details.protect_users(table)
    return pd.DataFrame({"Uitvoerder": table["uitvoerder"], "Gebruikers": table["gebruikers"].map(display_count)})


def uitvoerders_table(shown: pd.DataFrame | None, gebied: str, peildatum) -> None:
    """What uitvoerders() gave for this area and quarter, as a table with downloads."""
    if shown is None:
        st.write(f"Op {fmt.date(peildatum)} liepen er geen trajecten.")
        return
    literal_table(shown)
    download_buttons(shown, f"uitvoerders_{gebied}_{fmt.quarter(peildatum).replace(' ', '_')}")


def table_with_downloads(table: pd.DataFrame, name: str) -> None:
    """A table made here (no delivered text in it) with its downloads."""
    st.table(table, hide_index=True)
    download_buttons(table, name)
