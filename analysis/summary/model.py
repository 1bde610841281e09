"""Plain data in and out of the "what now" summary.

The input types (:class:`AnswerData`, :class:`QuestionRunData`, :class:`WorkshopData`,
:class:`CorpusMapData`) are filled by the bot from storage or by the transcript importer;
the output types (:class:`Summary` and its parts) are what every renderer reads. All of them
are frozen dataclasses so a summary can be computed off the event loop and shared safely.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

__all__ = [
    "Adjustment",
    "AdjustmentKind",
    "AgreementSignal",
    "AnswerData",
    "Audience",
    "CorpusMapData",
    "EarlierRun",
    "Header",
    "Lang",
    "MapRevisited",
    "NewTerm",
    "Novelty",
    "Participation",
    "PersonStats",
    "Proposal",
    "ProposalMention",
    "QuestionRunData",
    "QuestionSection",
    "Quote",
    "Silence",
    "SilenceReason",
    "Source",
    "Summary",
    "WorkshopData",
    "format_offset",
]

Lang = Literal["da", "en"]
Audience = Literal["facilitator", "group"]
Source = Literal["card", "chat", "private", "transcript"]
QuestionKind = Literal["text", "scale", "choice"]
SilenceReason = Literal[
    "no_answers",
    "few_answers",
    "short_answers",
    "slow_start",
    "hard",
    "gap",
    "refusals",
    "noted_silence",
    "avoided",
]
AdjustmentKind = Literal["move", "reword", "keep", "shorten", "add_follow_up", "shorten_intro"]


def format_offset(seconds: float | None) -> str:
    """Format an offset from the workshop's start the way a Teams transcript shows it.

    >>> format_offset(1207.4)
    '00:20:07'
    """
    if seconds is None:
        return "--:--:--"
    total = max(0, int(seconds))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


# ---------------------------------------------------------------------------- input


@dataclass(frozen=True)
class AnswerData:
    """One answer (or one transcript utterance).

    Attributes:
        id: The stored answer's id, as text (every claim in a summary names these).
        pseudonym: "Deltager A" / "Participant A"; never a Teams name.
        text: What was written or said.
        offset_seconds: Seconds from the workshop's start.
        created_at: Server time (UTC), if known.
        source: Where it came from.
        private: Answered privately: counted, never shown to the group.
        anonymous: Answered anonymously: the group never sees who wrote it.
        value: The option picked on a scale or choice question, if any.
    """

    id: str
    pseudonym: str
    text: str
    offset_seconds: float
    created_at: datetime | None = None
    source: Source = "card"
    private: bool = False
    anonymous: bool = False
    value: str | None = None

    @property
    def offset(self) -> str:
        """The offset as ``hh:mm:ss``."""
        return format_offset(self.offset_seconds)


@dataclass(frozen=True)
class QuestionRunData:
    """One question as it was actually asked, with its answers in time order.

    Attributes:
        question_id: The plan's id for the question (stable across plan versions).
        text: The question as asked.
        position: 1-based order in which it was asked in this workshop.
        opened_offset: Seconds from the start when it was opened.
        closed_offset: Seconds from the start when it was closed (None: never closed).
        answers: The answers given to it.
        kind: ``text``, ``scale`` or ``choice``.
        options: The scale's or choice's options, in order.
        time_box_seconds: The plan's time box, if any.
        phase: The plan's phase name.
    """

    question_id: str
    text: str
    position: int
    opened_offset: float | None = None
    closed_offset: float | None = None
    answers: tuple[AnswerData, ...] = ()
    kind: QuestionKind = "text"
    options: tuple[str, ...] = ()
    time_box_seconds: int | None = None
    phase: str = ""
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    #: What the facilitator said during the run besides the question (voice workshops):
    #: (seconds from the start, words). Never answers; read for "it went quiet" remarks.
    facilitator_remarks: tuple[tuple[float, str], ...] = ()


@dataclass(frozen=True)
class WorkshopData:
    """Everything a summary needs to know about one workshop.

    Attributes:
        id: The workshop's id, as text.
        title: A human name for it.
        lang: The workshop's language.
        series: The series' name ("" when none).
        number_in_series: 1-based number of this workshop in its series.
        started_at / ended_at: UTC times, if known.
        plan_name / plan_id / plan_version: The plan and version it ran.
        org: The organisation's name.
        participants: Every pseudonym in the workshop, including those who never answered.
        questions: The question runs in the order they were asked.
        open_discussion: Answers given while no question was open.
        plan_question_ids: The plan's question ids in plan order (the next plan starts here).
        changes: What changed in this workshop's plan version (for the series report).
        facilitator_seconds: How long the facilitator spoke (known for transcripts).
    """

    id: str
    title: str
    lang: Lang = "da"
    series: str = ""
    number_in_series: int | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    plan_name: str = ""
    plan_id: str = ""
    plan_version: int | None = None
    org: str = ""
    participants: tuple[str, ...] = ()
    questions: tuple[QuestionRunData, ...] = ()
    open_discussion: tuple[AnswerData, ...] = ()
    plan_question_ids: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()
    facilitator_seconds: float | None = None

    @property
    def all_answers(self) -> tuple[AnswerData, ...]:
        """Every answer, question by question, open discussion last."""
        out: list[AnswerData] = []
        for q in self.questions:
            out.extend(q.answers)
        out.extend(self.open_discussion)
        return tuple(out)

    @property
    def duration_seconds(self) -> float | None:
        """Length of the workshop, from its times or else from its last event."""
        if self.started_at and self.ended_at:
            return (self.ended_at - self.started_at).total_seconds()
        offsets = [a.offset_seconds for a in self.all_answers]
        offsets += [q.closed_offset for q in self.questions if q.closed_offset is not None]
        return max(offsets) if offsets else None


@dataclass(frozen=True)
class CorpusMapData:
    """The network map the workshop started from.

    Attributes:
        clusters: Cluster name → its terms (node keys: lemmas joined by spaces).
        labels: Term → the label the map shows (default: the term itself).
        snapshot: A drawable map (``analysis.export.MapSnapshot``) to redraw highlighted.
        graph: A plain networkx graph to redraw when there is no snapshot.
        positions: Node → (x, y) layout for ``graph``, if known.
        name: The map's name.
    """

    clusters: Mapping[str, tuple[str, ...]]
    labels: Mapping[str, str] = field(default_factory=dict)
    snapshot: object | None = None
    graph: object | None = None
    positions: Mapping[str, tuple[float, float]] | None = None
    name: str = ""


# ---------------------------------------------------------------------------- output


@dataclass(frozen=True)
class Header:
    """The summary's header lines."""

    workshop_id: str
    title: str
    series: str
    number_in_series: int | None
    date: str
    duration_seconds: float | None
    plan_name: str
    plan_version: int | None
    participants: int
    answers: int
    org: str = ""


