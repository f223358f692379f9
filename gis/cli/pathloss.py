"""``python -m gis pathloss``: path loss of a model at distances, or of ITM over a profile.

Empirical models, example::

    python -m gis pathloss --model cost231_hata --freq-mhz 1800 --tx-height-m 30 \\
        --rx-height-m 1.5 --distance-km 1,2,5 --env urban

prints a table of ``distance_km`` and ``path_loss_db``; ``--json`` prints a JSON list of
``{"distance_km": ..., "path_loss_db": ...}`` objects instead. Outside the model's validity range
the command fails (exit code 2) with the range in the message, unless ``--force``.

ITM (Longley-Rice 1.2.2) over one terrain profile, for checking a link by hand::

    python -m gis pathloss --model itm --profile PROFILE.csv --freq-mhz 900 --tx-height-m 30 \\
        --rx-height-m 1.5 --epsilon 15 --sigma-s-m 0.005 --n0 301 --polarization vertical \\
        --climate 5 --time-pct 50 --location-pct 50 --situation-pct 50 --mdvar 12 --json

``PROFILE.csv`` has the columns ``distance_m,elevation_m`` (the transmitter at 0, a uniform
step; ``--resample-m STEP`` interpolates an uneven profile linearly). The output gives
``path_loss_db`` (the basic transmission loss), the propagation ``mode`` and the ``warnings``
ITM raises, with its intermediate values; the ITM options left out take the project's defaults
(:class:`gis.radio.itm_params.ItmParams`). Inputs outside NTIA's ranges, an unknown model and a
bad profile exit with code 2 and a message in both languages naming the parameter and its range.
"""

from __future__ import annotations

import argparse
import json
import math

from gis.errors import GisError, ValidationError
from gis.radio.models import Condition, Environment, Model


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    models = ", ".join(m.value for m in Model)
    p = sub.add_parser(
        "pathloss",
        help="path loss of a propagation model (free space, Hata, COST-231, 3GPP RMa/UMa/UMi, "
        "ITM over a terrain profile)",
        description="Path loss (dB) of an empirical propagation model at distances (horizontal; "
        "the 3GPP models and free space derive the 3D distance from the heights), or the ITM "
        "(Longley-Rice 1.2.2) basic transmission loss over a terrain profile (--profile).",
    )
    p.add_argument("--model", required=True, metavar="MODEL", help=f"one of: {models}")
    p.add_argument("--freq-mhz", required=True, type=float, help="frequency, MHz")
    p.add_argument("--tx-height-m", required=True, type=float,
                   help="base-station antenna height above ground, m")
    p.add_argument("--rx-height-m", required=True, type=float,
                   help="receiver antenna height above ground, m")
    p.add_argument("--distance-km",
                   help="empirical models: horizontal distance, km: one value or a comma list "
                   "(e.g. 0.5,1,2,5)")
    p.add_argument("--env", choices=[e.value for e in Environment], default="suburban",
                   help="Hata family: urban / suburban / open (COST-231: urban = metropolitan "
                   "centre +3 dB, suburban = medium city 0 dB; default suburban)")
    p.add_argument("--condition", choices=[c.value for c in Condition], default="nlos",
                   help="3GPP models: los or nlos (default nlos; h = 5 m, W = 20 m)")
    p.add_argument("--large-city", action="store_true",
                   help="Okumura-Hata: large-city mobile-antenna correction a(hm)")
    itm = p.add_argument_group("ITM (--model itm)")
    itm.add_argument("--profile", metavar="PROFILE.csv",
                     help="terrain profile: columns distance_m,elevation_m, transmitter at 0")
    itm.add_argument("--resample-m", type=float, metavar="STEP",
                     help="interpolate the profile linearly onto a uniform STEP (m); without "
                     "it an uneven step is an error")
    itm.add_argument("--epsilon", type=float, help="relative permittivity of the ground (>= 1; "
                     "default 15, average ground)")
    itm.add_argument("--sigma-s-m", type=float, help="ground conductivity, S/m (> 0; default "
                     "0.005)")
    itm.add_argument("--n0", type=float, help="surface refractivity N_0, N-units (250-400; "
                     "default 340)")
    itm.add_argument("--polarization", help="vertical or horizontal (default vertical)")
    itm.add_argument("--climate", type=int, help="radio climate 1-7: 1 equatorial, 2 continental "
                     "subtropical, 3 maritime subtropical (default), 4 desert, 5 continental "
                     "temperate, 6 maritime temperate over land, 7 over sea")
    itm.add_argument("--mdvar", type=int, help="mode of variability: 0 single message, "
                     "1 accidental, 2 mobile, 3 broadcast, +10 / +20 (default 12)")
    itm.add_argument("--time-pct", type=float, help="time percentage, 0-100 exclusive "
                     "(default 50)")
    itm.add_argument("--location-pct", type=float, help="location percentage (default 50)")
    itm.add_argument("--situation-pct", type=float, help="situation percentage (default 50)")
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


