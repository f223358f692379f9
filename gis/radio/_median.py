"""Numba kernels of the empirical median models, with the engine's validity fallbacks.

The closed forms here are those of :mod:`gis.radio.models` (a test checks every model against it to
1e-9 dB over its whole input range); :func:`engine_median_db` adds what the coverage engine does
outside each model's validity range (:data:`gis.radio.models.VALIDITY`, the fallbacks are in
:data:`gis.radio.models.FALLBACKS`) and counts the cells that used a fallback. Like the other
kernels they take plain scalars and arrays, release the GIL and run as plain Python under
``NUMBA_DISABLE_JIT=1``.

Codes
-----
``MODEL_*`` number the models (:data:`MODEL_CODES` maps :class:`gis.radio.models.Model` values to
them; ``cost231_hata_class`` is COST-231 Hata with Hata's area classes, the engine's default
1500-2200 MHz model), ``ENV_*`` the Hata environments, ``FB_*`` the fallback counters.
"""

from __future__ import annotations

import math

from numba import njit

MODEL_FREE_SPACE = 0
MODEL_OKUMURA_HATA = 1
MODEL_COST231_HATA = 2
MODEL_COST231_HATA_CLASS = 3
MODEL_RMA = 4
MODEL_UMA = 5
MODEL_UMI = 6

#: :class:`gis.radio.models.Model` value -> model code.
MODEL_CODES = {
    "free_space": MODEL_FREE_SPACE, "okumura_hata": MODEL_OKUMURA_HATA,
    "cost231_hata": MODEL_COST231_HATA, "cost231_hata_class": MODEL_COST231_HATA_CLASS,
    "rma": MODEL_RMA, "uma": MODEL_UMA, "umi": MODEL_UMI,
}

ENV_URBAN = 0
ENV_SUBURBAN = 1
ENV_OPEN = 2
#: :class:`gis.radio.models.Environment` value -> code.
ENV_CODES = {"urban": ENV_URBAN, "suburban": ENV_SUBURBAN, "open": ENV_OPEN}

#: Fallback counters (indices of the ``counts`` array of :func:`engine_median_db`).
FB_SHORT = 0      # nearer than the model's minimum distance: its short-range rule
FB_LONG = 1       # beyond the model's maximum distance: the formula extrapolated
FB_NLOS_RANGE = 2  # 3GPP RMa NLOS beyond 5 km: continued with the LOS distance law
FB_TX_HEIGHT = 3  # antenna height outside the model's range: the formula extrapolated
FB_FREQ = 4       # carrier outside the model's frequency range: the formula extrapolated
N_FB = 5
#: Counter names, as :attr:`gis.radio.coverage.CoverageResult.fallback_cells` reports them.
FB_NAMES = ("short_range", "beyond_max_distance", "nlos_beyond_range", "tx_height_outside",
            "frequency_outside")

SPEED_OF_LIGHT_M_S = 299_792_458.0
_LOG40 = math.log10(40.0)
_LOG100 = 2.0


@njit(cache=True, nogil=True)
def free_space_3d_db(d3d_m: float, f_mhz: float) -> float:
    """Free space, ITU-R P.525-4 eq. (4), at the straight-line distance (m), dB."""
    return 20.0 * math.log10(4.0 * math.pi * d3d_m * f_mhz * 1e6 / SPEED_OF_LIGHT_M_S)


@njit(cache=True, nogil=True)
def _a_hm(f_mhz: float, hm: float, large_city: bool) -> float:
    lf = math.log10(f_mhz)
    if large_city:
        if f_mhz < 300.0:
            t = math.log10(1.54 * hm)
            return 8.29 * t * t - 1.1
        t = math.log10(11.75 * hm)
        return 3.2 * t * t - 4.97
    return (1.1 * lf - 0.7) * hm - (1.56 * lf - 0.8)


@njit(cache=True, nogil=True)
def _open_corr(f_mhz: float) -> float:
    lf = math.log10(f_mhz)
    return -4.78 * lf * lf + 18.33 * lf - 40.94


