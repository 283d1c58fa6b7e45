"""Uploaded data packages waiting for a person to check the BOM column mapping.

Kept on disk under ``settings.upload_dir`` (one folder per upload, named by a random
token), for one day at most; only the user who uploaded them, for the same revision, can
use them. Nothing here touches the database: the import itself runs later, as one unit.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import TypedDict

from boardline.core.errors import NotFound
from boardline.npi.pipeline import InputFile

MAX_AGE_S = 24 * 3600


class _Entry(TypedDict):
    name: str
    kind: str | None
    units: str | None


class _Manifest(TypedDict):
    revision_id: int
    user_id: int
    files: list[_Entry]
    column_map: dict[str, str]


_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def stage(root: Path, files: list[InputFile], *, revision_id: int, user_id: int) -> str:
    """Keep ``files`` for a later import; returns the token that names them."""
    _sweep(root)
    token = secrets.token_urlsafe(18)
    folder = root / token
    folder.mkdir(parents=True)
    for i, f in enumerate(files):
        (folder / f"{i}.bin").write_bytes(f.data)
    manifest: _Manifest = {
        "revision_id": revision_id,
        "user_id": user_id,
        "files": [{"name": f.name, "kind": f.kind, "units": f.units} for f in files],
        "column_map": {},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return token


def load(
    root: Path, token: str, *, revision_id: int, user_id: int
) -> tuple[list[InputFile], dict[str, str]]:
    """The staged files and the column mapping chosen so far."""
    manifest = _manifest(root, token, revision_id=revision_id, user_id=user_id)
    folder = root / token
    files = [
        InputFile(entry["name"], (folder / f"{i}.bin").read_bytes(), entry["kind"], entry["units"])
        for i, entry in enumerate(manifest["files"])
    ]
    return files, dict(manifest["column_map"])


def remember_mapping(
    root: Path, token: str, column_map: dict[str, str], *, revision_id: int, user_id: int
) -> None:
    manifest = _manifest(root, token, revision_id=revision_id, user_id=user_id)
    manifest["column_map"] = column_map
    (root / token / "manifest.json").write_text(json.dumps(manifest))


def discard(root: Path, token: str) -> None:
    if _TOKEN_RE.match(token):
        shutil.rmtree(root / token, ignore_errors=True)


def _manifest(root: Path, token: str, *, revision_id: int, user_id: int) -> _Manifest:
    path = root / token / "manifest.json"
    if not _TOKEN_RE.match(token) or not path.exists():
        raise NotFound("this upload is gone (older than a day, or already imported)")
    manifest: _Manifest = json.loads(path.read_text())
    if manifest["revision_id"] != revision_id or manifest["user_id"] != user_id:
        raise NotFound("this upload is gone (older than a day, or already imported)")
    return manifest


def _sweep(root: Path) -> None:
    if not root.exists():
        return
    cutoff = time.time() - MAX_AGE_S
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
