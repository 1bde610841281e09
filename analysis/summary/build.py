"""Build the "what now" summary of one workshop.

:func:`build_summary` is pure: it reads plain data (:class:`WorkshopData`, the earlier
workshops of the series, the corpus map's clusters) and returns a :class:`Summary` that is
already masked for its audience, so no renderer can leak what the group may not see.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from analysis.errors import InvalidParameter
from analysis.summary.adjustments import suggest_adjustments
from analysis.summary.agreement import find_signals
from analysis.summary.model import (
    Audience,
    CorpusMapData,
    Header,
    Lang,
    MapRevisited,
    Novelty,
    Participation,
    QuestionRunData,
    QuestionSection,
    Quote,
    Summary,
    WorkshopData,
    format_offset,
)
from analysis.summary.novelty import find_novelty
from analysis.summary.participation import participation
from analysis.summary.prepared import PreparedAnswer, PreparedQuestion, prepare, run_key
from analysis.summary.proposals import find_proposals
from analysis.summary.silences import find_silences, first_answer_delay
from analysis.summary.terms import key_terms
from analysis.summary.text import analyse_texts, get_pipeline

__all__ = ["build_summary", "revisit_map", "scale_distribution"]

log = logging.getLogger(__name__)

_EMPTY_NOTE = {
    "da": "Der kom ingen svar i denne workshop, så der er ikke noget at opsummere endnu. "
    "Spørgsmålene kan tages op igen næste gang.",
    "en": "No answers came in during this workshop, so there is nothing to summarise yet. "
    "The questions can be taken up again next time.",
}


def scale_distribution(
    run: QuestionRunData, *, include_private: bool
) -> tuple[tuple[str, int], ...]:
    """Count a scale or choice question's answers per option, in the options' order.

    An answer matches an option by its text or by its 1-based number; anything else is
    counted under ``"?"``.
    """
    if run.kind == "text" or not run.options:
        return ()
    counts: Counter[str] = Counter()
    lowered = {o.lower().strip(): o for o in run.options}
    for a in run.answers:
        if a.private and not include_private:
            continue
        text = (a.value if a.value is not None else a.text).strip()
        option = lowered.get(text.lower())
        if option is None and text.isdigit() and 1 <= int(text) <= len(run.options):
            option = run.options[int(text) - 1]
        counts[option or "?"] += 1
    rows = [(o, counts.get(o, 0)) for o in run.options]
    if counts.get("?"):
        rows.append(("?", counts["?"]))
    return tuple(rows)


def revisit_map(
    corpus_map: CorpusMapData,
    answers: Sequence[PreparedAnswer],
    *,
    lang: Lang,
    nlp: Any | None = None,
) -> MapRevisited:
    """Find which of the map's terms the discussion used, and which clusters nobody touched.

    A map term counts as used when one answer holds all of its content lemmas.
    """
    terms = sorted({t for ts in corpus_map.clusters.values() for t in ts})
    infos = analyse_texts(terms, lang=lang, nlp=nlp)
    index: dict[str, set[int]] = {}
    for i, a in enumerate(answers):
        for lemma in a.content:
            index.setdefault(lemma, set()).add(i)
    used: set[str] = set()
    for term, info in zip(terms, infos, strict=True):
        keys = info.content or frozenset(info.lemmas)
        if not keys:
            continue
        hits: set[int] | None = None
        for key in keys:
            found = index.get(key, set())
            hits = set(found) if hits is None else hits & found
            if not hits:
                break
        if hits:
            used.add(term)
    touched = tuple(name for name, ts in corpus_map.clusters.items() if used & set(ts))
    blind = tuple(name for name in corpus_map.clusters if name not in touched)
    return MapRevisited(
        map_name=corpus_map.name,
        highlighted_terms=tuple(t for t in terms if t in used),
        touched_clusters=touched,
        blind_spots=blind,
        blind_spot_terms={
            name: tuple(corpus_map.labels.get(t, t) for t in corpus_map.clusters[name])
            for name in blind
        },
    )


def _section(
    run: QuestionRunData,
    prepared: PreparedQuestion,
    *,
    audience: Audience,
    lang: Lang,
    nlp: Any | None,
    signals: Mapping[str, list[Any]],
    use_pipeline_terms: bool,
) -> QuestionSection:
    quotes = tuple(
        Quote(
            answer_id=a.id,
            pseudonym=a.display,
            offset=format_offset(a.answer.offset_seconds),
            text=a.answer.text,
            private=a.answer.private,
        )
        for a in prepared.answers
    )
    duration = None
    if run.opened_offset is not None and run.closed_offset is not None:
        duration = run.closed_offset - run.opened_offset
    return QuestionSection(
        question_id=run.question_id,
        position=run.position,
        text=run.text,
        phase=run.phase,
        kind=run.kind,
        answers=len(run.answers),
        respondents=len({a.pseudonym for a in run.answers}),
        private_answers=sum(1 for a in run.answers if a.private),
        first_answer_seconds=first_answer_delay(run),
        duration_seconds=duration,
        quotes=quotes,
        key_terms=key_terms(prepared.answers, lang=lang, nlp=nlp, use_pipeline=use_pipeline_terms)
        if run.kind == "text"
        else (),
        signals=tuple(signals.get(prepared.key, [])),
        distribution=scale_distribution(run, include_private=audience == "facilitator"),
    )


def _header(data: WorkshopData) -> Header:
    participants = set(data.participants) | {a.pseudonym for a in data.all_answers}
    return Header(
        workshop_id=data.id,
        title=data.title,
        series=data.series,
        number_in_series=data.number_in_series,
        date=data.started_at.date().isoformat() if data.started_at else "",
        duration_seconds=data.duration_seconds,
        plan_name=data.plan_name,
        plan_version=data.plan_version,
        participants=len(participants),
        answers=len(data.all_answers),
        org=data.org,
    )


def build_summary(
    data: WorkshopData,
    *,
    earlier: Sequence[WorkshopData] = (),
    corpus_map: CorpusMapData | None = None,
    lang: Lang | None = None,
    audience: Audience = "facilitator",
    nlp: Any | None = None,
    use_pipeline_terms: bool = True,
) -> Summary:
    """Summarise a workshop: what was said, proposed, left unsaid, and what to change.

    Args:
        data: The workshop.
        earlier: Earlier workshops of the same series, oldest first.
        corpus_map: The network map the workshop started from (for "the map, revisited").
        lang: Language of the summary's words; default the workshop's. The answers are
            always read in the workshop's language (its proposal and agreement markers).
        audience: ``facilitator`` sees everything; ``group`` never sees private answers'
            content nor who wrote anonymous answers.
        nlp: A spaCy pipeline for the workshop's language (default: loaded once, cached).
        use_pipeline_terms: Use the analysis pipeline's term extraction for key terms.

    Returns:
        The :class:`Summary`; for a workshop without answers, a short one whose ``empty``
        flag is set and whose notes say so kindly.

    Raises:
        InvalidParameter: ``lang`` or ``audience`` is not one of the supported values.
    """
    language: Lang = lang or data.lang
    if language not in ("da", "en"):
        raise InvalidParameter(f"lang = {language!r} is not supported; use 'da' or 'en'")
    if audience not in ("facilitator", "group"):
        raise InvalidParameter(f"audience = {audience!r} is invalid; use 'facilitator' or 'group'")
    # The answers are read in the workshop's language; the summary speaks ``lang``.
    said: Lang = data.lang if data.lang in ("da", "en") else language
    pipeline = nlp if nlp is not None else get_pipeline(said)
    header = _header(data)
    people = participation(data, audience=audience, lang=language)
    if not data.all_answers:
        return Summary(
            lang=language,
            audience=audience,
            header=header,
            questions=tuple(
                QuestionSection(
                    question_id=q.question_id,
                    position=q.position,
                    text=q.text,
                    phase=q.phase,
                    kind=q.kind,
                    answers=0,
                    respondents=0,
                    private_answers=0,
                    first_answer_seconds=None,
                    duration_seconds=None,
                    quotes=(),
                    key_terms=(),
                    signals=(),
                )
                for q in sorted(data.questions, key=lambda q: q.position)
            ),
            proposals=(),
            silences=(),
            novelty=Novelty(len(earlier), (), (), ()),
            participation=Participation(
                people.people, 0.0, 0.0, 0, 0, 0, people.silent_participants
            ),
            map=None,
            adjustments=(),
            empty=True,
            notes=(_EMPTY_NOTE[language],),
        )
    prepared = prepare(data, lang=said, audience=audience, nlp=pipeline)
    signals = find_signals(prepared, lang=said)
    run_of_answer = {a.id: q.key for q in prepared for a in q.answers}
    by_question: dict[str, list[Any]] = {}
    for s in signals:
        by_question.setdefault(run_of_answer[s.answer_id], []).append(s)
    proposals = find_proposals(prepared, lang=said, signals=signals)
    earlier_prepared = [prepare(w, lang=said, audience=audience, nlp=pipeline) for w in earlier]
    earlier_proposals = [
        p
        for ep in earlier_prepared
        for p in find_proposals(ep, lang=said, signals=find_signals(ep, lang=said))
    ]
    novelty = find_novelty(
        prepared,
        proposals,
        earlier_questions=earlier_prepared,
        earlier_proposals=earlier_proposals,
        lang=said,
        earlier_titles=[w.title for w in earlier],
    )
    if novelty.new_proposals:
        new_ids = set(novelty.new_proposals)
        proposals = tuple(replace(p, new=p.id in new_ids) for p in proposals)
    silences = find_silences(
        data, lang=said, earlier=earlier, include_private=audience == "facilitator"
    )
    prepared_by_key = {q.key: q for q in prepared}
    sections = tuple(
        _section(
            run,
            prepared_by_key[run_key(run)],
            audience=audience,
            lang=said,
            nlp=pipeline,
            signals=by_question,
            use_pipeline_terms=use_pipeline_terms,
        )
        for run in sorted(data.questions, key=lambda q: q.position)
    )
    open_quotes = tuple(
        Quote(
            a.id, a.display, format_offset(a.answer.offset_seconds), a.answer.text, a.answer.private
        )
        for q in prepared
        if q.run is None
        for a in q.answers
    )
    revisited = None
    if corpus_map is not None:
        revisited = revisit_map(
            corpus_map, [a for q in prepared for a in q.answers], lang=said, nlp=pipeline
        )
    adjustments = suggest_adjustments(
        data, lang=language, silences=silences, proposals=proposals, novelty=novelty
    )
    return Summary(
        lang=language,
        audience=audience,
        header=header,
        questions=sections,
        proposals=proposals,
        silences=silences,
        novelty=novelty,
        participation=people,
        map=revisited,
        adjustments=adjustments,
        open_discussion=open_quotes,
    )
