"""Every knowledge-bank storage test runs on SQLite and on PostgreSQL (the storage tests'
``db`` fixture)."""

from __future__ import annotations

from tests.storage.conftest import backend_url, db, pg_storage_url, sqlite_url

__all__ = ["backend_url", "db", "pg_storage_url", "sqlite_url"]
