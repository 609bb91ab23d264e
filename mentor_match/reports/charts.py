"""Charts as data (a titled table with a one-sentence summary), drawn as CSP-safe SVG.

A `Chart` is what the page, the API, the CSV download and the SVG image all show: one table of
numbers, its title, the sentence that says what it means, and how to draw it. Drawing uses
matplotlib's SVG backend without pyplot (no global figure state, safe in a web server). The
SVG it writes carries a `<style>` element and `style="…"` attributes, which a
`style-src 'self'` Content-Security-Policy forbids; `clean_svg` turns them into SVG
presentation attributes, so the image renders the same under the app's CSP.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

import matplotlib

matplotlib.use("svg")  # never a GUI backend on a server

from matplotlib.backends.backend_svg import FigureCanvasSVG  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from mentor_match.importing import neutralise_cell  # noqa: E402

# Okabe & Ito's palette, ordered for contrast on white: distinguishable with every common
# colour-vision deficiency. Lines also differ by marker shape and dash, bars by hatch.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
DASHES = ("-", "--", "-.", ":", "-", "--", "-.")
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "oo")
INK = "#1b1f24"
GRID = "#c9d0d9"
# Light to dark blue: ordered in lightness, so it reads in grey and to every viewer.
HEAT = LinearSegmentedColormap.from_list("heat", ["#f7fbff", "#6baed6", "#08306b"])

KINDS = ("bar", "hbar", "stacked_hbar", "line", "heatmap")


@dataclass(frozen=True)
class Column:
    """One column of a chart's table: `key` in the API and the CSV, `label` on the page."""

    key: str
    label: str
    kind: str = "count"  # text | count | hours | score | percent


@dataclass(frozen=True)
class Chart:
    """A chart's numbers and words. The first column names the categories (x axis);
    `series` are the columns drawn; a heat map draws every column after the first."""

    key: str
    title: str
    summary: str
    kind: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    series: tuple[str, ...] = ()
    axis_label: str = ""
    empty_text: str = "Nothing to show for these dates."
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}")
        keys = [c.key for c in self.columns]
        unknown = [s for s in self.series if s not in keys]
        if unknown:
            raise ValueError(f"series not in the table: {unknown}")

    @property
    def is_empty(self) -> bool:
        return not self.rows

    def records(self) -> list[dict[str, Any]]:
        """The rows as JSON objects keyed by column key (numbers as JSON numbers)."""
        return [
            {c.key: _json_value(v) for c, v in zip(self.columns, row, strict=True)}
            for row in self.rows
        ]

    def column(self, key: str) -> list[Any]:
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def format_value(value: Any, kind: str) -> str:
    """How a cell reads on the page and in the CSV."""
    if value is None:
        return ""
    if kind == "hours":
        return f"{float(value):.2f}".rstrip("0").rstrip(".") or "0"
    if kind == "score":
        return f"{float(value):.3f}"
    if kind == "percent":
        return f"{float(value):.0f}%"
    return str(value)


