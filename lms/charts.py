"""Server-rendered charts: SVG drawn by pygal, made accessible and safe under the site's
Content-Security-Policy.

Why pygal: it is a small, pure-Python, actively maintained library that writes SVG (no browser
JavaScript, no numpy), so a chart is rendered on the server, prints, and works without scripts.

How a chart reaches the page: as an ``<img>`` whose source is the SVG as a ``data:`` URI. The
learners' and managers' pages allow no inline style (CSP ``style-src 'self'``), and pygal styles
its SVG with a ``<style>`` element; an SVG shown as an image is a document of its own, its styles
never touch the page and its scripts never run, so nothing is blocked and nothing can be
injected. The image's ``alt`` gives the title and the description; the SVG itself carries them
as ``<title>`` and ``<desc>`` (``role="img"``); and every chart is shown beside a table of the
same figures, so nothing is said by the picture alone, and nothing by colour alone: one series
per chart, each value printed on it."""

import base64
from dataclasses import dataclass

import pygal
from pygal.etree import etree
from pygal.style import Style

# Dark marks on white: at least 4.5:1 for text and 3:1 for marks (WCAG 1.4.3, 1.4.11).
CHART_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#0b0c0c",
    foreground_strong="#0b0c0c",
    foreground_subtle="#505a5f",
    colors=("#1d70b8",),
    font_family="Arial, Helvetica, sans-serif",
    label_font_size=14,
    major_label_font_size=14,
    value_font_size=14,
    title_font_size=18,
    legend_font_size=14,
    opacity="1",
    opacity_hover="1",
    transition="0s",
)


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    svg: str

    @property
    def alt(self):
        return f"{self.title}. {self.description}"

    @property
    def data_uri(self):
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def _config(**options):
    return {
        "style": CHART_STYLE,
        "js": [],  # no script, not even pygal's tooltips: the values are printed on the chart
        "disable_xml_declaration": True,
        "show_legend": False,
        "print_values": True,
        "width": 800,
        "height": 420,
        "margin": 24,
        "truncate_label": -1,
        **options,
    }


def _finish(chart, *, title, description):
    """The SVG with its title and description as the first children, where assistive
    technology reads them."""
    tree = chart.render_tree()
    # pygal writes its configuration as a script for its tooltips; an image runs none, and the
    # chart needs none, so it goes.
    # Its own <title> (the chart's title alone) makes way for ours and the description.
    for element in [*tree.iter("script"), *tree.iterchildren("title", "desc")]:
        element.getparent().remove(element)
    tree.set("role", "img")
    tree.set("aria-labelledby", "chart-title chart-desc")
    for tag, text in (("desc", description), ("title", title)):
        element = etree.Element(tag, id=f"chart-{tag}")
        element.text = text
        tree.insert(0, element)
    return Chart(title=title, description=description, svg=etree.tostring(tree, encoding="unicode"))


def line_chart(*, title, description, labels, values, y_title, maximum=100):
    """One line over ``labels`` (a value of None leaves a gap: a figure not shown)."""
    chart = pygal.Line(
        **_config(title=title, y_title=y_title, range=(0, maximum), x_label_rotation=0)
    )
    chart.x_labels = list(labels)
    chart.add(y_title, list(values), formatter=lambda value: f"{value:g}")
    return _finish(chart, title=title, description=description)


def bar_chart(*, title, description, labels, values, x_title, maximum=100):
    """Horizontal bars, one per label, the value printed at the end of each."""
    chart = pygal.HorizontalBar(
        **_config(
            title=title,
            y_title=x_title,
            range=(0, maximum),
            height=max(200, 80 + 36 * len(labels)),
        )
    )
    chart.x_labels = list(labels)
    chart.add(x_title, list(values), formatter=lambda value: f"{value:g}")
    return _finish(chart, title=title, description=description)


def scatter_chart(*, title, description, points, x_title, y_title, x_range, y_range):
    """``points``: (label, x, y); each point is labelled, so it can be found in the table."""
    chart = pygal.XY(
        **_config(
            title=title,
            x_title=x_title,
            y_title=y_title,
            stroke=False,
            xrange=x_range,
            range=y_range,
            print_labels=True,
            print_values=False,
            dots_size=5,
        )
    )
    chart.add(y_title, [{"value": (x, y), "label": label} for label, x, y in points])
    return _finish(chart, title=title, description=description)
