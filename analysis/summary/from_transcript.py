"""A structured transcript as the summary's :class:`WorkshopData`, without a database.

The transcript import (``workshopbot transcript import``) stores the same structure; this
module lets the evaluation and the tests summarise a transcript directly. Speakers get
pseudonyms in order of appearance ("Deltager A", …) and names said aloud are replaced by
them (:class:`analysis.redact.NameReplacer`); nothing else in a quote changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from analysis.redact import NameReplacer
from analysis.summary.model import AnswerData, Lang, QuestionRunData, WorkshopData
from analysis.transcript import TranscriptStructure, Utterance

__all__ = ["adhoc_question_id", "pseudonyms_for", "workshop_data_from_structure"]


def adhoc_question_id(number: int) -> str:
    """The question id of the ``number``-th (1-based) ad-hoc question of a transcript."""
    return f"adhoc-{number}"


def _label(number: int, lang: Lang) -> str:
    letters = ""
    n = number
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{'Participant' if lang == 'en' else 'Deltager'} {letters}"


def pseudonyms_for(
    structure: TranscriptStructure, speakers: Sequence[str], lang: Lang
) -> dict[str, str]:
    """Speaker name → pseudonym: participants lettered in order of appearance, the
    facilitators "Facilitator"."""
    facilitators = {f.lower() for f in structure.facilitators}
    names: dict[str, str] = {}
    number = 0
    for s in speakers:
        if s.lower() in facilitators:
            names[s] = "Facilitator"
        else:
            number += 1
            names[s] = _label(number, lang)
    return names


def workshop_data_from_structure(
    structure: TranscriptStructure,
    *,
    speakers: Sequence[str],
    lang: Lang,
    title: str,
    question_ids: Sequence[str] = (),
    question_texts: Sequence[str] = (),
    workshop_id: str = "transcript",
    series: str = "",
    number_in_series: int | None = None,
    org: str = "",
    names: Mapping[str, str] | None = None,
) -> WorkshopData:
    """Build :class:`WorkshopData` from a transcript cut into question runs.

    Args:
        structure: From :func:`analysis.transcript.structure_transcript`.
        speakers: Every speaker in order of appearance (``Transcript.speakers``).
        lang: The workshop's language.
        title: The workshop's title.
        question_ids / question_texts: The plan's questions (same order as given to
            :func:`structure_transcript`); empty without a plan.
        workshop_id: The id to give the workshop.
        series / number_in_series: Its place in a series.
        org: The organisation's name.
        names: Speaker → pseudonym; default :func:`pseudonyms_for`.

    Returns:
        The workshop; a run is opened when its question was fully asked (silence counts
        from there) and the facilitator's other words are its remarks.
    """
    pseudonyms = dict(names) if names is not None else pseudonyms_for(structure, speakers, lang)
    replacer = NameReplacer(pseudonyms, lang=lang)

    def replace_names(text: str) -> str:
        return replacer.replace(text)[0]

    def answer(u: Utterance) -> AnswerData:
        return AnswerData(
            id=f"{workshop_id}:{u.line}",
            pseudonym=pseudonyms.get(u.speaker, u.speaker),
            text=replace_names(u.text),
            offset_seconds=u.start,
            source="transcript",
        )

    runs: list[QuestionRunData] = []
    adhoc = 0
    for position, turn in enumerate(structure.turns, start=1):
        if turn.index is not None and turn.index < len(question_ids):
            qid, text = question_ids[turn.index], question_texts[turn.index]
        else:
            adhoc += 1
            qid, text = adhoc_question_id(adhoc), replace_names(turn.asked)
        runs.append(
            QuestionRunData(
                question_id=qid,
                text=text,
                position=position,
                opened_offset=turn.asked_end,
                closed_offset=turn.end,
                answers=tuple(answer(u) for u in turn.answers),
                facilitator_remarks=tuple((r.start, replace_names(r.text)) for r in turn.remarks),
            )
        )
    participants = tuple(p for s, p in pseudonyms.items() if p != "Facilitator")
    return WorkshopData(
        id=workshop_id,
        title=title,
        lang=lang,
        series=series,
        number_in_series=number_in_series,
        org=org,
        participants=participants,
        questions=tuple(runs),
        open_discussion=tuple(answer(u) for u in structure.before),
        plan_question_ids=tuple(question_ids),
        facilitator_seconds=structure.facilitator_seconds,
    )
