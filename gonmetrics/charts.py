"""Plotly figures for the dashboard pages and the printable report (no Streamlit here).

Every builder returns a Chart: the figure, a one-sentence summary (the chart's text
alternative), the data as a Dutch-formatted table, and a file-safe name. One
colour-blind-safe palette (Okabe–Ito) everywhere; status and series are never told by
colour alone (words on bars, legends, marker shapes); target lines are dashed and
labelled, the outlook dotted. Every text must fit at 390 px (a phone) as well as at
1920 px: the margins grow to fit their labels (automargin), the legend lies below the
chart (its own margin), and words that belong to a line (the year-end goals, "indicatie,
geen voorspelling") are legend entries, never free text on the plot. Quarters are categories ("K3 2027") and every hover text
is a pre-formatted Dutch string in customdata, so nothing depends on plotly's locale.
Input is narrative.Figures, so a protected table gives protected charts.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go

from . import fmt, targets
from .quarters import ends as quarters_from_to
from .narrative import (EUROS, OUTLOOK_LABEL, OUTCOME_WORDS, TOELEIDING_METRICS, Figures, area_label, count_text,
                        goal_text, metric_label, number, short_label, text)
from .vocab import AGE_GROUPS, AREAS, CITY

OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
AREA_COLOURS = {"centrum": OKABE_ITO["blue"], "west": OKABE_ITO["orange"], "oost": OKABE_ITO["bluish_green"],
                "zuid": OKABE_ITO["reddish_purple"], CITY: OKABE_ITO["black"]}
AREA_SYMBOLS = {"centrum": "circle", "west": "square", "oost": "diamond", "zuid": "triangle-up", CITY: "x"}
TARGET_COLOUR = OKABE_ITO["vermillion"]
HOVER = "%{customdata[0]}<extra></extra>"
TITLE_WIDTH = 36  # characters: about 280 px at 15 px, narrower than a phone's chart
MAX_TICKS = 12  # more quarters than this and the x axis names only each year's first
# Status by a sign and its word, never by colour alone.
STATUS_MARK = {targets.ACHIEVED: "✔ gehaald", targets.MISSED: "✖ niet gehaald", targets.ON_TRACK: "↗ op koers",
               targets.OFF_TRACK: "▼ niet op koers", targets.UNKNOWN: "? onbekend"}
HEIGHT = 380  # px of a chart on a page; a chart that needs more room for its labels sets its own
# A small template of our own: plotly's named ones are large, and copying one into every
# figure cost more than building the figure.
TEMPLATE = go.layout.Template(layout=dict(
    paper_bgcolor="#ffffff", plot_bgcolor="#ffffff",
    xaxis=dict(gridcolor="#e6e6e6", linecolor="#999999"),
    yaxis=dict(gridcolor="#e6e6e6", zerolinecolor="#999999"),
))


class Chart(NamedTuple):
    fig: go.Figure
    summary: str
    data: pd.DataFrame
    name: str


def _tick(peildatum: dt.date) -> str:
    """A quarter on the x axis: 'K3<br>2027', two short lines instead of slanted text."""
    return fmt.quarter(peildatum).replace(" ", "<br>")


def _capital(words: str) -> str:
    return words[:1].upper() + words[1:]


def _pct(share: float | None) -> float | None:
    return None if share is None else share * 100


def _title(words: str) -> dict:
    """What the chart shows, as its title at the top left: a vertical y axis title was longer
    than a phone's plot is high. Plotly does not wrap titles and misplaces a title of several
    lines (it grows upwards, out of the chart), so a long one goes on as the subtitle."""
    first, *rest = textwrap.wrap(words, TITLE_WIDTH) or [""]
    font = dict(size=15, color="#262730")
    return dict(text=first, subtitle=dict(text="<br>".join(rest), font=font), font=font, x=0, xref="container",
                xanchor="left", y=1, yref="container", yanchor="top", pad=dict(l=4, t=6), automargin=True)


def _layout(fig: go.Figure, x_labels: list[str] | None, title: str, percent: bool = True) -> go.Figure:
    fig.update_layout(
        title=_title(title),
        separators=",.", template=TEMPLATE, height=HEIGHT, margin=dict(l=10, r=10, t=30, b=10),
        font=dict(family="Source Sans Pro, Arial, sans-serif", size=14, color="#262730"),
        # At the foot of the figure (not at a fraction of the plot's height): the bottom margin
        # grows to hold it, so it never covers the plot or the x axis, and its items wrap on a phone.
        legend=dict(orientation="h", xref="container", x=0, yref="container", y=0, yanchor="bottom"),
        hoverlabel=dict(font_size=14),
    )
    # automargin: the margins grow to fit the tick labels and titles (a fixed small margin cut them off);
    # the standoff keeps the first quarter's label clear of the y axis's "0 %" on a narrow chart
    fig.update_xaxes(automargin=True, ticklabelstandoff=6)
    fig.update_yaxes(rangemode="tozero", tickformat=",.0f", automargin=True,
                     ticksuffix=fmt.NBSP + "%" if percent else "")
    if x_labels is not None:
        fig.update_xaxes(type="category", categoryorder="array", categoryarray=x_labels, tickangle=0)
        if len(x_labels) > MAX_TICKS:  # label the first quarter of each year; hover names every quarter
            years = [label for label in x_labels if label.startswith("K1")]
            fig.update_xaxes(tickmode="array", tickvals=years, ticktext=years)
    return fig


def _share_hover(row, metric: str, where: str) -> str:
    hover = f"{where} · {fmt.quarter(row.peildatum)}<br>{metric_label(metric)}: {text(row.value, metric, row.target)}"
    if number(row.numerator) is not None and number(row.denominator) is not None:
        hover += f" ({fmt.number(row.numerator)} van {fmt.number(row.denominator)})"
    return hover


def _status(figs: Figures, metric: str, gebied: str, peildatum: dt.date) -> str:
    return STATUS_MARK.get(figs.status(metric, gebied, peildatum), "")


def _table(figs: Figures, rows, metric: str) -> pd.DataFrame:
    """Quarter, value, numerator, denominator, target and status of a series, in Dutch."""
    return pd.DataFrame({
        "Kwartaal": [fmt.quarter(r.peildatum) for r in rows],
        "Peildatum": [fmt.date(r.peildatum) for r in rows],
        metric_label(metric): [text(r.value, metric, r.target) for r in rows],
        "Teller": [count_text(r.numerator) for r in rows],
        "Noemer": [count_text(r.denominator) for r in rows],
        "Streefwaarde": [fmt.minimum(number(r.target)) for r in rows],
        "Status": [_status(figs, metric, r.gebied, r.peildatum) for r in rows],
    })


def _target_line(fig: go.Figure, figs: Figures, metric: str, quarters: list[dt.date]) -> None:
    """Each year-end minimum as a step over its year (dashed) with a marker at the year end:
    the minimum counts all year, there is no line between the points."""
    steps = [(day, minimum, [q for q in quarters if q.year == day.year])
             for day, minimum in figs.year_end_goals(metric)]
    steps = [(day, minimum, shown) for day, minimum, shown in steps if shown]
    if not steps:
        return
    xs, ys, hover = [], [], []
    for day, minimum, shown in steps:
        xs += [_tick(q) for q in shown] + [None]  # None: no line from one year to the next
        ys += [_pct(minimum)] * len(shown) + [None]
        hover += [[f"Streefwaarde eind {day.year}: {fmt.minimum(minimum)}"]] * len(shown) + [[""]]
    fig.add_trace(go.Scatter(x=xs, y=ys, name="Streefwaarde", mode="lines",
                             line=dict(color=TARGET_COLOUR, dash="dash", width=2), connectgaps=False,
                             hovertemplate=HOVER, customdata=hover))
    for day, minimum, _ in steps:
        if day in quarters:  # the year end in view: a marker, named with its goal in the legend
            goal = f"Doel eind {day.year}: {fmt.minimum(minimum)}"
            fig.add_trace(go.Scatter(
                x=[_tick(day)], y=[_pct(minimum)], name=goal, mode="markers", cliponaxis=False,
                marker=dict(color=TARGET_COLOUR, symbol="diamond", size=11), hovertemplate=HOVER, customdata=[[goal]],
            ))


def _outlook_line(fig: go.Figure, start: tuple[dt.date, float], ahead: tuple[dt.date, float], colour: str) -> None:
    """The outlook as a dotted line from the latest value to the year end it is read at."""
    steps, levels = (start[0], ahead[0]), (start[1], ahead[1])
    fig.add_trace(go.Scatter(
        x=[_tick(q) for q in steps], y=[_pct(v) for v in levels], name=f"Vooruitblik ({OUTLOOK_LABEL})",
        mode="lines", line=dict(color=colour, dash="dot", width=2), hovertemplate=HOVER,
        customdata=[[f"{fmt.quarter(q)}: {fmt.percent(v)}"] for q, v in zip(steps, levels)],
    ))


def _span(figs: Figures, metric: str, gebied: str) -> tuple[list, str]:
    """The rows of a series and how its first and last value read, for the summaries."""
    rows = figs.series(metric, gebied)
    if not rows:
        return rows, "geen gegevens"
    first, last = rows[0], rows[-1]
    if first is last:
        return rows, f"{text(last.value, metric)} in {fmt.quarter(last.peildatum)}"
    return rows, (f"van {text(first.value, metric)} in {fmt.quarter(first.peildatum)} "
                  f"naar {text(last.value, metric)} in {fmt.quarter(last.peildatum)}")


def trend(figs: Figures, metric: str, gebied: str, with_outlook: bool = False) -> Chart:
    """One share over time for one area, with its yearly minimums and (optionally) the
    outlook of its latest quarter."""
    rows, span = _span(figs, metric, gebied)
    latest = rows[-1] if rows else None
    ahead = figs.outlook(metric, gebied, latest.peildatum) if with_outlook and latest else None
    start = (latest.peildatum, number(latest.value)) if ahead else None
    if start and start[1] is None:
        ahead = None
    last = max([r.peildatum for r in rows] + ([ahead[0]] if ahead else []), default=None)
    quarters = quarters_from_to(rows[0].peildatum, last) if rows else []
    where = area_label(gebied)
    fig = go.Figure(go.Scatter(
        x=[_tick(r.peildatum) for r in rows], y=[_pct(number(r.value)) for r in rows], name=where,
        mode="lines+markers", line=dict(color=AREA_COLOURS[gebied], width=3),
        marker=dict(symbol=AREA_SYMBOLS[gebied], size=9), hovertemplate=HOVER,
        customdata=[[_share_hover(r, metric, where)] for r in rows],
    ))
    _target_line(fig, figs, metric, quarters)
    if ahead:
        _outlook_line(fig, start, ahead, AREA_COLOURS[gebied])
    summary = f"{metric_label(metric)} in {where}: {span}"
    if rows and (goal := figs.year_end_goal(metric, rows[-1].peildatum)):
        status = figs.status(metric, gebied, rows[-1].peildatum)
        summary += f"; {goal_text(goal)}" + (f", {status}" if status else "")
    return Chart(_layout(fig, [_tick(q) for q in quarters], metric_label(metric)), summary + ".",
                 _table(figs, rows, metric), f"{metric}_{gebied}")


def areas_trend(figs: Figures, metric: str) -> Chart:
    """One share over time for the four areas and the city, with the target line."""
    quarters = quarters_from_to(figs.quarters[0], figs.quarters[-1]) if figs.quarters else []
    fig = go.Figure()
    tables = []
    for gebied in (*AREAS, CITY):
        rows = figs.series(metric, gebied)
        where = area_label(gebied)
        fig.add_trace(go.Scatter(
            x=[_tick(r.peildatum) for r in rows], y=[_pct(number(r.value)) for r in rows], name=where,
            mode="lines+markers", line=dict(color=AREA_COLOURS[gebied], width=3 if gebied == CITY else 2),
            marker=dict(symbol=AREA_SYMBOLS[gebied], size=9), hovertemplate=HOVER,
            customdata=[[_share_hover(r, metric, where)] for r in rows],
        ))
        tables.append(_table(figs, rows, metric).assign(Gebied=where))
    _target_line(fig, figs, metric, quarters)
    latest = figs.quarters[-1] if figs.quarters else None
    summary = (f"{metric_label(metric)} per gebied en voor de hele gemeente, {fmt.quarter(quarters[0])} tot en met "
               f"{fmt.quarter(latest)}: {_ranking(figs, metric, latest)}." if latest else "Geen gegevens.")
    data = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    data = data[["Gebied", *[c for c in data.columns if c != "Gebied"]]]
    _layout(fig, [_tick(q) for q in quarters], metric_label(metric))
    fig.update_layout(height=460)  # its legend of eight items takes four rows on a phone
    return Chart(fig, summary, data, f"{metric}_gebieden")


def _ranking(figs: Figures, metric: str, peildatum: dt.date) -> str:
    """Highest and lowest area in words; protected areas take no part (a rank would hint at them)."""
    known = [(v, g) for g in AREAS if (v := figs.value(metric, g, peildatum)) is not None]
    if not known:
        return f"in {fmt.quarter(peildatum)} geen gebied met een bekend aandeel"
    high, low = max(known), min(known)
    if high == low:
        return f"in {fmt.quarter(peildatum)} {area_label(high[1])} {text(high[0], metric)}"
    return (f"in {fmt.quarter(peildatum)} het hoogst in {area_label(high[1])} ({text(high[0], metric)}) "
            f"en het laagst in {area_label(low[1])} ({text(low[0], metric)})")


def compare(figs: Figures, metric: str, peildatum: dt.date, highlight: str | None = None) -> Chart:
    """One share in one quarter for the four areas and the city, as horizontal bars with the
    target line. Each bar's label holds the area's name, its value and its status: labels grow
    the margin (automargin) and stay whole, where a text beside the bar ran off a narrow chart."""
    areas = (*AREAS, CITY)
    rows = [figs.row(metric, g, peildatum) for g in areas]
    values = [number(r.value) if r is not None else None for r in rows]
    target = next((t for r in rows if r is not None and (t := number(r.target)) is not None), None)
    marks = [_status(figs, metric, g, peildatum) for g in areas]
    labels = ["<br>".join([area_label(g), *(["(dit gebied)"] if g == highlight else []),
                           (text(r.value, metric, r.target) if r is not None else "–") + (f" {mark}" if mark else "")])
              for g, r, mark in zip(areas, rows, marks)]
    fig = go.Figure(go.Bar(
        y=labels, x=[_pct(v) for v in values], orientation="h",
        marker=dict(color=[AREA_COLOURS[g] for g in areas],
                    pattern_shape=["/" if g == highlight else "" for g in areas],
                    line=dict(color="#000000", width=[2 if g == highlight else 0 for g in areas])),
        hovertemplate=HOVER, showlegend=False,
        customdata=[[_share_hover(r, metric, area_label(g)) if r is not None else area_label(g)]
                    for g, r in zip(areas, rows)],
    ))
    goal = figs.year_end_goal(metric, peildatum)
    if target is not None:  # named in the legend: a text at the line ran off the chart on a phone
        fig.add_vline(x=_pct(target), line=dict(color=TARGET_COLOUR, dash="dash", width=2), showlegend=True,
                      name=_capital(goal_text(goal)))
    _layout(fig, None, metric_label(metric), percent=False)
    # every bar's slot holds its label's lines (about 19 px each), also under a long title that
    # takes two lines of the figure's height
    lines = max(label.count("<br>") + 1 for label in labels)
    fig.update_layout(height=max(HEIGHT, 150 + len(areas) * (lines * 19 + 12)))
    fig.update_yaxes(autorange="reversed", ticksuffix="")
    # few ticks, never slanted: the bars' plot is narrow on a phone
    fig.update_xaxes(ticksuffix=fmt.NBSP + "%", rangemode="tozero", tickformat=",.0f", nticks=4, tickangle=0,
                     range=[0, max([_pct(v) or 0 for v in values] + [_pct(target) or 0]) * 1.1 + 1])
    summary = f"{metric_label(metric)} op {fmt.date(peildatum)}: {_ranking(figs, metric, peildatum)}"
    if target is not None:
        words = [figs.status(metric, g, peildatum) for g in AREAS]
        counted = ", ".join(f"{words.count(w)} {w}" for w in targets.STATUS_WORDS if w in words)
        summary += f"; {goal_text(goal)}" + (f" ({counted})" if counted else "")
    data = pd.DataFrame({
        "Gebied": [area_label(g) for g in areas],
        metric_label(metric): [text(r.value, metric, r.target) if r is not None else "–" for r in rows],
        "Streefwaarde": [goal_text(goal) if target is not None else "–"] * len(areas),
        "Status": marks,
    })
    return Chart(fig, summary + ".", data, f"{metric}_{fmt.quarter(peildatum).replace(' ', '_')}")


def _stacked(gebied: str, parts: list[tuple[str, str, list]], quarters: list[dt.date], y_title: str) -> go.Figure:
    """Stacked shares per quarter; parts = (name, colour, [(value, text)] per quarter), bottom first."""
    fig = go.Figure()
    for name, colour, cells in parts:
        fig.add_trace(go.Bar(
            x=[_tick(q) for q in quarters], y=[_pct(v) for v, _ in cells], name=name, marker_color=colour,
            hovertemplate=HOVER,
            customdata=[[f"{area_label(gebied)} · {fmt.quarter(q)}<br>{name}: {t}"]
                        for q, (_, t) in zip(quarters, cells)],
        ))
    # Numbers inside a bar only where they fit upright at a legible size (not on a phone's
    # narrow bars); the hover and the table always have them.
    fig.update_layout(barmode="stack", legend_traceorder="normal", uniformtext=dict(minsize=11, mode="hide"))
    fig.update_traces(textangle=0)
    return _layout(fig, [_tick(q) for q in quarters], y_title)


def _parts_table(quarters: list[dt.date], parts) -> pd.DataFrame:
    return pd.DataFrame({"Kwartaal": [fmt.quarter(q) for q in quarters], **{name: [t for _, t in cells]
                                                                           for name, _, cells in parts}})


def _rows_at(figs: Figures, metric: str, gebied: str, quarters: list[dt.date]) -> list:
    """The metric's row in each quarter (None where the table has none)."""
    return [figs.row(metric, gebied, q) for q in quarters]


