"""The covering pairs of the sharing stage, province by province on Dask.

Co-location opportunities, tower consolidation and new-tower siting all start from the pairs
"the antenna at T reaches hamlet H" (:func:`gis.analysis.sharing.reach_pairs`), the costly part
of the stage (each pair's signal on its terrain profile). A pair depends only on its two ends,
the antenna and the terrain between them, so the pairs split by province without changing any:
:class:`PartitionedReach` gives each partition the receivers (hamlet centres) of its province
and, as its **halo** (:func:`sharing_halo_m`), every transmitter or candidate within the
antenna's reach (``max_radius_m``) of their bounding box: a tower serves hamlets across a
border, so a partition sees the towers of the next province that reach into it. The driver
concatenates the pairs; the set cover of new towers, the ranking of opportunities and the
consolidation checks then run once on all of them, as in one piece, so their results are the
one-piece run's exactly (the analyses never depend on the pairs' order).

A round with fewer than :data:`REACH_IN_PROCESS_BELOW` receivers runs in the driver: the
province preset's 2,048 hamlets take about a CPU second, less than starting a pool of worker
processes.
"""

from __future__ import annotations

import numpy as np

from gis.analysis.sharing import (
    Antenna,
    LinkPredictor,
    ReachPairs,
    reach_pairs,
    terrain_link_predictor,
)
from gis.pipeline.context import RunContext
from gis.scale.partition import Partition, PartitionRun, assign_points, digest, run_partitions

__all__ = ["REACH_IN_PROCESS_BELOW", "PartitionedReach", "reach_partition", "sharing_halo_m"]

#: Rounds of covering pairs with fewer receivers (hamlets) than this run in the driver.
REACH_IN_PROCESS_BELOW = 5_000


def sharing_halo_m(antenna: Antenna) -> float:
    """How far beyond its hamlets' bounding box a partition sees transmitters and candidates,
    metres: the antenna's reach (``max_radius_m``, beyond which no pair is predicted) plus
    1 m against rounding."""
    return float(antenna.max_radius_m) + 1.0


def reach_partition(payload: tuple, shared) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One partition's covering pairs (a Dask task), as global (tx, rx) indices and dBm.

    ``payload`` = (tx_xy, tx_height_m, tx_index, rx_xy, rx_index, antenna, radio);
    ``shared`` = (DEM, transform) of the run's terrain, or ``None`` for flat terrain.
    """
    txy, th, ti, rxy, ri, antenna, radio = payload
    dem, transform = shared if shared is not None else (None, None)
    r = reach_pairs(terrain_link_predictor(dem, transform, radio), txy, th, rxy, antenna)
    return ti[r.tx], ri[r.rx], r.rsrp_dbm


class PartitionedReach:
    """A :data:`gis.analysis.sharing.Reach` that computes the pairs per province on Dask.

    Parameters
    ----------
    ctx
        The run (its Dask client, scale parameters and output folder).
    partitions
        The run's partitions (:func:`gis.pipeline.partitions.partitions_for`).
    hamlet_xy
        (n, 2) hamlet centres, metres: receivers go to their nearest centre's partition.
    predict
        The driver's predictor (for the rounds run in the driver).
    terrain
        ``(dem, transform)`` the predictor was built on, or ``None`` (flat).
    radio
        :class:`gis.radio.params.RadioParams`.
    """

    def __init__(self, ctx: RunContext, partitions: list[Partition], hamlet_xy: np.ndarray,
                 predict: LinkPredictor, terrain, radio) -> None:
        self.ctx, self.partitions, self.hamlet_xy = ctx, partitions, hamlet_xy
        self.predict, self.terrain, self.radio = predict, terrain, radio
        self.terrain_digest = "flat" if terrain is None else digest(
            terrain[0], tuple(terrain[1]))
        self.calls = 0
        self.runs: list[PartitionRun] = []

    def __call__(self, tx_xy: np.ndarray, tx_height_m: np.ndarray, rx_xy: np.ndarray,
                 antenna: Antenna) -> ReachPairs:
        self.calls += 1
        txy = np.asarray(tx_xy, float).reshape(-1, 2)
        th = np.asarray(tx_height_m, float).reshape(-1)
        rxy = np.asarray(rx_xy, float).reshape(-1, 2)
        if len(rxy) < REACH_IN_PROCESS_BELOW or len(txy) == 0:
            return reach_pairs(self.predict, txy, th, rxy, antenna)
        of = assign_points(rxy, self.hamlet_xy, self.partitions)
        halo = sharing_halo_m(antenna)
        used, payloads = [], []
        for i in np.unique(of):
            ri = np.flatnonzero(of == i)
            lo, hi = rxy[ri].min(axis=0) - halo, rxy[ri].max(axis=0) + halo
            ti = np.flatnonzero((txy >= lo).all(axis=1) & (txy <= hi).all(axis=1))
            used.append(self.partitions[int(i)])
            payloads.append((txy[ti], th[ti], ti, rxy[ri], ri, antenna, self.radio))
        run = run_partitions(f"sharing-reach-{self.calls:02d}", used, payloads,
                             reach_partition, out_dir=self.ctx.workdir,
                             scale=self.ctx.params.scale, client=self.ctx.client,
                             shared=self.terrain, shared_digest=self.terrain_digest)
        self.runs.append(run)
        tx = np.concatenate([r[0] for r in run.results]).astype(np.int64)
        rx = np.concatenate([r[1] for r in run.results]).astype(np.int64)
        sig = np.concatenate([r[2] for r in run.results]).astype(float)
        order = np.lexsort((tx, rx))
        return ReachPairs(tx[order], rx[order], sig[order])

    def note(self, ctx: RunContext) -> None:
        """Say in the run's defaults how the pairs were computed (when any round was split)."""
        if not self.runs:
            return
        n = len(self.partitions)
        reused = sum(len(r.resumed) for r in self.runs)
        tasks = sum(len(r.resumed) + len(r.computed) for r in self.runs)
        ctx.default(f"Sharing: the covering pairs of {len(self.runs)} round(s) computed in "
                    f"{tasks} partition task(s) over {n} province(s) ({reused} reused from an "
                    "earlier run).",
                    f"Dùng chung hạ tầng: các cặp phủ sóng của {len(self.runs)} lượt được tính "
                    f"trong {tasks} tác vụ phân vùng trên {n} tỉnh ({reused} dùng lại từ lần "
                    "chạy trước).")
