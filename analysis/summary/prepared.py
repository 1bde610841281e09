"""Answers lemmatised once and masked for the audience, shared by every summary part."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from analysis.language import answer_language
from analysis.summary.model import AnswerData, Audience, Lang, QuestionRunData, WorkshopData
from analysis.summary.text import TextInfo, analyse_texts, split_sentences

__all__ = ["ANONYMOUS_LABEL", "PreparedAnswer", "PreparedQuestion", "prepare", "run_key"]

#: What the group sees instead of an anonymous author.
ANONYMOUS_LABEL: dict[str, str] = {"da": "Anonym", "en": "Anonymous"}

#: Question id used for messages written while no question was open.
OPEN_DISCUSSION = ""


@dataclass(frozen=True)
class PreparedAnswer:
    """An answer with its lemmas.

    Attributes:
        answer: The answer as stored.
        question_id: Its question ("" for open discussion).
        key: Its question *run* (a question asked twice has two runs).
        index: Its place among the question's answers (time order).
        display: The author as this audience may see it.
        sentences: The answer split into sentences.
        sentence_content: Content lemmas per sentence.
        content: Content lemmas of the whole answer.
        lemmas: All lemmas in order (for marker phrases and multi-word terms).
        words: Word count.
        lang: The language the answer was analysed in (the workshop's, or the other one
            when the answer is clearly written in it).
    """

    answer: AnswerData
    question_id: str
    key: str
    index: int
    display: str
    sentences: tuple[str, ...]
    sentence_content: tuple[frozenset[str], ...]
    content: frozenset[str]
    lemmas: tuple[str, ...]
    words: int
    #: Per sentence: its content lemmas with the words as written, in order.
    sentence_forms: tuple[tuple[tuple[str, str], ...], ...] = ()
    lang: Lang = "da"

    @property
    def id(self) -> str:
        return self.answer.id

    @property
    def who(self) -> str:
        """The identity used to tell people apart (never shown for anonymous answers)."""
        return self.answer.pseudonym


@dataclass(frozen=True)
class PreparedQuestion:
    """A question (or the open discussion) with its prepared answers."""

    question_id: str
    run: QuestionRunData | None
    answers: tuple[PreparedAnswer, ...]
    key: str = ""


def run_key(run: QuestionRunData | None) -> str:
    """A key unique to one question run ("" for the open discussion)."""
    return "" if run is None else f"{run.question_id}#{run.position}"


def visible(answer: AnswerData, audience: Audience) -> bool:
    """Whether this audience may see the answer's content."""
    return audience == "facilitator" or not answer.private


def display_name(answer: AnswerData, audience: Audience, lang: Lang) -> str:
    """The author as this audience may see it."""
    if audience == "group" and answer.anonymous:
        return ANONYMOUS_LABEL[lang]
    return answer.pseudonym


def _analyse_in_own_language(
    sentences: Sequence[str], langs: Sequence[Lang], *, lang: Lang, nlp: Any | None
) -> list[TextInfo]:
    """Lemmatise each answer's sentences in the answer's own language (an English answer
    in a Danish workshop gets the English lemmatiser and stop words); ``nlp`` is the
    workshop language's pipeline."""
    infos: list[TextInfo | None] = [None] * len(sentences)
    for each in sorted(set(langs)):
        where = [i for i, x in enumerate(langs) if x == each]
        found = analyse_texts(
            [sentences[i] for i in where], lang=each, nlp=nlp if each == lang else None
        )
        for i, info in zip(where, found, strict=True):
            infos[i] = info
    return [info for info in infos if info is not None]


def prepare(
    data: WorkshopData, *, lang: Lang, audience: Audience, nlp: Any | None = None
) -> tuple[PreparedQuestion, ...]:
    """Lemmatise every answer the audience may see, in one spaCy pass.

    Args:
        data: The workshop.
        lang: The workshop's language; an answer clearly in the other one (an English
            answer in a Danish workshop) is analysed in its own language.
        audience: ``group`` leaves private answers out entirely.
        nlp: A spaCy pipeline (default: the summary's cached one).

    Returns:
        The questions in the order asked, then the open discussion (if any).
    """
    groups: list[tuple[str, QuestionRunData | None, Sequence[AnswerData]]] = [
        (q.question_id, q, sorted(q.answers, key=lambda a: a.offset_seconds))
        for q in sorted(data.questions, key=lambda q: q.position)
    ]
    # Note: a question can run twice (parked, then taken up again): runs are told apart by
    # run_key, never by the plan's question id.
    if data.open_discussion:
        groups.append(
            (OPEN_DISCUSSION, None, sorted(data.open_discussion, key=lambda a: a.offset_seconds))
        )
    sentences: list[str] = []
    sentence_langs: list[Lang] = []
    spans: list[tuple[int, int]] = []
    kept: list[list[AnswerData]] = []
    for _, _, answers in groups:
        keep = [a for a in answers if visible(a, audience) and a.text.strip()]
        kept.append(keep)
        for a in keep:
            parts = split_sentences(a.text) or [a.text]
            spans.append((len(sentences), len(sentences) + len(parts)))
            sentences.extend(parts)
            sentence_langs.extend([answer_language(a.text, workshop=lang)] * len(parts))
    infos = _analyse_in_own_language(sentences, sentence_langs, lang=lang, nlp=nlp)
    out: list[PreparedQuestion] = []
    span_iter = iter(spans)
    for (qid, run, _), keep in zip(groups, kept, strict=True):
        prepared: list[PreparedAnswer] = []
        for index, a in enumerate(keep):
            start, end = next(span_iter)
            parts_info = infos[start:end]
            content: frozenset[str] = frozenset().union(*(i.content for i in parts_info))
            lemmas = tuple(lemma for i in parts_info for lemma in i.lemmas)
            prepared.append(
                PreparedAnswer(
                    answer=a,
                    question_id=qid,
                    key=run_key(run),
                    index=index,
                    display=display_name(a, audience, lang),
                    sentences=tuple(sentences[start:end]),
                    sentence_content=tuple(i.content for i in parts_info),
                    content=content,
                    lemmas=lemmas,
                    words=sum(i.words for i in parts_info),
                    sentence_forms=tuple(i.forms for i in parts_info),
                    lang=sentence_langs[start] if end > start else lang,
                )
            )
        out.append(PreparedQuestion(qid, run, tuple(prepared), run_key(run)))
    return tuple(out)
