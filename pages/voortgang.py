"""Voortgang: city-wide progress on every target, the areas side by side, in words,
and the page as a printable report. For the council: small numbers are protected
here for every role, so whatever is shown or downloaded may be shared."""

import streamlit as st

from gonmetrics import charts, databases, fmt, narrative, report_html
from gonmetrics.privacy import EXPLANATION_NL
from gonmetrics.vocab import CITY
from pages import _ui

_ui.guard("voortgang")
st.title("Voortgang")
st.write("Hoe de gemeente Groningen en de vier gebieden ervoor staan op de doelen van de "
         "gebiedsondersteuningsnetwerken.")
st.caption("Op deze pagina zijn kleine aantallen voor iedereen afgeschermd, zodat alles gedeeld kan worden.")
with st.expander("Hoe kleine aantallen worden afgeschermd"):
    st.write(EXPLANATION_NL)

with _ui.friendly_errors():
    figs = _ui.dashboard_figures(protected=True)
    peildatum = _ui.quarter_picker(figs.quarters)
    quarter = fmt.quarter(peildatum)
    provisional = _ui.provisional_notice(peildatum)
    goals = figs.goals()

    st.header(f"In het kort, {quarter}")
    sentences = narrative.progress_sentences(figs, peildatum)
    st.markdown("\n".join(f"- {s}" for s in sentences))

    st.header("Gemeente Groningen: voortgang per doel")
    city, remarks = [], []
    for metric in goals:
        st.subheader(narrative.metric_label(metric))
        _ui.key_figure(figs.key(metric, CITY, peildatum), provisional)
        city.append((narrative.metric_label(metric), _ui.built(charts.trend, figs, metric, CITY, with_outlook=True)))
        _ui.chart(city[-1][1])
        if sentence := narrative.outlook_sentence(figs, metric, CITY, peildatum):
            remarks.append(sentence)
            st.write(sentence)

    st.subheader("Benodigde verschuiving")
    city.append(("Benodigde verschuiving", _ui.built(charts.shift, figs, CITY)))
    _ui.chart(city[-1][1])

    st.header("De gebieden naast elkaar")
    side = [(f"{narrative.metric_label(m)} per gebied, {quarter}", _ui.built(charts.compare, figs, m, peildatum))
            for m in goals]
    side.append(("Aandeel basisondersteuning per gebied in de tijd",
                 _ui.built(charts.areas_trend, figs, "share_basis")))
    for title, chart in side:
        st.subheader(title)
        _ui.chart(chart)

    st.header("Meer over de gemeente en de gebieden")
    st.write(f"De andere vragen van de raad, voor de hele gemeente en de vier gebieden naast elkaar, {quarter}.")
    more = []
    for group in narrative.COUNCIL_GROUPS:
        st.subheader(group.heading)
        said = [s for s in [group.sentence and group.sentence(figs, CITY, peildatum)] if s]
        for sentence in said:
            st.write(sentence)
        name = f"{group.slug}_{quarter.replace(' ', '_')}"
        tables = [(f"{group.heading}, {quarter}", _ui.side_by_side(figs, group.metrics, peildatum, name))]
        if group.slug == "keuze":
            with st.expander(f"Uitvoerders in de hele gemeente, {quarter}"):
                if (listed := _ui.uitvoerders_table(CITY, peildatum, protected=True)) is not None:
                    tables.append((f"Uitvoerders in de hele gemeente, {quarter}", listed))
        more.append(report_html.Section(group.heading, paragraphs=said, tables=tables))

    st.header("Rapport")
    st.write("De pagina als één HTML-bestand om te bewaren, te delen of af te drukken (A4); het opent ook zonder "
             "internet.")
    sections = [report_html.Section(f"In het kort, {quarter}", bullets=sentences),
                report_html.Section("Gemeente Groningen: voortgang per doel", paragraphs=remarks, charts=city),
                report_html.Section("De gebieden naast elkaar", charts=side), *more]
    notices = _ui.report_notices(peildatum, provisional)
    st.download_button(
        "Rapport downloaden (afdrukbaar)", lambda: report_html.render(
            f"Voortgang gebiedsondersteuningsnetwerken, {quarter}", [EXPLANATION_NL], sections,
            notices).encode("utf-8"),
        file_name=databases.demo_file_name(f"voortgang_{quarter.replace(' ', '_')}.html", _ui.is_demo()),
        mime="text/html", on_click="ignore",
        icon=":material/print:", type="primary")
