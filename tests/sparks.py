"""Reading a card's sparkline back from what the dashboard draws (tests only).

A sparkline is an SVG document (ui.charts.spark_svg) that a card shows as an image
(ui.cards.spark_markup). These helpers read what it draws, in the SVG's own units (y grows
downwards), so tests can check it against coordinates worked out by hand.
"""

from __future__ import annotations

import base64
import html
import re
import xml.etree.ElementTree as ET

_SVG = "{http://www.w3.org/2000/svg}"
_IMG = re.compile(r'<img class="cwd-spark" src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]*)".*', re.S)


def read_spark(svg: str | bytes) -> dict:
    """{"range": [lo, hi], "viewBox", "height", and where drawn "line" [(x, y)...], "band" (top,
    bottom), "target" y} of one sparkline's SVG."""
    root = ET.fromstring(svg)
    assert root.tag == f"{_SVG}svg"
    box = root.get("viewBox")
    out = {"range": [float(v) for v in root.get("data-range").split(",")], "viewBox": box,
           "height": float(box.split()[3])}
    for el in root:
        assert el.tag.startswith(_SVG)
        kind = el.get("class").removeprefix("cwd-spark-")
        if kind == "line":
            out["line"] = [tuple(float(v) for v in p.split(",")) for p in el.get("points").split()]
        elif kind == "band":
            out["band"] = (float(el.get("y")), float(el.get("y")) + float(el.get("height")))
        elif kind == "target":
            assert el.get("y1") == el.get("y2") and el.get("stroke-dasharray")
            out["target"] = float(el.get("y1"))
    return out


def page_sparks(at) -> list[dict]:
    """Every card's sparkline on an AppTest page, read_spark's dict plus its words ("alt")."""
    out = []
    for el in at.get("html"):
        img = _IMG.fullmatch(el.proto.body)
        if img:
            out.append({"alt": html.unescape(img.group(2)), **read_spark(base64.b64decode(img.group(1)))})
    return out