@njit(cache=True, nogil=True)
def _class_corr(env: int, f_mhz: float) -> float:
    """Hata's correction (dB, added to the loss) for a suburban or open area at ``f_mhz``
    (MHz): -(2 log10(f/28)^2 + 5.4) suburban, :func:`_open_corr` open, 0 urban."""
    if env == ENV_SUBURBAN:
        t = math.log10(f_mhz / 28.0)
        return -(2.0 * t * t + 5.4)
    if env == ENV_OPEN:
        return _open_corr(f_mhz)
    return 0.0


@njit(cache=True, nogil=True)
def hata_terms(model: int, f_mhz: float, hb: float, hm: float, env: int,
               large_city: bool) -> tuple[float, float]:
    """``(A, B)`` of a Hata-family loss ``A + B log10(d_km)`` (dB), as :mod:`gis.radio.models`."""
    lf = math.log10(f_mhz)
    lhb = math.log10(hb)
    b = 44.9 - 6.55 * lhb
    if model == MODEL_OKUMURA_HATA:
        a = 69.55 + 26.16 * lf - 13.82 * lhb - _a_hm(f_mhz, hm, large_city)
        return a + _class_corr(env, f_mhz), b
    a = 46.3 + 33.9 * lf - 13.82 * lhb - _a_hm(f_mhz, hm, False)
    if model == MODEL_COST231_HATA:
        if env == ENV_URBAN:
            a += 3.0
        elif env == ENV_OPEN:
            a += _open_corr(f_mhz)
        return a, b
    # cost231_hata_class: C_m = 3 dB only for a large urban city, then Hata's classes at
    # f' = min(max(150, f), 2000) MHz (ITU-R SM.2028 extended Hata)
    if env == ENV_URBAN and large_city:
        a += 3.0
    return a + _class_corr(env, min(max(f_mhz, 150.0), 2000.0)), b


@njit(cache=True, nogil=True)
def rma_db(d2d: float, f_mhz: float, hbs: float, hut: float, nlos: bool, h: float,
           w: float) -> float:
    """3GPP TR 38.901 Table 7.4.1-1 RMa, as :func:`gis.radio.models.rma_db` (dB)."""
    fc = f_mhz / 1000.0
    d3d = math.sqrt(d2d * d2d + (hbs - hut) * (hbs - hut))
    log_d3d = math.log10(d3d)
    d_bp = 2.0 * math.pi * hbs * hut * fc * 1e9 / SPEED_OF_LIGHT_M_S
    h172 = h ** 1.72
    a = min(0.03 * h172, 10.0)
    const = 20.0 * math.log10(40.0 * math.pi * fc / 3.0) - min(0.044 * h172, 14.77)
    c = 0.002 * math.log10(h)
    if d2d <= d_bp:
        los = (20.0 + a) * log_d3d + const + c * d3d
    else:
        log_bp = math.log10(d_bp)
        los = (20.0 + a) * log_bp + const + c * d_bp + 40.0 * (log_d3d - log_bp)
    if not nlos:
        return los
    t = math.log10(11.75 * hut)
    lhbs = math.log10(hbs)
    nl = (161.04 - 7.1 * math.log10(w) + 7.5 * math.log10(h)
          - (24.37 - 3.7 * (h / hbs) ** 2) * lhbs
          + (43.42 - 3.1 * lhbs) * (log_d3d - 3.0)
          + 20.0 * math.log10(fc) - (3.2 * t * t - 4.97))
    return max(los, nl)


