"""``python -m gis pathloss``: path loss of one empirical model at one or more distances.

Example::

    python -m gis pathloss --model cost231_hata --freq-mhz 1800 --tx-height-m 30 \\
        --rx-height-m 1.5 --distance-km 1,2,5 --env urban

prints a table of ``distance_km`` and ``path_loss_db``; ``--json`` prints a JSON list of
``{"distance_km": ..., "path_loss_db": ...}`` objects instead. Outside the model's validity range
the command fails (exit code 2) with the range in the message, unless ``--force``.
"""

from __future__ import annotations

import argparse
import json
import math

from gis.errors import ValidationError
from gis.radio.models import Condition, Environment, Model


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "pathloss",
        help="path loss of a propagation model (free space, Hata, COST-231, 3GPP RMa/UMa/UMi)",
        description="Path loss (dB) of an empirical propagation model. Distances are horizontal; "
        "the 3GPP models and free space derive the 3D distance from the heights.",
    )
    p.add_argument("--model", required=True, choices=[m.value for m in Model])
    p.add_argument("--freq-mhz", required=True, type=float, help="frequency, MHz")
    p.add_argument("--tx-height-m", required=True, type=float,
                   help="base-station antenna height above ground, m")
    p.add_argument("--rx-height-m", required=True, type=float,
                   help="receiver antenna height above ground, m")
    p.add_argument("--distance-km", required=True,
                   help="horizontal distance, km: one value or a comma list (e.g. 0.5,1,2,5)")
    p.add_argument("--env", choices=[e.value for e in Environment], default="suburban",
                   help="Hata family: urban / suburban / open (COST-231: urban = metropolitan "
                   "centre +3 dB, suburban = medium city 0 dB; default suburban)")
    p.add_argument("--condition", choices=[c.value for c in Condition], default="nlos",
                   help="3GPP models: los or nlos (default nlos; h = 5 m, W = 20 m)")
    p.add_argument("--large-city", action="store_true",
                   help="Okumura-Hata: large-city mobile-antenna correction a(hm)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--force", action="store_true",
                   help="extrapolate outside the model's validity range")
    p.add_argument("--lang", choices=["en", "vi"], default="en")
    return p


def parse_distances_km(text: str) -> list[float]:
    """``"1, 2,5"`` -> ``[1.0, 2.0, 5.0]``; a clear error for anything that is not a positive
    number."""
    values = []
    for part in str(text).split(","):
        part = part.strip()
        try:
            value = float(part)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise ValidationError(
                f"--distance-km: {part!r} is not a positive number of kilometres.",
                f"--distance-km: {part!r} không phải số km dương.",
                fix="Give one distance or a comma list, e.g. --distance-km 0.5,1,2,5.",
                fix_vi="Nhập một khoảng cách hoặc danh sách cách nhau bởi dấu phẩy, "
                "ví dụ --distance-km 0.5,1,2,5.",
            )
        values.append(value)
    return values


def main(args: argparse.Namespace) -> int:
    import numpy as np

    from gis.radio.models import path_loss_db

    d_km = parse_distances_km(args.distance_km)
    loss = path_loss_db(
        args.model, np.asarray(d_km) * 1000.0, args.freq_mhz, args.tx_height_m,
        args.rx_height_m, env=args.env, condition=args.condition, large_city=args.large_city,
        force=args.force,
    )
    rows = [{"distance_km": d, "path_loss_db": round(float(v), 3)}
            for d, v in zip(d_km, np.atleast_1d(loss), strict=True)]
    if args.json:
        print(json.dumps(rows))
        return 0
    vi = args.lang == "vi"
    extra = ""
    if args.model in (Model.OKUMURA_HATA, Model.COST231_HATA):
        extra = f", env {args.env}" + (", large city" if args.large_city else "")
    elif args.model in (Model.RMA, Model.UMA, Model.UMI):
        extra = f", {args.condition.upper()}"
    print(f"{'Mô hình' if vi else 'Model'} {args.model}: f = {args.freq_mhz:g} MHz, "
          f"h_tx = {args.tx_height_m:g} m, h_rx = {args.rx_height_m:g} m{extra}"
          + (" (extrapolated / ngoại suy)" if args.force else ""))
    print(f"{'distance_km':>12}  {'path_loss_db':>12}")
    for r in rows:
        print(f"{r['distance_km']:>12g}  {r['path_loss_db']:>12.2f}")
    return 0
