"""What-if for one site: edit it, recompute only its coverage, see the hamlets gained and lost.

How the coverage is recomputed (exactly what a full run gives, not an approximation)
-------------------------------------------------------------------------------------
The best-server raster of an operator and technology is, cell by cell, the strongest signal of
its transmitters (:func:`gis.radio.coverage.compute_coverage`). When one site changes:

* where the site was **not** the best server, the strongest of the other transmitters is the
  old value, so the new value is ``max(old, new site)``: only the edited site's sweep is
  computed (the engine's per-site sweep, over the site's radius);
* where it **was** the best server (the "orphaned" cells, from the server raster), the other
  transmitters are recomputed over the smallest window holding those cells; the engine skips
  every transmitter farther than its radius from that window, and its rays do not depend on
  the window, so the window's cells equal the whole's (the engine's tile rule).

Then only the hamlets that touch a changed cell get their coverage sums again
(:func:`gis.analysis.mobile.hamlet_coverage`); their flags (4G, 5G, trắng sóng, lõm sóng) follow
the run's hamlet rule, and the indicators are computed again from the new hamlet table
(:func:`gis.analysis.indicators.compute_indicators`). The sharing analysis (positions,
co-location, proposed towers) and the speed estimate are not redone: the result says so.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine

from gis.analysis.indicators import compute_indicators
from gis.analysis.mobile import hamlet_columns, hamlet_coverage
from gis.analysis.params import HamletRule
from gis.analysis.status import mobile_status
from gis.analysis.targets import IndicatorParams
from gis.errors import ValidationError
from gis.radio.coverage import CoverageResult, compute_coverage
from gis.radio.params import RadioParams
from gis.radio.sectors import expand_sectors

__all__ = [
    "ACTIONS",
    "Scenario",
    "SiteEdit",
    "WhatIfResult",
    "apply_edit",
    "default_azimuths",
    "edited_sites",
    "hamlet_changes",
    "recompute_coverage",
    "run_whatif",
]

#: What an edit does: add a new site, change (move, re-orient, re-equip) one, remove one.
ACTIONS = ("add", "change", "remove")


@dataclass(frozen=True)
class SiteEdit:
    """One edit of one site (its sector rows in the sites layer).

    Attributes
    ----------
    action
        ``"add"``, ``"change"`` or ``"remove"`` (:data:`ACTIONS`).
    site_id
        The site (a new id for ``add``).
    operator
        The operator (required for ``add``; for ``change`` / ``remove`` it narrows the rows of
        a ``site_id`` shared by several operators).
    x_m, y_m
        New position in the analysis CRS (m); ``None`` keeps it (required for ``add``).
    height_m
        New antenna height above ground (m); ``None`` keeps it.
    azimuths_deg
        New sector azimuths (degrees clockwise from north), one sector row each; ``None``
        keeps the sectors.
    tilt_deg
        New downtilt (degrees); ``None`` keeps it.
    tech
        New technologies (``"4G"``, ``"4G/5G"`` ...); ``None`` keeps them.
    """

    action: str = "change"
    site_id: str = ""
    operator: str | None = None
    x_m: float | None = None
    y_m: float | None = None
    height_m: float | None = None
    azimuths_deg: tuple[float, ...] | None = None
    tilt_deg: float | None = None
    tech: str | None = None

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValidationError(
                f"Unknown what-if action {self.action!r}; choose one of: {', '.join(ACTIONS)}.",
                f"Thao tác {self.action!r} không hợp lệ; chọn một trong: {', '.join(ACTIONS)}.")
        if not str(self.site_id).strip():
            raise ValidationError("A what-if edit needs a site id.",
                                  "Thao tác thử nghiệm cần mã trạm.")
        if self.action == "add" and (self.x_m is None or self.y_m is None
                                     or not self.operator):
            raise ValidationError(
                "A new site needs its operator and its position.",
                "Trạm mới cần nhà mạng và vị trí.",
                fix="Click the map where the site goes, and pick the operator.",
                fix_vi="Bấm lên bản đồ tại vị trí trạm và chọn nhà mạng.")
        if self.height_m is not None and not 1.0 <= float(self.height_m) <= 300.0:
            raise ValidationError(f"Antenna height {self.height_m} m is not 1-300 m.",
                                  f"Độ cao anten {self.height_m} m không nằm trong 1-300 m.")
        if self.tilt_deg is not None and not -10.0 <= float(self.tilt_deg) <= 30.0:
            raise ValidationError(f"Tilt {self.tilt_deg}° is not -10..30°.",
                                  f"Góc chúc {self.tilt_deg}° không nằm trong -10..30°.")
        if self.azimuths_deg is not None and (
                not self.azimuths_deg
                or any(not 0.0 <= float(a) < 360.0 for a in self.azimuths_deg)):
            raise ValidationError(f"Azimuths {self.azimuths_deg} must be 0-360°.",
                                  f"Góc phương vị {self.azimuths_deg} phải trong 0-360°.")


def _rows_of(sites: gpd.GeoDataFrame, edit: SiteEdit) -> np.ndarray:
    if "site_id" not in sites:
        return np.zeros(len(sites), bool)
    mask = sites["site_id"].astype(str).to_numpy() == str(edit.site_id)
    if edit.operator and "operator" in sites:
        mask &= sites["operator"].astype(str).to_numpy() == str(edit.operator)
    return mask


def apply_edit(sites: gpd.GeoDataFrame, edit: SiteEdit) -> tuple[gpd.GeoDataFrame, np.ndarray,
                                                                   gpd.GeoDataFrame]:
    """The sites layer with ``edit`` applied.

    Returns
    -------
    (sites, old, new)
        The new layer (the edited site's rows at the end), a mask of the rows of ``sites``
        that the edit replaces or removes, and the new rows (empty for ``remove``).
    """
    old = _rows_of(sites, edit)
    if edit.action == "add":
        if old.any():
            raise ValidationError(f"Site {edit.site_id} already exists.",
                                  f"Trạm {edit.site_id} đã có.",
                                  fix="Choose another id, or edit that site.",
                                  fix_vi="Chọn mã khác, hoặc sửa trạm đó.")
        azimuths = edit.azimuths_deg or (0.0, 120.0, 240.0)
        new = gpd.GeoDataFrame({
            "site_id": [str(edit.site_id)] * len(azimuths),
            "operator": [str(edit.operator)] * len(azimuths),
            "tech": [edit.tech or "4G"] * len(azimuths),
            "azimuth_deg": [float(a) for a in azimuths],
        }, geometry=shapely.points(np.full(len(azimuths), float(edit.x_m)),
                                   np.full(len(azimuths), float(edit.y_m))), crs=sites.crs)
        if edit.height_m is not None:
            new["height_m"] = float(edit.height_m)
        if edit.tilt_deg is not None:
            new["tilt_deg"] = float(edit.tilt_deg)
    else:
        if not old.any():
            raise ValidationError(f"No site {edit.site_id} in the sites layer.",
                                  f"Không có trạm {edit.site_id} trong lớp trạm.")
        rows = sites[old]
        if edit.action == "remove":
            new = rows.iloc[0:0]
        else:
            if edit.azimuths_deg is not None:
                template = rows.iloc[[0] * len(edit.azimuths_deg)].copy()
                template["azimuth_deg"] = [float(a) for a in edit.azimuths_deg]
                new = template
            else:
                new = rows.copy()
            if edit.x_m is not None and edit.y_m is not None:
                new = new.set_geometry(shapely.points(np.full(len(new), float(edit.x_m)),
                                                      np.full(len(new), float(edit.y_m))),
                                       crs=sites.crs)
            for col, value in (("height_m", edit.height_m), ("tilt_deg", edit.tilt_deg),
                               ("tech", edit.tech)):
                if value is not None:
                    new[col] = value
    layer = pd.concat([sites[~old], new], ignore_index=True, sort=False)
    return gpd.GeoDataFrame(layer, geometry=sites.geometry.name, crs=sites.crs), old, \
        gpd.GeoDataFrame(new.reset_index(drop=True), geometry=sites.geometry.name,
                         crs=sites.crs)


def edited_sites(sites: gpd.GeoDataFrame, edits: list[SiteEdit]) -> gpd.GeoDataFrame:
    """``sites`` with every edit of ``edits`` applied in order (the layer to download)."""
    out = sites
    for edit in edits:
        out = apply_edit(out, edit)[0]
    return out


@dataclass
class Scenario:
    """A run's state that a what-if edits: the sites, their transmitters, the coverage, the
    per-hamlet coverage and the hamlet table, with what is needed to recompute them.

    Build it from a run's results (the app does it from a run context); every what-if returns
    a new one (:attr:`WhatIfResult.scenario`), the old one is not changed.

    Attributes
    ----------
    sites
        The sites layer (analysis CRS).
    transmitters
        The coverage's transmitter table with an ``active`` column (``False`` for the rows an
        edit replaced; the server rasters point at rows of this table).
    coverage
        The best-server rasters (:class:`~gis.radio.coverage.CoverageResult`).
    dem, dem_transform
        The DEM the coverage was computed on (m, float64, gaps 0 m) and its transform: the
        coverage grid is a window of it.
    landcover
        The land-cover grid aligned with the DEM, or ``None``.
    population
        The population grid and transform over the coverage grid, or ``None``.
    villages, hamlets, long
        The villages layer, the per-hamlet table (same order) and the long per-hamlet coverage
        table (:func:`gis.analysis.mobile.hamlet_coverage`).
    radio, rule, targets
        The run's radio parameters, hamlet rule and indicator settings.
    positions, facilities
        The run's tables used by the indicators (not recomputed by a what-if).
    """

    sites: gpd.GeoDataFrame
    transmitters: pd.DataFrame
    coverage: CoverageResult
    dem: np.ndarray
    dem_transform: Affine
    villages: gpd.GeoDataFrame
    hamlets: pd.DataFrame
    long: pd.DataFrame
    radio: RadioParams = field(default_factory=RadioParams)
    rule: HamletRule = field(default_factory=HamletRule)
    targets: IndicatorParams = field(default_factory=IndicatorParams)
    landcover: np.ndarray | None = None
    population: tuple[np.ndarray, Affine] | None = None
    positions: pd.DataFrame | None = None
    facilities: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        if "active" not in self.transmitters:
            self.transmitters = self.transmitters.assign(active=True)

    @property
    def offset(self) -> tuple[int, int]:
        """(row, col) of the coverage grid's first cell in the DEM grid."""
        tr, dt = self.coverage.transform, self.dem_transform
        return (round((dt.f - tr.f) / -dt.e), round((tr.c - dt.c) / dt.a))


