"""What the "what now" card offers under a proposal: who may own its follow-up, and the
words it may be announced with. Read by the card (:mod:`dialogs.summaries`) and by the
forms' handlers (:mod:`dialogs.knowledge.summary_actions`), so neither imports the other."""

from __future__ import annotations

from analysis.summary.model import Summary, WorkshopData
from storage import participants as participants_repo
from storage.db import Database

__all__ = ["follow_up_owners", "public_proposals"]


async def follow_up_owners(db: Database, workshop_id: int) -> list[tuple[str, str]]:
    """Who may own a follow-up of the workshop: its participants with a Teams id (never in an
    anonymous workshop) who took part and did not decline; as (user id, name shown)."""
    owners = []
    for person in await participants_repo.list_participants(db, workshop_id):
        if not person.user_id or person.consent_answers is False:
            continue
        if person.first_answer_at is None and person.consent_answers is not True:
            continue
        owners.append((person.user_id, person.display_name or person.pseudonym or "?"))
    return owners


def public_proposals(summary: Summary, data: WorkshopData) -> dict[str, str]:
    """Proposal id → the first sentence that proposed it in an answer the group saw.

    A follow-up or a topic is announced in the workshop's chat and quoted in the group's
    summary, so its words must never be a private answer's: a proposal made only in private
    answers gets no form (the facilitator may still write it in her own words with the
    ``opfølgning`` command).
    """
    private = {a.id for q in data.questions for a in q.answers if a.private} | {
        a.id for a in data.open_discussion if a.private
    }
    found: dict[str, str] = {}
    for proposal in summary.proposals:
        sentence = next((m.sentence for m in proposal.mentions if m.answer_id not in private), None)
        if sentence and sentence.strip():
            found[proposal.id] = " ".join(sentence.split())
    return found