def _cell_text(row, metric: str) -> str:
    return "–" if row is None else text(row.value, metric, row.target)


def mix(figs: Figures, gebied: str) -> Chart:
    """Only basis / both / only aanvullend per quarter (only aanvullend = 1 − basis − both)."""
    quarters = [r.peildatum for r in figs.series("share_basis", gebied)]
    basis, mixed = (_rows_at(figs, m, gebied, quarters) for m in ("share_basis", "share_mixed"))
    values = {m: [number(r.value) if r is not None else None for r in rows]
              for m, rows in (("share_basis", basis), ("share_mixed", mixed))}
    rest = [1 - b - m if b is not None and m is not None else None
            for b, m in zip(values["share_basis"], values["share_mixed"])]
    parts = [
        (short_label("share_basis"), OKABE_ITO["bluish_green"],
         list(zip(values["share_basis"], [_cell_text(r, "share_basis") for r in basis]))),
        (short_label("share_mixed"), OKABE_ITO["sky_blue"],
         list(zip(values["share_mixed"], [_cell_text(r, "share_mixed") for r in mixed]))),
        ("Alleen aanvullend", OKABE_ITO["orange"], [(v, fmt.percent(v)) for v in rest]),
    ]
    fig = _stacked(gebied, parts, quarters, "Aandeel van de gebruikers")
    fig.update_traces(texttemplate="%{y:.0f}" + fmt.NBSP + "%", textposition="inside")
    summary = f"Soort ondersteuning in {area_label(gebied)}: geen gegevens."
    if quarters:
        summary = (f"Soort ondersteuning in {area_label(gebied)} in {fmt.quarter(quarters[-1])}: "
                   f"{parts[0][2][-1][1]} alleen basis, {parts[1][2][-1][1]} basis én aanvullend, "
                   f"{parts[2][2][-1][1]} alleen aanvullend.")
    return Chart(fig, summary, _parts_table(quarters, parts), f"mix_{gebied}")