#: ITM options of the command -> ItmParams field.
_ITM_OPTIONS = {"epsilon": "epsilon", "sigma_s_m": "sigma_s_m", "n0": "n0_n_units",
                "polarization": "polarization", "climate": "climate", "mdvar": "mdvar",
                "time_pct": "time_pct", "location_pct": "location_pct",
                "situation_pct": "situation_pct"}


def _itm_params(args: argparse.Namespace):
    from gis.radio.itm_params import ItmParams

    given = {field: getattr(args, opt) for opt, field in _ITM_OPTIONS.items()
             if getattr(args, opt) is not None}
    return ItmParams(**given)


def _main_itm(args: argparse.Namespace) -> int:
    from gis.layers.profile import read_profile_csv
    from gis.radio.itm import itm_p2p, uniform_profile

    if not args.profile:
        raise ValidationError(
            "--model itm needs a terrain profile: --profile PROFILE.csv (columns "
            "distance_m,elevation_m).",
            "--model itm cần mặt cắt địa hình: --profile PROFILE.csv (các cột "
            "distance_m,elevation_m).",
            fix="Export the profile from the transmitter (distance 0) to the receiver.",
            fix_vi="Xuất mặt cắt từ anten phát (khoảng cách 0) đến anten thu.")
    if args.distance_km:
        raise ValidationError(
            "--distance-km is for the empirical models; ITM takes the distance from the "
            "profile's last row.",
            "--distance-km dành cho các mô hình thực nghiệm; ITM lấy khoảng cách từ dòng cuối "
            "của mặt cắt.", fix="Remove --distance-km.", fix_vi="Bỏ --distance-km.")
    params = _itm_params(args)
    distance_m, elevation_m = read_profile_csv(args.profile)
    try:
        z, step = uniform_profile(distance_m, elevation_m, resample_step_m=args.resample_m)
    except GisError as exc:
        exc.file = str(args.profile)
        raise
    r = itm_p2p(z, step, freq_mhz=args.freq_mhz, tx_height_m=args.tx_height_m,
                rx_height_m=args.rx_height_m, params=params)
    if args.json:
        print(json.dumps({
            "model": "itm",
            "path_loss_db": round(r.path_loss_db, 3),
            "mode": r.mode,
            "warnings": list(r.warning_names),
            "warning_flags": r.warnings,
            "free_space_db": round(r.free_space_db, 3),
            "a_ref_db": round(r.a_ref_db, 3),
            "distance_km": round(r.d_km, 6),
            "step_m": step,
            "points": int(z.size),
            "horizon_distance_m": [round(v, 1) for v in r.d_hzn_m],
            "horizon_angle_mrad": [round(v * 1e3, 4) for v in r.theta_hzn_rad],
            "effective_height_m": [round(v, 3) for v in r.h_e_m],
            "n_s_n_units": round(r.n_s_n_units, 3),
            "delta_h_m": round(r.delta_h_m, 3),
            "freq_mhz": args.freq_mhz, "tx_height_m": args.tx_height_m,
            "rx_height_m": args.rx_height_m,
            "params": {"climate": params.climate, "n0_n_units": params.n0_n_units,
                       "polarization": params.polarization.value, "epsilon": params.epsilon,
                       "sigma_s_m": params.sigma_s_m, "mdvar": params.mdvar,
                       "time_pct": params.time_pct, "location_pct": params.location_pct,
                       "situation_pct": params.situation_pct},
        }))
        return 0
    vi = args.lang == "vi"
    lang = "vi" if vi else "en"
    climate = params.climate_label[1 if vi else 0]
    pol = {"vertical": "phân cực dọc", "horizontal": "phân cực ngang"}[params.polarization.value] \
        if vi else f"{params.polarization.value} polarization"
    print(f"{'Mô hình' if vi else 'Model'} itm (Longley-Rice 1.2.2, NTIA): "
          f"f = {args.freq_mhz:g} MHz, h_tx = {args.tx_height_m:g} m, "
          f"h_rx = {args.rx_height_m:g} m, d = {r.d_km:g} km ({z.size} "
          f"{'điểm' if vi else 'points'}, {step:g} m)")
    print(f"{'khí hậu' if vi else 'climate'} {params.climate} ({climate}), "
          f"N_0 = {params.n0_n_units:g}, {pol}, "
          f"epsilon = {params.epsilon:g}, sigma = {params.sigma_s_m:g} S/m, "
          f"mdvar = {params.mdvar}, {params.time_pct:g}/{params.location_pct:g}/"
          f"{params.situation_pct:g} %")
    rows = [
        ("path_loss_db", f"{r.path_loss_db:.2f}"),
        ("mode", r.mode_label(lang)),
        ("free_space_db", f"{r.free_space_db:.2f}"),
        ("a_ref_db", f"{r.a_ref_db:.2f}"),
        ("horizon_distance_m", f"{r.d_hzn_m[0]:.0f} / {r.d_hzn_m[1]:.0f}"),
        ("horizon_angle_mrad", f"{r.theta_hzn_rad[0] * 1e3:.3f} / "
                               f"{r.theta_hzn_rad[1] * 1e3:.3f}"),
        ("effective_height_m", f"{r.h_e_m[0]:.1f} / {r.h_e_m[1]:.1f}"),
        ("n_s_n_units", f"{r.n_s_n_units:.1f}"),
        ("delta_h_m", f"{r.delta_h_m:.1f}"),
    ]
    for key, value in rows:
        print(f"{key:>20}  {value}")
    label = "cảnh báo ITM" if vi else "ITM warnings"
    messages = r.warning_messages(lang)
    print(f"{label:>20}  " + ("; ".join(messages) if messages else
                               ("không có" if vi else "none")))
    return 0


def main(args: argparse.Namespace) -> int:
    import numpy as np

    from gis.radio.models import path_loss_db

    args.model = Model.parse(args.model).value
    if args.model == Model.ITM:
        return _main_itm(args)
    if not args.distance_km:
        raise ValidationError(
            f"--model {args.model} needs --distance-km (one value or a comma list).",
            f"--model {args.model} cần --distance-km (một giá trị hoặc danh sách).",
            fix="Add e.g. --distance-km 0.5,1,2,5 (or use --model itm --profile PROFILE.csv).",
            fix_vi="Thêm ví dụ --distance-km 0.5,1,2,5 (hoặc --model itm --profile PROFILE.csv).")
    if args.profile:
        raise ValidationError(
            f"--profile is for --model itm; {args.model} takes --distance-km.",
            f"--profile dành cho --model itm; {args.model} dùng --distance-km.",
            fix="Use --model itm, or remove --profile.", fix_vi="Dùng --model itm, hoặc bỏ "
            "--profile.")
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
