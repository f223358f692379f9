"""Text of a raw table before mapping: mojibake, control characters, cut DBF field names.

Applied once by :func:`gis.layers.canonical.canonical_layer` for every format, so that what a
format reader did not repair is repaired here, and the load report names the rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gis.errors import format_rows
from gis.layers.encoding import clean_text, is_text_column
from gis.layers.formats import RawTable
from gis.layers.normalise import map_unique
from gis.layers.report import LoadReport
from gis.layers.schema import LayerSpec, header_key

__all__ = ["clean_text_cells", "match_cut_headers"]


def clean_text_cells(raw: RawTable, report: LoadReport) -> pd.DataFrame:
    """Repair mojibake (UTF-8 read as Latin-1) and remove control characters in every text
    cell and header, in place on ``raw.df``, and say where in the report."""
    df = raw.df
    geom = df.geometry.name if raw.has_geometry else None
    new_cols = []
    headers: list[tuple[str, str]] = []
    for c in df.columns:
        if isinstance(c, str) and c != geom:
            v, _, _ = clean_text(c)
            v = str(v).strip() or c
            if v != c:
                headers.append((c, v))
            new_cols.append(v)
        else:
            new_cols.append(c)
    if headers:
        df.columns = new_cols
        if geom is not None:
            df = df.set_geometry(geom)
        shown = ", ".join(f"{a!r} -> {b!r}" for a, b in headers[:5])
        report.warn(f"Column headers repaired (UTF-8 read as Latin-1, or control characters): "
                    f"{shown}.",
                    f"Đã sửa tên cột (UTF-8 bị đọc như Latin-1, hoặc ký tự điều khiển): {shown}.")
    repaired: dict[str, list[int]] = {}
    stripped: dict[str, list[int]] = {}
    example: list[tuple[str, str]] = []
    for col in [c for c in df.columns if c != geom and is_text_column(df[c])]:
        values = df[col].to_numpy(dtype=object)
        flags = map_unique(values, clean_text)
        fixed = np.array([f[0] for f in flags], dtype=object)
        rep = np.array([f[1] for f in flags], dtype=bool)
        strip = np.array([f[2] for f in flags], dtype=bool)
        if rep.any() or strip.any():
            if rep.any() and not example:
                i = int(np.flatnonzero(rep)[0])
                example.append((str(values[i]), str(fixed[i])))
            df[col] = fixed
            if rep.any():
                repaired[str(col)] = np.flatnonzero(rep).tolist()
            if strip.any():
                stripped[str(col)] = np.flatnonzero(strip).tolist()
    if repaired:
        rows = sorted({r for v in repaired.values() for r in v})
        cols = ", ".join(repaired)
        a, b = example[0]
        report.warn(f"Text in UTF-8 that had been read as Latin-1/cp1252 was repaired (e.g. {a!r} "
                    f"-> {b!r}) in column(s) {cols}, row(s) {format_rows(rows)}.",
                    f"Đã sửa chữ UTF-8 bị đọc nhầm như Latin-1/cp1252 (ví dụ {a!r} -> {b!r}) ở "
                    f"cột {cols}, dòng {format_rows(rows)}.")
        report.extra["mojibake_rows"] = {k: [int(r) for r in v] for k, v in repaired.items()}
        report.encoding = (report.encoding + "; " if report.encoding else "") + \
            "UTF-8 read as Latin-1 repaired"
    if stripped:
        rows = sorted({r for v in stripped.values() for r in v})
        cols = ", ".join(stripped)
        report.warn(f"NUL or control characters were removed from column(s) {cols}, row(s) "
                    f"{format_rows(rows)}.",
                    f"Đã xoá ký tự NUL hoặc ký tự điều khiển ở cột {cols}, dòng "
                    f"{format_rows(rows)}.")
        report.extra["control_rows"] = {k: [int(r) for r in v] for k, v in stripped.items()}
    raw.df = df
    return df


def match_cut_headers(cut: tuple[str, ...], columns: list[str], mapping: dict[str, str],
                       spec: LayerSpec, report: LoadReport) -> None:
    """DBF field names cut at 10 bytes ("Hộ gia đình" -> "Hộ gia đ", "Nhà mạng" -> "Nhà mạn")
    still map to the column one of whose aliases they begin: when exactly one unmapped
    canonical column has such an alias."""
    used = set(mapping.values())
    cut_keys = {header_key(c) for c in cut}
    for src in columns:
        key = header_key(src)
        if key not in cut_keys or src in used:
            continue
        if len(key) < 3:
            continue
        aliases = {c.name: c.keys() for c in spec.columns if c.name not in mapping}
        hits = {name for name, ks in aliases.items()
                if any(k.startswith(key) and k != key for k in ks)}
        if len(hits) == 1:
            canon = hits.pop()
            mapping[canon] = src
            used.add(src)
            report.warn(f"The field name {src!r} looks cut at the 10-byte limit of DBF files: "
                        f"read as {canon}.",
                        f"Tên trường {src!r} có vẻ bị cắt ở giới hạn 10 byte của tệp DBF: đọc "
                        f"là {canon}.")