@dataclass
class WhatIfResult:
    """What an edit changes.

    Attributes
    ----------
    scenario
        The scenario after the edit (keep it to go on editing, or drop it).
    changes
        One row per hamlet whose status or 4G / 5G changed: ``village_id``, ``name``,
        ``commune``, ``population``, ``status_before``, ``status_after``, ``mobile_4g_before``,
        ``mobile_4g_after``, ``mobile_5g_before``, ``mobile_5g_after``, ``change``
        (``gained``: mobile broadband gained, ``lost``, or ``changed``: another status change).
    indicators_before, indicators_after
        The area's indicators before and after (``indicator_id``, ``name_vi``, ``name_en``,
        ``value``, ``target``, ``met``...).
    seconds
        Time of the recomputation (coverage, hamlets, indicators), s.
    cells_changed
        Coverage cells whose best signal changed (all operators and technologies).
    transmitters
        Transmitters computed: the edited site's and the neighbours over its orphaned cells.
    """

    scenario: Scenario
    changes: pd.DataFrame
    indicators_before: pd.DataFrame
    indicators_after: pd.DataFrame
    seconds: float
    cells_changed: int
    transmitters: int


def _key_mask(tx: pd.DataFrame, key: tuple[str, str]) -> np.ndarray:
    return ((tx["operator"].astype(str) == key[0])
            & (tx["tech"].astype(str).str.upper() == key[1])).to_numpy()


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    rows = np.flatnonzero(mask.any(axis=1))
    if not rows.size:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(cols[0]), int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)


