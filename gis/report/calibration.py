"""The outputs of a calibration (``python -m gis calibrate``): parameters, group table, residual
layer and histogram.

:func:`write_calibration` writes, every file atomically:

* ``params.json`` (the path given): the project's run parameters with the new ``calibration``
  section, ready for ``python -m gis run --params``; or, with ``partial=True``, a file with the
  ``calibration`` section only (to merge into a ``params.json``; any other section keeps the
  value of the file it is merged into);
* ``<stem>_groups.csv``: one row per operator and land-cover class (:func:`group_table`);
* ``<stem>_residuals.geojson``: one point per measurement with the measured and predicted
  signal and the error before and after (:func:`residual_layer`), to map in QGIS;
* ``<stem>_residuals.png``: the histogram of the errors before and after (:func:`histogram_png`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gis.atomic import write_atomic
from gis.config import to_dict
from gis.export.writers import write_csv, write_geojson
from gis.labels import check_lang
from gis.radio.calibration import REASONS
from gis.radio.params import CLUTTER_CLASSES
from gis.report.staticmap import figure_png

__all__ = ["format_groups", "group_table", "histogram_png", "residual_layer",
           "write_calibration"]

#: Columns of the residual layer, in order.
RESIDUAL_COLUMNS = ("source_row", "operator", "tech", "clutter_class", "distance_m",
                    "measured_dbm", "predicted_dbm", "calibrated_dbm", "error_before_db",
                    "error_after_db", "cv_error_after_db", "used", "calibration_group", "reason")


def _class_name(code: Any, lang: str) -> str:
    if code is None or (isinstance(code, float) and np.isnan(code)):
        return "mọi lớp" if lang == "vi" else "all classes"
    pair = CLUTTER_CLASSES.get(int(code))
    name = (pair[1] if lang == "vi" else pair[0]) if pair else str(int(code))
    return f"{int(code)} {name}"


def group_table(fit: Any, lang: str = "en") -> pd.DataFrame:
    """The groups of a :class:`~gis.radio.calibration.CalibrationFit` with the land-cover name.

    Canonical column names (``operator, clutter_class, clutter_name, n_points, applied,
    offset_db, offset_ci_db, ...``); numbers rounded to 0.01 dB.
    """
    check_lang(lang)
    table = fit.groups.copy()
    table.insert(2, "clutter_name", [_class_name(c, lang) for c in table["clutter_class"]])
    table["clutter_class"] = pd.array([None if c is None or pd.isna(c) else int(c)
                                       for c in table["clutter_class"]], dtype="Int64")
    num = [c for c in table.columns if c.endswith("_db") or c.endswith("_decade")]
    table[num] = table[num].astype(float).round(2)
    return table


def format_groups(fit: Any, lang: str = "en") -> str:
    """The groups as a text table for the terminal: n, offset ± CI, slope ± CI, RMSE and mean
    error before and after (cross-validated), applied."""
    check_lang(lang)
    vi = lang == "vi"
    head = (["Nhóm", "Lớp phủ", "n", "Độ lệch dB", "Độ dốc dB/dec", "RMSE trước", "RMSE sau",
             "TB trước", "TB sau", "Áp dụng"] if vi else
            ["Group", "Land cover", "n", "Offset dB", "Slope dB/dec", "RMSE before",
             "RMSE after", "Mean before", "Mean after", "Applied"])
    lines = []
    for _, g in fit.groups.iterrows():
        slope = (f"{g.slope_db_per_decade:+.2f} ± {g.slope_ci_db:.2f}" if g.slope_fitted
                 else "-")
        yes = ("có" if vi else "yes") if g.applied else ("không" if vi else "no")
        lines.append([g.operator, _class_name(g.clutter_class, lang), str(int(g.n_points)),
                      f"{g.offset_db:+.2f} ± {g.offset_ci_db:.2f}", slope,
                      f"{g.rmse_before_db:.2f}", f"{g.rmse_after_db:.2f}",
                      f"{g.mean_error_before_db:+.2f}", f"{g.mean_error_after_db:+.2f}", yes])
    widths = [max(len(r[i]) for r in [head, *lines]) for i in range(len(head))]
    fmt = "  ".join(f"{{:<{w}}}" if i < 2 else f"{{:>{w}}}" for i, w in enumerate(widths))
    out = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*r) for r in lines]
    return "\n".join(out)


def residual_layer(result: Any, lang: str = "en") -> Any:
    """One point per measurement (WGS84): :data:`RESIDUAL_COLUMNS` and the geometry.

    ``calibrated_dbm`` = predicted - correction; ``reason`` says in ``lang`` why an unused
    point was not fitted.
    """
    import geopandas as gpd

    check_lang(lang)
    pts = result.fit.points
    meas = result.measurements
    frame = pd.DataFrame(index=pts.index)
    frame["source_row"] = (meas["source_row"].to_numpy() if "source_row" in meas
                           else np.arange(1, len(pts) + 1))
    for col in ("operator", "tech", "distance_m", "measured_dbm", "predicted_dbm",
                "error_before_db", "error_after_db", "cv_error_after_db", "used",
                "calibration_group"):
        frame[col] = pts[col].to_numpy()
    frame["clutter_class"] = pts["clutter_class"].to_numpy(dtype=float)
    frame["calibrated_dbm"] = frame["predicted_dbm"] - (frame["error_before_db"]
                                                        - frame["error_after_db"])
    frame["reason"] = [REASONS[str(r)][1 if lang == "vi" else 0] for r in pts["reason"]]
    frame = frame[list(RESIDUAL_COLUMNS)]
    num = ["distance_m", "measured_dbm", "predicted_dbm", "calibrated_dbm", "error_before_db",
           "error_after_db", "cv_error_after_db"]
    frame[num] = frame[num].astype(float).round(2)
    return gpd.GeoDataFrame(frame, geometry=meas.geometry.to_numpy(), crs=meas.crs)


def histogram_png(fit: Any, lang: str = "en") -> bytes:
    """PNG of the errors (predicted - measured, dB) of the fitted points, before and after the
    calibration (after: cross-validated), with their RMSE and mean in the legend."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    check_lang(lang)
    vi = lang == "vi"
    used = fit.points["used"].to_numpy(dtype=bool)
    before = fit.points["error_before_db"].to_numpy(dtype=float)[used]
    after = fit.points["cv_error_after_db"].to_numpy(dtype=float)[used]
    fig, ax = plt.subplots(figsize=(7.0, 4.0), dpi=110)
    try:
        if len(before):
            lim = float(np.ceil(max(np.nanpercentile(np.abs(np.r_[before, after]), 99), 5.0)))
            bins = np.arange(-lim, lim + 1.0, max(1.0, lim / 20.0))
            for values, color, word_en, word_vi, kind in (
                    (before, "#9e9e9e", "before", "trước", "stepfilled"),
                    (after, "#1565c0", "after (cross-validated)", "sau (kiểm định chéo)",
                     "step")):
                rmse, mean = float(np.sqrt(np.mean(values ** 2))), float(np.mean(values))
                ax.hist(np.clip(values, -lim, lim), bins=bins, histtype=kind, color=color,
                        linewidth=1.8, alpha=0.8 if kind == "stepfilled" else 1.0,
                        label=f"{word_vi if vi else word_en}: RMSE {rmse:.1f} dB, "
                              f"{'TB' if vi else 'mean'} {mean:+.1f} dB")
            ax.axvline(0.0, color="black", linewidth=0.8)
            ax.legend(loc="best", fontsize=8)
        ax.set_xlabel("Sai số dự báo - đo (dB)" if vi else "Error, predicted - measured (dB)")
        ax.set_ylabel("Số điểm đo" if vi else "Measurements")
        ax.set_title(f"{'Hiệu chỉnh mô hình phủ sóng' if vi else 'Coverage model calibration'}"
                     f" ({int(used.sum())} {'điểm' if vi else 'points'})", fontsize=10)
        return figure_png(fig)
    finally:
        plt.close(fig)


