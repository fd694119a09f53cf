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
from gonmetrics.targets import next_point, target_for

Q1, Q2, Q3 = dt.date(2027, 3, 31), dt.date(2027, 6, 30), dt.date(2027, 9, 30)
Q4, Q5 = dt.date(2027, 12, 31), dt.date(2028, 3, 31)
POINTS = pd.DataFrame(
    [("share_basis", dt.date(2027, 12, 31), 0.15), ("share_basis", dt.date(2028, 12, 31), 0.30),
     *[("share_mi", dt.date(year, 12, 31), 0.15) for year in (2027, 2028, 2029, 2030)]],
    columns=["metric", "peildatum", "minimum"],
)
GOAL = "streefwaarde eind 2027: 15\u00a0%"  # every quarter of 2027
AREAS = ("centrum", "west", "oost", "zuid", "stad")
PALETTE = set(charts.OKABE_ITO.values())


def export(cells: dict) -> pd.DataFrame:
    """An export table from {(metric, gebied, peildatum): (numerator, denominator[, value])}; counts
    have denominator None. Value (unless given) and target follow metrics.md."""
    rows = []
    for (metric, gebied, day), (num, den, *given) in cells.items():
        value = given[0] if given else (num if den is None else (num / den if den else None))
        rows.append((metric, gebied, day, num, den, value, target(metric, day)))
    frame = pd.DataFrame(rows, columns=EXPORT_COLUMNS)
    return frame.astype({"numerator": "Int64", "denominator": "Int64", "value": "float64", "target": "float64"})


def target(metric: str, day: dt.date) -> float | None:
    """The target column of metrics.md: the shift's is that of the point it aims at."""
    if metric == "shift_basis":
        return (next_point(POINTS, "share_basis", day) or (None, None))[1]
    return target_for(POINTS, metric.removeprefix("outlook:"), day)


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


def outlooks(day: dt.date, west: float) -> dict:
    """The outlook of share_basis in a quarter: the other areas and the city stay at 25 %."""
    return {("outlook:share_basis", g, day): (None, None, west if g == "west" else 0.25) for g in AREAS}


@pytest.fixture
def figs() -> Figures:
    # west: 200 users; 40 basis (20,0 %) in Q1, 50 (25,0 %) in Q2, 47 of 200 (23,5 %) in Q3.
    # Outlooks by hand: Q2 20 -> 25 %, +5 points, two quarters on: 35 %; Q3 x -2..0, y .20 .25 .235:
    # mean .685/3, slope .035/2 = .0175, one quarter on: .685/3 + 2 x .0175 = 79/300 (26,3 %)
    cells = city(200, 40, Q1, 10) | city(200, 50, Q2, 12) | city(200, 47, Q3, 14)
    return Figures(export(cells | outlooks(Q2, 0.35) | outlooks(Q3, 79 / 300)), points=POINTS)


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
    assert "Streefwaarde eind 2027: 15\u00a0%" in hovers
    assert all(trace["hovertemplate"] == charts.HOVER for trace in spec(chart)["data"])
    assert chart.summary == ("Aandeel basisondersteuning in West: van 20,0\u00a0% in K1 2027 naar 23,5\u00a0% in "
                             f"K3 2027; {GOAL}, op koers.")
    assert list(chart.data.iloc[-1]) == ["K3 2027", "30-09-2027", "23,5\u00a0%", "47", "200", "15\u00a0%",
                                         "↗ op koers"]


def test_target_line_is_dashed_labelled_and_carries_the_year_end_goal(figs):
    data = spec(charts.trend(figs, "share_basis", "west", with_outlook=True))["data"]
    target = next(t for t in data if t["name"] == "Streefwaarde")
    assert target["line"]["dash"] == "dash"
    # 15 % over the whole of 2027, up to the year end the outlook reaches; no line from anywhere
    assert target["x"] == ["K1<br>2027", "K2<br>2027", "K3<br>2027", "K4<br>2027", None]
    assert target["y"] == [15.0, 15.0, 15.0, 15.0, None]
    # the year-end goal is named in the legend, not written on the plot
    goal = next(t for t in data if t["name"] == "Doel eind 2027: 15\u00a0%")
    assert goal["x"] == ["K4<br>2027"] and goal["y"] == [15.0] and "text" not in goal
    projection = next(t for t in data if "indicatie, geen voorspelling" in t["name"])
    assert projection["line"]["dash"] == "dot"
    assert projection["x"] == ["K3<br>2027", "K4<br>2027"]
    assert projection["y"] == pytest.approx([23.5, 7900 / 300])


def test_the_minimum_is_a_step_per_year():
    cells = city(200, 40, Q3) | city(200, 40, Q4) | city(200, 40, Q5)
    data = spec(charts.trend(Figures(export(cells), points=POINTS), "share_basis", "west"))["data"]
    target = next(t for t in data if t["name"] == "Streefwaarde")
    assert target["x"] == ["K3<br>2027", "K4<br>2027", None, "K1<br>2028", None]
    assert target["y"] == [15.0, 15.0, None, 30.0, None]  # 15 % all of 2027, then 30 % from K1 2028
    goals = [t for t in data if t["name"].startswith("Doel eind")]
    assert [(t["name"], t["x"]) for t in goals] == [("Doel eind 2027: 15\u00a0%", ["K4<br>2027"])]  # 2028's end: not in view


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
    # name, value and status in the bar's label, which the margin grows to hold
    assert bar["y"][1] == "West<br>(dit gebied)<br>23,5\u00a0% ↗ op koers"
    assert bar["y"][0] == "Centrum, Oude Wijken<br>25,0\u00a0% ↗ op koers"  # 100 of its 400 users
    assert bar["marker"]["pattern"]["shape"][1] == "/"
    assert "West · K3 2027" in bar["customdata"][1][0]  # the hover names the area without the marks
    line = spec(chart)["layout"]["shapes"][0]
    assert line["line"]["dash"] == "dash" and line["x0"] == pytest.approx(15.0)
    assert line["showlegend"] and line["name"] == "S" + GOAL[1:]  # named in the legend, below the chart
    assert "annotations" not in spec(chart)["layout"]
    assert chart.summary.endswith(f"{GOAL} (4 op koers).")