def recompute_coverage(scenario: Scenario, old_rows: np.ndarray, new_tx: pd.DataFrame, *,
                       threads: int = 2) -> tuple[CoverageResult, pd.DataFrame, np.ndarray, int]:
    """The coverage after replacing the transmitters ``old_rows`` (a mask over
    ``scenario.transmitters``) by ``new_tx`` (see the module doc for why it is exact).

    The orphaned cells (where an old transmitter was the best server) need the other
    transmitters only where the new site does not reach the old value there (a new value at
    least the old one is the strongest, since the others were weaker); those cells of every
    operator and technology are computed in one call of the engine over their bounding window,
    so that a position carrying several technologies is swept once.

    Returns
    -------
    (coverage, transmitters, changed, n_computed)
        The new coverage (new dicts; arrays of untouched keys shared), the transmitter table
        with ``new_tx`` appended and the old rows inactive, the mask of coverage cells whose
        best signal changed, and how many transmitters were computed.
    """
    cov = scenario.coverage
    old_tx = scenario.transmitters
    tx = old_tx.copy()
    tx.loc[old_rows, "active"] = False
    base = len(tx)
    new_tx = new_tx.reset_index(drop=True).assign(active=True)
    tx = pd.concat([tx, new_tx], ignore_index=True, sort=False)
    r_off, c_off = scenario.offset
    h, w = cov.shape
    dem, dtr, crs = scenario.dem, scenario.dem_transform, cov.crs
    kwargs = {"landcover": scenario.landcover, "threads": threads}
    keys = sorted({(str(o), str(t).upper()) for o, t in zip(new_tx["operator"], new_tx["tech"],
                                                             strict=True)}
                  | {(str(o), str(t).upper()) for o, t in zip(
                      old_tx.loc[old_rows, "operator"], old_tx.loc[old_rows, "tech"],
                      strict=True)})
    new_cov = (compute_coverage(new_tx, dem, dtr, crs, scenario.radio,
                                window=(r_off, c_off, h, w), **kwargs) if len(new_tx) else None)
    n_computed = len(new_tx)
    old_idx = np.flatnonzero(old_rows)
    best, server = dict(cov.best_dbm), dict(cov.server)
    need: dict[tuple[str, str], np.ndarray] = {}
    for key in keys:
        b0, s0 = cov.best_dbm.get(key), cov.server.get(key)
        b = np.full((h, w), np.nan, np.float32) if b0 is None else b0.copy()
        s = np.full((h, w), -1, np.int32) if s0 is None else s0.copy()
        orphan = np.isin(s, old_idx) if old_idx.size else np.zeros((h, w), bool)
        nb = new_cov.best_dbm.get(key) if new_cov is not None else None
        if nb is not None:
            with np.errstate(invalid="ignore"):
                covered = orphan & (nb >= b)     # the new site is the strongest there
            b[covered], s[covered] = nb[covered], base + new_cov.server[key][covered]
            orphan &= ~covered
        b[orphan], s[orphan] = np.nan, -1
        if orphan.any():
            need[key] = orphan
        best[key], server[key] = b, s
    if need:
        union = np.logical_or.reduce(list(need.values()))
        r0, c0, bh, bw = _bbox(union)
        active = old_tx["active"].to_numpy(bool) & ~old_rows
        wanted = np.zeros(len(old_tx), bool)
        for key in need:
            wanted |= _key_mask(old_tx, key)
        others = np.flatnonzero(active & wanted)
        if others.size:
            part = compute_coverage(old_tx.iloc[others], dem, dtr, crs, scenario.radio,
                                    window=(r_off + r0, c_off + c0, bh, bw), **kwargs)
            n_computed += others.size
            for key, mask in need.items():
                if key not in part.best_dbm:
                    continue
                sub = mask[r0:r0 + bh, c0:c0 + bw]
                pb, ps = part.best_dbm[key], part.server[key]
                bb = best[key][r0:r0 + bh, c0:c0 + bw]
                ss = server[key][r0:r0 + bh, c0:c0 + bw]
                bb[sub] = pb[sub]
                ss[sub] = np.where(ps[sub] >= 0, others[np.maximum(ps[sub], 0)], -1)
    changed = np.zeros((h, w), bool)
    for key in keys:
        b, s = best[key], server[key]
        if new_cov is not None and key in new_cov.best_dbm:
            nb, ns = new_cov.best_dbm[key], new_cov.server[key]
            with np.errstate(invalid="ignore"):
                take = np.isfinite(nb) & ~(nb <= b)
            best[key] = b = np.where(take, nb, b).astype(np.float32)
            server[key] = np.where(take, base + ns, s).astype(np.int32)
        before = cov.best_dbm.get(key)
        changed |= np.isfinite(b) if before is None else \
            ~((b == before) | (np.isnan(b) & np.isnan(before)))
    out = dataclasses.replace(cov, best_dbm=best, server=server, transmitters=tx,
                              rasters={}, warnings=[])
    return out, tx, changed, n_computed


