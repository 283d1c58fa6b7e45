"""Settings refuse unsafe defaults in production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from boardline.core.settings import DEV_SECRET_KEY, Settings


def test_development_defaults_to_a_sqlite_file_under_var() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url.startswith("sqlite:///./var/")
    assert settings.sqlite_path() is not None
    assert settings.broker_url is None


def test_production_refuses_the_development_secret_key() -> None:
    with pytest.raises(ValidationError, match="BOARDLINE_SECRET_KEY"):
        Settings(env="production", secret_key=DEV_SECRET_KEY)


def test_production_refuses_a_short_secret_key() -> None:
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(env="production", secret_key="short")


def test_production_accepts_its_own_key() -> None:
    assert Settings(env="production", secret_key="k" * 40).is_production


def test_environment_variables_use_the_boardline_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOARDLINE_SITE_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("BOARDLINE_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672")
    settings = Settings()
    assert settings.tz.key == "Europe/Berlin"
    assert settings.broker_url == "amqp://guest:guest@127.0.0.1:5672"


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown time zone"):
        Settings(site_timezone="Mars/Olympus")
