"""Gebied: one area in depth, for the aldermen and analysts; the area is kept in the URL.
Below the key figures the sections are tabs of which only the open one is run and sent,
so that the first chart comes as fast as on a small page (the first tab holds one chart:
every further chart sent with it delayed the first one in the browser); the open tab is
kept in the URL too (?gebied=west&onderdeel=Keuze), so that a link leads to a section."""

import streamlit as st

from gonmetrics import charts, fmt, narrative
from gonmetrics.vocab import AREAS
from pages import _ui

user = _ui.guard("gebied")
st.title("Gebied")

with _ui.friendly_errors():
    figs = _ui.dashboard_figures(user.protected)
    left, right = st.columns(2)
    with left:
        gebied = _ui.area_picker()
    with right:
        peildatum = _ui.quarter_picker(figs.quarters)
    name, quarter = AREAS[gebied], fmt.quarter(peildatum)
    st.markdown(f"**{narrative.headline_sentence(figs, gebied, peildatum)}**")  # the first screen's answer
    provisional = _ui.provisional_notice(peildatum)
    _ui.note(gebied, peildatum)

    st.header(f"Kerncijfers {name}, {quarter}")
    if figs.value("users", gebied, peildatum) == 0:
        st.info(f"Geen gebruikers in {name} in {quarter}: de aandelen blijven leeg.")
    _ui.key_figure_row(figs, ("users", "share_basis", "share_mi", "share_mixed"), gebied, peildatum, provisional)

    def basis():
        st.header("Aandeel basisondersteuning in de tijd")
        _ui.chart(_ui.built(charts.trend, figs, "share_basis", gebied, with_outlook=True))
        if sentence := narrative.outlook_sentence(figs, "share_basis", gebied, peildatum):
            st.write(sentence)

    def shift():
        st.header("Benodigde verschuiving")
        if sentence := narrative.shift_sentence(figs, gebied, peildatum):
            st.write(sentence)
        _ui.chart(_ui.built(charts.shift, figs, gebied))
        st.header("Soort ondersteuning")
        _ui.chart(_ui.built(charts.mix, figs, gebied))

    def initiatives():
        st.header("Maatschappelijke initiatieven")
        _ui.chart(_ui.built(charts.trend, figs, "share_mi", gebied))
        st.subheader(f"Meest gebruikte initiatieven in {quarter}")
        used = _ui.top_initiatives(gebied, peildatum)
        if used.empty:
            st.write("In dit kwartaal liep geen basisondersteuning via een maatschappelijk initiatief.")
        else:
            _ui.literal_table(used.assign(gebruikers=used["gebruikers"].map(fmt.number))  # names as delivered
                              .rename(columns={"initiatief": "Initiatief", "gebruikers": "Gebruikers"}))

    def ages():
        st.header("Leeftijdsopbouw")
        _ui.chart(_ui.built(charts.ages, figs, gebied))

    def wij():
        sections = {  # the WIJ figures: heading -> (key figures, chart)
            narrative.metric_label("youth_mh_inflow"): (("youth_mh_inflow", "youth_mh_inflow_share"), charts.inflow),
            "Wachttijd van aanmelding bij WIJ tot start": (("wait_days_median", "wait_days_p80", "wait_open"),
                                                           charts.waiting),
        }
        for heading, (metrics, build) in sections.items():
            st.header(heading)
            if peildatum in figs.wij_quarters:
                _ui.key_figure_row(figs, metrics, gebied, peildatum, provisional)
            else:
                st.write(f"Er is geen WIJ-extract voor {quarter}.")
            _ui.chart(_ui.built(build, figs, gebied))
        st.header("Toegang via WIJ")
        st.write(narrative.access_sentence(figs, gebied, peildatum))
        _ui.chart(_ui.built(charts.access_mix, figs, gebied))
        st.subheader("Beschikkingen voor onbepaalde tijd")
        _ui.chart(_ui.built(charts.share_trend, figs, "beschikking_onbepaald", gebied))

    def transition():
        st.header("Overgang van bestaande gebruikers")
        st.write(narrative.transition_sentence(figs, gebied, peildatum))
        if narrative.has_metric(figs, "kept"):
            _ui.chart(_ui.built(charts.transition, figs, gebied))

    def choice():
        st.header("Keuze")
        st.write(narrative.choice_sentence(figs, gebied, peildatum))
        _ui.key_figure_row(figs, ("uitvoerders", "share_other_uitvoerder"), gebied, peildatum, provisional)
        _ui.chart(_ui.built(charts.share_trend, figs, "share_other_uitvoerder", gebied))
        st.subheader(f"Uitvoerders in {name}, {quarter}")
        _ui.uitvoerders_table(_ui.uitvoerders(gebied, peildatum, user.protected), gebied, peildatum)

    def context():
        st.header("Gebied in context")
        st.write(narrative.context_sentence(figs, gebied, peildatum))
        for metric in (*narrative.RATES, *narrative.EUROS):
            if narrative.has_metric(figs, metric):
                _ui.chart(_ui.built(charts.context, figs, metric, gebied))

    def comparison():
        st.header("Vergelijking met de andere gebieden")
        for metric in figs.steering():
            _ui.chart(_ui.built(charts.compare, figs, metric, peildatum, highlight=gebied))

    _ui.lazy_tabs({"Basisondersteuning": basis, "Verschuiving": shift, "Initiatieven": initiatives, "Leeftijd": ages,
                   "WIJ": wij, "Overgang": transition, "Keuze": choice, "Context": context,
                   "Vergelijking": comparison}, key="onderdeel")
