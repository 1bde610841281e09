"""An answer in the workshop's other language is analysed in its own language (issue 18).

The live bot takes the workshop's language from the setup card and the Teams locale; a
participant may still answer in English in a Danish workshop. The answer is kept verbatim
and lemmatised with the English pipeline and stop words, so "we", "should" and "their"
never become content words of the summary and "meetings" is the English lemma "meeting".
"""

from __future__ import annotations

from dataclasses import replace

from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH_STOP_WORDS

from analysis.summary.model import AnswerData
from analysis.summary.prepared import prepare
from analysis.summary.text import analyse_texts
from tests.analysis.summary_fixtures import START, danish_workshop, english_workshop

ENGLISH_ANSWER = (
    "We should hold monthly meetings where colleagues present their courses to the whole "
    "department."
)
DANISH_ANSWER = "Vi skal holde møder hver måned, hvor kollegerne fortæller om deres kurser."


def _with_answer(data, question_id: str, text: str, answer_id: str):  # type: ignore[no-untyped-def]
    questions = []
    for q in data.questions:
        if q.question_id == question_id:
            extra = AnswerData(
                id=answer_id,
                pseudonym="Deltager E",
                text=text,
                offset_seconds=(q.opened_offset or 0) + 5,
                created_at=START,
            )
            q = replace(q, answers=(*q.answers, extra))
        questions.append(q)
    return replace(data, questions=tuple(questions))


def _prepared(data, lang: str, answer_id: str):  # type: ignore[no-untyped-def]
    for question in prepare(data, lang=lang, audience="facilitator"):  # type: ignore[arg-type]
        for answer in question.answers:
            if answer.id == answer_id:
                return answer
    raise AssertionError(f"answer {answer_id} not prepared")


def test_an_english_answer_in_a_danish_workshop_is_analysed_as_english() -> None:
    data = _with_answer(danish_workshop(), "q8", ENGLISH_ANSWER, "q8-en")
    prepared = _prepared(data, "da", "q8-en")
    assert prepared.answer.text == ENGLISH_ANSWER  # verbatim
    assert prepared.content & ENGLISH_STOP_WORDS == set()
    assert {"meeting", "colleague", "course"} <= prepared.content
    # Read as Danish, the same answer keeps English function words as content: the
    # property above is the language step's doing.
    as_danish = analyse_texts([ENGLISH_ANSWER], lang="da")[0]
    assert as_danish.content & ENGLISH_STOP_WORDS


def test_the_danish_answers_around_it_are_unchanged() -> None:
    base = danish_workshop()
    mixed = _with_answer(base, "q8", ENGLISH_ANSWER, "q8-en")
    before = {
        a.id: a.content for q in prepare(base, lang="da", audience="facilitator") for a in q.answers
    }
    after = {
        a.id: a.content
        for q in prepare(mixed, lang="da", audience="facilitator")
        for a in q.answers
    }
    assert {k: v for k, v in after.items() if k != "q8-en"} == before


def test_a_danish_answer_in_an_english_workshop_is_analysed_as_danish() -> None:
    data = english_workshop()
    question = data.questions[0].question_id
    data = _with_answer(data, question, DANISH_ANSWER, "da-1")
    prepared = _prepared(data, "en", "da-1")
    assert prepared.answer.text == DANISH_ANSWER
    assert {"møde", "kollega", "kursus"} & prepared.content
    assert not {"vi", "skal", "hvor", "deres", "om"} & prepared.content


def test_each_prepared_answer_says_its_language() -> None:
    data = _with_answer(danish_workshop(), "q8", ENGLISH_ANSWER, "q8-en")
    langs = {
        a.id: a.lang for q in prepare(data, lang="da", audience="facilitator") for a in q.answers
    }
    assert langs.pop("q8-en") == "en"
    assert set(langs.values()) == {"da"}
