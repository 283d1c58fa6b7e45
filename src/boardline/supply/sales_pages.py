"""Routes being built this session (issue 4); filled in by the module's owner."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
