"""Canonical values for open-data tags: operator names and technology strings.

The canonical names are those of :mod:`gis.layers.schema` (DOMAIN.md section 5). Names are
compared after :func:`gis.layers.schema.header_key` (lower case, no diacritics), so
``"Tổng Công ty Viễn thông Viettel"`` and ``"VIETTEL"`` both give ``"Viettel"``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from gis.layers.schema import OPERATORS_BY_MNC, TECHS, header_key

__all__ = [
    "RADIO_TECH",
    "UNKNOWN_OPERATOR",
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

# Normalised (header_key) aliases of each operator, from operator tags seen in OSM Vietnam
# (brand, company and parent names, abbreviations) and MCC-MNC codes.
_ALIASES: dict[str, tuple[str, ...]] = {
    "Viettel": ("viettel", "viettel_telecom", "vtl", "tap_doan_viettel",
                "tong_cong_ty_vien_thong_viettel", "viettel_group", "vietel"),
    "VinaPhone": ("vinaphone", "vina_phone", "vnpt", "vnpt_vinaphone", "vinafone", "gpc",
                  "tap_doan_buu_chinh_vien_thong_viet_nam", "vietnam_posts_and_telecommunications"),
    "MobiFone": ("mobifone", "mobi_fone", "mobiphone", "mobi", "vms", "vms_mobifone",
                 "tong_cong_ty_vien_thong_mobifone"),
    "Vietnamobile": ("vietnamobile", "vietnam_mobile", "vnmobile", "ht_mobile", "htmobile",
                     "hanoi_telecom"),
    "Gmobile": ("gmobile", "g_mobile", "gtel", "gtel_mobile", "beeline"),
    "iTel": ("itel", "indochina_telecom", "dong_duong_telecom"),
    "Wintel": ("wintel", "reddi", "win_tel"),
}
_BY_KEY: dict[str, str] = {}
for _name, _aliases in _ALIASES.items():
    for _alias in _aliases:
        _BY_KEY[_alias] = _name
for _code, _name in OPERATORS_BY_MNC.items():
    _BY_KEY[header_key(_code)] = _name
    _BY_KEY[_code.replace("-", "")] = _name


def normalise_operator(value: object) -> str | None:
    """The canonical operator name for one operator text, or ``None`` when not recognised.

    >>> normalise_operator("Tổng Công ty Viễn thông Viettel")
    'Viettel'
    >>> normalise_operator("VNPT-VinaPhone")
    'VinaPhone'
    >>> normalise_operator("452-01")
    'MobiFone'
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    key = header_key(value)
    if not key:
        return None
    if key in _BY_KEY:
        return _BY_KEY[key]
    # Longer texts ("Trạm BTS Viettel Hà Nội"): the first known brand word in them.
    for word in key.split("_"):
        if word in _BY_KEY and len(word) >= 4:
            return _BY_KEY[word]
    return None


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
    """Canonical tech string of a set of technologies, oldest first: ``{"4G", "2G"}`` -> ``"2G/4G"``."""
    have = set(techs)  # type: ignore[arg-type]
    return "/".join(t for t in TECHS if t in have)
