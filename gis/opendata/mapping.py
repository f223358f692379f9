"""Canonical values for open-data tags: operator names and technology strings.

The canonical names are those of :mod:`gis.layers.schema` (DOMAIN.md section 5); operator
texts go through the readers' :func:`gis.layers.normalise.normalise_operator`, so an operator
is spelled the same whether it came from an operator's file, OSM or OpenCelliD.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from gis.layers.normalise import normalise_operator as _readers_operator
from gis.layers.schema import OPERATORS_BY_MNC, TECHS, header_key

__all__ = [
    "MCC_COUNTRIES",
    "RADIO_TECH",
    "UNKNOWN_OPERATOR",
    "country_of_mcc",
    "join_techs",
    "normalise_operator",
    "operator_for_mnc",
    "split_operators",
]

#: Operator value for a site whose operator is not tagged or not recognised; kept, with a note.
UNKNOWN_OPERATOR = "unknown"

#: OpenCelliD ``radio`` -> technology (GSM 2G, UMTS 3G, LTE 4G, NR 5G). CDMA never ran in VN
#: under MCC 452 after S-Fone closed (2012); such rows are rejected with the reason.
RADIO_TECH = {"GSM": "2G", "UMTS": "3G", "LTE": "4G", "NR": "5G"}

#: Mobile country codes (ITU-T E.212) of Vietnam, its neighbours and the most common foreign
#: rows of a worldwide OpenCelliD file: (English, Vietnamese) country names.
MCC_COUNTRIES: dict[int, tuple[str, str]] = {
    452: ("Vietnam", "Việt Nam"), 460: ("China", "Trung Quốc"), 461: ("China", "Trung Quốc"),
    456: ("Cambodia", "Campuchia"), 457: ("Laos", "Lào"), 520: ("Thailand", "Thái Lan"),
    414: ("Myanmar", "Myanmar"), 502: ("Malaysia", "Malaysia"), 515: ("Philippines",
                                                                      "Philippines"),
    **{c: ("USA", "Hoa Kỳ") for c in range(310, 317)},
}


def country_of_mcc(mcc: int) -> tuple[str, str]:
    """(English, Vietnamese) country of a mobile country code; ``"another country"`` if not
    in :data:`MCC_COUNTRIES`."""
    return MCC_COUNTRIES.get(int(mcc), ("another country", "nước khác"))


def normalise_operator(value: object) -> str | None:
    """The canonical operator name for one operator text, or ``None`` when not recognised.

    The readers' rules (:func:`gis.layers.normalise.normalise_operator`), plus the longer
    company names found in OSM ``operator`` tags.

    >>> normalise_operator("Tổng Công ty Viễn thông Viettel")
    'Viettel'
    >>> normalise_operator("VNPT-VinaPhone")
    'VinaPhone'
    >>> normalise_operator("452-01")
    'MobiFone'
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    name = _readers_operator(value)
    if name is not None:
        return name
    return _COMPANY_NAMES.get(header_key(value))


#: Company names of operator tags seen in OSM Vietnam that the readers' word list lacks.
_COMPANY_NAMES = {
    "tap_doan_buu_chinh_vien_thong_viet_nam": "VinaPhone",
    "vietnam_posts_and_telecommunications_group": "VinaPhone",
    "hanoi_telecom": "Vietnamobile",
}


def split_operators(value: object) -> list[str]:
    """Split an OSM multi-value operator tag (``"Viettel;VinaPhone"``, ``"Viettel, MobiFone"``)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    parts = re.split(r"\s*[;,/&+]\s*|\s+(?:và|and)\s+", str(value))
    return [p.strip() for p in parts if p.strip()]


def operator_for_mnc(mcc: np.ndarray, mnc: np.ndarray) -> np.ndarray:
    """Canonical operator names for MCC/MNC arrays (object array; ``None`` when unknown)."""
    codes = (
        pd.Series(np.asarray(mcc, dtype=np.int64)).map("{:03d}".format)
        + "-"
        + pd.Series(np.asarray(mnc, dtype=np.int64)).map("{:02d}".format)
    )
    return codes.map(OPERATORS_BY_MNC).to_numpy(dtype=object)


def join_techs(techs: object) -> str:
    """Canonical tech string of technologies, oldest first: ``{"4G", "2G"}`` -> ``"2G/4G"``."""
    have = set(techs)  # type: ignore[arg-type]
    return "/".join(t for t in TECHS if t in have)