def ages(figs: Figures, gebied: str) -> Chart:
    """Age groups per quarter as stacked shares; 75+ at the bottom, darkest and labelled."""
    colours = [OKABE_ITO[c] for c in ("sky_blue", "blue", "bluish_green", "yellow", "orange", "reddish_purple")]
    groups = [label for label, _, _ in AGE_GROUPS]
    oldest = groups[-1]
    quarters = [r.peildatum for r in figs.series(f"age_group:{oldest}", gebied)]
    parts = []
    for g in groups:
        rows = _rows_at(figs, f"age_group:{g}", gebied, quarters)
        parts.append((short_label(f"age_group:{g}"), OKABE_ITO["vermillion"] if g == oldest else colours[groups.index(g)],
                      [(number(r.value) if r is not None else None, _cell_text(r, f"age_group:{g}")) for r in rows]))
    # 75+ first: it sits on the axis, so its growth is read directly.
    fig = _stacked(gebied, [parts[-1], *parts[:-1]], quarters, "Aandeel van de gebruikers")
    fig.update_traces(selector=dict(name=short_label(f"age_group:{oldest}")), texttemplate="%{y:.0f}" + fmt.NBSP + "%",
                      textposition="inside", insidetextfont=dict(color="#ffffff"))
    _, span = _span(figs, f"age_group:{oldest}", gebied)
    return Chart(fig, f"Aandeel gebruikers van 75 jaar of ouder in {area_label(gebied)}: {span}.",
                 _parts_table(quarters, parts), f"leeftijd_{gebied}")