def _stem_path(path: Path, suffix: str) -> Path:
    return path.with_name(f"{path.stem}_{suffix}")


def write_calibration(result: Any, out: str | Path, *, lang: str = "en",
                      partial: bool = False) -> list[Path]:
    """Write the calibrated parameters and the residual outputs (see the module text).

    Parameters
    ----------
    result
        A :class:`gis.pipeline.calibrate.CalibrationResult`.
    out
        The parameters file to write (``.json``); the other files go beside it.
    lang
        Language of the CSV headers, the reasons and the histogram.
    partial
        Write only the ``calibration`` section instead of the whole run parameters.

    Returns
    -------
    list of Path
        The files written.
    """
    check_lang(lang)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if partial:
        text = json.dumps({"calibration": to_dict(result.params.calibration)}, indent=2,
                          ensure_ascii=False) + "\n"
        write_atomic(out, lambda p: p.write_text(text, encoding="utf-8"))
    else:
        result.params.to_json(out)
    groups = write_csv(group_table(result.fit, lang), _stem_path(out, "groups.csv"), lang=lang)
    layer = write_geojson(residual_layer(result, lang), _stem_path(out, "residuals.geojson"))
    png = histogram_png(result.fit, lang)
    hist = write_atomic(_stem_path(out, "residuals.png"), lambda p: p.write_bytes(png))
    return [out, groups, layer, hist]
