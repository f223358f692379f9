"""Link predictions of the sharing analysis on the radio engine: who would reach which hamlet.

:func:`engine_predictor` adapts the engine's point-to-point model
(:func:`gis.radio.coverage.point_rsrp_dbm`, same models and terrain term as the coverage rasters)
to the :data:`~gis.analysis.sharing.LinkPredictor` the co-location, consolidation and siting
functions take; :func:`operator_antennas` gives each operator's typical antenna.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gis.analysis.sharing import Antenna, LinkPredictor
from gis.radio.coverage import point_rsrp_dbm
from gis.radio.params import RadioParams

__all__ = ["engine_predictor", "operator_antennas"]


def engine_predictor(dem: np.ndarray | None, transform, radio: RadioParams,
                     tech: str = "4G") -> LinkPredictor:
    """A :data:`LinkPredictor` on the radio engine's point-to-point model over the DEM
    (``None``: flat terrain)."""

    def predict(tx_xy, tx_h, rx_xy, antenna: Antenna) -> np.ndarray:
        tx_xy, rx_xy = np.asarray(tx_xy, float), np.asarray(rx_xy, float)
        tx_h = np.asarray(tx_h, float)
        out = np.full(len(tx_xy), -np.inf)
        if len(tx_xy) == 0:
            return out
        keys = np.column_stack([tx_xy, tx_h])
        utx, tx_inv = np.unique(keys, axis=0, return_inverse=True)
        urx, rx_inv = np.unique(rx_xy, axis=0, return_inverse=True)
        dense = point_rsrp_dbm(utx[:, :2], utx[:, 2], antenna.freq_mhz, antenna.eirp_dbm, urx,
                               dem, transform, radio, tech=tech,
                               max_radius_m=antenna.max_radius_m)
        vals = dense[tx_inv.ravel(), rx_inv.ravel()]
        return np.where(np.isfinite(vals), vals, -np.inf)

    return predict


def operator_antennas(transmitters: pd.DataFrame, operators: list[str], radio: RadioParams,
                      tech: str = "4G") -> dict[str, Antenna]:
    """Each operator's typical antenna for ``tech``: its most used band and median EIRP in the
    site data, else the technology's defaults with the operator's licensed band."""
    td = radio.tech(tech)
    antennas = {}
    for op in operators:
        rows = transmitters[(transmitters["operator"] == op) & (transmitters["tech"] == tech)]
        if len(rows):
            freq = float(rows["freq_mhz"].mode().iloc[0])
            eirp = float(rows["eirp_dbm"].median())
        else:
            freq, eirp = radio.default_freq_mhz(op, tech), td.eirp_dbm
        antennas[op] = Antenna(freq_mhz=freq, eirp_dbm=eirp, threshold_dbm=td.tiers.edge_dbm,
                               max_radius_m=td.max_radius_m)
    return antennas
