"""Read a terrain profile (``distance_m, elevation_m``) from a CSV file.

The ``pathloss --model itm`` command and the API take a path profile as a small table: the
distance from the transmitter (m, the transmitter at 0) and the ground elevation above sea
level (m). Headers are matched like the other layers' (case, accents and punctuation ignored),
with a few aliases: ``distance``, ``d_m``, ``khoang_cach`` (or ``distance_km`` in kilometres);
``elevation``, ``z``, ``elev``, ``do_cao``, ``cao_do``. Commas, semicolons and tabs separate
fields; with semicolons a decimal comma is accepted (Excel in a Vietnamese locale). The file
may be UTF-8 (with or without BOM), UTF-16 or a legacy Vietnamese encoding.

Only reading happens here; :func:`gis.radio.itm.uniform_profile` checks the order, the step
and the values.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np

from gis.errors import InputFileError, ValidationError
from gis.layers.encoding import decode_bytes
from gis.layers.schema import header_key

__all__ = ["DISTANCE_ALIASES", "ELEVATION_ALIASES", "read_profile_csv"]

#: Normalised headers read as the distance, with the factor to metres.
DISTANCE_ALIASES: dict[str, float] = {
    "distance_m": 1.0, "distance": 1.0, "dist_m": 1.0, "dist": 1.0, "d_m": 1.0, "d": 1.0,
    "khoang_cach_m": 1.0, "khoang_cach": 1.0, "distance_km": 1000.0, "d_km": 1000.0,
    "khoang_cach_km": 1000.0,
}
#: Normalised headers read as the ground elevation, m.
ELEVATION_ALIASES: tuple[str, ...] = ("elevation_m", "elevation", "elev_m", "elev", "z_m", "z",
                                      "altitude_m", "altitude", "do_cao_m", "do_cao", "cao_do")


def _number(text: str, decimal_comma: bool) -> float:
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if decimal_comma:
        t = t.replace(".", "").replace(",", ".") if "," in t else t
    try:
        return float(t)
    except ValueError:
        return math.nan


def read_profile_csv(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """``(distance_m, elevation_m)`` float64 arrays read from a profile CSV.

    Raises
    ------
    InputFileError
        The file is missing or unreadable.
    ValidationError
        No distance or elevation column, or values that are not numbers (the message names the
        rows).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFileError(
            f"Cannot read the profile file: {exc.strerror or exc}.",
            f"Không đọc được tệp mặt cắt: {exc.strerror or exc}.", file=path,
            fix="Give the path of a CSV with the columns distance_m,elevation_m.",
            fix_vi="Nhập đường dẫn tệp CSV có các cột distance_m,elevation_m.") from None
    text = decode_bytes(raw).text
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValidationError("The profile file is empty.", "Tệp mặt cắt trống.", file=path,
                              fix="Write a header distance_m,elevation_m and one row per point.",
                              fix_vi="Ghi dòng tiêu đề distance_m,elevation_m và mỗi điểm một "
                              "dòng.")
    head = lines[0]
    delimiter = max((",", ";", "\t"), key=head.count)
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    keys = [header_key(h) for h in rows[0]]
    d_col = next((i for i, k in enumerate(keys) if k in DISTANCE_ALIASES), None)
    z_col = next((i for i, k in enumerate(keys) if k in ELEVATION_ALIASES), None)
    if d_col is None or z_col is None:
        missing = " and ".join(n for n, c in (("distance_m", d_col), ("elevation_m", z_col))
                               if c is None)
        missing_vi = " và ".join(n for n, c in (("distance_m", d_col), ("elevation_m", z_col))
                                 if c is None)
        raise ValidationError(
            f"The profile file has no {missing} column (found: {', '.join(rows[0])}).",
            f"Tệp mặt cắt không có cột {missing_vi} (có: {', '.join(rows[0])}).", file=path,
            fix="Name the columns distance_m (m from the transmitter) and elevation_m (m above "
            "sea level).",
            fix_vi="Đặt tên cột distance_m (m tính từ anten phát) và elevation_m (m so với mực "
            "nước biển).")
    decimal_comma = delimiter == ";"
    factor = DISTANCE_ALIASES[keys[d_col]]
    data = rows[1:]
    d = np.array([_number(r[d_col], decimal_comma) if d_col < len(r) else math.nan
                  for r in data]) * factor
    z = np.array([_number(r[z_col], decimal_comma) if z_col < len(r) else math.nan
                  for r in data])
    for name, name_vi, values in (("distance_m", "distance_m", d), ("elevation_m", "elevation_m",
                                                                     z)):
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise ValidationError(
                f"{name} is empty or not a number (NaN elevations are DEM nodata).",
                f"{name_vi} trống hoặc không phải số (độ cao NaN là nodata của DEM).",
                file=path, rows=bad,
                fix="Give a number of metres on every row; fill DEM nodata before extracting "
                "the profile.",
                fix_vi="Nhập số mét ở mọi dòng; lấp nodata của DEM trước khi lấy mặt cắt.")
    return d, z
