"""Everything workshopbot stores, and the only package that speaks SQL.

Open the database with :func:`storage.open.open_database` (it refuses an out-of-date schema;
``workshopbot db upgrade`` migrates), then call the repository functions of the topic
modules — :mod:`storage.series`, :mod:`storage.plans`, :mod:`storage.workshops`,
:mod:`storage.questions`, :mod:`storage.participants`, :mod:`storage.answers`,
:mod:`storage.events`, :mod:`storage.maps`, :mod:`storage.summaries`,
:mod:`storage.privacy`, :mod:`storage.botstate`. Each call is one transaction and returns
frozen records from :mod:`storage.records`; errors are :class:`storage.errors.StorageError`.
"""

from __future__ import annotations

from storage.db import Database

# storage.open (open_database) is not imported here: it brings Alembic along, which only
# the processes that open the database need.
__all__ = ["Database"]
