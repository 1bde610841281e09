"""Alembic migrations of the workshopbot schema (a package so that wheels ship them)."""
