"""The real former communes the bundled sample's synthetic communes are named after.

The district sample (issue 16) carries the names and codes of 30 real former communes of Ninh
Bình (before 1 July 2025): the 23 of Huyện Nho Quan and 7 of Huyện Gia Viễn, from the crosswalk
of :mod:`gis.analysis.units` (:func:`~gis.analysis.units.former_district_units`). Since 1 July
2025 they are 14 communes and wards of the new Ninh Bình, so a run on the sample exercises the
crosswalk: hamlets named by former communes get their 2025 commune, one new commune gathers up
to four former ones, and **Xã Gia Tân** is one of the 471 former communes split between two new
ones (Phường Tây Hoa Lư 14533 and Xã Gia Vân 14488): each of its hamlets goes to the part whose
centre is nearer (``unit_source = approximate``).

The geometry stays synthetic (the communes are Voronoi cells of synthetic seats, built for the
designed coverage gaps). :func:`name_communes` gives each synthetic commune a real one: the
assignment (Hungarian method, :func:`scipy.optimize.linear_sum_assignment`) that puts the
fewest hamlets more than :attr:`~gis.analysis.units.UnitParams.far_margin_m` outside the real
commune's extent (the crosswalk's bounding box; ties: the mean distance), with the district
town on a real township (Thị trấn Thịnh Vượng) and Xã Gia Tân on the synthetic commune whose
hamlets fall most evenly on both sides of its split. The sample's admin layer has these names
and codes, so attributing the hamlets with it finds no conflict. Without it (a hamlet list
alone) the real communes' extents are checked instead, and the few hamlets of synthetic
communes that lie beyond the margin of their real one are reported ``far_from_named``
(data/README.md gives the count).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from gis.analysis.units import former_district_units
from gis.analysis.units._geo import distance_to_box_m, haversine_m
from gis.analysis.units.data import crosswalk
from gis.analysis.units.params import UnitParams

__all__ = ["GIA_VIEN_PART", "SAMPLE_PROVINCE", "SPLIT_COMMUNE", "TOWN_COMMUNE", "name_communes",
           "real_communes"]

#: The province of the sample's communes (former and 2025).
SAMPLE_PROVINCE = "Ninh Bình"

#: The 7 former communes of Huyện Gia Viễn in the sample (with all 23 of Huyện Nho Quan): the
#: township, the split Xã Gia Tân, and the five whose real extents fit the synthetic frame best.
GIA_VIEN_PART = ("Thị trấn Thịnh Vượng", "Xã Gia Tân", "Xã Gia Lập", "Xã Gia Minh", "Xã Gia Lạc",
                 "Xã Gia Sinh", "Xã Gia Phong")

#: The real township given to the synthetic district town (commune 0, the urban one).
TOWN_COMMUNE = "Thị trấn Thịnh Vượng"

#: The split former commune of the sample.
SPLIT_COMMUNE = "Xã Gia Tân"

#: Cost of one hamlet beyond the margin, against the tie-break (mean distance in km).
_FAR_COST = 1000.0


def real_communes() -> pd.DataFrame:
    """The 30 real former communes (23 of Nho Quan, 7 of Gia Viễn), with their extents.

    Columns of :func:`~gis.analysis.units.former_district_units` plus ``lon_min``,
    ``lon_max``, ``lat_min``, ``lat_max`` (degrees) from the crosswalk.
    """
    nq = former_district_units(SAMPLE_PROVINCE, "Nho Quan")
    gv = former_district_units(SAMPLE_PROVINCE, "Gia Viễn")
    gv = gv[gv["former_commune"].isin(GIA_VIEN_PART)]
    out = pd.concat([nq, gv], ignore_index=True)
    box = crosswalk().former_communes.set_index("former_commune_code")[
        ["lon_min", "lon_max", "lat_min", "lat_max"]]
    return out.join(box, on="former_commune_code")


def _split_score(lon: np.ndarray, lat: np.ndarray, commune: np.ndarray, n: int,
                 candidates: list[str]) -> np.ndarray:
    """Per synthetic commune, how many of its hamlets fall on the smaller side of the split
    (nearer one candidate's centre than the other's)."""
    cen = crosswalk().communes.set_index("commune_code").loc[candidates[:2], ["lon", "lat"]]
    d = [haversine_m(lon, lat, float(r.lon), float(r.lat)) for r in cen.itertuples()]
    near_a = d[0] < d[1]
    a = np.bincount(commune, weights=near_a.astype(float), minlength=n)
    total = np.bincount(commune, minlength=n)
    return np.minimum(a, total - a)


def name_communes(hamlet_lon: np.ndarray, hamlet_lat: np.ndarray, hamlet_commune: np.ndarray,
                  n_communes: int, *, params: UnitParams | None = None) -> pd.DataFrame:
    """The real former commune of each synthetic commune (see the module docstring).

    Parameters
    ----------
    hamlet_lon, hamlet_lat
        Hamlet centres, degrees (WGS84).
    hamlet_commune
        Each hamlet's synthetic commune (0 is the district town, 1 the valley commune).
    n_communes
        The number of synthetic communes (30: the number of real ones).
    params
        The margin of the distance check (:class:`~gis.analysis.units.UnitParams`).

    Returns
    -------
    pandas.DataFrame
        :func:`real_communes` rows, one per synthetic commune in its order.
    """
    params = params or UnitParams()
    real = real_communes()
    if n_communes != len(real):
        raise ValueError(f"the sample has {n_communes} communes, the real list {len(real)}")
    hc = np.asarray(hamlet_commune, dtype=np.int64)
    lon, lat = np.asarray(hamlet_lon, float), np.asarray(hamlet_lat, float)
    box = [real[c].to_numpy(dtype=float) for c in ("lon_min", "lon_max", "lat_min", "lat_max")]
    d = distance_to_box_m(lon[:, None], lat[:, None], *(b[None, :] for b in box))
    far = (d > params.far_margin_m).astype(float)
    count = np.bincount(hc, minlength=n_communes).astype(float)
    cost = np.zeros((n_communes, len(real)))
    for j in range(len(real)):  # per real commune: its hamlets beyond the margin, mean distance
        cost[:, j] = (_FAR_COST * np.bincount(hc, weights=far[:, j], minlength=n_communes)
                      + np.bincount(hc, weights=d[:, j], minlength=n_communes)
                      / np.maximum(count, 1) / 1000.0)
    names = real["former_commune"].tolist()
    split_row = names.index(SPLIT_COMMUNE)
    score = _split_score(lon, lat, hc, n_communes,
                         str(real.at[split_row, "candidates"]).split(";"))
    score[:2] = -1  # not the town nor the valley commune
    forced = {0: names.index(TOWN_COMMUNE), int(np.argmax(score)): split_row}
    big = 1e9
    for i, j in forced.items():
        cost[i, :] += big
        cost[:, j] += big
        cost[i, j] -= 2 * big
    rows, cols = linear_sum_assignment(cost)
    return real.iloc[cols[np.argsort(rows)]].reset_index(drop=True)