def test_charts_keep_their_words_off_the_plot(figs):
    """No free text on a plot (it ran into lines and off narrow charts), legends at the foot,
    the title at the top left and wrapped, since plotly does not wrap titles."""
    built = [charts.trend(figs, "share_basis", "west", with_outlook=True), charts.areas_trend(figs, "share_basis"),
             charts.compare(figs, "share_basis", Q3, "west"), charts.mix(figs, "west"), charts.ages(figs, "west"),
             charts.shift(figs, "west"), charts.inflow(figs, "west"), charts.waiting(figs, "west")]
    for chart in built:
        layout = spec(chart)["layout"]
        assert "annotations" not in layout, chart.name
        assert all("textpoint" not in t.get("mode", "") and "text" not in t.get("mode", "")
                   for t in spec(chart)["data"] if t["type"] == "scatter"), chart.name
        assert (layout["legend"]["orientation"], layout["legend"]["yref"], layout["legend"]["y"]) == ("h", "container", 0)
        assert layout["xaxis"]["automargin"] and layout["yaxis"]["automargin"] and layout["title"]["automargin"]
    long = charts._title("Aandeel basisgebruikers via maatschappelijk initiatief")  # 54 characters
    assert (long["text"], long["subtitle"]["text"]) == ("Aandeel basisgebruikers via", "maatschappelijk initiatief")


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
    assert ("In West ontving op 30-09-2027 23,5\u00a0% van de gebruikers alleen basisondersteuning; "
            f"{GOAL}, status: op koers.") in sentences
    assert narrative.outlook_sentence(figs, "share_basis", "west", Q3) == (
        "Als de lijn van de laatste kwartalen doorzet, komt het aandeel basisondersteuning eind 2027 op ongeveer "
        f"26,3\u00a0% (indicatie, geen voorspelling); {GOAL}, status: op koers.")
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
    assert figs.year_end_goal("share_basis", Q1) == (dt.date(2027, 12, 31), 0.15)
    assert figs.year_end_goal("share_basis", Q5) == (dt.date(2028, 12, 31), 0.30)
    assert figs.year_end_goals("share_mi") == [(dt.date(year, 12, 31), 0.15) for year in (2027, 2028, 2029, 2030)]
    assert figs.goals() == ["share_basis", "share_mi"] and figs.steering() == ["share_basis", "share_mi"]
    assert figs.outlook("share_basis", "west", Q3) == (Q4, pytest.approx(79 / 300))
    assert figs.outlook("share_basis", "west", Q1) is None  # no outlook row
    assert figs.status("share_basis", "west", Q1) == "onbekend"


@pytest.mark.parametrize("basis, word", [(30, "gehaald"), (29, "niet gehaald")])
def test_at_the_year_end_the_value_decides(basis, word):
    # 30 of 200 is exactly 15 %: gehaald; 29 of 200 (14,5 %) is not, whatever an outlook said before
    figs = Figures(export(city(200, 40, Q3) | outlooks(Q3, 0.9) | city(200, basis, Q4)), points=POINTS)
    assert figs.status("share_basis", "west", Q4) == word
    assert figs.key("share_basis", "west", Q4).goal == GOAL
    assert narrative.outlook_sentence(figs, "share_basis", "west", Q4) is None
    assert f"{GOAL}, status: {word}." in narrative.basis_sentence(figs, "west", Q4)


def test_an_outlook_below_the_minimum_is_niet_op_koers():
    figs = Figures(export(city(200, 40, Q3) | outlooks(Q3, 0.149)), points=POINTS)
    assert figs.status("share_basis", "west", Q3) == "niet op koers"
    assert charts.compare(figs, "share_basis", Q3).data["Status"][1] == "▼ niet op koers"


@pytest.mark.parametrize("shift, sentence", [
    # 1.000 users, 136 of them basis only at the end of 2027; 30 % of 1.000 is 300: 164 more in 4 quarters
    ((164, 4, 41.0), "Om eind 2028 op 30\u00a0% te komen, moeten er in West tot dan per kwartaal ongeveer 41 "
                     "gebruikers overgaan naar alleen basisondersteuning (bij een gelijk aantal gebruikers)."),
    ((0, 4, 0.0), "In West is 30\u00a0% alleen basisondersteuning voor eind 2028 al bereikt (bij een gelijk "
                  "aantal gebruikers)."),
    ((1, 4, 0.25), "Om eind 2028 op 30\u00a0% te komen, moeten er in West tot dan in totaal 1 gebruiker overgaan "
                   "naar alleen basisondersteuning (bij een gelijk aantal gebruikers)."),
    ((None, 4, None), None),  # no users
])
def test_shift_sentence_and_table(shift, sentence):
    figs = Figures(export(city(1000, 136, Q4) | {("shift_basis", "west", Q4): shift}), points=POINTS)
    assert narrative.shift_sentence(figs, "west", Q4) == sentence
    row = charts.shift(figs, "west").data.iloc[-1]
    assert list(row) == ["K4 2027", "31-12-2027", "–" if shift[2] is None else fmt.number(shift[2], 1),
                         "–" if shift[0] is None else str(shift[0]), "4", "30\u00a0%"]
