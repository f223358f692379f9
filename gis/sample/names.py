"""Vietnamese place names for the synthetic sample area (invented combinations, NFC Unicode).

The names are made of syllables common in Ninh Bình place names; they are synthetic and any
match with a real commune or hamlet is a coincidence. Hamlet names are unique within a commune.
"""

from __future__ import annotations

import unicodedata

import numpy as np

__all__ = ["DISTRICT", "PROVINCE", "TOWN", "commune_names", "hamlet_names"]

PROVINCE = "Ninh Bình"
DISTRICT = "Nho Quan"
#: The district town (thị trấn), at the district centre.
TOWN = "Thị trấn Nho Quan"

_COMMUNE_FIRST = ("Gia", "Phú", "Sơn", "Văn", "Quỳnh", "Yên", "Thạch", "Đồng", "Lạc", "Thượng",
                  "Đức", "Kỳ", "Quảng", "Thanh", "Lạng", "Cúc", "Hưng", "Xích", "Trường", "Ninh")
_COMMUNE_SECOND = ("Lâm", "Sơn", "Thủy", "Tường", "Phương", "Lộc", "Phú", "Thổ", "Bình", "Lạc",
                   "Phong", "Quang", "Vân", "Hà", "Lai", "Thành", "Lưu", "Long", "Hòa", "Tiến",
                   "Thịnh", "Hưng", "Mỹ", "Khê")

_DIRECTIONS = ("Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "Đoài")
_DELTA_WORDS = ("Chợ", "Đình", "Trại", "Mới", "Đồng Tâm", "Tân Lập", "Tân Thành", "Yên Thịnh",
                "Phú Mỹ", "Liên Hợp", "Hòa Bình", "Bãi", "Cầu", "Bến", "Vó", "Đống Cao",
                "Phú Thượng", "An Ninh", "Tiền Phong", "Quyết Thắng", "Đồng Chưa", "Gò Công",
                "Cổ Loan", "Tri Hạ", "Đại Đồng")
_HILL_WORDS = ("Mường", "Sui", "Khanh", "Vóng", "Quèn", "Đồi", "Sỏi", "Cát", "Đầm", "Bông",
               "Nội", "Ải", "Đang", "Thung", "Rịa", "Cọt", "Vân Lung", "Đá Hàn", "Khống",
               "Bái", "Láng", "Cầu Khoai", "Đồng Bót", "Mạ", "Nà")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def commune_names(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct commune names (``"Xã Gia Lâm"``); the first is the district town."""
    pairs = [(a, b) for a in _COMMUNE_FIRST for b in _COMMUNE_SECOND if a != b]
    order = rng.permutation(len(pairs))
    names = [TOWN]
    seen = {TOWN}
    for i in order:
        name = _nfc(f"Xã {pairs[i][0]} {pairs[i][1]}")
        if name not in seen:
            names.append(name)
            seen.add(name)
        if len(names) == n:
            break
    base, k = names[1:], 2
    while len(names) < n and base:  # more communes than name pairs (the country): numbered
        names += [f"{b} {k}" for b in base[: n - len(names)]]
        k += 1
    return names


def hamlet_names(n: int, kind: str, rng: np.random.Generator) -> list[str]:
    """``n`` hamlet names unique within one commune.

    Parameters
    ----------
    n
        How many.
    kind
        ``"town"`` (tổ dân phố, numbered), ``"delta"`` (thôn / xóm, named or numbered) or
        ``"hills"`` (thôn / xóm / bản with upland names).
    rng
        The random generator.
    """
    if kind == "town":
        return [f"Tổ dân phố {k}" for k in range(1, n + 1)]
    if kind == "delta" and rng.random() < 0.3:
        return [f"Thôn {k}" for k in range(1, n + 1)]
    words = list(_HILL_WORDS if kind == "hills" else _DELTA_WORDS)
    prefixes = ("Bản", "Thôn", "Xóm") if kind == "hills" else ("Thôn", "Xóm")
    weights = np.array((0.4, 0.35, 0.25) if kind == "hills" else (0.6, 0.4))
    candidates = [f"{p} {w}" for w in words for p in prefixes]
    candidates += [f"{p} {w} {d}" for w in words[:6] for d in _DIRECTIONS
                   for p in prefixes[:1]]
    pw = np.array([weights[prefixes.index(c.split(" ")[0])] for c in candidates])
    idx = rng.choice(len(candidates), size=n, replace=False, p=pw / pw.sum())
    names: list[str] = []
    used: set[str] = set()
    for i in idx:
        prefix, word = candidates[i].split(" ", 1)
        name = candidates[i]
        if word in used:  # "Xóm Sui" next to "Thôn Sui": make it "Xóm Sui Nam" instead
            base = word.rsplit(" ", 1)[0] if word.rsplit(" ", 1)[-1] in _DIRECTIONS else word
            free = [f"{prefix} {base} {d}" for d in _DIRECTIONS if f"{base} {d}" not in used]
            name = free[0] if free else f"{prefix} {base} {len(names) + 1}"
        used.add(name.split(" ", 1)[1])
        used.add(word)
        names.append(_nfc(name))
    return names