@njit(cache=True, nogil=True)
def _uma_umi_db(model: int, d2d: float, f_mhz: float, hbs: float, hut: float,
                nlos: bool) -> float:
    fc = f_mhz / 1000.0
    d3d = math.sqrt(d2d * d2d + (hbs - hut) * (hbs - hut))
    log_d3d = math.log10(d3d)
    lfc = math.log10(fc)
    d_bp = 4.0 * (hbs - 1.0) * (hut - 1.0) * fc * 1e9 / SPEED_OF_LIGHT_M_S
    dh2 = (hbs - hut) * (hbs - hut)
    if model == MODEL_UMA:
        if d2d <= d_bp:
            los = 28.0 + 22.0 * log_d3d + 20.0 * lfc
        else:
            los = 28.0 + 40.0 * log_d3d + 20.0 * lfc - 9.0 * math.log10(d_bp * d_bp + dh2)
        if not nlos:
            return los
        return max(los, 13.54 + 39.08 * log_d3d + 20.0 * lfc - 0.6 * (hut - 1.5))
    if d2d <= d_bp:
        los = 32.4 + 21.0 * log_d3d + 20.0 * lfc
    else:
        los = 32.4 + 40.0 * log_d3d + 20.0 * lfc - 9.5 * math.log10(d_bp * d_bp + dh2)
    if not nlos:
        return los
    return max(los, 35.3 * log_d3d + 22.4 + 21.3 * lfc - 0.3 * (hut - 1.5))


@njit(cache=True, nogil=True)
def median_raw_db(model: int, d2d: float, f_mhz: float, hb: float, hm: float, env: int,
                  large_city: bool, nlos: bool, bld_h: float, street_w: float) -> float:
    """The model's closed form at horizontal distance ``d2d`` (m), extrapolated (dB).

    Exactly :func:`gis.radio.models.path_loss_db` with ``force=True`` (``cost231_hata_class``:
    :func:`gis.radio.models.cost231_hata_class_db`); no fallback, no distance floor.
    """
    if model == MODEL_FREE_SPACE:
        return free_space_3d_db(math.sqrt(d2d * d2d + (hb - hm) * (hb - hm)), f_mhz)
    if model <= MODEL_COST231_HATA_CLASS:
        a, b = hata_terms(model, f_mhz, hb, hm, env, large_city)
        return a + b * math.log10(d2d / 1000.0)
    if model == MODEL_RMA:
        return rma_db(d2d, f_mhz, hb, hm, nlos, bld_h, street_w)
    return _uma_umi_db(model, d2d, f_mhz, hb, hm, nlos)


@njit(cache=True, nogil=True)
def engine_median_db(model: int, d2d: float, f_mhz: float, hb: float, hm: float, env: int,
                     large_city: bool, nlos: bool, bld_h: float, street_w: float,
                     d_min: float, counts) -> float:
    """The median the coverage engine uses at horizontal distance ``d2d`` (m), dB.

    ``d2d`` is first raised to ``d_min`` (the engine's floor, ``RadioParams.min_distance_m``).
    Outside the model's validity range (:data:`gis.radio.models.VALIDITY`) the documented
    fallbacks of :data:`gis.radio.models.FALLBACKS` apply, and ``counts[FB_*]`` (int64) is
    incremented for each fallback used (the height and frequency checks are the caller's: they
    are per transmitter, not per cell):

    - Hata family below 1 km: ITU-R SM.2028 extended Hata: free space (3-D distance) up to 40 m,
      interpolation in ``log10 d`` between free space at 40 m and the formula at 100 m, the
      formula from 100 m, and never less than free space (``FB_SHORT``); beyond 20 km the formula
      extrapolated (``FB_LONG``);
    - RMa: NLOS beyond 5 km continues the 5 km NLOS value with the LOS formula's distance law,
      ``PL(d) = PL_NLOS(5 km) + PL_LOS(d) - PL_LOS(5 km)`` (``FB_NLOS_RANGE``); beyond 10 km the
      formulas extrapolated (``FB_LONG``);
    - UMa / UMi beyond 5 km, free space: the formula extrapolated (``FB_LONG``; free space has
      no range).
    """
    d = d2d if d2d > d_min else d_min
    if model == MODEL_FREE_SPACE:
        return median_raw_db(model, d, f_mhz, hb, hm, env, large_city, nlos, bld_h, street_w)
    if model <= MODEL_COST231_HATA_CLASS:
        a, b = hata_terms(model, f_mhz, hb, hm, env, large_city)
        if d >= 1000.0:
            if d > 20_000.0:
                counts[FB_LONG] += 1
            return a + b * math.log10(d / 1000.0)
        counts[FB_SHORT] += 1
        dh2 = (hb - hm) * (hb - hm)
        fs = free_space_3d_db(math.sqrt(d * d + dh2), f_mhz)
        if d <= 40.0:
            return fs
        if d >= 100.0:
            loss = a + b * math.log10(d / 1000.0)
        else:
            fs40 = free_space_3d_db(math.sqrt(1600.0 + dh2), f_mhz)
            l100 = a - b  # the formula at 100 m: log10(0.1) = -1
            loss = fs40 + (math.log10(d) - _LOG40) / (_LOG100 - _LOG40) * (l100 - fs40)
        return max(loss, fs)
    if model == MODEL_RMA:
        if d > 10_000.0:
            counts[FB_LONG] += 1
        if nlos and d > 5000.0:
            counts[FB_NLOS_RANGE] += 1
            at5 = rma_db(5000.0, f_mhz, hb, hm, True, bld_h, street_w)
            return at5 + (rma_db(d, f_mhz, hb, hm, False, bld_h, street_w)
                          - rma_db(5000.0, f_mhz, hb, hm, False, bld_h, street_w))
        return rma_db(d, f_mhz, hb, hm, nlos, bld_h, street_w)
    if d > 5000.0:
        counts[FB_LONG] += 1
    return _uma_umi_db(model, d, f_mhz, hb, hm, nlos)


