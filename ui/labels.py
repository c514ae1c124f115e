"""Vietnamese words for the core's codes that the core does not label itself (display only).

Kinds, states, grounds and actions are labelled by the rule book; the rest is here.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from desktop.rules.book import KIND_LABELS, default_rules

FIELD_LABELS = {
    "land": "Đất đai", "construction": "Xây dựng", "environment": "Môi trường", "justice": "Tư pháp",
    "civil_status": "Hộ tịch", "policy": "Chính sách, xã hội", "personnel": "Cán bộ, công chức",
    "finance": "Tài chính, ngân sách", "other": "Khác",
}
RECEPTION_KIND_LABELS = {"regular": "Thường xuyên", "periodic": "Định kỳ (người đứng đầu)",
                         "adhoc": "Đột xuất (người đứng đầu)"}
CHANNEL_LABELS = {"reception": "Tại nơi tiếp công dân", "mail": "Qua bưu chính", "online": "Trực tuyến, thư điện tử",
                  "forwarded": "Cơ quan khác chuyển đến", "phone": "Qua điện thoại"}

# The register's tables as a clerk names them (the province's view of a commune's records).
TABLE_LABELS = {"units": "đơn vị", "officers": "cán bộ", "persons": "người dân, tổ chức", "receptions": "lượt tiếp",
                "reception_people": "người trong lượt tiếp", "cases": "vụ việc", "case_people": "người gửi vụ việc",
                "events": "bước xử lý", "commitments": "cam kết", "calendar_days": "ngày nghỉ, làm bù",
                "documents": "văn bản", "attachments": "tài liệu đính kèm", "ledger": "sổ cái chuỗi bản ghi",
                "publications": "lần công khai kết quả", "report_openings": "số liệu đầu kỳ báo cáo",
                "report_issues": "báo cáo đã ban hành", "report_reviews": "duyệt báo cáo",
                "report_manual_values": "số liệu báo cáo nhập tay", "report_corrections": "đính chính báo cáo"}


def table_label(table: str) -> str:
    return TABLE_LABELS.get(table, table)


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind or "")


@lru_cache(maxsize=1)
def state_labels() -> dict[str, str]:
    """Every state of every rule set, first label wins (the explanation procedure's words first)."""
    out: dict[str, str] = {}
    for rs in default_rules().rule_sets:
        for code, label in rs.states.items():
            out.setdefault(code, label)
    return out


def state_label(state: str) -> str:
    return state_labels().get(state, state)


def vn_date(d: date | None) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}" if d else ""
