"""Electronic signature rules (21 CFR Part 11 §11.50 / §11.70 style): pure functions.

A signature manifests the printed name of the signer, the UTC time and the meaning, and
is linked to its record by a hash of the record's content at signing. Recomputing that
hash later tells whether the record changed since; the signature's own hash tells whether
the signature row itself was edited.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Any

from boardline.core.audit import canonical_json


class Meaning(StrEnum):
    AUTHORED = "authored"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    RESPONSIBLE = "responsible"


class SignatureState(StrEnum):
    VALID = "valid"
    BROKEN = "broken"  # the record changed after it was signed
    TAMPERED = "tampered"  # the signature row itself was edited
    RECORD_GONE = "record_gone"


def content_hash(table: str, record_id: str, content: dict[str, Any]) -> str:
    payload = canonical_json({"table": table, "record_id": record_id, "content": content})
    return hashlib.sha256(payload.encode()).hexdigest()


def signature_hash(
    *,
    content_hash: str,
    signer_id: int,
    printed_name: str,
    meaning: str,
    signed_at: datetime,
    comment: str,
) -> str:
    payload = canonical_json(
        {
            "content_hash": content_hash,
            "signer_id": signer_id,
            "printed_name": printed_name,
            "meaning": meaning,
            "signed_at": signed_at,
            "comment": comment,
        }
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def changed_fields(signed: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Names of the fields whose value differs between the signed and current content."""
    return sorted(k for k in set(signed) | set(current) if signed.get(k) != current.get(k))
