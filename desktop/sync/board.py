"""The province's completeness board: which commune sent which period, its last bundle, gaps.

Pure data for the province view and reports; the view only lays it out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from desktop.storage import sync_repo
from desktop.storage.db import Database

MONTHS = tuple(f"{m:02d}" for m in range(1, 13))


@dataclass(frozen=True)
class BundleLine:
    seq: int
    kind: str
    period_from: str | None
    period_to: str
    period_label: str
    imported_at: str
    sequence_status: str
    totals: dict[str, int]


@dataclass(frozen=True)
class CommuneStatus:
    unit_code: str
    unit_name: str
    key_fingerprint: str | None
    key_active: bool
    bundles: tuple[BundleLine, ...]
    missing: tuple[int, ...]               # sequence numbers never received
    months: dict[str, bool] = field(default_factory=dict)   # "01".."12" → a bundle made that month
    open_conflicts: int = 0

    @property
    def last(self) -> BundleLine | None:
        return self.bundles[-1] if self.bundles else None

    @property
    def state(self) -> str:
        """'none' (never sent), 'gap' (a bundle is missing), 'ok'."""
        if not self.bundles:
            return "none"
        return "gap" if self.missing else "ok"

    @property
    def state_label(self) -> str:
        return {"none": "Chưa gửi gói nào", "gap": "Thiếu gói " + ", ".join(map(str, self.missing[:10])),
                "ok": "Đủ"}[self.state]


def completeness(db: Database, year: int) -> list[CommuneStatus]:
    keys = {}
    for peer in sync_repo.list_peer_keys(db, "commune"):
        if peer.active or peer.unit_code not in keys:
            keys[peer.unit_code] = peer
    conflicts = sync_repo.open_conflict_counts(db)
    out: list[CommuneStatus] = []
    for code, name in sync_repo.communes_known(db):
        rows = sync_repo.inbox_for_unit(db, code)
        lines = tuple(BundleLine(r["seq"], r["kind"], r["period_from"], r["period_to"], r["period_label"],
                                 r["imported_at"], r["sequence_status"], json.loads(r["result"])) for r in rows)
        seqs = {b.seq for b in lines}
        top = max(seqs, default=0)
        missing = tuple(s for s in range(1, top) if s not in seqs)
        months = dict.fromkeys(MONTHS, False)
        for b in lines:
            if b.period_to[:4] == str(year):
                months[b.period_to[5:7]] = True
        peer = keys.get(code)
        out.append(CommuneStatus(code, name or (peer.unit_name if peer else ""),
                                 peer.fingerprint if peer else None, bool(peer and peer.active),
                                 lines, missing, months, conflicts.get(code, 0)))
    return out