def shift(figs: Figures, gebied: str) -> Chart:
    """shift_basis per quarter as bars: users per quarter who must move to basis only."""
    rows = figs.series("shift_basis", gebied)
    labels = [fmt.quarter(r.peildatum) for r in rows]
    per_quarter = [text(r.value, "shift_basis") for r in rows]
    fig = go.Figure(go.Bar(
        x=[_tick(r.peildatum) for r in rows], y=[number(r.value) for r in rows], name=short_label("shift_basis"),
        marker_color=OKABE_ITO["bluish_green"], text=per_quarter, textposition="outside", cliponaxis=False,
        hovertemplate=HOVER,
        customdata=[[f"{area_label(gebied)} · {q}<br>{short_label('shift_basis')}: {v}"] for q, v in zip(labels, per_quarter)],
    ))
    _layout(fig, [_tick(r.peildatum) for r in rows], "Gebruikers per kwartaal", percent=False)
    summary = f"Benodigde verschuiving in {area_label(gebied)}: geen gegevens."
    if rows:
        summary = (f"Benodigde verschuiving in {area_label(gebied)} in {labels[-1]}: {per_quarter[-1]} gebruikers "
                   "per kwartaal naar alleen basisondersteuning.")
    data = pd.DataFrame({
        "Kwartaal": labels, "Peildatum": [fmt.date(r.peildatum) for r in rows],
        "Per kwartaal": per_quarter, "In totaal": [count_text(r.numerator) for r in rows],
        "Kwartalen": [count_text(r.denominator) for r in rows],
        "Streefwaarde": [fmt.minimum(number(r.target)) for r in rows],
    })
    return Chart(fig, summary, data, f"verschuiving_{gebied}")


