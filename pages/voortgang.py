"""Voortgang: city-wide progress on every target, the areas side by side, in words,
and the page as a printable report. For the council: small numbers are protected
here for every role, so whatever is shown or downloaded may be shared. The three parts
are tabs of which only the open one is sent to the browser (its first chart then comes
sooner); the report holds all of them, whichever tab is open."""

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

    # What the page and the report show, made whichever tab is open (charts are cached per Figures).
    trends = [(narrative.metric_label(m), _ui.built(charts.trend, figs, m, CITY, with_outlook=True)) for m in goals]
    outlooks = [narrative.outlook_sentence(figs, m, CITY, peildatum) for m in goals]
    city = [*trends, ("Benodigde verschuiving", _ui.built(charts.shift, figs, CITY))]
    side = [(f"{narrative.metric_label(m)} per gebied, {quarter}", _ui.built(charts.compare, figs, m, peildatum))
            for m in goals]
    side.append(("Aandeel basisondersteuning per gebied in de tijd",
                 _ui.built(charts.areas_trend, figs, "share_basis")))
    groups = [(group, [s for s in [group.sentence and group.sentence(figs, CITY, peildatum)] if s],
               narrative.side_by_side(figs, group.metrics, peildatum)) for group in narrative.COUNCIL_GROUPS]
    listed = _ui.uitvoerders(CITY, peildatum, protected=True)

    def progress():
        st.header("Gemeente Groningen: voortgang per doel")
        for metric, (title, chart), outlook in zip(goals, trends, outlooks):
            st.subheader(title)
            _ui.key_figure(figs.key(metric, CITY, peildatum), provisional)
            _ui.chart(chart)
            if outlook:
                st.write(outlook)
        st.subheader(city[-1][0])
        _ui.chart(city[-1][1])

    def areas():
        st.header("De gebieden naast elkaar")
        for title, chart in side:
            st.subheader(title)
            _ui.chart(chart)

    def more():
        st.header("Meer over de gemeente en de gebieden")
        st.write(f"De andere vragen van de raad, voor de hele gemeente en de vier gebieden naast elkaar, {quarter}.")
        for group, said, table in groups:
            st.subheader(group.heading)
            for sentence in said:
                st.write(sentence)
            _ui.table_with_downloads(table, f"{group.slug}_{quarter.replace(' ', '_')}")
            if group.slug == "keuze":
                with st.expander(f"Uitvoerders in de hele gemeente, {quarter}"):
                    _ui.uitvoerders_table(listed, CITY, peildatum)  # the report's list, made once

    _ui.lazy_tabs({"Gemeente": progress, "Gebieden": areas, "Meer cijfers": more}, key="onderdeel")

    st.header("Rapport")
    st.write("De pagina als één HTML-bestand om te bewaren, te delen of af te drukken (A4), met alle drie de "
             "onderdelen; het opent ook zonder internet.")
    uitvoerders = [] if listed is None else [(f"Uitvoerders in de hele gemeente, {quarter}", listed)]
    sections = [report_html.Section(f"In het kort, {quarter}", bullets=sentences),
                report_html.Section("Gemeente Groningen: voortgang per doel", paragraphs=[s for s in outlooks if s],
                                    charts=city),
                report_html.Section("De gebieden naast elkaar", charts=side),
                *[report_html.Section(group.heading, paragraphs=said,
                                      tables=[(f"{group.heading}, {quarter}", table),
                                              *(uitvoerders if group.slug == "keuze" else [])])
                  for group, said, table in groups]]
    notices = _ui.report_notices(peildatum, provisional)
    st.download_button(
        "Rapport downloaden (afdrukbaar)", lambda: report_html.render(
            f"Voortgang gebiedsondersteuningsnetwerken, {quarter}", [EXPLANATION_NL], sections,
            notices).encode("utf-8"),
        file_name=databases.demo_file_name(f"voortgang_{quarter.replace(' ', '_')}.html", _ui.is_demo()),
        mime="text/html", on_click="ignore",
        icon=":material/print:", type="primary")
