"""The load report: what a reader did to a file, so that nothing is changed or dropped silently."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["LoadReport", "RejectedRow"]


@dataclass
class RejectedRow:
    """A row of the input that could not be used, with the reason in both languages.

    ``row`` is the 0-based data row in the file (shown 1-based to users).
    """

    row: int
    reason_en: str
    reason_vi: str


@dataclass
class LoadReport:
    """What happened when one layer was read.

    Attributes
    ----------
    source
        The file name (never a full temporary path of an upload).
    kind
        The layer kind, e.g. ``"villages"``, or a raster kind, e.g. ``"dem"``.
    rows_read, rows_loaded
        Data rows in the file, and rows in the canonical layer.
    crs_in
        The CRS the coordinates were in (a name, e.g. ``"VN-2000 / TM-3 105.5"``).
    crs_note, crs_note_vi
        How that CRS was decided: read from the file, given by the user, or inferred (and why),
        in English and in Vietnamese.
    column_mapping
        Canonical column -> the header it was read from.
    encoding
        The text encoding the attributes were decoded from, and any conversion (e.g. TCVN3).
    warnings
        Repairs, assumptions and suspicious values, in English (``warnings_vi`` in Vietnamese).
    rejected
        Rows that could not be used, with the reason.
    """

    source: str
    kind: str
    rows_read: int = 0
    rows_loaded: int = 0
    crs_in: str = ""
    crs_note: str = ""
    crs_note_vi: str = ""
    column_mapping: dict[str, str] = field(default_factory=dict)
    encoding: str = ""
    warnings: list[str] = field(default_factory=list)
    warnings_vi: list[str] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def warn(self, en: str, vi: str | None = None) -> None:
        """Record a warning in both languages."""
        self.warnings.append(en)
        self.warnings_vi.append(vi or en)

    def reject(self, row: int, en: str, vi: str | None = None) -> None:
        """Record that data row ``row`` (0-based) could not be used, and why."""
        self.rejected.append(RejectedRow(int(row), en, vi or en))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable form (used in ``run.json`` and the project file)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LoadReport:
        data = dict(data)
        data["rejected"] = [RejectedRow(**r) for r in data.get("rejected", [])]
        return cls(**data)

    def summary(self, lang: str = "en", *, max_rejected: int = 50) -> str:
        """A few lines for the CLI ``info`` command and the app's Data page (at most
        ``max_rejected`` rejected rows are listed one by one; ``rejected`` has them all)."""
        vi = lang == "vi"
        lines = [
            f"{self.source} ({self.kind}): "
            + (f"{self.rows_loaded}/{self.rows_read} dòng dùng được" if vi
               else f"{self.rows_loaded} of {self.rows_read} rows usable"),
        ]
        if self.crs_in:
            note = (self.crs_note_vi or self.crs_note) if vi else self.crs_note
            lines.append(("Hệ toạ độ: " if vi else "CRS: ") + self.crs_in
                         + (f" ({note})" if note else ""))
        if self.encoding:
            lines.append(("Bảng mã: " if vi else "Encoding: ") + self.encoding)
        if self.column_mapping:
            mapped = ", ".join(f"{src} → {dst}" for dst, src in self.column_mapping.items())
            lines.append(("Cột: " if vi else "Columns: ") + mapped)
        for w in self.warnings_vi if vi else self.warnings:
            lines.append(("Cảnh báo: " if vi else "Warning: ") + w)
        for r in self.rejected[:max_rejected]:
            lines.append(("Bỏ dòng " if vi else "Rejected row ") + f"{r.row + 1}: "
                         + (r.reason_vi if vi else r.reason_en))
        more = len(self.rejected) - max_rejected
        if more > 0:
            lines.append(f"... (+{more} " + ("dòng bị bỏ nữa)" if vi else "more rejected rows)"))
        return "\n".join(lines)