def inflow(figs: Figures, gebied: str) -> Chart:
    """Registrations of young adults (18–26) with a psychische kwetsbaarheid per quarter, with their share."""
    counts = figs.series("youth_mh_inflow", gebied)
    quarters = [r.peildatum for r in counts]
    labels = [fmt.quarter(q) for q in quarters]
    how_many = [text(r.value, "youth_mh_inflow") for r in counts]
    share = [_cell_text(r, "youth_mh_inflow_share") for r in _rows_at(figs, "youth_mh_inflow_share", gebied, quarters)]
    count_name, share_name = short_label("youth_mh_inflow"), short_label("youth_mh_inflow_share")
    fig = go.Figure(go.Bar(
        x=[_tick(q) for q in quarters], y=[number(r.value) for r in counts], name="Aanmeldingen",
        marker_color=OKABE_ITO["blue"], text=how_many, textposition="outside", cliponaxis=False,
        hovertemplate=HOVER,
        customdata=[[f"{area_label(gebied)} · {q}<br>{count_name}: {c}<br>{share_name}: {s}"]
                    for q, c, s in zip(labels, how_many, share)],
    ))
    _layout(fig, [_tick(q) for q in quarters], "Aantal aanmeldingen", percent=False)
    summary = f"{metric_label('youth_mh_inflow')} in {area_label(gebied)}: geen WIJ-gegevens."
    if counts:
        summary = (f"{metric_label('youth_mh_inflow')} in {area_label(gebied)} in {labels[-1]}: "
                   f"{how_many[-1]} aanmeldingen, {share[-1]} van alle aanmeldingen.")
    data = pd.DataFrame({"Kwartaal": labels, count_name: how_many, share_name: share})
    return Chart(fig, summary, data, f"aanmeldingen_jongvolwassenen_{gebied}")


