"""Colours of the map's operators, roads, fiber and proposals, shared by its layers and legend.

The hamlet statuses and their colours are :mod:`gis.analysis.status` (one rule for maps,
exports, the report and the app).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "COLOCATION_COLOUR",
    "EXTENSION_COLOUR",
    "FIBER_COLOURS",
    "OPERATOR_COLOURS",
    "PROPOSED_COLOUR",
    "ROAD_STYLES",
    "operator_colour",
]

#: Operator -> marker colour (the operators' own brand colours, approximately).
OPERATOR_COLOURS: Final[dict[str, str]] = {
    "Viettel": "#e4002b",
    "VinaPhone": "#0072bc",
    "MobiFone": "#00468b",
    "Vietnamobile": "#f7941d",
    "Gmobile": "#ffd200",
    "iTel": "#7b2d8e",
    "Wintel": "#00a99d",
}
_OTHER_OPERATOR: Final = "#555555"

#: Road class -> (colour, line weight in px): the more important the road, the thicker.
ROAD_STYLES: Final[dict[str, tuple[str, float]]] = {
    "national": ("#c0392b", 4.0),
    "provincial": ("#e67e22", 3.0),
    "district": ("#f1c40f", 2.5),
    "commune": ("#7f8c8d", 2.0),
    "village": ("#95a5a6", 1.2),
    "urban": ("#7f8c8d", 1.6),
    "other": ("#bdc3c7", 1.0),
}

#: Fiber level -> line colour.
FIBER_COLOURS: Final[dict[str, str]] = {
    "backbone": "#4a148c",
    "distribution": "#7b1fa2",
    "access": "#ba68c8",
}


#: Proposed new shared towers, co-location opportunities (at their host tower), fiber extensions.
PROPOSED_COLOUR: Final = "#000000"
COLOCATION_COLOUR: Final = "#00bcd4"
EXTENSION_COLOUR: Final = "#00897b"


def operator_colour(operator: object) -> str:
    """The marker colour of an operator (grey for operators the tool does not know)."""
    return OPERATOR_COLOURS.get(str(operator), _OTHER_OPERATOR)
