"""Who may do what: every permission of the conversation is decided here, once.

Pure functions (no botbuilder, no storage): the caller gathers the facts (who asks, the
operators named in the settings, a plan's owners, whether Teams lists the person in a
workshop's conversation) and asks one question; the answer is a :class:`Verdict` whose
``reason`` is the key of the refusal text in :mod:`dialogs.texts`.

The rules:

- **Operators** (``WORKSHOPBOT_OPERATORS``: Teams user ids or Entra object ids) may edit
  every plan and series.
- **Plans**: anyone may make a new plan (``plan copy`` to a new id) and becomes its owner;
  only the owner, a co-owner or an operator changes an existing one. A built-in plan
  (``default`` …) is changed by operators only: a facilitator copies it instead. A plan
  stored before plans had owners has no owner and is the operators' until one of them gives
  it one (``workshopbot plan owner``): taking "the first editor" as owner would hand it to
  whoever is quickest, the very attack this closes.
- **Series**: anyone may start a new series and owns it; a workshop joins an existing series
  (so that its summary is compared with the earlier workshops') only by its owner, a
  co-owner or an operator; a series without owner is the operators'.
- **Answers from a 1:1 chat or a card of another workshop** count only for a workshop whose
  conversation Teams lists the sender in; when Teams cannot say, the answer is refused
  (never stored on a guess).
- **Outputs** (maps, summaries) of a workshop go to its own conversation, and to a person
  elsewhere (a 1:1 chat) only when Teams lists them in the workshop's conversation.
- **Takeaways** (the knowledge bank) are seen only once their author consented and while
  they are not withdrawn; then by the author, the author's manager, and as their visibility
  says: ``org`` everyone in the same tenant, ``team`` those the directory puts in the
  author's team (in the same tenant), ``manager`` nobody else. Team and manager come from
  the directory an operator keeps, never from what someone types. Only the author edits or
  withdraws one. (The search applies the same rule in SQL,
  :func:`storage.knowledge.search.visible_to`; a test holds the two together.)
- **Check-ins and follow-ups** are answered only by the person they were sent to.
- **Follow-ups** are made from a workshop's proposals by its facilitators. From the summary
  card's form (:func:`may_follow_up_from_summary`): only a facilitator of the workshop the
  card names, only for a proposal of that workshop's summary, only with an owner among its
  participants who agreed to take part (the card's values are never trusted).
- **A proposal becomes a subscribable topic** by the same rule (:func:`may_make_topic`).
- **The transfer report card** goes to operators, and to managers for their own people.

Example:
    >>> anna = Person("29:anna", "aad-anna")
    >>> may_edit_plan(anna, operators=frozenset(), owners=("29:anna",), builtin=False).allowed
    True
    >>> may_edit_plan(Person("29:bo"), operators=frozenset(), owners=("29:anna",),
    ...               builtin=False).reason
    'plan_not_owner'
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

__all__ = [
    "Person",
    "Verdict",
    "is_operator",
    "may_answer_checkin",
    "may_answer_for",
    "may_create_follow_up",
    "may_edit_plan",
    "may_edit_takeaway",
    "may_follow_up_from_summary",
    "may_join_series",
    "may_make_topic",
    "may_see_outputs",
    "may_see_takeaway",
    "may_see_transfer_report",
    "may_use_summary_forms",
    "parse_operators",
]


@dataclass(frozen=True)
class Person:
    """Who asks: the Teams user id (``29:…``) and, when Teams sent it, the Entra object id."""

    user_id: str
    aad_object_id: str | None = None

    @property
    def ids(self) -> frozenset[str]:
        """Every id this person is known by (empty ones left out)."""
        return frozenset(i for i in (self.user_id, self.aad_object_id) if i)


@dataclass(frozen=True)
class Verdict:
    """An answer: allowed, or refused with the key of the text that says why."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Verdict(True)


