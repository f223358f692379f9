"""Does a sites layer carry mobile broadband at all? The warning for 2G-only site lists.

A crowd-sourced export (OpenCelliD) of a rural district often holds only GSM cells: phones
that report cells there camp on 2G, or nobody uploaded LTE measurements. Coverage computed
from such a layer shows no 4G/5G anywhere, every hamlet "uncovered", and the proposed towers
answer a question the data cannot ask. :func:`broadband_warning` says so, in both languages,
for the import report, the run's warnings and the top of the report.
"""

from __future__ import annotations

import pandas as pd

from gis.layers.normalise import map_unique, normalise_tech

__all__ = ["BROADBAND_TECHS", "broadband_warning", "tech_counts"]

#: Technologies that count as mobile broadband (DII indicator "phủ sóng di động băng rộng").
BROADBAND_TECHS = ("4G", "5G")


def tech_counts(sites: pd.DataFrame) -> dict[str, int]:
    """Sites (rows) carrying each technology, plus ``"unknown"`` for rows without a readable
    ``tech`` (a row with ``"2G/4G"`` counts for both)."""
    if "tech" not in sites or not len(sites):
        return {"unknown": len(sites)} if len(sites) else {}
    parsed = map_unique(sites["tech"].to_numpy(dtype=object), normalise_tech)
    counts: dict[str, int] = {}
    for value in parsed:
        for tech in (value.split("/") if value else ["unknown"]):
            counts[tech] = counts.get(tech, 0) + 1
    return dict(sorted(counts.items()))


def broadband_warning(sites: pd.DataFrame | None) -> tuple[str, str] | None:
    """The (English, Vietnamese) warning when no site carries 4G or 5G, else ``None``.

    ``None`` too when no site says its technology at all (the run's default technology
    applies, and its note says so), or when there are no sites.

    >>> broadband_warning(pd.DataFrame({"tech": ["2G", "2G/3G"]}))[0][:32]
    'NO 4G/5G IN THE SITES: all 2 sit'
    >>> broadband_warning(pd.DataFrame({"tech": ["2G", "4G"]})) is None
    True
    """
    if sites is None or not len(sites):
        return None
    counts = tech_counts(sites)
    known = len(sites) - counts.get("unknown", 0)
    if known == 0 or any(counts.get(t, 0) for t in BROADBAND_TECHS):
        return None
    by_tech = ", ".join(f"{t}: {n}" for t, n in counts.items() if t != "unknown")
    unknown = counts.get("unknown", 0)
    rest = (f" {unknown} more give no technology." if unknown else "")
    rest_vi = (f" {unknown} trạm khác không ghi công nghệ." if unknown else "")
    en = (f"NO 4G/5G IN THE SITES: all {known} sites that give a technology are 2G/3G only "
          f"({by_tech}).{rest} Mobile broadband coverage will be nil, every hamlet will look "
          "uncovered, and towers proposed on that basis are misleading. Crowd-sourced exports "
          "(OpenCelliD) often lack the LTE/NR cells of rural areas: get the operators' 4G/5G "
          "site lists before planning.")
    vi = (f"KHÔNG CÓ 4G/5G TRONG DỮ LIỆU TRẠM: cả {known} trạm có ghi công nghệ đều chỉ là "
          f"2G/3G ({by_tech}).{rest_vi} Vùng phủ băng rộng di động sẽ bằng không, mọi thôn đều "
          "như chưa có sóng, và các cột đề xuất dựa trên đó sẽ sai lệch. Dữ liệu cộng đồng "
          "(OpenCelliD) thường thiếu cell LTE/NR ở nông thôn: hãy lấy danh sách trạm 4G/5G của "
          "các nhà mạng trước khi quy hoạch.")
    return en, vi
