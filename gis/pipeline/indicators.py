"""The stage ``indicators``: the plan's indicators against the targets, from every other result."""

from __future__ import annotations

from gis.analysis.indicators import INDICATORS, compute_indicators
from gis.pipeline.context import RunContext

__all__ = ["indicators_stage"]


def indicators_stage(ctx: RunContext) -> None:
    """Stage ``indicators``: ``ctx.tables["indicators"]`` from the hamlets and results."""
    params = ctx.params.targets
    hamlets = ctx.hamlets
    villages = ctx.project.layer("villages")
    if "district" not in hamlets and villages is not None and "district" in villages:
        hamlets = hamlets.assign(district=villages["district"].reindex(hamlets.index))
    table = compute_indicators(
        hamlets,
        positions=ctx.tables.get("positions"),
        facilities=ctx.tables.get("facilities"),
        params=params,
    )
    ctx.tables["indicators"] = table
    changed = f", changed: {sorted(params.overrides)}" if params.overrides else ""
    changed_vi = f", đã sửa: {sorted(params.overrides)}" if params.overrides else ""
    ctx.default(f"Indicator targets: preset '{params.preset}' ({params.targets.name}){changed}",
                f"Mục tiêu chỉ tiêu: bộ '{params.preset}' ({params.targets.name}){changed_vi}")
    missing = table.loc[table["note"].str.startswith("not available"), "indicator_id"]
    if len(missing):
        ctx.warn(f"{len(missing)} of {len(INDICATORS)} indicators not available (their analysis "
                 f"did not run or lacks inputs; see the note column): {', '.join(missing)}.",
                 f"{len(missing)}/{len(INDICATORS)} chỉ tiêu không tính được (phân tích của "
                 f"chúng không chạy hoặc thiếu dữ liệu; xem cột ghi chú): {', '.join(missing)}.")
