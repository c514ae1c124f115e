"""Record ids: UUID version 7, unique without coordination, growing with time."""

from __future__ import annotations

import time
import uuid

from desktop.storage.units import new_uuid


def test_new_uuid_is_a_version_7_uuid_with_the_current_time():
    before = time.time_ns() // 1_000_000
    value = new_uuid()
    after = time.time_ns() // 1_000_000
    parsed = uuid.UUID(value)
    assert len(value) == 32 and value == parsed.hex
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert before <= int(value[:12], 16) <= after


def test_new_uuids_are_unique_and_grow_with_time():
    many = [new_uuid() for _ in range(50_000)]
    assert len(set(many)) == len(many)
    earlier = new_uuid()
    time.sleep(0.003)
    assert new_uuid() > earlier
