"""Charts as pure records: drawn as CSP-safe SVG, written as safe CSV (no Flask, no database)."""

from __future__ import annotations

from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest

from mentor_match.reports.charts import Chart, Column, chart_csv, clean_svg, render_svg


def _chart(
    kind: str = "bar", rows=(("Week 1", 3, Decimal("2.50")), ("Week 2", 0, Decimal("4"))), **kw
):  # noqa: ANN001, ANN003
    return Chart(
        key="sample",
        title="Sample chart",
        summary="3 seats; 6.5 hours.",
        kind=kind,
        columns=(
            Column("week", "Week", "text"),
            Column("seats", "Seats"),
            Column("hours", "Hours", "hours"),
        ),
        rows=rows,
        series=("seats", "hours"),
        **kw,
    )


@pytest.mark.parametrize("kind", ["bar", "hbar", "stacked_hbar", "line", "heatmap"])
def test_every_kind_draws_an_svg_without_any_style(kind):
    svg = render_svg(_chart(kind))
    root = ET.fromstring(svg.split("\n", 1)[1])  # noqa: S314 — our own output
    assert root.tag.endswith("svg")
    assert not [e for e in root.iter() if e.tag.endswith("style") or "style" in e.attrib]
    assert root.find("{http://www.w3.org/2000/svg}title").text == "Sample chart"
    assert root.find("{http://www.w3.org/2000/svg}desc").text == "3 seats; 6.5 hours."
    assert root.get("role") == "img"
    # The colour-blind-safe palette's first colour is there: styles became attributes.
    assert kind == "heatmap" or 'fill="#0072b2"' in svg.lower() or 'stroke="#0072b2"' in svg.lower()


def test_an_empty_chart_says_so():
    svg = render_svg(_chart(rows=(), empty_text="No shifts in these dates."))
    assert "No shifts in these dates." in svg or "<path" in svg  # text drawn as glyph paths
    assert "style=" not in svg


def test_style_declarations_become_presentation_attributes():
    text = (
        '<svg xmlns="http://www.w3.org/2000/svg"><defs><style type="text/css">'
        "*{stroke-linejoin: round; stroke-linecap: butt}</style></defs>"
        '<path style="fill: #e69f00; stroke-width: 0.8; cursor: pointer" d="M0 0"/>'
        "<text style=\"font: 10px 'DejaVu Sans'; text-anchor: middle\">x</text></svg>"
    )
    root = ET.fromstring(clean_svg(text, "T", "S").split("\n", 1)[1])  # noqa: S314
    ns = "{http://www.w3.org/2000/svg}"
    path, label = root.find(f".//{ns}path"), root.find(f".//{ns}text")
    assert path.attrib == {"d": "M0 0", "fill": "#e69f00", "stroke-width": "0.8"}
    assert label.get("font-size") == "10px" and label.get("text-anchor") == "middle"
    assert root.get("stroke-linejoin") == "round" and root.get("stroke-linecap") == "butt"
    assert root.find(f".//{ns}style") is None


def test_csv_has_the_keys_as_header_and_neutralises_formulas():
    chart = _chart(rows=(('=HYPERLINK("x")', 1, Decimal("1.50")), ("Week 2", 2, Decimal("0"))))
    lines = chart_csv(chart).splitlines()
    assert lines == ["week,seats,hours", '"\'=HYPERLINK(""x"")",1,1.5', "Week 2,2,0"]


def test_records_are_json_ready():
    assert _chart().records()[0] == {"week": "Week 1", "seats": 3, "hours": 2.5}


def test_a_series_must_be_a_column_of_the_table():
    with pytest.raises(ValueError, match="series"):
        Chart("k", "t", "s", "bar", (Column("a", "A", "text"),), (), series=("b",))
    with pytest.raises(ValueError, match="kind"):
        Chart("k", "t", "s", "pie", (Column("a", "A", "text"),), ())


def test_the_svg_keeps_its_plain_prefix_whatever_else_registered_a_default_namespace():
    # Another library taking the default prefix for XHTML once gave the charts "ns0:svg".
    ET.register_namespace("", "http://www.w3.org/1999/xhtml")
    svg = render_svg(_chart())
    assert "<svg " in svg and "ns0:" not in svg