@njit(cache=True, nogil=True)
def engine_median_array(model: int, d2d, f_mhz: float, hb, hm: float, env: int,
                        large_city: bool, nlos: bool, bld_h: float, street_w: float,
                        d_min: float, out, counts) -> None:
    """:func:`engine_median_db` over arrays ``d2d`` and ``hb`` (same length) into ``out``."""
    for i in range(d2d.shape[0]):
        out[i] = engine_median_db(model, d2d[i], f_mhz, hb[i], hm, env, large_city, nlos,
                                  bld_h, street_w, d_min, counts)


@njit(cache=True, nogil=True)
def raw_median_array(model: int, d2d, f_mhz: float, hb, hm: float, env: int,
                     large_city: bool, nlos: bool, bld_h: float, street_w: float, out) -> None:
    """:func:`median_raw_db` over arrays (the test against :mod:`gis.radio.models`)."""
    for i in range(d2d.shape[0]):
        out[i] = median_raw_db(model, d2d[i], f_mhz, hb[i], hm, env, large_city, nlos,
                               bld_h, street_w)


# -- per-carrier constants: the per-cell cost is one logarithm (and a square root for 3GPP) ----

MC_MODEL = 0
MC_SIZE = 16


@njit(cache=True, nogil=True)
def median_consts(model: int, f_mhz: float, hb: float, hm: float, env: int, large_city: bool,
                  nlos: bool, bld_h: float, street_w: float, d_min: float, out) -> None:
    """Constants of :func:`engine_median_db` for a fixed carrier and heights, into ``out``
    (``MC_SIZE`` floats), for :func:`median_from_consts`."""
    for i in range(MC_SIZE):
        out[i] = 0.0
    out[MC_MODEL] = model
    out[1] = d_min
    out[2] = f_mhz
    out[3] = hb
    out[4] = hm
    dh2 = (hb - hm) * (hb - hm)
    out[5] = dh2
    if model == MODEL_FREE_SPACE:
        return
    if model <= MODEL_COST231_HATA_CLASS:
        a, b = hata_terms(model, f_mhz, hb, hm, env, large_city)
        out[6] = a
        out[7] = b
        out[8] = free_space_3d_db(math.sqrt(1600.0 + dh2), f_mhz)  # free space at 40 m
        # free space = fs0 + 20 log10(d3d): fs0 = 20 log10(4 pi f / c)
        out[9] = 20.0 * math.log10(4.0 * math.pi * f_mhz * 1e6 / SPEED_OF_LIGHT_M_S)
        return
    fc = f_mhz / 1000.0
    if model == MODEL_RMA:
        d_bp = 2.0 * math.pi * hb * hm * fc * 1e9 / SPEED_OF_LIGHT_M_S
        h172 = bld_h ** 1.72
        a = min(0.03 * h172, 10.0)
        const = 20.0 * math.log10(40.0 * math.pi * fc / 3.0) - min(0.044 * h172, 14.77)
        c = 0.002 * math.log10(bld_h)
        log_bp = math.log10(d_bp)
        out[6] = d_bp
        out[7] = 20.0 + a
        out[8] = const
        out[9] = c
        out[10] = (20.0 + a) * log_bp + const + c * d_bp - 40.0 * log_bp  # + 40 log d3d
        t = math.log10(11.75 * hm)
        lhbs = math.log10(hb)
        out[11] = (161.04 - 7.1 * math.log10(street_w) + 7.5 * math.log10(bld_h)
                   - (24.37 - 3.7 * (bld_h / hb) ** 2) * lhbs - 3.0 * (43.42 - 3.1 * lhbs)
                   + 20.0 * math.log10(fc) - (3.2 * t * t - 4.97))
        out[12] = 43.42 - 3.1 * lhbs
        out[13] = 1.0 if nlos else 0.0
        # at 5 km: NLOS - LOS (the NLOS-beyond-5-km continuation)
        out[14] = (rma_db(5000.0, f_mhz, hb, hm, True, bld_h, street_w)
                   - rma_db(5000.0, f_mhz, hb, hm, False, bld_h, street_w))
        return
    out[6] = 1.0 if nlos else 0.0
    out[7] = env  # unused; UMa/UMi are evaluated in full (rare in rural runs)
    out[8] = bld_h
    out[9] = street_w


