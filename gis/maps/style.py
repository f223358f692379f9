"""Colours and the display status of hamlets, shared by the map layers and their legend.

The status is a display classification of columns the analyses computed (``no_signal``,
``weak_spot``, ``mobile_4g``, ``mobile_5g``, ``ftth``); nothing is recomputed here.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

__all__ = [
    "COLOCATION_COLOUR",
    "EXTENSION_COLOUR",
    "FIBER_COLOURS",
    "FTTH_COLOURS",
    "MOBILE_STATUSES",
    "OPERATOR_COLOURS",
    "PROPOSED_COLOUR",
    "ROAD_STYLES",
    "STATUS_COLOURS",
    "ftth_status",
    "mobile_status",
    "operator_colour",
]

#: Mobile status -> fill colour (traffic-light order; grey when coverage was not computed).
STATUS_COLOURS: Final[dict[str, str]] = {
    "covered": "#1a9641",
    "weak": "#fdae61",
    "no_signal": "#d7191c",
    "unknown": "#9e9e9e",
}
MOBILE_STATUSES: Final = tuple(STATUS_COLOURS)

#: FTTH status -> fill colour.
FTTH_COLOURS: Final[dict[str, str]] = {
    "ftth_yes": "#2c7bb6",
    "ftth_no": "#e66101",
    "unknown": "#9e9e9e",
}

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


def _flag(hamlets: pd.DataFrame, column: str) -> np.ndarray | None:
    """A boolean array of a flag column (missing values are False), or None when absent."""
    if column not in hamlets:
        return None
    return hamlets[column].astype("boolean").fillna(False).to_numpy(dtype=bool)


def mobile_status(hamlets: pd.DataFrame) -> pd.Series:
    """Each hamlet's mobile status: ``covered``, ``weak``, ``no_signal`` or ``unknown``.

    ``no_signal`` (trắng sóng) and ``weak_spot`` (lõm sóng) come from the coverage analysis;
    ``covered`` is ``mobile_4g or mobile_5g``. ``unknown`` marks hamlets for which the coverage
    columns do not exist (coverage not computed). A hamlet that is neither flagged nor covered
    (e.g. centre covered only by 2G/3G) is shown as a weak spot.
    """
    status = np.full(len(hamlets), "unknown", dtype=object)
    cov4, cov5 = _flag(hamlets, "mobile_4g"), _flag(hamlets, "mobile_5g")
    nosig, weak = _flag(hamlets, "no_signal"), _flag(hamlets, "weak_spot")
    if cov4 is None and cov5 is None and nosig is None:
        return pd.Series(status, index=hamlets.index, name="mobile_status")
    covered = np.zeros(len(hamlets), bool)
    for arr in (cov4, cov5):
        if arr is not None:
            covered |= arr
    status[:] = "weak"
    status[covered] = "covered"
    if weak is not None:
        status[weak & ~covered] = "weak"
    if nosig is not None:
        status[nosig] = "no_signal"
    return pd.Series(status, index=hamlets.index, name="mobile_status")


def ftth_status(hamlets: pd.DataFrame) -> pd.Series:
    """Each hamlet's FTTH status: ``ftth_yes``, ``ftth_no`` or ``unknown`` (not computed)."""
    flag = _flag(hamlets, "ftth")
    if flag is None:
        return pd.Series("unknown", index=hamlets.index, name="ftth_status")
    return pd.Series(np.where(flag, "ftth_yes", "ftth_no"), index=hamlets.index,
                     name="ftth_status")