def waiting(figs: Figures, gebied: str) -> Chart:
    """Days from WIJ registration to the first start: median and 80th percentile per quarter."""
    lines = [("wait_days_median", short_label("wait_days_median"), OKABE_ITO["blue"], "circle"),
             ("wait_days_p80", short_label("wait_days_p80"), OKABE_ITO["orange"], "square")]
    fig = go.Figure()
    for metric, name, colour, symbol in lines:
        rows = figs.series(metric, gebied)
        fig.add_trace(go.Scatter(
            x=[_tick(r.peildatum) for r in rows], y=[number(r.value) for r in rows], name=name,
            mode="lines+markers", line=dict(color=colour, width=3), marker=dict(symbol=symbol, size=9),
            hovertemplate=HOVER,
            customdata=[[f"{area_label(gebied)} · {fmt.quarter(r.peildatum)}<br>{name}: {text(r.value, metric)}"]
                        for r in rows],
        ))
    open_rows = figs.series("wait_open", gebied)
    quarters = [r.peildatum for r in open_rows]
    _layout(fig, [_tick(q) for q in quarters], "Dagen tot start", percent=False)
    data = pd.DataFrame({
        "Kwartaal": [fmt.quarter(q) for q in quarters],
        **{name: [_cell_text(r, m) for r in _rows_at(figs, m, gebied, quarters)] for m, name, _, _ in lines},
        short_label("wait_open"): [text(r.value, "wait_open") for r in open_rows],
        "Aanmeldingen met toeleiding": [count_text(r.denominator) for r in open_rows],
    })
    summary = f"Wachttijd van aanmelding bij WIJ tot start in {area_label(gebied)}: geen WIJ-gegevens."
    if open_rows:
        last = data.iloc[-1]
        median, p80, still_open = (last[short_label(m)] for m in ("wait_days_median", "wait_days_p80", "wait_open"))
        summary = (f"Wachttijd van aanmelding bij WIJ tot start in {area_label(gebied)} in {last['Kwartaal']}: "
                   f"mediaan {median}, 80e percentiel {p80}; {still_open} van de toegeleide aanmeldingen nog zonder "
                   "start.")
    return Chart(fig, summary, data, f"wachttijd_{gebied}")