@dataclass(frozen=True)
class Quote:
    """An answer as a summary may show it (content and author already masked for the audience)."""

    answer_id: str
    pseudonym: str
    offset: str
    text: str
    private: bool = False
    hidden: bool = False


@dataclass(frozen=True)
class AgreementSignal:
    """Someone agreeing or disagreeing with someone else.

    Attributes:
        answer_id: The answer holding the marker.
        speaker: Who agrees or disagrees.
        kind: ``agree`` or ``disagree``.
        marker: The words that show it ("enig", "I agree", …).
        target: Whose point it answers (None when it cannot be told).
        target_answer_id: The answer it answers.
        question_id: The question it was said under ("" for open discussion).
    """

    answer_id: str
    speaker: str
    kind: Literal["agree", "disagree"]
    marker: str
    target: str | None
    target_answer_id: str | None
    question_id: str


@dataclass(frozen=True)
class QuestionSection:
    """One question of the summary."""

    question_id: str
    position: int
    text: str
    phase: str
    kind: QuestionKind
    answers: int
    respondents: int
    private_answers: int
    first_answer_seconds: float | None
    duration_seconds: float | None
    quotes: tuple[Quote, ...]
    key_terms: tuple[str, ...]
    signals: tuple[AgreementSignal, ...]
    distribution: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class ProposalMention:
    """One sentence that proposes something."""

    answer_id: str
    pseudonym: str
    question_id: str
    sentence: str
    offset: str


@dataclass(frozen=True)
class Proposal:
    """A group of sentences proposing the same thing.

    Attributes:
        id: "P1", "P2", … in order of first mention.
        text: The first sentence that proposed it.
        lemmas: Its content lemmas (what grouping and support compare).
        mentions: Every sentence that proposed it.
        proposers: Who proposed it, in order of first mention.
        supporters: Others who agreed with it or repeated its key terms.
        supporting_answer_ids: The answers that show the support.
        support_count: How many people besides the first proposer stood behind it (counted
            on identities, so two anonymous supporters count twice though both show as
            "Anonym").
        new: No earlier workshop of the series made this proposal.
    """

    id: str
    text: str
    lemmas: tuple[str, ...]
    mentions: tuple[ProposalMention, ...]
    proposers: tuple[str, ...]
    supporters: tuple[str, ...]
    supporting_answer_ids: tuple[str, ...]
    question_ids: tuple[str, ...]
    support_count: int = 0
    new: bool = False

    @property
    def answer_ids(self) -> tuple[str, ...]:
        """Every answer the proposal rests on."""
        ids = [m.answer_id for m in self.mentions] + list(self.supporting_answer_ids)
        return tuple(dict.fromkeys(ids))