def parse_operators(value: str) -> frozenset[str]:
    """The operator ids of a comma- or space-separated setting.

    >>> sorted(parse_operators("aad-1, 29:x  aad-2,"))
    ['29:x', 'aad-1', 'aad-2']
    """
    return frozenset(part for part in value.replace(",", " ").split() if part)


def is_operator(person: Person, operators: Collection[str]) -> bool:
    """Whether the settings name this person an operator (by either of their ids)."""
    return bool(person.ids & frozenset(operators))


def _owner_or_operator(
    person: Person, operators: Collection[str], owners: Sequence[str | None], orphan: str
) -> Verdict:
    if is_operator(person, operators):
        return ALLOWED
    named = {o for o in owners if o}
    if not named:
        return Verdict(False, orphan)
    return ALLOWED if person.ids & named else Verdict(False, "")


def may_edit_plan(
    person: Person,
    *,
    operators: Collection[str],
    owners: Sequence[str | None] | None,
    builtin: bool,
) -> Verdict:
    """Whether ``person`` may save a new version of a plan.

    Args:
        person: Who asks.
        operators: The operators' ids from the settings.
        owners: The plan's owner and co-owners; None when no plan of that id is stored yet.
        builtin: Whether the id is one of the built-in plans.
    """
    if is_operator(person, operators):
        return ALLOWED
    if builtin:
        return Verdict(False, "plan_builtin_refused")
    if owners is None:  # a new plan: its maker owns it
        return ALLOWED
    verdict = _owner_or_operator(person, operators, owners, "plan_no_owner")
    return verdict if verdict or verdict.reason else Verdict(False, "plan_not_owner")


def may_join_series(
    person: Person, *, operators: Collection[str], owners: Sequence[str | None]
) -> Verdict:
    """Whether ``person`` may add a workshop to an existing series (owner, co-owner or
    operator; a series without owner is the operators')."""
    verdict = _owner_or_operator(person, operators, owners, "series_no_owner")
    return verdict if verdict or verdict.reason else Verdict(False, "series_not_owner")


def may_answer_for(
    *, same_conversation: bool, member: bool | None, private: bool = False
) -> Verdict:
    """Whether a message may be stored as an answer in a workshop.

    Args:
        same_conversation: It was written in the workshop's own conversation (Teams only
            delivers a conversation's messages from its members).
        member: For a message from elsewhere (a 1:1 chat, a card of another chat): whether
            Teams lists the sender in the workshop's conversation; None when it could not say.
        private: It came from the sender's 1:1 chat with the bot (a private answer). The
            rule is the same; the argument keeps the callers' signature one.
    """
    if same_conversation or member is True:
        return ALLOWED
    return Verdict(False, "not_member" if member is False else "member_unknown")


def may_see_outputs(*, same_conversation: bool, private: bool, member: bool | None) -> Verdict:
    """Whether a workshop's map or summary may be shown where it was asked for: in its own
    conversation, or in the 1:1 chat of someone Teams lists in that conversation; never in
    another group chat or channel (its people are not the workshop's). An anonymous
    workshop's outputs follow the same rule: an outsider never sees them."""
    if same_conversation or (private and member is True):
        return ALLOWED
    if not private:
        return Verdict(False, "outputs_not_member")
    return Verdict(False, "outputs_not_member" if member is False else "member_unknown")


