"""Typed settings read from the environment (prefix ``BOARDLINE_``).

Outside development the settings refuse unsafe defaults: a production site must set its
own secret key, or sessions and CSRF tokens could be forged by anyone who read this file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "boardline-development-secret-do-not-use-in-production"  # noqa: S105
DEFAULT_DATABASE_URL = "sqlite:///./var/boardline.sqlite"


class Settings(BaseSettings):
    """Everything a Boardline process needs to know about its site."""

    model_config = SettingsConfigDict(env_prefix="BOARDLINE_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = DEV_SECRET_KEY
    broker_url: str | None = None
    site_timezone: str = "UTC"
    session_max_age_s: int = 12 * 3600
    # Uploaded files waiting for a person to confirm the column mapping (kept a day).
    upload_dir: Path = Path("var/uploads")
    # Seconds between the server's automatic material checks (floor life, shelf life);
    # 0 turns the periodic check off (tests, or a site that runs `boardline msd check`).
    material_check_s: float = 900.0

    @field_validator("site_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        if self.env == "production":
            if self.secret_key == DEV_SECRET_KEY:
                raise ValueError(
                    "BOARDLINE_SECRET_KEY must be set in production; "
                    "the development default is public"
                )
            if len(self.secret_key) < 32:
                raise ValueError("BOARDLINE_SECRET_KEY must be at least 32 characters")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.site_timezone)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def sqlite_path(self) -> Path | None:
        """The database file when the URL points at a SQLite file, else None."""
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and ":memory:" not in self.database_url:
            return Path(self.database_url[len(prefix) :])
        return None


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
