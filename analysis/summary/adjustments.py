"""Suggested adjustments for the next workshop, each with its reason and evidence.

The rules follow what the method's facilitator did between workshops
(``shared/METHOD.md``): questions that met silence were moved and reworded (identity and
value questions went from last to first and back; one participant answered easily when
starting from their own department), questions that produced proposals were kept, long
stretches were cut, and new perspectives were followed up in the next workshop.

The suggestions are plan edit operations (:class:`Adjustment`) that the plans package can
apply: ``move`` (to_position), ``reword`` (text), ``keep``, ``shorten``
(time_box_seconds) and ``add_follow_up`` (text, after_question_id).
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis.summary.model import (
    Adjustment,
    AnswerData,
    Lang,
    Novelty,
    Proposal,
    Silence,
    WorkshopData,
)

__all__ = ["suggest_adjustments"]

_REASONS: dict[str, dict[str, str]] = {
    "da": {
        "move_earlier": "Spørgsmålet mødte tavshed sidst i workshoppen ({why}); stil det tidligere, mens energien er der.",
        "move_later": "Spørgsmålet mødte tavshed tidligt i workshoppen ({why}); stil det senere, når gruppen er varmet op med konkrete spørgsmål.",
        "reword": "Spørgsmålet blev oplevet som svært ({why}){again}; omformulér det, så man kan tage udgangspunkt i sin egen afdeling.",
        "again": " – også i tidligere workshops",
        "keep": "Spørgsmålet gav {n} forslag ({ids}); behold det.",
        "shorten": "Svarene stoppede efter {last} min., men spørgsmålet stod åbent i {open} min.; kort tidsrammen ned.",
        "follow": "Nyt perspektiv: forslaget «{text}» ({who}) blev ikke nævnt i tidligere workshops; følg op på det.",
        "follow_q": "Sidst kom forslaget «{text}» frem. Hvordan kan vi arbejde videre med det?",
        "reword_q": "Med udgangspunkt i din egen afdeling: {text}",
        "intro": "Der gik {intro} min. før første spørgsmål; metoden endte med under 10 min.: vis kortet, parkér det, og lov at der kommer tid til at udforske det.",
        "talk": "Facilitatoren talte i {talk} af {total} min.; giv deltagerne mere af tiden (kortere intro, færre forklaringer af teknikken).",
        "no_answers": "ingen svar",
        "few_answers": "få svar",
        "short_answers": "meget korte svar",
        "slow_start": "lang ventetid før første svar",
        "hard": "svar som «svært» eller «ved ikke»",
        "gap": "lang pause før nogen sagde noget",
        "refusals": "svar som «nej, jeg kan ikke»",
        "noted_silence": "facilitatoren bemærkede tavsheden",
        "avoided": "svar der gik uden om spørgsmålet",
    },
    "en": {
        "move_earlier": "The question met silence late in the workshop ({why}); ask it earlier, while there is energy.",
        "move_later": "The question met silence early in the workshop ({why}); ask it later, once concrete questions have warmed the group up.",
        "reword": "The question was found hard ({why}){again}; reword it so people can start from their own department.",
        "again": ", in earlier workshops too",
        "keep": "The question produced {n} proposals ({ids}); keep it.",
        "shorten": "Answers stopped after {last} min, but the question stayed open for {open} min; shorten its time box.",
        "follow": "New perspective: the proposal “{text}” ({who}) did not come up in earlier workshops; follow it up.",
        "follow_q": "Last time the proposal “{text}” came up. How could we take it further?",
        "reword_q": "Starting from your own department: {text}",
        "intro": "It took {intro} min before the first question; the method ended up with under 10 min: show the map, park it, promise time to explore it later.",
        "talk": "The facilitator spoke for {talk} of {total} min; give the participants more of the time (a shorter intro, less explaining of the technique).",
        "no_answers": "no answers",
        "few_answers": "few answers",
        "short_answers": "very short answers",
        "slow_start": "a long wait before the first answer",
        "hard": "answers like “hard” or “I don't know”",
        "gap": "a long pause before anyone spoke",
        "refusals": "answers like “no, I can't”",
        "noted_silence": "the facilitator noted the silence",
        "avoided": "answers that stepped around the question",
    },
}


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


#: An intro longer than this (seconds before the first question) is flagged.
INTRO_LIMIT = 600.0
#: A facilitator speaking more than this share of a recorded workshop is flagged.
TALK_SHARE_LIMIT = 0.3


def _intro_advice(data: WorkshopData, words: dict[str, str]) -> Adjustment | None:
    reasons: list[str] = []
    opened = [q.opened_offset for q in data.questions if q.opened_offset is not None]
    if opened and min(opened) > INTRO_LIMIT:
        reasons.append(words["intro"].format(intro=round(min(opened) / 60)))
    total = data.duration_seconds
    if data.facilitator_seconds and total and data.facilitator_seconds / total > TALK_SHARE_LIMIT:
        reasons.append(
            words["talk"].format(talk=round(data.facilitator_seconds / 60), total=round(total / 60))
        )
    if not reasons:
        return None
    return Adjustment(
        kind="shorten_intro", question_id="", reason=" ".join(reasons), time_box_seconds=600
    )


def suggest_adjustments(
    data: WorkshopData,
    *,
    lang: Lang,
    silences: Sequence[Silence],
    proposals: Sequence[Proposal],
    novelty: Novelty,
    max_follow_ups: int = 2,
    max_moves: int = 3,
    max_rewords: int = 5,
) -> tuple[Adjustment, ...]:
    """Suggest plan edits for the next workshop.

    Args:
        data: The workshop.
        lang: Language of the reasons and suggested texts.
        silences: Flagged questions.
        proposals: Proposal groups (most supported first).
        novelty: What was new.
        max_follow_ups: At most this many follow-up questions.
        max_moves: At most this many questions to move (the most silent first): moving
            everything changes nothing.
        max_rewords: At most this many questions to reword.

    Returns:
        Adjustments in plan order of the questions they concern.
    """
    words = _REASONS[lang]
    out: list[Adjustment] = []
    asked = sorted(data.questions, key=lambda q: q.position)
    plan_ids = list(data.plan_question_ids) or [q.question_id for q in asked]
    count = len(plan_ids)
    runs: dict[str, list[AnswerData]] = {}
    for q in asked:
        runs.setdefault(q.question_id, []).extend(q.answers)
    silenced = {s.question_id for s in silences}
    moves = rewords = 0
    worst_first = sorted(silences, key=lambda s: (-len(s.reasons), s.answers, s.position))
    for s in worst_first:
        why = ", ".join(words[r] for r in s.reasons)
        ids = s.hard_answer_ids or tuple(a.id for a in runs.get(s.question_id, ()))
        hard = {"hard", "short_answers", "refusals", "avoided"} & set(s.reasons)
        if hard and rewords < max_rewords:
            rewords += 1
            again = any(e.flagged for e in s.earlier)
            out.append(
                Adjustment(
                    kind="reword",
                    question_id=s.question_id,
                    reason=words["reword"].format(why=why, again=words["again"] if again else ""),
                    answer_ids=tuple(ids),
                    text=words["reword_q"].format(text=s.text),
                )
            )
        wants_move = {"no_answers", "few_answers", "slow_start", "gap", "noted_silence"} & set(
            s.reasons
        )
        if wants_move and count > 1 and moves < max_moves:
            index = plan_ids.index(s.question_id) if s.question_id in plan_ids else s.position - 1
            # Late or early as it was asked in this workshop (the plan's order may differ).
            late = s.position > len(asked) / 2 if len(asked) > 1 else index >= count / 2
            target = max(1, count // 4) if late else count
            if target == index + 1:
                # Already where this would move it (the next plan moved it before): it met
                # silence there too, so try the other end.
                late = not late
                target = max(1, count // 4) if late else count
            if target != index + 1:
                moves += 1
                out.append(
                    Adjustment(
                        kind="move",
                        question_id=s.question_id,
                        reason=words["move_earlier" if late else "move_later"].format(why=why),
                        answer_ids=tuple(ids),
                        to_position=target,
                    )
                )
    by_question: dict[str, list[Proposal]] = {}
    for p in proposals:
        for qid in p.question_ids:
            by_question.setdefault(qid, []).append(p)
    for run in asked:
        found = by_question.get(run.question_id, [])
        if run.question_id in silenced or not found:
            continue
        if len(found) >= 2 or any(p.support_count > 0 for p in found):
            out.append(
                Adjustment(
                    kind="keep",
                    question_id=run.question_id,
                    reason=words["keep"].format(n=len(found), ids=", ".join(p.id for p in found)),
                    answer_ids=tuple(dict.fromkeys(i for p in found for i in p.answer_ids)),
                )
            )
    for run in asked:
        if not run.answers or run.opened_offset is None or run.closed_offset is None:
            continue
        open_for = run.closed_offset - run.opened_offset
        last = max(a.offset_seconds for a in run.answers) - run.opened_offset
        limit = run.time_box_seconds or open_for
        if open_for >= 300 and last < 0.5 * open_for:
            new_box = max(120, round((last + 60) / 60.0) * 60)
            if new_box < limit:
                out.append(
                    Adjustment(
                        kind="shorten",
                        question_id=run.question_id,
                        reason=words["shorten"].format(
                            last=round(last / 60), open=round(open_for / 60)
                        ),
                        answer_ids=(max(run.answers, key=lambda a: a.offset_seconds).id,),
                        time_box_seconds=new_box,
                    )
                )
    intro_advice = _intro_advice(data, words)
    if intro_advice is not None:
        out.append(intro_advice)
    new_ids = set(novelty.new_proposals)
    follow = [p for p in proposals if p.id in new_ids][:max_follow_ups]
    for p in follow:
        out.append(
            Adjustment(
                kind="add_follow_up",
                question_id=p.question_ids[0],
                reason=words["follow"].format(text=_short(p.text), who=", ".join(p.proposers)),
                answer_ids=p.answer_ids,
                text=words["follow_q"].format(text=_short(p.text)),
                after_question_id=p.question_ids[0] or None,
            )
        )
    # A question asked twice may be flagged twice: suggest each change once.
    unique: dict[tuple[str, str], Adjustment] = {}
    for a in out:
        unique.setdefault((a.kind, a.question_id), a)
    out = list(unique.values())
    order = {qid: i for i, qid in enumerate(plan_ids)}
    out.sort(
        key=lambda a: -1 if a.kind == "shorten_intro" else order.get(a.question_id, len(order))
    )
    return tuple(out)
