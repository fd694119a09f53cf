"""Charts and sentences: Dutch numbers in axes and hover texts, one palette, status in
words, dashed and labelled target lines, and nothing protected leaking out."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from gonmetrics import charts, fmt, narrative, privacy
from gonmetrics.metrics import EXPORT_COLUMNS
from gonmetrics.narrative import Figures
from gonmetrics.targets import target_for

Q1, Q2, Q3 = dt.date(2027, 3, 31), dt.date(2027, 6, 30), dt.date(2027, 9, 30)
POINTS = pd.DataFrame(
    [("share_basis", dt.date(2026, 12, 31), 0.0), ("share_basis", dt.date(2027, 12, 31), 0.15),
     ("share_basis", dt.date(2028, 12, 31), 0.30), ("share_mi", dt.date(2026, 12, 31), 0.15),
     ("share_mi", dt.date(2030, 12, 31), 0.15)],
    columns=["metric", "peildatum", "minimum"],
)
# The target in force in Q3 2027 (11,25 %), as fmt shows it.
T3 = fmt.percent(target_for(POINTS, "share_basis", Q3))
AREAS = ("centrum", "west", "oost", "zuid", "stad")
PALETTE = set(charts.OKABE_ITO.values())


def export(cells: dict) -> pd.DataFrame:
    """An export table from {(metric, gebied, peildatum): (numerator, denominator[, value])}; counts
    have denominator None. Value (unless given) and target follow metrics.md."""
    rows = []
    for (metric, gebied, day), (num, den, *given) in cells.items():
        value = given[0] if given else (num if den is None else (num / den if den else None))
        rows.append((metric, gebied, day, num, den, value, target_for(POINTS, metric, day)))
    frame = pd.DataFrame(rows, columns=EXPORT_COLUMNS)
    return frame.astype({"numerator": "Int64", "denominator": "Int64", "value": "float64", "target": "float64"})


def city(users_west: int, basis_west: int, day: dt.date, mixed_west: int = 0, big: int = 400) -> dict:
    """A quarter in which west has the given counts and the other areas `big` users, 25 % basis."""
    cells = {}
    for gebied in AREAS:
        users, basis, mixed = (users_west, basis_west, mixed_west) if gebied == "west" else (big, big // 4, big // 10)
        cells |= {
            ("users", gebied, day): (users, None),
            ("share_basis", gebied, day): (basis, users),
            ("share_mixed", gebied, day): (mixed, users),
            ("share_mi", gebied, day): (basis // 5, basis),
            ("age_group:75+", gebied, day): (users // 8, users),
            ("age_group:18-26", gebied, day): (users // 10, users),
        }
    cells[("spread_basis", "stad", day)] = (None, None, abs(basis_west / users_west - 0.25))
    return cells


@pytest.fixture
def figs() -> Figures:
    # west: 200 users; 40 basis (20,0 %) in Q1, 50 (25,0 %) in Q2, 47 of 200 (23,5 %) in Q3
    return Figures(export(city(200, 40, Q1, 10) | city(200, 50, Q2, 12) | city(200, 47, Q3, 14)), points=POINTS)


def spec(chart: charts.Chart) -> dict:
    return json.loads(chart.fig.to_json())


def hover_texts(chart: charts.Chart) -> list[str]:
    return [c[0] for trace in spec(chart)["data"] for c in trace.get("customdata", [])]


def test_trend_is_dutch_in_layout_axis_and_hover(figs):
    chart = charts.trend(figs, "share_basis", "west")
    layout = spec(chart)["layout"]
    assert layout["separators"] == ",."
    assert layout["yaxis"]["ticksuffix"] == "\u00a0%"
    assert layout["xaxis"]["categoryarray"] == ["K1<br>2027", "K2<br>2027", "K3<br>2027"]
    hovers = hover_texts(chart)
    assert "West · K3 2027<br>Aandeel basisondersteuning: 23,5\u00a0% (47 van 200)" in hovers
    assert f"Streefwaarde K3 2027: {T3}" in hovers
    assert all(trace["hovertemplate"] == charts.HOVER for trace in spec(chart)["data"])
    assert chart.summary == ("Aandeel basisondersteuning in West: van 20,0\u00a0% in K1 2027 naar 23,5\u00a0% in "
                             f"K3 2027; streefwaarde {T3}, op koers.")
    assert list(chart.data.iloc[-1]) == ["K3 2027", "30-09-2027", "23,5\u00a0%", "47", "200", T3,
                                         "✔ op koers"]


def test_target_line_is_dashed_labelled_and_carries_the_year_end_goal(figs):
    data = spec(charts.trend(figs, "share_basis", "west", with_outlook=True))["data"]
    target = next(t for t in data if t["name"] == "Streefwaarde")
    assert target["line"]["dash"] == "dash"
    # 3,75 % / 7,5 % / 11,25 % in the data quarters, then 15 % at the year end (the outlook's end)
    assert target["y"] == pytest.approx([3.75, 7.5, 11.25, 15.0])
    goal = next(t for t in data if t["name"] == "Doel eind van het jaar")
    assert goal["text"] == ["eind 2027: 15\u00a0%"]
    projection = next(t for t in data if "indicatie, geen voorspelling" in t["name"])
    assert projection["line"]["dash"] == "dot"
    assert projection["x"] == ["K3<br>2027", "K4<br>2027"]


def test_every_chart_uses_the_palette_only(figs):
    built = [charts.trend(figs, "share_basis", "west"), charts.areas_trend(figs, "share_basis"),
             charts.compare(figs, "share_basis", Q3, "west"), charts.mix(figs, "west"), charts.ages(figs, "west")]
    for chart in built:
        colours = set()
        for trace in spec(chart)["data"]:
            for part in ("line", "marker"):
                colour = trace.get(part, {}).get("color")
                colours |= set(colour) if isinstance(colour, list) else {colour} - {None}
        assert colours and colours <= PALETTE, (chart.name, colours - PALETTE)


def test_compare_says_status_in_words_and_marks_the_chosen_area_without_colour(figs):
    chart = charts.compare(figs, "share_basis", Q3, highlight="west")
    bar = spec(chart)["data"][0]
    assert bar["y"][1] == "West (dit gebied)"
    assert bar["marker"]["pattern"]["shape"][1] == "/"
    assert bar["text"][1] == "23,5\u00a0%  ✔ op koers"
    line = spec(chart)["layout"]["shapes"][0]
    assert line["line"]["dash"] == "dash" and line["x0"] == pytest.approx(11.25)
    assert spec(chart)["layout"]["annotations"][0]["text"] == f"streefwaarde {T3}"
    assert chart.summary.endswith(f"streefwaarde {T3}, 4 van de 4 gebieden op koers.")


def test_mix_completes_to_the_whole(figs):
    chart = charts.mix(figs, "west")
    # Q3: 23,5 % only basis, 7,0 % both, so 69,5 % only aanvullend
    assert list(chart.data.iloc[-1]) == ["K3 2027", "23,5\u00a0%", "7,0\u00a0%", "69,5\u00a0%"]
    assert chart.summary.endswith(
        "23,5\u00a0% alleen basis, 7,0\u00a0% basis én aanvullend, 69,5\u00a0% alleen aanvullend.")


def test_ages_puts_75_plus_first_and_labels_it(figs):
    chart = charts.ages(figs, "west")
    first = spec(chart)["data"][0]
    assert first["name"] == "75+ jaar" and first["texttemplate"]
    assert chart.summary == ("Aandeel gebruikers van 75 jaar of ouder in West: van 12,5\u00a0% in K1 2027 naar "
                             "12,5\u00a0% in K3 2027.")


def test_key_figure_change_status_and_first_quarter(figs):
    key = figs.key("share_basis", "west", Q3)
    assert (key.text, key.change, key.direction, key.status, key.since) == (
        "23,5\u00a0%", "−1,5\u00a0procentpunt", -1, "op koers", Q2)
    assert figs.key("users", "west", Q1).change == narrative.NO_PREVIOUS
    assert figs.key("users", "west", Q2).change == "±0"


def test_no_change_against_a_quarter_with_a_missing_delivery(figs):
    incomplete = Figures(figs.frame, incomplete=frozenset({Q2}), points=POINTS)
    key = incomplete.key("share_basis", "west", Q3)
    assert (key.text, key.change, key.direction, key.since) == ("23,5\u00a0%", narrative.INCOMPLETE_PREVIOUS, 0, None)
    assert incomplete.key("share_basis", "west", Q2).change == "+5,0\u00a0procentpunt"  # 20,0 % -> 25,0 %; Q1 complete


def test_sentences_follow_the_data(figs):
    sentences = narrative.progress_sentences(figs, Q3)
    assert ("In West ontving op 30-09-2027 23,5\u00a0% van de gebruikers alleen basisondersteuning; de streefwaarde "
            f"voor dit kwartaal is {T3}, dus op koers; het doel voor eind 2027 is 15\u00a0%.") in sentences
    assert sentences[-1] == ("Tussen het gebied met het hoogste en het laagste aandeel basisondersteuning zit "
                             "1,5\u00a0procentpunt (vorig kwartaal 0,0\u00a0procentpunt).")


def test_protected_figures_stay_protected_in_charts_and_sentences():
    # west has 6 users, 3 of them basis: small numbers the council must not see
    frame = privacy.protect(export(city(6, 3, Q1) | city(6, 4, Q2)))
    figs = Figures(frame, points=POINTS)
    built = [charts.trend(figs, "share_basis", "west"), charts.compare(figs, "share_basis", Q2, "west"),
             charts.mix(figs, "west"), charts.ages(figs, "west"), charts.areas_trend(figs, "share_basis")]
    for chart in built:
        text = chart.fig.to_json() + chart.summary + chart.data.to_csv()
        for secret in ("50,0", "66,7", "50.0", "66.66", "(3 van 6)", "4 van 6"):
            assert secret not in text, (chart.name, secret)
        west = [t for t in spec(chart)["data"] if t.get("name") == "West"]
        assert all(y is None for trace in west for y in trace["y"])
    sentences = " ".join(narrative.progress_sentences(figs, Q2))
    assert "In West zijn de aantallen op 30-06-2027 te klein" in sentences
    assert "66,7" not in sentences and "Tussen het gebied" not in sentences  # the spread would give west away


def test_figures_carry_targets_goals_and_the_outlook(figs):
    assert figs.target_at("share_basis", Q2) == pytest.approx(0.075)  # 0 % end 2026 -> 15 % end 2027: 2 of 4 steps
    assert figs.year_end_goal("share_basis", Q1) == (dt.date(2027, 12, 31), 0.15)
    assert figs.year_end_goals("share_mi") == [(dt.date(2030, 12, 31), 0.15)]  # its first point is the start
    assert figs.goals() == ["share_basis", "share_mi"] and figs.steering() == ["share_basis", "share_mi"]
    ahead = figs.outlook("west")  # west 20 %, 25 %, 23,5 %: slope 1,75 procentpunt per quarter
    assert ahead["slope"] == pytest.approx(0.0175)
    assert ahead["projected"] == pytest.approx((0.20 + 0.25 + 0.235) / 3 + 2 * 0.0175)  # end 2027, 2 steps past Q2
    assert figs.outlook("west") is ahead  # made once per Figures
