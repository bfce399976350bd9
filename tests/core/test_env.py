import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

import partnercenter.settings as settings_module

GUNICORN_CONF = Path(settings.BASE_DIR) / "gunicorn.conf.py"
POSTGRES_URL = "postgres://partnercenter:secret@db.example:5432/partnercenter"


def test_suite_runs_with_debug_off_over_http():
    assert settings.DEBUG is False
    assert settings.SECURE_SSL_REDIRECT is False


def _unset(monkeypatch, *names):
    """Remove variables for this test only (set first, so monkeypatch restores them even when absent)."""
    for name in names:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def _database_settings(monkeypatch, **environment) -> dict:
    """The database block as partnercenter/settings.py reads it from this environment."""
    _unset(monkeypatch, "DATABASE_URL", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(settings_module.__file__)["DATABASES"]["default"]


def test_postgresql_keeps_connections_and_checks_them_by_default(monkeypatch):
    database = _database_settings(monkeypatch, DATABASE_URL=POSTGRES_URL)
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (60, True)


def test_connection_persistence_comes_from_the_environment(monkeypatch):
    database = _database_settings(monkeypatch, DATABASE_URL=POSTGRES_URL, CONN_MAX_AGE="300", CONN_HEALTH_CHECKS="0")
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (300, False)
    database = _database_settings(monkeypatch, DATABASE_URL=POSTGRES_URL, CONN_MAX_AGE="0")
    assert database["CONN_MAX_AGE"] == 0
    database = _database_settings(monkeypatch, DATABASE_URL=POSTGRES_URL + "?conn_max_age=15")
    assert database["CONN_MAX_AGE"] == 15


def test_sqlite_closes_connections_after_each_request_unless_told(monkeypatch, tmp_path):
    """The development server runs each request in a new thread: a kept connection would be left behind."""
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert _database_settings(monkeypatch, DATABASE_URL=url)["CONN_MAX_AGE"] == 0
    assert _database_settings(monkeypatch, DATABASE_URL=url, CONN_MAX_AGE="60")["CONN_MAX_AGE"] == 60


def test_gunicorn_keeps_connections_whatever_the_database(monkeypatch, tmp_path):
    _unset(monkeypatch, "CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "WEB_CONCURRENCY", "GUNICORN_BIND")
    config = runpy.run_path(str(GUNICORN_CONF))
    assert config["preload_app"] is False  # no worker inherits a connection opened before the fork
    database = _database_settings(monkeypatch, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
                                  CONN_MAX_AGE=config["os"].environ["CONN_MAX_AGE"],
                                  CONN_HEALTH_CHECKS=config["os"].environ["CONN_HEALTH_CHECKS"])
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (60, True)


def test_an_explicit_setting_wins_over_gunicorns_default(monkeypatch):
    monkeypatch.setenv("CONN_MAX_AGE", "0")
    monkeypatch.setenv("CONN_HEALTH_CHECKS", "0")
    environment = runpy.run_path(str(GUNICORN_CONF))["os"].environ
    assert (environment["CONN_MAX_AGE"], environment["CONN_HEALTH_CHECKS"]) == ("0", "0")


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the suite runs on SQLite")
def test_the_running_postgresql_connection_is_persistent_and_health_checked():
    assert connection.settings_dict["CONN_MAX_AGE"] > 0
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
