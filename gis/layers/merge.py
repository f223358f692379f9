"""Putting an uploaded layer into an existing one: add to it, replace what it names, or replace it.

An engineer who uploads five Viettel sites wants them added to the layer (or to replace Viettel's
sites, or those five sites), not to wipe the 286 sector rows of four operators. :func:`merge_layer`
does each, on two canonical layers in the same CRS, and says what it did in numbers
(:class:`MergeResult`: rows before and after, per operator, removed, added, ids renamed).

Modes (:data:`MERGE_MODES`), from the least destructive:

``add``
    every row of the layer stays; the upload's rows are appended. An uploaded id that the layer
    already uses for another feature (``site_id``, ``village_id``...) gets a suffix (``-2``,
    ``-3``...) so that two different features never share an id.
``replace_operators``
    the layer's rows of the operators the upload contains are removed, then the upload is
    appended (layers with an ``operator`` column: sites, fiber, fiber nodes).
``replace_ids``
    the layer's rows whose id the upload contains are removed, then the upload is appended
    (layers with an id column, :attr:`gis.layers.schema.LayerSpec.id_column`).
``replace_all``
    the upload becomes the layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from gis.errors import CRSError, ValidationError
from gis.layers.schema import LAYER_SPECS, LayerKind

__all__ = ["MERGE_MODES", "MergeResult", "merge_layer", "merge_modes", "row_counts"]

#: The merge modes, least destructive first (the first is the default).
MERGE_MODES = ("add", "replace_operators", "replace_ids", "replace_all")


@dataclass
class MergeResult:
    """A merged layer and what the merge did.

    Attributes
    ----------
    layer
        The new layer (a new frame; the inputs are not changed), index 0..n-1.
    mode
        The mode used.
    before, after
        Rows of the layer before and after: ``{"": total, operator: rows, ...}``.
    removed, added
        Rows of the layer removed, rows of the upload added.
    renamed
        Uploaded id -> the id it got (``add`` mode, ids already used by the layer).
    keys
        The operators (``replace_operators``) or ids (``replace_ids``) the upload named.
    """

    layer: gpd.GeoDataFrame
    mode: str
    before: dict[str, int]
    after: dict[str, int]
    removed: int
    added: int
    renamed: dict[str, str] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)


def _id_column(kind: str) -> str | None:
    return LAYER_SPECS[LayerKind.parse(kind)].id_column


def merge_modes(kind: str, base: gpd.GeoDataFrame | None, upload: gpd.GeoDataFrame) -> list[str]:
    """The modes that make sense for this layer and upload, least destructive first: without a
    layer yet only ``replace_all``; ``replace_operators`` needs an ``operator`` column in both,
    ``replace_ids`` the kind's id column in both."""
    if base is None or len(base) == 0:
        return ["replace_all"]
    if not isinstance(base, gpd.GeoDataFrame) or not isinstance(upload, gpd.GeoDataFrame):
        return ["replace_all"]      # a table without geometry (per-commune statistics)
    out = ["add"]
    if "operator" in base and "operator" in upload:
        out.append("replace_operators")
    idc = _id_column(kind)
    if idc and idc in base and idc in upload:
        out.append("replace_ids")
    return [*out, "replace_all"]


def row_counts(layer: gpd.GeoDataFrame | None) -> dict[str, int]:
    """``{"": rows, operator: rows of that operator, ...}`` (operators sorted)."""
    if layer is None:
        return {"": 0}
    out = {"": len(layer)}
    if "operator" in layer:
        counts = layer["operator"].fillna("").astype(str).value_counts()
        out.update({str(k): int(v) for k, v in sorted(counts.items())})
    return out


def _free_ids(wanted: pd.Series, used: set[str]) -> dict[str, str]:
    """Uploaded ids already in ``used`` -> a free id with a suffix (``VT01`` -> ``VT01-2``)."""
    out: dict[str, str] = {}
    taken = set(used)
    for vid in pd.unique(wanted.dropna().astype(str)):
        if vid not in used:
            taken.add(vid)
            continue
        i = 2
        while f"{vid}-{i}" in taken:
            i += 1
        out[vid] = f"{vid}-{i}"
        taken.add(out[vid])
    return out


def merge_layer(base: gpd.GeoDataFrame | None, upload: gpd.GeoDataFrame, mode: str, *,
                kind: str) -> MergeResult:
    """Merge ``upload`` into ``base`` (both canonical layers of ``kind``, same CRS).

    Parameters
    ----------
    base
        The layer as it is (``None`` when the project has none).
    upload
        The uploaded layer, read with the project's analysis CRS.
    mode
        One of :data:`MERGE_MODES` (see the module doc).
    kind
        The layer kind (``sites``, ``villages`` ...), for its id column.

    Raises
    ------
    ValidationError
        An unknown mode, or a mode the layers cannot do (no operator or id column).
    CRSError
        The two layers are in different CRSs.
    """
    if mode not in MERGE_MODES:
        raise ValidationError(
            f"Unknown merge mode {mode!r}; choose one of: {', '.join(MERGE_MODES)}.",
            f"Cách gộp {mode!r} không hợp lệ; chọn một trong: {', '.join(MERGE_MODES)}.")
    before = row_counts(base)
    if base is None or len(base) == 0 or mode == "replace_all":
        layer = upload.reset_index(drop=True).copy()
        return MergeResult(layer, mode if base is not None and len(base) else "replace_all",
                           before, row_counts(layer), removed=before[""], added=len(upload))
    if base.crs is not None and upload.crs is not None and not CRS(base.crs).equals(upload.crs):
        raise CRSError(
            f"The upload is in {CRS(upload.crs).name}, the layer in {CRS(base.crs).name}.",
            f"Tệp tải lên ở hệ {CRS(upload.crs).name}, lớp ở hệ {CRS(base.crs).name}.",
            fix="Read the upload with the project's analysis CRS.",
            fix_vi="Đọc tệp tải lên theo hệ toạ độ phân tích của dự án.")
    if mode not in merge_modes(kind, base, upload):
        need = "an operator column" if mode == "replace_operators" else "an id column"
        need_vi = "cột nhà mạng" if mode == "replace_operators" else "cột mã"
        raise ValidationError(
            f"Cannot {mode.replace('_', ' ')}: the layer and the upload need {need}.",
            f"Không thể thay thế theo cách này: lớp và tệp tải lên cần có {need_vi}.")
    idc = _id_column(kind)
    keep = np.ones(len(base), bool)
    keys: list[str] = []
    renamed: dict[str, str] = {}
    up = upload.copy()
    if mode == "replace_operators":
        keys = sorted(set(up["operator"].dropna().astype(str)))
        keep = ~base["operator"].astype(str).isin(keys).to_numpy()
    elif mode == "replace_ids":
        keys = sorted(set(up[idc].dropna().astype(str)))
        keep = ~base[idc].astype(str).isin(keys).to_numpy()
    elif idc and idc in base and idc in up:
        renamed = _free_ids(up[idc], set(base[idc].dropna().astype(str)))
        if renamed:
            up[idc] = up[idc].map(lambda v: renamed.get(str(v), v) if pd.notna(v) else v)
    kept = base[keep]
    layer = pd.concat([kept, up], ignore_index=True, sort=False)
    layer = gpd.GeoDataFrame(layer, geometry=base.geometry.name, crs=base.crs)
    return MergeResult(layer, mode, before, row_counts(layer), removed=int((~keep).sum()),
                       added=len(up), renamed=renamed, keys=keys)
