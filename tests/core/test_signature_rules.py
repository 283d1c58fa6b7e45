"""E-signature hashing rules."""

from __future__ import annotations

from datetime import UTC, datetime

from boardline.core.signatures import changed_fields, content_hash, signature_hash

AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def test_content_hash_binds_table_record_and_content() -> None:
    base = content_hash("customer", "1", {"name": "A"})
    assert base == content_hash("customer", "1", {"name": "A"})
    assert base != content_hash("customer", "2", {"name": "A"})
    assert base != content_hash("app_user", "1", {"name": "A"})
    assert base != content_hash("customer", "1", {"name": "B"})


def test_signature_hash_covers_name_meaning_and_time() -> None:
    args = {
        "content_hash": "c" * 64,
        "signer_id": 1,
        "printed_name": "Quinn Quality",
        "meaning": "approved",
        "signed_at": AT,
        "comment": "",
    }
    base = signature_hash(**args)  # type: ignore[arg-type]
    for key, other in [
        ("printed_name", "Mallory"),
        ("meaning", "reviewed"),
        ("signed_at", AT.replace(second=1)),
        ("signer_id", 2),
    ]:
        assert signature_hash(**{**args, key: other}) != base  # type: ignore[arg-type]


def test_changed_fields_names_the_differences() -> None:
    assert changed_fields({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == ["b", "c"]