def _touching(villages: gpd.GeoDataFrame, coverage: CoverageResult,
              changed: np.ndarray) -> np.ndarray:
    """Positions of the hamlets whose geometry meets the bounding box of the changed cells."""
    box = _bbox(changed)
    if box is None:
        return np.empty(0, int)
    r0, c0, h, w = box
    tr = coverage.transform
    x0, y1 = tr * (c0, r0)
    x1, y0 = tr * (c0 + w, r0 + h)
    rect = shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    return np.flatnonzero(shapely.intersects(np.asarray(villages.geometry.values), rect))


def _merge_long(long: pd.DataFrame, part: pd.DataFrame, positions: np.ndarray,
                n: int) -> pd.DataFrame:
    """The long table with the rows of the hamlets at ``positions`` replaced by ``part``
    (computed on those hamlets alone: its ``hamlet`` is a position among them)."""
    sig = long.attrs.get("signal_share")
    new_sig = part.attrs.get("signal_share")
    part = pd.DataFrame(part).assign(hamlet=positions[part["hamlet"].to_numpy(int)])
    kept = pd.DataFrame(long[~long["hamlet"].isin(positions)])
    part.attrs, kept.attrs = {}, {}      # (pandas compares the attrs of what it concatenates)
    out = pd.concat([kept, part], ignore_index=True)
    if sig is None or len(sig) != n:
        sig = pd.DataFrame({"centre_signal": np.zeros(n, bool), "signal_share": np.zeros(n)})
    sig = sig.copy()
    if new_sig is not None and len(new_sig) == len(positions):
        sig.iloc[positions, sig.columns.get_loc("centre_signal")] = new_sig[
            "centre_signal"].to_numpy(bool)
        sig.iloc[positions, sig.columns.get_loc("signal_share")] = new_sig[
            "signal_share"].to_numpy(float)
    out.attrs["signal_share"] = sig
    return out


