"""The knowledge bank's use cases, on the channel seam (:mod:`dialogs.conversation.channel`).

Entry points, one per command, each ``(db, channel, incoming, …)`` (see
:mod:`dialogs.knowledge.entry`, which routes a parsed command to them):

- ``kursus`` / ``course`` → :func:`dialogs.knowledge.course.start_course`
- ``abonnér`` / ``subscribe`` → :func:`dialogs.knowledge.subscribe.subscribe`
- ``afmeld`` / ``unsubscribe`` → :func:`dialogs.knowledge.subscribe.unsubscribe`
- ``hvem ved`` / ``who knows`` → :func:`dialogs.knowledge.who_knows.who_knows`
- ``opfølgning`` / ``follow up`` (facilitators, in the workshop) →
  :func:`dialogs.knowledge.follow_up.create_follow_up`

A 1:1 message while a guided dialog is active (``kursus``, a before-course check-in, a
follow-up question) goes to :func:`dialogs.knowledge.entry.continue_dialog` before anything
else; a card submit whose ``wb`` starts with ``kb_`` goes to
:func:`dialogs.knowledge.entry.on_submit`. Timed work (digests, check-ins, reminders,
follow-ups) is in :mod:`dialogs.knowledge.timed`.

Nothing is imported here: :mod:`dialogs.texts` imports :mod:`dialogs.knowledge.texts`.
"""
