"""The stage ``speed``: the expected download speed of every hamlet, an ESTIMATE (ước tính).

Mobile (:mod:`gis.analysis.speed`): the best server's SINR against the other transmitters on its
carrier plus thermal noise, the attenuated Shannon bound of 3GPP TR 36.942, the carrier's
bandwidth and a load factor, per coverage cell; per hamlet the population-weighted median, best
operator. The SINR needs, per carrier ``(operator, tech, freq_mhz)``, the linear sum of every
transmitter's signal on the coverage grid: ``CoverageResult.power_sum_mw`` of the coverage
engine. When the engine gives no sums (the engine on main does not yet: they come with the
engine's sweep work), the mobile estimate is **not computed** and the run says so; nothing is
guessed. The same in a tiled run, whose coverage is read back from GeoTIFFs without the
transmitter table (the tiles must then return speed samples, see the module's wiring notes in
the README).

Fixed: for hamlets with FTTH, the busy-hour share of one GPON's downstream capped by the plan
speed (:func:`gis.analysis.speed.fixed_speed_mbps`), with the split ratio of the fiber
parameters (``fiber.gpon.splits``).

Adds to the hamlet table ``est_dl_mbps_fixed`` (when the FTTH stage ran) and, when computed,
``est_dl_mbps_mobile``, ``est_dl_mobile_operator`` and ``est_dl_mbps_<operator>``; rasters
``est_dl_mbps_best`` and ``est_dl_mbps_<operator>`` (Mbit/s, float32, NaN nodata).
"""

from __future__ import annotations

import math

import numpy as np

from gis.analysis.speed import (
    fixed_speed_mbps,
    hamlet_fixed_speed,
    hamlet_mobile_speed,
    operator_slug,
    speed_from_coverage,
)
from gis.layers.rasters import read_window, write_geotiff
from gis.pipeline.context import RunContext

__all__ = ["NO_POWER_SUMS", "power_sums_of", "speed_stage"]

#: The run's note when the coverage engine gives no per-carrier power sums (English, Vietnamese).
NO_POWER_SUMS = (
    "Expected mobile speed not computed: the coverage engine gives no interference (power) "
    "sums per carrier, which the SINR needs; est_dl_mbps_mobile and the mobile speed "
    "indicator are left out.",
    "Chưa tính tốc độ di động ước tính: bộ tính vùng phủ chưa cho tổng công suất (can nhiễu) "
    "theo sóng mang, cần cho SINR; bỏ qua est_dl_mbps_mobile và chỉ tiêu tốc độ di động.")

#: The run's note in a tiled run (English, Vietnamese).
TILED = (
    "Expected mobile speed not computed in a tiled run yet: the tiles return no speed samples.",
    "Chưa tính tốc độ di động ước tính khi chạy theo ô lưới: các ô chưa trả mẫu tốc độ.")


def power_sums_of(coverage: object) -> dict | None:
    """The coverage's per-carrier power sums (``power_sum_mw``), or ``None`` when it has none.

    The engine's :class:`~gis.radio.coverage.CoverageResult` gains ``power_sum_mw``
    (``(operator, tech, freq_mhz) -> mW grid``) with the engine's sweep work; an engine without
    it, or a run that did not ask for the sums (an empty dict), gives ``None``.
    """
    sums = getattr(coverage, "power_sum_mw", None)
    return dict(sums) if sums else None


def _mobile(ctx: RunContext) -> None:
    cov = ctx.state.coverage
    if cov is None:
        return  # no sites: the coverage stage was skipped, and said so
    if ctx.state.tiled is not None:
        ctx.warn(*TILED)
        return
    sums = power_sums_of(cov)
    if sums is None:
        ctx.warn(*NO_POWER_SUMS)
        return
    p = ctx.params.speed
    grids = speed_from_coverage(cov, sums, p)
    population = None
    pop_path = ctx.project.rasters.get("population")
    if pop_path is not None:
        tr = cov.transform
        bounds = (tr.c, tr.f + tr.e * cov.shape[0], tr.c + tr.a * cov.shape[1], tr.f)
        population = read_window(pop_path, bounds, crs=ctx.project.crs, resampling="nearest")
    villages = ctx.project.require("villages")
    cols = hamlet_mobile_speed(villages, grids, population=population, params=p,
                               crs=ctx.project.crs)
    for c in cols.columns:
        ctx.hamlets[c] = cols[c].to_numpy()
    tags = {"units": "Mbit/s (estimate / ước tính)"}
    rasters = {"est_dl_mbps_best": grids.best()}
    rasters.update({f"est_dl_mbps_{operator_slug(op)}": grids.operator_best(op)
                    for op in grids.operators})
    for name, arr in rasters.items():
        path = write_geotiff(ctx.workdir / f"{name}.tif", arr.astype(np.float32), cov.transform,
                             ctx.project.crs, nodata=float("nan"), tags=tags,
                             description=f"{name} (Mbit/s, estimate)")
        ctx.rasters[name] = path
    ctx.default(f"Mobile speed estimates: SINR on each carrier, attenuated Shannon bound "
                f"(3GPP TR 36.942), load factor {p.load_factor:g}, interference load "
                f"{p.interference_load:g}; per hamlet the {p.hamlet_stat} over its cells.",
                f"Tốc độ di động ước tính: SINR theo sóng mang, giới hạn Shannon suy giảm "
                f"(3GPP TR 36.942), hệ số tải {p.load_factor:g}, tải can nhiễu "
                f"{p.interference_load:g}; mỗi thôn lấy {p.hamlet_stat} trên các ô của thôn.")


def _fixed(ctx: RunContext) -> None:
    if "ftth" not in ctx.hamlets:
        return
    p = ctx.params.speed
    split = int(math.prod(ctx.params.fiber.gpon.splits)) if p.split_ratio is None \
        else int(p.split_ratio)
    ctx.hamlets["est_dl_mbps_fixed"] = hamlet_fixed_speed(
        ctx.hamlets["ftth"], p, split_ratio=split).to_numpy()
    value = fixed_speed_mbps(p, split_ratio=split)
    ctx.default(f"Fixed speed estimate per FTTH hamlet: {p.pon_downstream_mbps:g} Mbit/s GPON "
                f"× {p.gpon_efficiency:g} / (split 1:{split} × take-up {p.take_up:g} × busy-hour "
                f"{p.concurrency:g}), at most {p.plan_cap_mbps:g} Mbit/s = {value:.0f} Mbit/s.",
                f"Tốc độ cố định ước tính của thôn có FTTH: GPON {p.pon_downstream_mbps:g} "
                f"Mbit/s × {p.gpon_efficiency:g} / (chia 1:{split} × tỷ lệ dùng {p.take_up:g} × "
                f"giờ cao điểm {p.concurrency:g}), tối đa {p.plan_cap_mbps:g} Mbit/s = "
                f"{value:.0f} Mbit/s.")


def speed_stage(ctx: RunContext) -> None:
    """Stage ``speed``: the expected download speeds (mobile when computable, fixed)."""
    _mobile(ctx)
    _fixed(ctx)