# --- the note's other questions (metrics.md sections 3-6) ---------------------------------


def transition(figs: Figures, gebied: str) -> Chart:
    """kept and kept_same_uitvoerder per quarter since the baseline: two shares as lines."""
    lines = [("kept", "Nog in ondersteuning", OKABE_ITO["blue"], "circle"),
             ("kept_same_uitvoerder", "Bij dezelfde uitvoerder", OKABE_ITO["orange"], "square")]
    quarters = [r.peildatum for r in figs.series("kept", gebied)]
    where = area_label(gebied)
    fig = go.Figure()
    for metric, name, colour, symbol in lines:
        rows = figs.series(metric, gebied)
        fig.add_trace(go.Scatter(
            x=[_tick(r.peildatum) for r in rows], y=[_pct(number(r.value)) for r in rows], name=name,
            mode="lines+markers", line=dict(color=colour, width=3), marker=dict(symbol=symbol, size=9),
            hovertemplate=HOVER, customdata=[[_share_hover(r, metric, where)] for r in rows],
        ))
    _layout(fig, [_tick(q) for q in quarters], "Aandeel van de bestaande gebruikers")
    kept, same = (_rows_at(figs, m, gebied, quarters) for m, *_ in lines)
    data = pd.DataFrame({
        "Kwartaal": [fmt.quarter(q) for q in quarters],
        "Bestaande gebruikers": [count_text(r.denominator) for r in kept],
        "Nog in ondersteuning (aantal)": [count_text(r.numerator) for r in kept],
        "Nog in ondersteuning": [_cell_text(r, "kept") for r in kept],
        "Bij dezelfde uitvoerder (aantal)": ["–" if r is None else count_text(r.numerator) for r in same],
        "Bij dezelfde uitvoerder": [_cell_text(r, "kept_same_uitvoerder") for r in same],
    })
    summary = f"Overgang van bestaande gebruikers in {where}: geen gegevens."
    if quarters:
        last = data.iloc[-1]
        summary = (f"Overgang van bestaande gebruikers in {where} in {last['Kwartaal']}: {last['Nog in ondersteuning']} "
                   f"nog in ondersteuning, van hen {last['Bij dezelfde uitvoerder']} bij dezelfde uitvoerder.")
    return Chart(fig, summary, data, f"overgang_{gebied}")


TOELEIDING_COLOURS = (OKABE_ITO["bluish_green"], OKABE_ITO["orange"], OKABE_ITO["sky_blue"], OKABE_ITO["yellow"],
                      OKABE_ITO["reddish_purple"], OKABE_ITO["blue"])  # in the order of narrative.OUTCOME_WORDS