def chart_csv(chart: Chart) -> str:
    """The chart's table as CSV (header = column keys); formula-like cells neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.key for c in chart.columns])
    for row in chart.rows:
        writer.writerow(
            [
                neutralise_cell(format_value(v, c.kind if c.kind != "percent" else "count"))
                for c, v in zip(chart.columns, row, strict=True)
            ]
        )
    return out.getvalue()


# --- drawing -----------------------------------------------------------------------------------

WIDTH_IN = 6.0  # 432 pt: drawn text stays legible when the image is scaled to a 390 px phone
FONT = 11


def render_svg(chart: Chart) -> str:
    """The chart as a standalone SVG document with no style element or attribute."""
    out = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": chart.key, "svg.fonttype": "path"}):
        FigureCanvasSVG(draw(chart)).print_svg(out, metadata={"Date": None})
    return clean_svg(out.getvalue(), chart.title, chart.summary)


def draw(chart: Chart) -> Figure:
    """The chart as a matplotlib figure."""
    labels = [str(v) for v in chart.column(chart.columns[0].key)] if chart.rows else []
    height = _height(chart, len(labels))
    figure = Figure(figsize=(WIDTH_IN, height), dpi=72, layout="constrained")
    axes = figure.add_subplot()
    if chart.is_empty:
        axes.set_axis_off()
        axes.text(0.5, 0.5, chart.empty_text, ha="center", va="center", fontsize=FONT, color=INK)
    elif chart.kind == "line":
        _line(axes, chart, labels)
    elif chart.kind == "bar":
        _bars(axes, chart, labels)
    elif chart.kind in ("hbar", "stacked_hbar"):
        _hbars(axes, chart, labels, stacked=chart.kind == "stacked_hbar")
    else:
        _heatmap(figure, axes, chart, labels)
    axes.set_title(chart.title, fontsize=FONT + 2, color=INK, loc="left", wrap=True)
    return figure


def _height(chart: Chart, count: int) -> float:
    if chart.kind in ("hbar", "stacked_hbar", "heatmap"):
        return min(2.0 + 0.38 * max(count, 2), 14.0)
    return 4.0


def _style_axes(axes: Any, chart: Chart) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=FONT - 1, colors=INK)
    axes.set_axisbelow(True)


def _whole_numbers(axis: Any, chart: Chart) -> None:
    """Counts get whole-number ticks (never "2.5 mentees")."""
    kinds = {c.key: c.kind for c in chart.columns}
    if all(kinds[s] == "count" for s in chart.series):
        axis.set_major_locator(MaxNLocator(integer=True))


def _series(chart: Chart) -> list[tuple[str, list[float]]]:
    labels = {c.key: c.label for c in chart.columns}
    return [(labels[s], [float(v or 0) for v in chart.column(s)]) for s in chart.series]


def _thin_ticks(axes: Any, labels: Sequence[str], most: int = 9) -> None:
    step = max(1, -(-len(labels) // most))
    positions = list(range(0, len(labels), step))
    axes.set_xticks(positions, [labels[i] for i in positions], rotation=45, ha="right")


def _legend(axes: Any, count: int) -> None:
    """Below the plot, so the plot keeps the full width on a phone."""
    if count > 1:
        axes.figure.legend(
            loc="outside lower center", ncols=min(count, 3), fontsize=FONT - 1, frameon=False
        )


def _line(axes: Any, chart: Chart, labels: list[str]) -> None:
    _style_axes(axes, chart)
    x = list(range(len(labels)))
    series = _series(chart)
    for i, (label, values) in enumerate(series):
        axes.plot(
            x,
            values,
            label=label,
            color=PALETTE[i % len(PALETTE)],
            marker=MARKERS[i % len(MARKERS)],
            linestyle=DASHES[i % len(DASHES)],
            linewidth=2,
            markersize=5,
        )
    axes.grid(axis="y", color=GRID, linewidth=0.8)
    axes.set_ylim(bottom=0)
    _whole_numbers(axes.yaxis, chart)
    axes.set_ylabel(chart.axis_label, fontsize=FONT, color=INK)
    _thin_ticks(axes, labels)
    _legend(axes, len(series))


def _bars(axes: Any, chart: Chart, labels: list[str]) -> None:
    _style_axes(axes, chart)
    series = _series(chart)
    width = 0.8 / max(len(series), 1)
    for i, (label, values) in enumerate(series):
        offset = (i - (len(series) - 1) / 2) * width
        axes.bar(
            [j + offset for j in range(len(labels))],
            values,
            width=width,
            label=label,
            color=PALETTE[i % len(PALETTE)],
            hatch=HATCHES[i % len(HATCHES)],
            edgecolor="white",
            linewidth=0.5,
        )
    axes.grid(axis="y", color=GRID, linewidth=0.8)
    _whole_numbers(axes.yaxis, chart)
    axes.set_ylabel(chart.axis_label, fontsize=FONT, color=INK)
    _thin_ticks(axes, labels, most=12)
    _legend(axes, len(series))


def _hbars(axes: Any, chart: Chart, labels: list[str], *, stacked: bool) -> None:
    _style_axes(axes, chart)
    series = _series(chart)
    y = list(range(len(labels)))
    left = [0.0] * len(labels)
    height = 0.8 if stacked else 0.8 / max(len(series), 1)
    for i, (label, values) in enumerate(series):
        offset = 0.0 if stacked else (i - (len(series) - 1) / 2) * height
        bars = axes.barh(
            [v + offset for v in y],
            values,
            height=height,
            left=left if stacked else None,
            label=label,
            color=PALETTE[i % len(PALETTE)],
            hatch=HATCHES[i % len(HATCHES)],
            edgecolor="white",
            linewidth=0.5,
        )
        if len(series) == 1:
            axes.bar_label(bars, fmt="%g", padding=3, fontsize=FONT - 1, color=INK)
        if stacked:
            left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_yticks(y, labels)
    axes.invert_yaxis()  # the first row on top, as in the table
    axes.grid(axis="x", color=GRID, linewidth=0.8)
    _whole_numbers(axes.xaxis, chart)
    axes.set_xlabel(chart.axis_label, fontsize=FONT, color=INK)
    _legend(axes, len(series))


def _heatmap(figure: Any, axes: Any, chart: Chart, labels: list[str]) -> None:
    value_columns = chart.columns[1:]
    matrix = [[float(v or 0) for v in row[1:]] for row in chart.rows]
    image = axes.imshow(matrix, cmap=HEAT, aspect="auto", vmin=0)
    axes.set_yticks(range(len(labels)), labels, fontsize=FONT - 1)
    axes.set_xticks(
        range(len(value_columns)),
        [c.label for c in value_columns],
        rotation=45,
        ha="right",
        fontsize=FONT - 1,
    )
    top = max((v for row in matrix for v in row), default=0) or 1
    for r, row in enumerate(matrix):
        for c, value in enumerate(row):
            axes.text(
                c,
                r,
                f"{value:g}",
                ha="center",
                va="center",
                fontsize=FONT - 2,
                color="white" if value > top * 0.55 else INK,
            )
    bar = figure.colorbar(image, ax=axes, shrink=0.8)
    bar.set_label(chart.axis_label, fontsize=FONT - 1)


# --- making the SVG CSP-safe -------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
PREFIXES = {
    "": SVG_NS,
    "xlink": XLINK_NS,
    "dc": "http://purl.org/dc/elements/1.1/",
    "cc": "http://creativecommons.org/ns#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}


def _serialise(root: ET.Element) -> str:
    """The SVG as text with its usual prefixes. ElementTree's prefix table is global and other
    libraries (an XHTML default namespace, say) may have changed it since: set it each time."""
    for prefix, uri in PREFIXES.items():
        ET.register_namespace(prefix, uri)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


# CSS properties that SVG also accepts as presentation attributes (SVG 1.1 §6.4, SVG 2).
PRESENTATION = frozenset(
    {
        "clip-path",
        "clip-rule",
        "color",
        "fill",
        "fill-opacity",
        "fill-rule",
        "font-family",
        "font-size",
        "font-style",
        "font-weight",
        "opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
        "visibility",
        "display",
    }
)
_FONT_SHORTHAND = re.compile(
    r"^(?:(?P<style>italic|oblique|normal)\s+)?(?:(?P<weight>bold|\d00|normal)\s+)?(?P<size>[\d.]+px)\s+(?P<family>.+)$"
)


def _declarations(style: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in style.split(";"):
        name, sep, value = part.partition(":")
        if sep:
            out[name.strip().lower()] = value.strip()
    return out


def _attributes(style: str) -> dict[str, str]:
    """A `style` attribute's declarations as presentation attributes (others dropped)."""
    out: dict[str, str] = {}
    for name, value in _declarations(style).items():
        if name == "font":
            match = _FONT_SHORTHAND.match(value)
            if match:
                out["font-size"] = match["size"]
                out["font-family"] = match["family"]
                if match["style"]:
                    out["font-style"] = match["style"]
                if match["weight"]:
                    out["font-weight"] = match["weight"]
        elif name in PRESENTATION:
            out[name] = value
    return out


def clean_svg(text: str, title: str, summary: str) -> str:
    """Drop `<style>` elements, turn `style` attributes into presentation attributes, and
    give the document a `<title>` and `<desc>` (its text alternative when opened alone)."""
    # Our own matplotlib output, never user input.
    root = ET.fromstring(text)  # noqa: S314  # nosec B314
    page_rules: dict[str, str] = {}
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag == f"{{{SVG_NS}}}style":
                # matplotlib's only rule is `* { stroke-linejoin; stroke-linecap }`: inherited
                # presentation attributes on the root say the same.
                for block in re.findall(r"\{([^}]*)\}", child.text or ""):
                    page_rules.update(_attributes(block))
                parent.remove(child)
    for element in root.iter():
        style = element.attrib.pop("style", None)
        if style:
            for name, value in _attributes(style).items():
                element.set(name, value)
    for name, value in page_rules.items():
        root.set(name, value)
    root.set("role", "img")
    root.set("aria-label", summary)
    desc = ET.Element(f"{{{SVG_NS}}}desc")
    desc.text = summary
    heading = ET.Element(f"{{{SVG_NS}}}title")
    heading.text = title
    root.insert(0, desc)
    root.insert(0, heading)
    return _serialise(root)
