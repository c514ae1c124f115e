"""Likely duplicates, offered when a clerk enters a person or a case (issue #2, §7 Search).

A person: the same identity number (certain), the same folded name and phone, or the same folded
name. A case: open or recent, of the same kind, from the same requester, with a similar summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from desktop.domain.dates import format_stamp
from desktop.domain.records import Person
from desktop.domain.text import digits_only, fold, fts_phrase, tokens
from desktop.storage.search import persons_by_ids, number_variants

REASON_ID = "Trùng số định danh"
REASON_NAME_PHONE = "Trùng họ tên và số điện thoại"
REASON_NAME = "Trùng họ tên"
_NAME_CANDIDATES = 200


def _id_key(id_number: str) -> str:
    """An identity paper number without spaces, dots or case: "001 203 012 345" → "001203012345"."""
    return fold(id_number).replace(" ", "")


def find_person_duplicates(
    db,
    *,
    full_name: str,
    id_number: str = "",
    phone: str = "",
    exclude_uuid: str | None = None,
    limit: int = 20,
) -> list[tuple[Person, str]]:
    """People already in the register who may be the one being entered, strongest reason first.

    Same ID number (whatever its spacing) → "Trùng số định danh"; same name (folded: accents and
    case ignored) and same phone → "Trùng họ tên và số điện thoại"; same name alone →
    "Trùng họ tên". Each person appears once, with the strongest reason; at most ``limit``
    (a common name can have a hundred namesakes in a large ward), newest first within a reason.
    """
    found: dict[int, tuple[int, Person, str]] = {}

    def consider(person: Person, strength: int, reason: str) -> None:
        if exclude_uuid is not None and person.uuid == exclude_uuid:
            return
        if person.id not in found or strength < found[person.id][0]:
            found[person.id] = (strength, person, reason)

    wanted_id = _id_key(id_number)
    if wanted_id:
        id_digits = digits_only(id_number)
        term = id_digits if len(id_digits) >= 6 else wanted_id
        ids = [r[0] for r in db.query(
            "SELECT rowid FROM persons_fts WHERE persons_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
            ('"' + term + '"', _NAME_CANDIDATES))]
        for person in persons_by_ids(db, ids).values():
            if _id_key(person.id_number) == wanted_id:
                consider(person, 0, REASON_ID)

    name = fold(full_name)
    phrase = fts_phrase(full_name)
    if phrase is not None:
        # "^": the phrase must open the text, which starts with the name (person_search_text)
        ids = [r[0] for r in db.query(
            "SELECT rowid FROM persons_fts WHERE persons_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
            ("^" + phrase, _NAME_CANDIDATES))]
        phone_forms = set(number_variants(phone))
        for person in persons_by_ids(db, ids).values():
            if fold(person.full_name) != name:
                continue
            if phone_forms and phone_forms & set(number_variants(person.phone)):
                consider(person, 1, REASON_NAME_PHONE)
            else:
                consider(person, 2, REASON_NAME)

    ordered = sorted(found.values(), key=lambda item: (item[0], -item[1].id))
    return [(person, reason) for _, person, reason in ordered[:limit]]


# Words too common in summaries to say two requests are alike (folded).
_STOPWORDS = frozenset(
    "ve viec cua va cho cac mot nhung la de den tai o thi ma voi bi duoc da dang se khong co "
    "nay do nguoi ong ba anh chi em ho gia dinh so ngay thang nam xa phuong ubnd uy ban nhan dan "
    "de nghi yeu cau kien phan anh khieu nai to cao giai trinh don trinh".split()
)
SIMILAR_SUMMARY = 0.5     # share of the shorter summary's words found in the other
RECENT_DAYS = 365         # closed cases younger than this still count as duplicates


def _summary_words(text: str) -> set[str]:
    return {w for w in tokens(text) if w not in _STOPWORDS and len(w) > 1}


def summary_similarity(a: str, b: str) -> float:
    """Overlap of the meaningful folded words of two summaries, 0.0–1.0 (of the shorter one)."""
    wa, wb = _summary_words(a), _summary_words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def find_case_duplicates(
    db,
    *,
    kind: str,
    person_uuids: Sequence[str],
    summary: str,
    exclude_uuid: str | None = None,
    limit: int = 5,
    today: date | None = None,
) -> list[tuple[int, str]]:
    """Open or recent cases of the same kind, from the same requester(s), with a similar summary.

    Returns (case id, Vietnamese reason), most similar first. "Recent" means received or closed
    within ``RECENT_DAYS`` of ``today``. Without requesters there is nothing to compare: [].
    """
    uuids = sorted({u for u in person_uuids if u})
    if not uuids or limit <= 0:
        return []
    since = ((today or date.today()) - timedelta(days=RECENT_DAYS)).isoformat()
    marks = ",".join("?" * len(uuids))
    rows = db.query(
        f"""SELECT c.id, c.uuid, c.summary, c.closed_on, COUNT(DISTINCT cp.person_uuid) AS shared
            FROM case_people cp JOIN cases c ON c.uuid = cp.case_uuid
            WHERE cp.person_uuid IN ({marks}) AND c.kind = ?
              AND (c.closed_on IS NULL OR c.closed_on >= ? OR c.received_on >= ?)
            GROUP BY c.id ORDER BY c.id DESC LIMIT 500""",
        [*uuids, kind, since, since],
    )
    scored: list[tuple[float, int, int, str]] = []
    for row in rows:
        if exclude_uuid is not None and row["uuid"] == exclude_uuid:
            continue
        similarity = summary_similarity(summary, row["summary"])
        if similarity < SIMILAR_SUMMARY:
            continue
        who = "Cùng người yêu cầu" if row["shared"] == len(uuids) else "Có chung người yêu cầu"
        what = "nội dung trùng" if similarity >= 0.999 else f"nội dung giống {round(similarity * 100)}%"
        state = "đang giải quyết" if row["closed_on"] is None else f"đã kết thúc ngày {format_stamp(row['closed_on'])}"
        scored.append((similarity, row["shared"], row["id"], f"{who}, cùng loại việc, {what}; vụ việc {state}"))
    scored.sort(key=lambda item: (-item[0], -item[1], -item[2]))
    return [(case_id, reason) for _, _, case_id, reason in scored[:limit]]
