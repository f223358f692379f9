"""The stage ``indicators``: the plan's indicators against the targets, from every other result.

With the hamlets' 2025 units (stage ``hamlets``) the indicators are computed for the area, per
province, per 2025 commune and per former district (the history scope), with the unit codes
(:func:`gis.analysis.indicators.compute_indicators`). When the project has a statistics table
(the ``commune_stats`` input: subscriptions per 100 people, smartphone share, i-Speed medians),
its rows are matched to the crosswalk, given to the hamlets of each commune and appended as
indicators of their own (:mod:`gis.analysis.units.stats`); a value not given stays "not given",
never 0. The matched statistics are the table ``commune_statistics``.
"""

from __future__ import annotations

import pandas as pd

from gis.analysis.indicators import INDICATORS, UNIT_SCOPES, compute_indicators
from gis.analysis.units.stats import (
    hamlet_statistics,
    match_statistics,
    stat_targets,
    statistics_indicators,
)
from gis.layers.commune_stats import STAT_COLUMNS
from gis.pipeline.context import RunContext

__all__ = ["indicators_stage", "statistics_rows"]


def statistics_rows(ctx: RunContext, hamlets: pd.DataFrame, params) -> pd.DataFrame | None:
    """The indicator rows of the project's statistics table (``None`` without one), and the
    table ``commune_statistics`` with each row's match."""
    stats = ctx.project.layer("commune_stats")
    if stats is None or not len(stats):
        return None
    if "commune_code" not in hamlets or not hamlets["commune_code"].notna().any():
        ctx.warn("The statistics table was not used: the hamlets have no 2025 units.",
                 "Không dùng bảng số liệu: các thôn chưa có đơn vị hành chính 2025.")
        return None
    matched = match_statistics(stats)
    ctx.tables["commune_statistics"] = matched
    bad = matched[matched["match_note"].astype(str) != ""]
    if len(bad):
        rows = ", ".join(str(i + 1) for i in bad.index[:10]) + (" ..." if len(bad) > 10 else "")
        ctx.warn(f"Statistics table: {len(bad)} of {len(matched)} rows match no commune of the "
                 f"crosswalk (rows {rows}; see commune_statistics, column match_note).",
                 f"Bảng số liệu: {len(bad)}/{len(matched)} dòng không khớp xã nào trong bảng "
                 f"chuyển đổi (dòng {rows}; xem commune_statistics, cột match_note).")
    per_hamlet = hamlet_statistics(hamlets, matched)
    levels = tuple(lv for lv in UNIT_SCOPES
                   if not (lv == "commune" and not params.per_commune)
                   and not (lv == "former_district" and not params.per_district))
    given = [c for c in STAT_COLUMNS if c in per_hamlet and per_hamlet[c].notna().any()]
    missing = [c for c in STAT_COLUMNS if c in per_hamlet and c not in given]
    if missing:
        ctx.warn(f"Statistics not given for any hamlet of the area: {', '.join(missing)}.",
                 f"Không có số liệu cho thôn nào của vùng: {', '.join(missing)}.")
    return statistics_indicators(hamlets.join(per_hamlet), targets=stat_targets(params.preset),
                                 scopes=levels)


def indicators_stage(ctx: RunContext) -> None:
    """Stage ``indicators``: ``ctx.tables["indicators"]`` from the hamlets and results."""
    params = ctx.params.targets
    hamlets = ctx.hamlets
    villages = ctx.project.layer("villages")
    if "district" not in hamlets and "commune_code" not in hamlets \
            and villages is not None and "district" in villages:
        hamlets = hamlets.assign(district=villages["district"].reindex(hamlets.index))
    table = compute_indicators(
        hamlets,
        positions=ctx.tables.get("positions"),
        facilities=ctx.tables.get("facilities"),
        params=params,
    )
    stats = statistics_rows(ctx, hamlets, params)
    if stats is not None and len(stats):
        table = pd.concat([table, stats], ignore_index=True)
        table["met"] = table["met"].astype("boolean")
    ctx.tables["indicators"] = table
    changed = f", changed: {sorted(params.overrides)}" if params.overrides else ""
    changed_vi = f", đã sửa: {sorted(params.overrides)}" if params.overrides else ""
    ctx.default(f"Indicator targets: preset '{params.preset}' ({params.targets.name}){changed}",
                f"Mục tiêu chỉ tiêu: bộ '{params.preset}' ({params.targets.name}){changed_vi}")
    missing = table.loc[table["note"].astype(str).str.startswith("not available"),
                        "indicator_id"]
    if len(missing):
        ctx.warn(f"{len(missing)} of {len(INDICATORS)} indicators not available (their analysis "
                 f"did not run, lacks inputs or has no target in the plan; see the note column): {', '.join(missing)}.",
                 f"{len(missing)}/{len(INDICATORS)} chỉ tiêu không tính được (phân tích của "
                 f"chúng không chạy, thiếu dữ liệu hoặc kế hoạch không đặt mục tiêu; xem cột ghi "
                 f"chú): {', '.join(missing)}.")
