"""Overzicht: one quarter at a glance, for every role (protected figures for the council)."""

import streamlit as st

from gonmetrics import charts, fmt, narrative
from gonmetrics.vocab import AREAS, CITY
from pages import _ui

user = _ui.guard("overzicht")
st.title("Overzicht")
st.write("De stand van de gebiedsondersteuningsnetwerken in één kwartaal: per gebied het aandeel "
         "basisondersteuning tegen de streefwaarde, het aandeel basisgebruikers via een maatschappelijk initiatief en "
         "het aantal gebruikers, met de verandering sinds het vorige kwartaal.")
if user.protected:
    st.caption("Kleine aantallen zijn afgeschermd.")

with _ui.friendly_errors():
    figs = _ui.dashboard_figures(user.protected)
    peildatum = _ui.quarter_picker(figs.quarters)
    provisional = _ui.provisional_notice(peildatum)

    st.header(f"De vier gebieden in {fmt.quarter(peildatum)}")
    for gebied, name in AREAS.items():
        with st.container(border=True):
            st.subheader(name)
            if figs.value("users", gebied, peildatum) == 0:
                st.write("Geen gebruikers in dit kwartaal.")
            else:
                _ui.key_figure_row(figs, ("share_basis", "share_mi", "users"), gebied, peildatum, provisional)
            st.write(narrative.transition_line(figs, gebied, peildatum))
            st.write(narrative.lumpsum_line(figs, gebied, peildatum))

    st.header("Ontwikkeling in de gemeente Groningen")
    _ui.chart(_ui.built(charts.trend, figs, "share_basis", CITY))

    st.header("Aanlevering")
    st.write(f"Welke extracten voor {fmt.quarter(peildatum)} binnen zijn.")
    _ui.delivery_table(peildatum)
