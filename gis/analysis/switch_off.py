"""2G and 3G switch-off impact: the hamlets and people that lose mobile service.

Vietnam stopped serving 2G-only handsets on 16/10/2024, shuts 2G down fully in September 2026 and
3G in September 2028 (DOMAIN.md section 5). A hamlet *loses coverage at the 2G switch-off* when some
technology covers it today but none of 3G, 4G or 5G does; it *loses coverage at the 3G switch-off*
(after 2G is gone) when it is covered today but by neither 4G nor 5G. The same is computed per
operator (the operator's own technologies) and overall (any operator).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["switch_off_impact", "switch_off_table"]

_AFTER_2G = ("3G", "4G", "5G")
_AFTER_3G = ("4G", "5G")


def _covered_by(long: pd.DataFrame, techs: tuple[str, ...] | None) -> pd.DataFrame:
    """hamlet × operator boolean: covered by any of ``techs`` (all techs when None)."""
    rows = long if techs is None else long[long["tech"].isin(techs)]
    return rows.groupby(["hamlet", "operator"])["covered"].any()


def switch_off_impact(long: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """Per-hamlet switch-off flags.

    Parameters
    ----------
    long
        One row per hamlet × operator × technology with columns ``hamlet`` (a label of ``index``),
        ``operator``, ``tech`` ("2G".."5G") and ``covered`` (bool).
    index
        The hamlet table's index; the result is aligned on it.

    Returns
    -------
    DataFrame on ``index`` with ``lost_if_2g_off``, ``lost_if_3g_off`` (any operator) and, per
    operator, ``lost_if_2g_off_<operator>``, ``lost_if_3g_off_<operator>`` (lower case).
    """
    now = _covered_by(long, None).unstack(fill_value=False)
    after2 = _covered_by(long, _AFTER_2G).unstack(fill_value=False)
    after3 = _covered_by(long, _AFTER_3G).unstack(fill_value=False)
    after2 = after2.reindex(index=now.index, columns=now.columns, fill_value=False)
    after3 = after3.reindex(index=now.index, columns=now.columns, fill_value=False)
    out = pd.DataFrame(index=index)
    any_now = now.any(axis=1).reindex(index, fill_value=False)
    out["lost_if_2g_off"] = any_now & ~after2.any(axis=1).reindex(index, fill_value=False)
    out["lost_if_3g_off"] = any_now & ~after3.any(axis=1).reindex(index, fill_value=False)
    for op in now.columns:
        key = str(op).lower()
        op_now = now[op].reindex(index, fill_value=False)
        out[f"lost_if_2g_off_{key}"] = op_now & ~after2[op].reindex(index, fill_value=False)
        out[f"lost_if_3g_off_{key}"] = op_now & ~after3[op].reindex(index, fill_value=False)
    return out.astype(bool)


def switch_off_table(flags: pd.DataFrame, population: pd.Series) -> pd.DataFrame:
    """The ``switch_off_impact`` table: hamlets and people losing service, per operator and overall.

    Columns: ``operator`` ("all" for any operator), ``switch_off`` ("2G" or "3G"),
    ``hamlets_lost``, ``population_lost``.
    """
    pop = population.reindex(flags.index).fillna(0).to_numpy(float)
    rows = []
    for col in flags.columns:
        parts = col.split("_")  # lost_if_2g_off[_operator]
        tech = parts[2].upper()
        operator = "_".join(parts[4:]) or "all"
        mask = flags[col].to_numpy(bool)
        rows.append({"operator": operator, "switch_off": tech, "hamlets_lost": int(mask.sum()),
                     "population_lost": float(np.round(pop[mask].sum()))})
    table = pd.DataFrame(rows, columns=["operator", "switch_off", "hamlets_lost",
                                        "population_lost"])
    order = {"all": ""}
    return table.sort_values(["switch_off", "operator"], key=lambda s: s.map(order).fillna(s),
                             kind="stable").reset_index(drop=True)
