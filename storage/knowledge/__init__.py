"""The knowledge bank: course takeaways, subscriptions, check-ins and follow-ups.

After a course each employee writes down three key points and chooses who may see them;
colleagues subscribe to topics, courses or people and search "who knows …"; before and after
a course the bot asks the expectations and transfer questions; a workshop's proposals
become follow-ups with an owner and a date (issue 16, ``../shared/METHOD.md``).

The modules, each one topic, every call one transaction, returning frozen records
(:mod:`storage.knowledge.records`):

- :mod:`storage.knowledge.people` — who is who: team, manager, time zone, 1:1 chat.
- :mod:`storage.knowledge.takeaways` — courses, takeaways, the guided dialog's state.
- :mod:`storage.knowledge.search` — full-text search with visibility applied in the query.
- :mod:`storage.knowledge.subscriptions` — subscriptions and the daily digest queue.
- :mod:`storage.knowledge.checkins` — check-in enrolments, answers, follow-ups.
- :mod:`storage.knowledge.stats` — the counts the transfer report is made of.
- :mod:`storage.knowledge.privacy` — forget and export one person.

This package imports nothing at import time: :mod:`storage.models` imports
:mod:`storage.knowledge.tables` so that the tables join the one metadata.
"""