@dataclass(frozen=True)
class EarlierRun:
    """How the same question fared in an earlier workshop of the series."""

    workshop_id: str
    workshop_title: str
    number_in_series: int | None
    answers: int
    respondents: int
    first_answer_seconds: float | None
    flagged: bool


@dataclass(frozen=True)
class Silence:
    """A question that met silence or was found hard."""

    question_id: str
    text: str
    position: int
    reasons: tuple[SilenceReason, ...]
    answers: int
    respondents: int
    median_words: float
    first_answer_seconds: float | None
    hard_answer_ids: tuple[str, ...]
    earlier: tuple[EarlierRun, ...] = ()
    #: Seconds from the question to the first participant's words (when that is long).
    gap_seconds: float | None = None
    #: The evidence, quoted verbatim: refusals, the facilitator noting the silence, answers
    #: that avoid the question (each "hh:mm:ss Speaker: words").
    evidence: tuple[str, ...] = ()

    @property
    def answer_ids(self) -> tuple[str, ...]:
        """The answers the claim rests on (the hard ones)."""
        return self.hard_answer_ids


@dataclass(frozen=True)
class NewTerm:
    """A theme no earlier workshop of the series produced (or one this workshop left).

    Attributes:
        term: The theme as written (its most frequent written form, not a lemma).
        answer_ids: The answers that carry it.
        sentence: The sentence that carries it best, verbatim.
        pseudonym: Who said that sentence.
        workshop_title: For an untouched theme: the earlier workshop it comes from.
    """

    term: str
    answer_ids: tuple[str, ...]
    sentence: str = ""
    pseudonym: str = ""
    workshop_title: str = ""


@dataclass(frozen=True)
class Novelty:
    """What was new, and what earlier workshops talked about that this one did not."""

    compared_with: int
    new_terms: tuple[NewTerm, ...]
    new_proposals: tuple[str, ...]
    untouched_themes: tuple[str, ...]
    #: The untouched themes with the sentence that carried each in its earlier workshop.
    untouched: tuple[NewTerm, ...] = ()


@dataclass(frozen=True)
class PersonStats:
    """Participation of one pseudonym (listed alphabetically, never ranked)."""

    pseudonym: str
    answers: int
    words: int
    late_answers: int


@dataclass(frozen=True)
class Participation:
    """How the talk was spread."""

    people: tuple[PersonStats, ...]
    gini_answers: float
    gini_words: float
    late_answers: int
    private_answers: int
    anonymous_answers: int
    silent_participants: tuple[str, ...]


@dataclass(frozen=True)
class MapRevisited:
    """The corpus map seen through the discussion."""

    map_name: str
    highlighted_terms: tuple[str, ...]
    touched_clusters: tuple[str, ...]
    blind_spots: tuple[str, ...]
    blind_spot_terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Adjustment:
    """A suggested change to the next plan, with its reason and evidence.

    Attributes:
        kind: move, reword, keep, shorten, add_follow_up, or shorten_intro (advice for the
            facilitator: the plan has no intro to edit; ``question_id`` is "").
        question_id: The question it concerns.
        reason: Why, in the workshop's language.
        answer_ids: The answers it rests on.
        to_position: For ``move``: the 1-based position in the next plan.
        text: For ``reword``: the suggested wording; for ``add_follow_up``: the new question.
        time_box_seconds: For ``shorten``: the new time box.
        after_question_id: For ``add_follow_up``: where the new question goes.
    """

    kind: AdjustmentKind
    question_id: str
    reason: str
    answer_ids: tuple[str, ...] = ()
    to_position: int | None = None
    text: str | None = None
    time_box_seconds: int | None = None
    after_question_id: str | None = None


@dataclass(frozen=True)
class Summary:
    """The "what now" summary of one workshop, masked for its audience."""

    lang: Lang
    audience: Audience
    header: Header
    questions: tuple[QuestionSection, ...]
    proposals: tuple[Proposal, ...]
    silences: tuple[Silence, ...]
    novelty: Novelty
    participation: Participation
    map: MapRevisited | None
    adjustments: tuple[Adjustment, ...]
    open_discussion: tuple[Quote, ...] = ()
    empty: bool = False
    notes: tuple[str, ...] = ()