def hamlet_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The hamlets whose mobile status or 4G / 5G changed between two hamlet tables (same
    index), with ``change``: ``gained`` (mobile broadband gained), ``lost`` or ``changed``."""
    sb, sa = mobile_status(before), mobile_status(after)

    def flag(frame: pd.DataFrame, col: str) -> pd.Series:
        return frame[col].fillna(False).astype(bool) if col in frame else \
            pd.Series(False, index=frame.index)

    bb = flag(before, "mobile_4g") | flag(before, "mobile_5g")
    ba = flag(after, "mobile_4g") | flag(after, "mobile_5g")
    moved = (sb != sa) | (flag(before, "mobile_4g") != flag(after, "mobile_4g")) | \
        (flag(before, "mobile_5g") != flag(after, "mobile_5g"))
    keep = [c for c in ("village_id", "name", "commune", "population") if c in after]
    out = pd.DataFrame(after.loc[moved, keep])
    out["status_before"] = sb[moved].to_numpy()
    out["status_after"] = sa[moved].to_numpy()
    for col in ("mobile_4g", "mobile_5g"):
        out[f"{col}_before"] = flag(before, col)[moved].to_numpy()
        out[f"{col}_after"] = flag(after, col)[moved].to_numpy()
    out["change"] = np.where(~bb[moved] & ba[moved], "gained",
                             np.where(bb[moved] & ~ba[moved], "lost", "changed"))
    order = {"gained": 0, "lost": 1, "changed": 2}
    return out.sort_values("change", key=lambda s: s.map(order), kind="stable")


def _area(indicators: pd.DataFrame) -> pd.DataFrame:
    return indicators[indicators["scope_level"] == "area"].reset_index(drop=True)


def run_whatif(scenario: Scenario, edit: SiteEdit) -> WhatIfResult:
    """Apply ``edit`` to the scenario's sites and recompute what it changes (module doc)."""
    t0 = time.perf_counter()
    sites, _replaced, new_rows = apply_edit(scenario.sites, edit)
    tx = scenario.transmitters
    if "site_id" in tx:
        old_tx = tx["active"].to_numpy(bool) & (tx["site_id"].astype(str).to_numpy()
                                                == str(edit.site_id))
        if edit.operator:
            old_tx &= tx["operator"].astype(str).to_numpy() == str(edit.operator)
    else:
        old_tx = np.zeros(len(tx), bool)
    new_tx = (expand_sectors(new_rows, scenario.radio)[0] if len(new_rows)
              else tx.iloc[0:0].drop(columns="active", errors="ignore"))
    coverage, transmitters, changed, n_computed = recompute_coverage(scenario, old_tx, new_tx)
    villages = scenario.villages
    n = len(villages)
    touched = _touching(villages, coverage, changed)
    long = scenario.long
    if touched.size:
        part = hamlet_coverage(villages.iloc[touched], coverage, scenario.radio, scenario.rule,
                               population=scenario.population)
        long = _merge_long(long, part, touched, n)
    operators = sorted(set(transmitters.loc[transmitters["active"], "operator"].astype(str)))
    cols = hamlet_columns(long, scenario.hamlets.index, scenario.rule, operators=operators)
    hamlets = scenario.hamlets.copy()
    for c in cols.columns:
        hamlets[c] = cols[c].to_numpy()
    # the area's indicators only (scopes=()): a unit's are one filter away in the app
    before = compute_indicators(scenario.hamlets, positions=scenario.positions,
                                facilities=scenario.facilities, params=scenario.targets,
                                scopes=())
    after = compute_indicators(hamlets, positions=scenario.positions,
                               facilities=scenario.facilities, params=scenario.targets,
                               scopes=())
    new = dataclasses.replace(scenario, sites=sites, transmitters=transmitters,
                              coverage=coverage, hamlets=hamlets, long=long)
    return WhatIfResult(new, hamlet_changes(scenario.hamlets, hamlets), _area(before),
                        _area(after), time.perf_counter() - t0, int(changed.sum()), n_computed)


def default_azimuths(n: int) -> tuple[float, ...]:
    """``n`` sectors evenly spread from north (3: 0, 120, 240 degrees)."""
    if n < 1:
        raise ValidationError("A site needs at least one sector.", "Trạm cần ít nhất một sector.")
    return tuple(round(i * 360.0 / n, 1) % 360.0 for i in range(n))

