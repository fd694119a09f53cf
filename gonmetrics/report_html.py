"""A page as one self-contained, printable HTML report.

Opens offline (plotly.js is embedded once, charts are static), prints on A4
(`@media print`), and stays readable without the charts: every chart has its
summary as caption and its data as a table with a caption.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from . import fmt
from .charts import HEIGHT, Chart

# A4 portrait minus margins is about 180 mm: 680 CSS pixels.
PRINT_WIDTH, PRINT_HEIGHT = 680, 340

CSS = """
body { font-family: "Source Sans Pro", Arial, sans-serif; color: #1a1a1a; max-width: 720px; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 1px solid #999; }
h3 { font-size: 1.1rem; margin-top: 1.4rem; }
.meta { color: #444; }
.notice { border-left: 4px solid #E69F00; padding: .3rem .8rem; background: #fff8e6; }
figure { margin: 1rem 0; }
figcaption { font-style: italic; margin-top: .3rem; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .9rem; }
caption { text-align: left; font-weight: bold; padding-bottom: .3rem; }
th, td { border: 1px solid #999; padding: .2rem .5rem; text-align: left; vertical-align: top; }
th { background: #eee; }
@page { size: A4 portrait; margin: 15mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  h2, h3 { break-after: avoid; }
  figure, table { break-inside: avoid; }
}
"""


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    charts: list[tuple[str, Chart]] = field(default_factory=list)  # (subheading, chart)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)  # (caption, table)


def render(title: str, intro: list[str], sections: list[Section], notices: list[str] = (),
           made: dt.date | None = None) -> str:
    """The whole report as one HTML document (lang="nl")."""
    made = made or dt.date.today()
    body = [f"<h1>{_e(title)}</h1>", f'<p class="meta">Gemaakt op {fmt.date(made)} met de GON-monitor.</p>']
    body += [f'<p class="notice">{_e(n)}</p>' for n in notices]
    body += [f"<p>{_e(p)}</p>" for p in intro]
    count = 0
    for section in sections:
        body.append(f"<h2>{_e(section.heading)}</h2>")
        body += [f"<p>{_e(p)}</p>" for p in section.paragraphs]
        if section.bullets:
            body.append("<ul>" + "".join(f"<li>{_e(b)}</li>" for b in section.bullets) + "</ul>")
        body += [_table(caption, table) for caption, table in section.tables]
        for subheading, chart in section.charts:
            count += 1
            body.append(f"<h3>{_e(subheading)}</h3>")
            body.append(_figure(chart, f"grafiek-{count}"))
            body.append(_table(f"Gegevens bij de grafiek: {subheading}", chart.data))
    return (
        '<!DOCTYPE html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n"
        f'<script type="text/javascript">{get_plotlyjs()}</script>\n'
        "</head>\n<body>\n<main>\n" + "\n".join(body) + "\n</main>\n</body>\n</html>\n"
    )


def _figure(chart: Chart, div_id: str) -> str:
    # a chart that asks for more than the usual height keeps that extra room for its labels
    extra = max(0, (chart.fig.layout.height or HEIGHT) - HEIGHT)
    fig = go.Figure(chart.fig).update_layout(width=PRINT_WIDTH, height=PRINT_HEIGHT + extra)
    div = pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id,
                      config={"staticPlot": True, "displayModeBar": False})
    return (f'<figure>\n<div role="img" aria-label="{_e(chart.summary)}">{div}</div>\n'
            f"<figcaption>{_e(chart.summary)}</figcaption>\n</figure>")


def _table(caption: str, table: pd.DataFrame) -> str:
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in table.columns)
    rows = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>"
                   for row in table.itertuples(index=False))
    return f"<table>\n<caption>{_e(caption)}</caption>\n<thead><tr>{head}</tr></thead>\n<tbody>{rows}</tbody>\n</table>"


def _e(value) -> str:
    return html.escape("" if value is None else str(value))