@njit(cache=True, nogil=True)
def median_from_consts(mc, d2d: float) -> tuple[float, int]:
    """:func:`engine_median_db` from :func:`median_consts` (the same value, to rounding) and the
    fallbacks it used as bits ``1 << FB_*`` (the cell kernels count them)."""
    model = int(mc[MC_MODEL])
    d = d2d if d2d > mc[1] else mc[1]
    if model == MODEL_FREE_SPACE:
        return free_space_3d_db(math.sqrt(d * d + mc[5]), mc[2]), 0
    if model <= MODEL_COST231_HATA_CLASS:
        a = mc[6]
        b = mc[7]
        if d >= 1000.0:
            return a + b * (math.log10(d) - 3.0), (1 << FB_LONG) if d > 20_000.0 else 0
        fs = mc[9] + 10.0 * math.log10(d * d + mc[5])
        if d <= 40.0:
            return fs, 1 << FB_SHORT
        if d >= 100.0:
            loss = a + b * (math.log10(d) - 3.0)
        else:
            loss = mc[8] + (math.log10(d) - _LOG40) / (_LOG100 - _LOG40) * ((a - b) - mc[8])
        return max(loss, fs), 1 << FB_SHORT
    if model == MODEL_RMA:
        nlos = mc[13] > 0.5
        bits = (1 << FB_LONG) if d > 10_000.0 else 0
        extra = 0.0
        if nlos and d > 5000.0:
            bits |= 1 << FB_NLOS_RANGE
            extra = mc[14]
            nlos = False
        d3d = math.sqrt(d * d + mc[5])
        log_d3d = math.log10(d3d)
        los = mc[7] * log_d3d + mc[8] + mc[9] * d3d if d <= mc[6] else mc[10] + 40.0 * log_d3d
        if not nlos:
            return los + extra, bits
        return max(los, mc[11] + mc[12] * log_d3d), bits
    return (_uma_umi_db(model, d, mc[2], mc[3], mc[4], mc[6] > 0.5),
            (1 << FB_LONG) if d > 5000.0 else 0)

