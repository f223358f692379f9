"""The stage ``sharing``: positions and sharing rates, co-location opportunities, consolidation,
new shared towers and the 2G/3G switch-off, on the terrain-aware radio engine.

Adds to the per-hamlet table ``lost_if_2g_off``, ``lost_if_3g_off``, ``colocation_fix`` (the best
opportunity reaching the hamlet, ``"operator → position"``) and ``proposed_tower_id``; tables
``positions``, ``sharing_rates``, ``colocation_opportunities``, ``consolidation``,
``proposed_towers``, ``unreachable_hamlets`` and ``switch_off_impact``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from gis.analysis.hamlets import hamlet_centres
from gis.analysis.positions import sharing_rates, site_positions
from gis.analysis.sharing import (
    Antenna,
    apply_zoning,
    colocation_opportunities,
    consolidation_candidates,
    operator_antennas,
    propose_towers,
    sharing_rate_if_taken,
    terrain_link_predictor,
)
from gis.analysis.siting import (
    POINT_UNIT_COLUMNS,
    admin_of_points,
    density_per_km2,
    tower_candidates,
    units_of_points,
)
from gis.analysis.switch_off import switch_off_impact, switch_off_table
from gis.pipeline.context import RunContext
from gis.pipeline.partitions import partitions_for
from gis.pipeline.sharing_reach import PartitionedReach
from gis.text import label_or

__all__ = ["sharing_stage"]

BROADBAND = ("4G", "5G")


def _wgs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.to_crs(4326)
    xy = shapely.get_coordinates(out.geometry.values)
    out.insert(1, "lon", np.round(xy[:, 0], 6))
    out.insert(2, "lat", np.round(xy[:, 1], 6))
    return out


#: Scope levels of the sharing rates with the 2025 units: (level, code column, name column).
UNIT_LEVELS = (("province", "province_code", "province"), ("commune", "commune_code", "commune"),
               ("former_district", "former_district_code", "former_district"))


def _position_units(ctx: RunContext, positions: gpd.GeoDataFrame, hxy: np.ndarray
                    ) -> list[str]:
    """Give ``positions`` their units (in place); returns the unit columns added.

    With the hamlets' 2025 units: :data:`POINT_UNIT_COLUMNS` (the admin polygon containing the
    position, else its nearest hamlet's). Without (a hamlet table of an older kind): the
    commune and district by name (:func:`admin_of_points`)."""
    hamlets = ctx.hamlets
    admin = ctx.project.layer("admin")
    if "commune_code" in hamlets and hamlets["commune_code"].notna().any():
        units = units_of_points(positions.geometry, hamlets, hxy, admin)
        for c in POINT_UNIT_COLUMNS:
            positions[c] = units[c].to_numpy()
        return list(POINT_UNIT_COLUMNS)
    names = admin_of_points(positions.geometry, hamlets, hxy, ctx.project.layer("villages"),
                            admin)
    positions["commune"] = names["commune"].to_numpy()
    positions["district"] = names["district"].to_numpy()
    return ["commune", "district"]


def _rate_table(positions: pd.DataFrame) -> pd.DataFrame:
    """The sharing rates of the area and of each unit: per province, 2025 commune and former
    district (grouped by code, ``unit_code``) when the positions have the 2025 units, else per
    district and commune by name."""
    rates = [sharing_rates(positions).assign(scope_type="area", scope="all", unit_code="")]
    if "commune_code" in positions:
        for level, code, name in UNIT_LEVELS:
            if not positions[code].notna().any():
                continue
            r = sharing_rates(positions, by=code).rename(columns={code: "unit_code"})
            names = (positions[[code, name]].dropna().drop_duplicates(code)
                     .set_index(code)[name].astype(str))
            r["scope"] = r["unit_code"].map(names).fillna(r["unit_code"]).astype(object)
            rates.append(r.assign(scope_type=level))
    else:
        for level in ("district", "commune"):
            if positions[level].notna().any():
                r = sharing_rates(positions, by=level).rename(columns={level: "scope"})
                rates.append(r.assign(scope_type=level, unit_code=""))
    return pd.concat(rates, ignore_index=True)[
        ["scope_type", "scope", "unit_code", "positions", "shared_positions", "sharing_rate",
         "tenancies", "shared_tenancies", "tenancy_sharing_rate"]]


def sharing_stage(ctx: RunContext) -> None:
    """Run stage "sharing" (needs sites and villages; uses coverage when computed)."""
    params = ctx.params.sharing
    radio = ctx.params.radio
    project = ctx.project
    sites = project.require("sites")
    villages = project.require("villages")
    hamlets = ctx.hamlets
    hxy = hamlet_centres(villages)
    pop = pd.to_numeric(hamlets["population"], errors="coerce").fillna(0).to_numpy(float)

    positions, membership = site_positions(
        sites, colocation_distance_m=params.colocation_distance_m)
    ctx.state.site_position = membership
    unit_cols = _position_units(ctx, positions, hxy)
    rate_table = _rate_table(positions)
    ctx.tables["sharing_rates"] = rate_table
    ctx.state.sharing_rate = float(rate_table["sharing_rate"].iloc[0])
    pos_out = positions[["position_id", "operators", "n_operators", "shared", "n_sites",
                         "height_m", *unit_cols, "geometry"]]
    ctx.tables["positions"] = _wgs(gpd.GeoDataFrame(pos_out, crs=positions.crs))

    long = ctx.state.hamlet_coverage
    if long is None or len(long) == 0:
        ctx.warn("Sharing: no coverage was computed, so co-location opportunities, new towers "
                 "and the switch-off impact were skipped.",
                 "Dùng chung hạ tầng: chưa tính vùng phủ nên bỏ qua cơ hội dùng chung, cột mới "
                 "và tác động tắt sóng 2G/3G.")
        return
    coverage = ctx.state.coverage
    terrain = ctx.state.terrain
    dem, transform = (terrain.dem, terrain.transform) if terrain is not None else (None, None)
    predict = terrain_link_predictor(dem, transform, radio)
    parts = partitions_for(ctx)   # the covering pairs per province in a tiled run
    reach = None if parts is None else PartitionedReach(
        ctx, parts, hxy, predict, None if dem is None else (dem, transform), radio)

    # 2G/3G switch-off.
    long_idx = long.assign(hamlet=hamlets.index.to_numpy()[long["hamlet"].to_numpy()])
    flags = switch_off_impact(long_idx, hamlets.index)
    hamlets["lost_if_2g_off"] = flags["lost_if_2g_off"].to_numpy()
    hamlets["lost_if_3g_off"] = flags["lost_if_3g_off"].to_numpy()
    ctx.tables["switch_off_impact"] = switch_off_table(flags, hamlets["population"])

    # Co-location opportunities for mobile broadband (4G).
    operators = sorted(set(coverage.transmitters["operator"].astype(str)))
    bb = long[long["tech"].isin(BROADBAND)]
    covered = (bb.groupby(["hamlet", "operator"])["covered"].any().unstack(fill_value=False)
               .reindex(index=range(len(hamlets)), columns=operators, fill_value=False))
    antennas = operator_antennas(coverage.transmitters, operators, radio, "4G")
    opp = colocation_opportunities(positions, hxy, pop, covered, antennas, predict,
                                   default_height_m=radio.default_height_m, reach=reach)
    names = label_or(hamlets["name"], hamlets.get("village_id", ""))
    rate_after, _taken = sharing_rate_if_taken(positions, opp, params.top_opportunities)
    ctx.state.sharing_rate_if_taken = rate_after
    ctx.state.colocation_opportunities = opp
    opp_out = opp.assign(
        hamlets=[", ".join(names[i]) for i in opp["hamlet_index"]],
        lon=ctx.tables["positions"]["lon"].to_numpy()[opp["host_index"].to_numpy(int)],
        lat=ctx.tables["positions"]["lat"].to_numpy()[opp["host_index"].to_numpy(int)],
    ).drop(columns=["hamlet_index", "host_index"])
    ctx.tables["colocation_opportunities"] = opp_out
    fix = np.full(len(hamlets), "", dtype=object)
    for row in opp.iloc[::-1].itertuples(index=False):   # best-ranked written last, so it wins
        fix[row.hamlet_index] = f"{row.operator} → {row.host_position_id}"
    hamlets["colocation_fix"] = fix

    # Consolidation of nearby towers of different operators.
    density = density_per_km2(villages, pop)
    _, near = cKDTree(hxy).query(shapely.get_coordinates(positions.geometry.values))
    urban = density[near] >= params.urban_density_per_km2
    ctx.tables["consolidation"] = consolidation_candidates(
        positions, hxy, antennas, predict, urban=urban,
        urban_distance_m=params.consolidation_distance_urban_m,
        rural_distance_m=params.consolidation_distance_rural_m,
        default_height_m=radio.default_height_m, reach=reach)

    # New shared towers for hamlets no operator serves and no existing tower can help.
    no_bb = ~covered.any(axis=1).to_numpy()
    helped = np.zeros(len(hamlets), dtype=bool)
    for idx in opp["hamlet_index"]:
        helped[idx] = True
    target = np.flatnonzero(no_bb & ~helped)
    neutral = Antenna(freq_mhz=radio.tech("4G").freq_mhz, eirp_dbm=radio.tech("4G").eirp_dbm,
                      threshold_dbm=radio.tech("4G").tiers.edge_dbm,
                      max_radius_m=radio.tech("4G").max_radius_m)
    cand_xy, cand_kind = tower_candidates(project.layer("roads"), project.layer("facilities"),
                                          params.candidate_spacing_m, hxy[target],
                                          neutral.max_radius_m)
    allowed, cand_a1 = apply_zoning(cand_xy, project.layer("zones"))
    if not allowed.all():
        ctx.default(f"Tower zoning: {int((~allowed).sum())} candidate location(s) in "
                    f"no-new-tower zones were left out.",
                    f"Quy hoạch cột: bỏ {int((~allowed).sum())} vị trí ứng viên nằm trong vùng "
                    "cấm xây cột mới.")
    cand_xy, cand_kind, cand_a1 = cand_xy[allowed], cand_kind[allowed], cand_a1[allowed]
    tower_rows, tower_of = [], np.full(len(hamlets), "", dtype=object)
    unreachable = target
    if len(target) and len(cand_xy):
        chosen, assign, uncover, method = propose_towers(
            cand_xy, hxy[target], pop[target], neutral, predict,
            height_m=params.new_tower_height_m, max_exact=params.max_exact_candidates,
            reach=reach)
        ctx.state.tower_siting_method = method
        unreachable = target[uncover]
        cand_density = density[cKDTree(hxy).query(cand_xy[chosen])[1]] if len(chosen) else []
        for t, c in enumerate(chosen):
            served = target[assign == t]
            if len(served) == 0:
                continue
            tid = f"T{len(tower_rows) + 1:03d}"
            tower_of[served] = tid
            lacking = sorted({op for h in served for op in operators if not covered.iat[h,
                              operators.index(op)]})
            tower_rows.append({
                "tower_id": tid, "x": cand_xy[c, 0], "y": cand_xy[c, 1],
                "operators": "/".join(lacking),
                "hamlets_served": ", ".join(names[served]),
                "n_hamlets": len(served),
                "population_served": float(pop[served].sum()),
                "tower_class": ("A1" if cand_a1[c]
                                or cand_density[t] >= params.urban_density_per_km2 else "A2b"),
                "candidate_kind": cand_kind[c],
                "height_m": params.new_tower_height_m,
            })
    hamlets["proposed_tower_id"] = tower_of
    if reach is not None:
        reach.note(ctx)
    towers = pd.DataFrame(tower_rows, columns=[
        "tower_id", "x", "y", "operators", "hamlets_served", "n_hamlets", "population_served",
        "tower_class", "candidate_kind", "height_m"])
    towers_gdf = gpd.GeoDataFrame(towers.drop(columns=["x", "y"]),
                                  geometry=shapely.points(towers["x"].to_numpy(float),
                                                          towers["y"].to_numpy(float)),
                                  crs=project.crs)
    ctx.tables["proposed_towers"] = _wgs(towers_gdf)
    reach_km = neutral.max_radius_m / 1000
    ctx.tables["unreachable_hamlets"] = pd.DataFrame({
        "village_id": hamlets["village_id"].to_numpy()[unreachable],
        "name": names[unreachable],
        "commune": hamlets["commune"].to_numpy()[unreachable],
        "population": pop[unreachable],
        "reason_en": (f"No existing tower and no candidate site (road, facility or the hamlet "
                      f"centre) within {reach_km:g} km reaches the centre with a "
                      f"{params.new_tower_height_m:g} m tower: terrain blocks it or there is "
                      f"no place to build"),
        "reason_vi": (f"Không cột hiện có và không vị trí ứng viên nào (đường, cơ sở công cộng "
                      f"hoặc trung tâm thôn) trong bán kính {reach_km:g} km phủ được trung tâm "
                      f"thôn với cột cao {params.new_tower_height_m:g} m: địa hình che chắn hoặc "
                      f"không có chỗ xây dựng"),
    })
    if len(unreachable):
        ctx.warn(f"{len(unreachable)} hamlet(s) without mobile broadband cannot be reached by "
                 f"any co-location or new tower candidate: see unreachable_hamlets.",
                 f"{len(unreachable)} thôn chưa có băng rộng di động không thể phủ bằng dùng "
                 "chung cột hay cột mới nào: xem unreachable_hamlets.")