def access_mix(figs: Figures, gebied: str) -> Chart:
    """The outcome of the WIJ registrations (toeleiding) per quarter as stacked shares."""
    quarters = [r.peildatum for r in figs.series(TOELEIDING_METRICS[0], gebied)]
    parts = []
    for metric, colour in zip(TOELEIDING_METRICS, TOELEIDING_COLOURS):
        rows = _rows_at(figs, metric, gebied, quarters)
        parts.append((OUTCOME_WORDS[metric.partition(":")[2]], colour,
                      [(number(r.value) if r is not None else None, _cell_text(r, metric)) for r in rows]))
    fig = _stacked(gebied, parts, quarters, "Aandeel van de aanmeldingen")
    fig.update_traces(texttemplate="%{y:.0f}" + fmt.NBSP + "%", textposition="inside")
    fig.update_layout(uniformtext=dict(minsize=11, mode="hide"))  # no unreadable labels in thin layers
    data = _parts_table(quarters, parts).assign(
        Aanmeldingen=[count_text(r.denominator) for r in figs.series(TOELEIDING_METRICS[0], gebied)])
    summary = f"Uitkomst van de aanmeldingen bij WIJ in {area_label(gebied)}: geen WIJ-gegevens."
    if quarters:
        summary = (f"Uitkomst van de aanmeldingen bij WIJ in {area_label(gebied)} in {fmt.quarter(quarters[-1])}: "
                   + ", ".join(f"{cells[-1][1]} {name}" for name, _, cells in parts) + ".")
    return Chart(fig, summary, data, f"toeleiding_{gebied}")


CONTEXT_AXES = {"users_per_1000": "Gebruikers per 1.000 inwoners",
                "users75_per_1000": "Per 1.000 inwoners van 75+", "lumpsum_per_user": "Euro per gebruiker per jaar"}


def context(figs: Figures, metric: str, highlight: str) -> Chart:
    """A context figure (users per 1.000 inhabitants, lump sum per user) per quarter for the four
    areas and the city, the area shown highlighted; not a share, so no % and no target."""
    quarters = sorted({r.peildatum for g in (*AREAS, CITY) for r in figs.series(metric, g)})
    fig = go.Figure()
    for gebied in (*AREAS, CITY):
        rows = figs.series(metric, gebied)
        where = area_label(gebied) + (" (dit gebied)" if gebied == highlight else "")
        fig.add_trace(go.Scatter(
            x=[_tick(r.peildatum) for r in rows], y=[number(r.value) for r in rows], name=where,
            mode="lines+markers", line=dict(color=AREA_COLOURS[gebied], width=4 if gebied == highlight else 2,
                                            dash="solid" if gebied in (highlight, CITY) else "dot"),
            marker=dict(symbol=AREA_SYMBOLS[gebied], size=11 if gebied == highlight else 7), hovertemplate=HOVER,
            customdata=[[f"{where} · {fmt.quarter(r.peildatum)}<br>{metric_label(metric)}: "
                         f"{text(r.value, metric)}"] for r in rows],
        ))
    _layout(fig, [_tick(q) for q in quarters], CONTEXT_AXES.get(metric, metric_label(metric)), percent=False)
    if metric in EUROS:
        fig.update_yaxes(tickprefix="€" + fmt.NBSP)
    else:  # rates can be small: 0,5 rather than a rounded 1 twice
        fig.update_yaxes(tickformat=",.1~f")
    data = pd.DataFrame({"Kwartaal": [fmt.quarter(q) for q in quarters],
                         **{area_label(g): [_context_cell(figs, metric, g, q) for q in quarters] for g in (CITY, *AREAS)}})
    summary = f"{metric_label(metric)}: geen gebiedsgegevens."
    if quarters:
        latest = quarters[-1]
        city = figs.row(metric, CITY, latest)
        summary = (f"{metric_label(metric)} in {fmt.quarter(latest)}: {area_label(highlight)} "
                   f"{_context_cell(figs, metric, highlight, latest)}"
                   + (f", de hele gemeente {text(city.value, metric)}." if city is not None else "."))
    return Chart(fig, summary, data, f"{metric}_{highlight}")


def _context_cell(figs: Figures, metric: str, gebied: str, peildatum: dt.date) -> str:
    row = figs.row(metric, gebied, peildatum)
    return "–" if row is None else text(row.value, metric)


def share_trend(figs: Figures, metric: str, gebied: str) -> Chart:
    """trend() of a share without a target, its short label on the axis (the long names of the
    note's figures do not fit beside the chart)."""
    chart = trend(figs, metric, gebied)
    chart.fig.update_yaxes(title_text=short_label(metric))
    return chart
