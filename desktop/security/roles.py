"""Roles and the permission matrix, as data.

Five roles (issue #17, item 2): the reception clerk receives citizens and letters; the handling
officer carries out the steps of the cases assigned to him or her; the head and the deputies sign,
issue, reveal a protected identity and accept reports; the administrator keeps the settings, the
users, the keys and the calendar; the province viewer only reads. Each permission has the
Vietnamese phrase that names it in a refusal ("… không được <phrase>").
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    RECEPTION = "reception"
    HANDLER = "handler"
    LEADER = "leader"
    ADMIN = "admin"
    VIEWER = "viewer"


ROLE_LABELS: dict[str, str] = {
    Role.RECEPTION: "Cán bộ tiếp dân, văn thư",
    Role.HANDLER: "Cán bộ thụ lý",
    Role.LEADER: "Lãnh đạo (Chủ tịch, Phó Chủ tịch)",
    Role.ADMIN: "Quản trị hệ thống",
    Role.VIEWER: "Người xem (cấp tỉnh)",
}

# name -> what it allows, as a Vietnamese verb phrase.
PERMISSIONS: dict[str, str] = {
    "register.read": "xem sổ",
    "case.receive": "tiếp nhận đơn, vụ việc và ghi sổ tiếp công dân",
    "person.edit": "thêm hoặc sửa thông tin người yêu cầu",
    "case.act": "thực hiện các bước giải quyết vụ việc",
    "case.assign": "giao hoặc đổi cán bộ thụ lý",
    "case.correct": "đính chính thông tin vụ việc",
    "document.draft": "soạn văn bản",
    "document.issue": "ký, cấp số và phát hành văn bản",
    "document.void": "hủy văn bản đã phát hành",
    "identity.reveal": "xem danh tính người được giữ bí mật",
    "report.accept": "duyệt báo cáo",
    "cases.import": "nhập hàng loạt vụ việc từ tệp",
    "calendar.edit": "sửa lịch ngày nghỉ, ngày làm việc bù",
    "settings.edit": "sửa cài đặt và thông tin đơn vị, cán bộ",
    "users.manage": "quản lý tài khoản người dùng",
    "keys.manage": "quản lý khóa ký và khóa đồng bộ",
    "bundle.export": "xuất gói đồng bộ, biên nhận gửi đơn vị khác",
    "bundle.import": "nhập gói đồng bộ, biên nhận của đơn vị khác",
    "person.export": "xuất dữ liệu cá nhân của một người theo yêu cầu",
    "audit.read": "xem nhật ký xử lý dữ liệu cá nhân",
    "retention.run": "ẩn danh hóa dữ liệu hết thời hạn lưu trữ",
    "backup.make": "sao lưu sổ",
    "backup.restore": "khôi phục sổ từ bản sao lưu mã hóa",
    "backup.restore_plain": "khôi phục sổ từ bản sao lưu cũ không mã hóa",
}

# Anyone who writes to the register may back it up (the copy is encrypted to the key holders); a
# restore replaces the register, so it needs a key holder, and an old unencrypted backup (made
# before backups were encrypted, nothing proves whose it is) the administrator alone.
_RECEPTION = {"register.read", "case.receive", "person.edit", "backup.make"}
_HANDLER = _RECEPTION | {"case.act", "case.correct", "document.draft"}
_LEADER = _HANDLER | {"case.assign", "document.issue", "document.void", "identity.reveal", "report.accept",
                      "cases.import", "bundle.export", "person.export", "audit.read", "backup.restore"}
_ADMIN = {"register.read", "cases.import", "calendar.edit", "settings.edit", "users.manage", "keys.manage",
          "bundle.export", "bundle.import", "person.export", "audit.read", "retention.run",
          "backup.make", "backup.restore", "backup.restore_plain"}

MATRIX: dict[str, frozenset[str]] = {
    Role.RECEPTION: frozenset(_RECEPTION),
    Role.HANDLER: frozenset(_HANDLER),
    Role.LEADER: frozenset(_LEADER),
    Role.ADMIN: frozenset(_ADMIN),
    Role.VIEWER: frozenset({"register.read"}),
}

# Permissions a role holds only on the cases assigned to its own officer.
OWN_CASES_ONLY: dict[str, frozenset[str]] = {
    Role.HANDLER: frozenset({"case.act", "case.correct", "document.draft"}),
}

# Roles that hold the private half of the sealing key (to reveal, or to hand it to a new leader).
KEY_HOLDERS = frozenset({Role.LEADER, Role.ADMIN})

assert all(p in PERMISSIONS for ps in MATRIX.values() for p in ps)
assert set(MATRIX) == set(Role)


def allows(role: str, permission: str) -> bool:
    return permission in MATRIX.get(role, frozenset())


def label(role: str) -> str:
    return ROLE_LABELS.get(role, role)