def may_see_takeaway(
    viewer: Person,
    *,
    viewer_tenant: str | None,
    viewer_team: str | None,
    author_id: str,
    author_tenant: str | None,
    author_team: str | None,
    author_manager: str | None,
    visibility: str,
    published: bool,
) -> Verdict:
    """Whether ``viewer`` may see a takeaway (in search results, a digest, a card).

    Args:
        viewer: Who asks.
        viewer_tenant: The tenant the adapter checked for the viewer.
        viewer_team: The viewer's team in the directory (None: not in one).
        author_id: The takeaway's author.
        author_tenant: The tenant the takeaway was shared in.
        author_team: The author's team in the directory.
        author_manager: The author's manager in the directory.
        visibility: ``team``, ``org`` or ``manager``.
        published: Consented to and not withdrawn.

    >>> anna = dict(author_id="29:anna", author_tenant="t", author_team="Løn",
    ...             author_manager="29:mette", visibility="team", published=True)
    >>> may_see_takeaway(Person("29:bo"), viewer_tenant="t", viewer_team="Løn", **anna).allowed
    True
    >>> may_see_takeaway(Person("29:eve"), viewer_tenant="x", viewer_team="Løn", **anna).reason
    'takeaway_hidden'
    """
    hidden = Verdict(False, "takeaway_hidden")
    if not published:
        return hidden
    if author_id in viewer.ids or (author_manager is not None and author_manager in viewer.ids):
        return ALLOWED
    same_tenant = (viewer_tenant or "") == (author_tenant or "")
    if visibility == "org" and same_tenant:
        return ALLOWED
    if (
        visibility == "team"
        and same_tenant
        and author_team is not None
        and viewer_team is not None
        and author_team == viewer_team
    ):
        return ALLOWED
    return hidden


def may_edit_takeaway(person: Person, *, author_id: str) -> Verdict:
    """Only a takeaway's author edits, publishes or withdraws it."""
    return ALLOWED if author_id in person.ids else Verdict(False, "takeaway_not_yours")


def may_answer_checkin(person: Person, *, owner_id: str, status: str) -> Verdict:
    """Whether ``person`` may answer a check-in or a follow-up question: only the one it
    was sent to, and only while it is open (sent or reminded)."""
    if owner_id not in person.ids:
        return Verdict(False, "checkin_not_yours")
    if status not in ("sent", "reminded", "asked"):
        return Verdict(False, "checkin_closed")
    return ALLOWED


def may_create_follow_up(*, facilitator: bool, operator: bool = False) -> Verdict:
    """A workshop's proposals become follow-ups by its facilitators (or an operator)."""
    return ALLOWED if facilitator or operator else Verdict(False, "follow_up_not_facilitator")


def may_use_summary_forms(person: Person, *, facilitators: Collection[str]) -> Verdict:
    """The first gate of the summary card's forms, before any work is done for a submit:
    only a facilitator of the workshop the card's value names (from the database)."""
    if person.ids & frozenset(facilitators):
        return ALLOWED
    return Verdict(False, "follow_up_not_facilitator")


def may_follow_up_from_summary(
    person: Person,
    *,
    facilitators: Collection[str],
    proposal_in_summary: bool,
    owner_among_participants: bool,
) -> Verdict:
    """The summary card's "make it a follow-up" form, submitted.

    Args:
        facilitators: The facilitators of the workshop the card's value names (from the
            database).
        proposal_in_summary: The proposal id is one of that workshop's summary.
        owner_among_participants: The chosen owner is one of its participants who agreed.
    """
    gate = may_use_summary_forms(person, facilitators=facilitators)
    if not gate:
        return gate
    if not proposal_in_summary:
        return Verdict(False, "follow_up_unknown_proposal")
    if not owner_among_participants:
        return Verdict(False, "follow_up_unknown_owner")
    return ALLOWED


def may_make_topic(
    person: Person, *, facilitators: Collection[str], proposal_in_summary: bool
) -> Verdict:
    """The summary card's "make it a topic": a facilitator of that workshop, for a proposal
    of its summary."""
    return may_follow_up_from_summary(
        person,
        facilitators=facilitators,
        proposal_in_summary=proposal_in_summary,
        owner_among_participants=True,
    )


def may_see_transfer_report(
    person: Person, *, operators: Collection[str], reports_to_them: int
) -> Verdict:
    """The transfer report card: operators see every team; a manager sees their own people
    (``reports_to_them`` is how many the directory lists under them). The report itself
    holds distributions, never one person's answer unless they agreed."""
    if is_operator(person, operators) or reports_to_them > 0:
        return ALLOWED
    return Verdict(False, "report_not_allowed")
