"""Definities: what every figure means, the targets and how they are read, the
sources and their delivery status, small-number protection, accessibility, contact."""

import streamlit as st

from gonmetrics import desk, privacy, settings
from gonmetrics.definitions import (DELIVERY_TEXT, GENERAL_TEXT, OUTLOOK_TEXT, STATUS_TEXT, TARGETS_TEXT,
                                    figure_texts)
from pages import _ui

_ui.guard("definities")

st.title("Definities")
st.write("Wat elk cijfer in de GON-monitor betekent, waar de gegevens vandaan komen en hoe ze worden beschermd.")

with _ui.friendly_errors():
    st.header("De cijfers")
    st.write(GENERAL_TEXT)
    for metric, (name, definition) in figure_texts().items():
        st.subheader(name)
        st.caption(f"Code in de export: `{metric}`")
        st.write(definition)

    st.header("Streefwaarden")
    st.write(TARGETS_TEXT)
    points = _ui.target_points()
    st.write("De streefwaarden die nu gelden (analisten passen ze aan op de pagina Aanleveren):")
    _ui.literal_table(desk.target_points_table(points))
    with st.expander("Streefwaarde per kwartaal"):
        _ui.literal_table(desk.quarterly_targets(points))

    st.header("Status")
    st.write(STATUS_TEXT)

    st.header("Vooruitblik")
    st.write(OUTLOOK_TEXT)

    st.header("Bronnen en leveringen")
    st.write("De cijfers komen uit twee soorten extracten, elk kwartaal opnieuw en gepseudonimiseerd aangeleverd: "
             "van elke hoofdaanbieder een aanbiedersextract met de lopende ondersteuningstrajecten, en van "
             "WIJ Groningen één WIJ-extract met de aanmeldingen voor begeleiding en dagbesteding.")
    st.write(DELIVERY_TEXT)
    matrix = desk.delivery_matrix(_ui.delivery())
    if matrix.empty:
        st.info("Er is nog geen extract geladen.")
    else:
        st.caption(f"Per leverancier en kwartaal: {desk.DELIVERED}; {desk.MISSING} (het kwartaal ervoor wel "
                   f"geleverd); {desk.NOT_DELIVERED} (niet geleverd).")
        _ui.literal_table(matrix)

    st.header("Kleine aantallen")
    st.write(privacy.EXPLANATION_NL)
    st.caption(f"De grens staat nu op {settings.min_count()}. De beheerder stelt die in met "
               f"`{settings.MIN_COUNT_ENV}` (standaard {settings.DEFAULT_MIN_COUNT}).")

    st.header("Toegankelijkheid")
    st.write(desk.ACCESSIBILITY_NL)
    st.write("Bekende problemen in de onderdelen van Streamlit zelf, die de monitor niet kan verhelpen:")
    st.markdown("\n".join(f"- {issue}" for issue in desk.known_accessibility_issues()))
    st.write("Loopt u ergens tegenaan, of mist u iets? Meld het via het contact hieronder.")

    st.header("Contact")
    st.write(settings.contact())
