"""The question plan as frozen values: :class:`Plan`, :class:`Phase`, :class:`Question`.

Plans are read from YAML by :func:`dialogs.plans.load_plan`, which validates them; the classes
here only hold the values and fill texts. Every text that differs per language is a
:class:`LocalizedText`, an immutable mapping from language code to text::

    >>> q = Question(id="q1", phase="values", text={"da": "Hvad er {org}s værdier?",
    ...                                              "en": "What are {org}'s values?"})
    >>> q.text["en"]
    "What are {org}'s values?"
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

from dialogs.errors import DialogError, TemplateError
from dialogs.plans.templates import fill

__all__ = [
    "FIVE_POINT_SCALE",
    "KINDS",
    "MAX_TIME_BOX",
    "MIN_TIME_BOX",
    "SUPPORTED_LANGUAGES",
    "Kind",
    "LocalizedText",
    "Phase",
    "Plan",
    "Question",
    "format_time_box",
    "parse_time_box",
]

Kind = Literal["text", "scale", "choice"]
#: The kinds of question: free text, a scale (ordered options) or a choice (unordered).
KINDS: tuple[str, ...] = get_args(Kind)

#: Languages a plan may declare (the bot speaks these).
SUPPORTED_LANGUAGES: tuple[str, ...] = ("da", "en")

#: Shortest and longest time box, in seconds.
MIN_TIME_BOX = 10
MAX_TIME_BOX = 3 * 60 * 60


class LocalizedText(Mapping[str, str]):
    """An immutable mapping from language code to text, e.g. ``{"da": "Tryghed", "en": "Safety"}``.

    Equal to any mapping with the same items; hashable.
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        self._data: dict[str, str] = dict(data)

    def __getitem__(self, lang: str) -> str:
        return self._data[lang]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __repr__(self) -> str:
        return f"LocalizedText({self._data!r})"

    def __reduce__(self) -> tuple[type[LocalizedText], tuple[dict[str, str]]]:
        return (LocalizedText, (dict(self._data),))

    def replace(self, lang: str, text: str) -> LocalizedText:
        """Return a copy with the text for ``lang`` set to ``text``."""
        data = dict(self._data)
        data[lang] = text
        return LocalizedText(data)

    @classmethod
    def of(cls, value: str | Mapping[str, str], languages: Sequence[str]) -> LocalizedText:
        """Build from a plain text (the same in every language) or a per-language mapping."""
        if isinstance(value, str):
            return cls((lang, value) for lang in languages)
        return value if isinstance(value, cls) else cls(value)


def _localized(value: object) -> LocalizedText:
    if isinstance(value, LocalizedText):
        return value
    if isinstance(value, Mapping):
        return LocalizedText(value)
    raise TypeError(f"expected a mapping from language to text, got {value!r}")


def _localized_items(value: object) -> tuple[LocalizedText, ...]:
    """Options or prompts: a sequence of per-language texts, or ``{lang: [text, ...]}``."""
    if isinstance(value, Mapping):
        lists = {str(lang): list(texts) for lang, texts in value.items()}
        size = max((len(texts) for texts in lists.values()), default=0)
        return tuple(
            LocalizedText((lang, texts[i]) for lang, texts in lists.items() if i < len(texts))
            for i in range(size)
        )
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError(f"expected a list of per-language texts, got {value!r}")
    return tuple(_localized(item) for item in value)


#: The method's five-point scale, from "I meget høj grad" to "I meget ringe grad".
FIVE_POINT_SCALE: tuple[LocalizedText, ...] = tuple(
    LocalizedText({"da": da, "en": en})
    for da, en in (
        ("I meget høj grad", "To a very high degree"),
        ("I høj grad", "To a high degree"),
        ("I nogen grad", "To some degree"),
        ("I ringe grad", "To a low degree"),
        ("I meget ringe grad", "To a very low degree"),
    )
)

_TIME_BOX = re.compile(
    r"^\s*(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m(?:in)?)?\s*(?:(?P<s>\d+)\s*s)?\s*$"
)


def parse_time_box(value: object) -> int:
    """Read a time box as seconds: ``300``, ``"300"``, ``"5m"``, ``"1m30s"``, ``"1h"``.

    Args:
        value: Whole seconds (int) or a text with h, m and s parts.

    Returns:
        The number of seconds.

    Raises:
        ValueError: The value is not a time box, or outside 10 s to 3 h.

    >>> parse_time_box("5m"), parse_time_box("1m30s"), parse_time_box(90)
    (300, 90, 90)
    """
    seconds: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str):
        text = value.strip().lower()
        if text.isdigit():
            seconds = int(text)
        else:
            match = _TIME_BOX.match(text)
            if match and any(match.group(k) for k in ("h", "m", "s")):
                seconds = (
                    int(match.group("h") or 0) * 3600
                    + int(match.group("m") or 0) * 60
                    + int(match.group("s") or 0)
                )
    if seconds is None:
        raise ValueError(
            f"{value!r} is not a time box; write minutes and seconds like 5m, 90s or 1m30s, "
            "or a whole number of seconds"
        )
    if not MIN_TIME_BOX <= seconds <= MAX_TIME_BOX:
        shown = f"{seconds} seconds" if isinstance(value, int) else f"{value!r} ({seconds} s)"
        raise ValueError(
            f"{shown} is not allowed; a time box must be between "
            f"{format_time_box(MIN_TIME_BOX)} and {format_time_box(MAX_TIME_BOX)}"
        )
    return seconds


def format_time_box(seconds: int) -> str:
    """Write seconds the way plan files do.

    >>> format_time_box(300), format_time_box(90), format_time_box(3600)
    ('5m', '1m30s', '1h')
    """
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if n]
    return "".join(parts) or "0s"


@dataclass(frozen=True)
class Phase:
    """A stage of a workshop, shown on each question's card.

    Attributes:
        id: Short lower-case name, e.g. ``"values"``.
        title: The title per language.
    """

    id: str
    title: LocalizedText

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", _localized(self.title))


@dataclass(frozen=True)
class Question:
    """One question of a plan.

    Attributes:
        id: Short lower-case name, unique in its plan, e.g. ``"q3"``.
        phase: The id of the phase the question belongs to.
        text: The question per language; may contain ``{org}``.
        kind: ``"text"`` (free text), ``"scale"`` (ordered options) or ``"choice"``.
        options: For scale and choice questions: the options in order, each per language
            (``{"da": [...], "en": [...]}`` is accepted too).
        time_box: Seconds before the facilitator is reminded, or None for the plan's default.
        anonymous_allowed: Whether participants may answer this question anonymously.
        follow_up: Optional prompts the facilitator can use, each per language (or
            ``{"da": [...], "en": [...]}``).
    """

    id: str
    phase: str
    text: LocalizedText
    kind: Kind = "text"
    options: tuple[LocalizedText, ...] = ()
    time_box: int | None = None
    anonymous_allowed: bool = True
    follow_up: tuple[LocalizedText, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", _localized(self.text))
        object.__setattr__(self, "options", _localized_items(self.options))
        object.__setattr__(self, "follow_up", _localized_items(self.follow_up))


@dataclass(frozen=True)
class Plan:
    """A question plan: phases and questions in the order a workshop asks them.

    Attributes:
        id: Short lower-case name, e.g. ``"default"``.
        name: The plan's name per language.
        languages: The languages every text is given in; the first is the default.
        phases: The phases, in their usual order.
        questions: The questions, in the order they are asked.
        description: What the plan is for, per language (may be empty).
        organisation: The organisation's name used for ``{org}`` when a workshop gives none.
        time_box: Default time box in seconds for questions without one (None: no reminder).
    """

    id: str
    name: LocalizedText
    languages: tuple[str, ...]
    phases: tuple[Phase, ...]
    questions: tuple[Question, ...]
    description: LocalizedText = field(default_factory=LocalizedText)
    organisation: str | None = None
    time_box: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", _localized(self.name))
        object.__setattr__(self, "description", _localized(self.description))
        object.__setattr__(self, "languages", tuple(self.languages))
        object.__setattr__(self, "phases", tuple(self.phases))
        object.__setattr__(self, "questions", tuple(self.questions))

    # -- lookups -------------------------------------------------------------------------

    @property
    def question_ids(self) -> tuple[str, ...]:
        """The question ids in asking order."""
        return tuple(q.id for q in self.questions)

    @property
    def default_language(self) -> str:
        """The first declared language."""
        return self.languages[0]

    def question(self, qid: str) -> Question:
        """Return the question with id ``qid``.

        Raises:
            DialogError: No such question (the message lists the ids).
        """
        for q in self.questions:
            if q.id == qid:
                return q
        raise DialogError(
            f"plan {self.id!r} has no question {qid!r}; its questions are "
            + ", ".join(self.question_ids)
        )

    def index_of(self, qid: str) -> int:
        """Return the 0-based position of question ``qid`` (DialogError if missing)."""
        return self.questions.index(self.question(qid))

    def phase(self, phase_id: str) -> Phase:
        """Return the phase with id ``phase_id`` (DialogError if missing)."""
        for p in self.phases:
            if p.id == phase_id:
                return p
        raise DialogError(
            f"plan {self.id!r} has no phase {phase_id!r}; its phases are "
            + ", ".join(p.id for p in self.phases)
        )

    def questions_in(self, phase_id: str) -> tuple[Question, ...]:
        """The questions of one phase, in asking order."""
        return tuple(q for q in self.questions if q.phase == phase_id)

    def time_box_for(self, question: Question | str) -> int | None:
        """The question's time box in seconds, or the plan's default, or None."""
        q = self.question(question) if isinstance(question, str) else question
        return q.time_box if q.time_box is not None else self.time_box

    # -- rendering -----------------------------------------------------------------------

    def _lang(self, lang: str | None) -> str:
        if lang is None:
            return self.default_language
        if lang not in self.languages:
            raise DialogError(
                f"plan {self.id!r} has no texts in {lang!r}; it has " + ", ".join(self.languages)
            )
        return lang

    def render_text(self, text: Mapping[str, str], lang: str | None, org: str | None = None) -> str:
        """Fill ``{org}`` in one of this plan's texts.

        Args:
            text: A per-language text of this plan (a question's text, an option, a title).
            lang: The language; None for the plan's default language.
            org: The organisation's name; None for the plan's ``organisation``.

        Returns:
            The text with every placeholder filled.

        Raises:
            DialogError: The plan has no text in ``lang``.
            TemplateError: No organisation name, or an unknown placeholder.
        """
        lang = self._lang(lang)
        org = org if org is not None else self.organisation
        if lang not in text:
            raise DialogError(f"the text {dict(text)!r} has no {lang!r} version")
        try:
            return fill(text[lang], {"org": org} if org else {}, lang=lang)
        except TemplateError as exc:
            raise TemplateError(f"plan {self.id!r}: {exc}") from None

    def render(self, question: Question | str, lang: str | None, org: str | None = None) -> str:
        """Return a question's text in ``lang`` with ``{org}`` filled.

        Args:
            question: The question or its id.
            lang: The language; None for the plan's default language.
            org: The organisation's name; None for the plan's ``organisation``.

        Returns:
            The question's text, e.g. ``"Hvad er HKs værdier?"``.

        Raises:
            DialogError: Unknown question or language.
            TemplateError: No organisation name given and none in the plan.

        >>> from dialogs.plans import get_builtin_plan
        >>> get_builtin_plan("default").render("q1", "da", "HK")
        'Hvad er HKs værdier?'
        """
        q = self.question(question) if isinstance(question, str) else question
        return self.render_text(q.text, lang, org)

    def render_options(
        self, question: Question | str, lang: str | None, org: str | None = None
    ) -> list[str]:
        """The options of a scale or choice question in ``lang`` (empty for text questions)."""
        q = self.question(question) if isinstance(question, str) else question
        return [self.render_text(o, lang, org) for o in q.options]

    def render_follow_up(
        self, question: Question | str, lang: str | None, org: str | None = None
    ) -> list[str]:
        """The follow-up prompts of a question in ``lang``."""
        q = self.question(question) if isinstance(question, str) else question
        return [self.render_text(f, lang, org) for f in q.follow_up]

    def display_name(self, lang: str | None = None, org: str | None = None) -> str:
        """The plan's name in ``lang`` (placeholders filled when an organisation is known)."""
        return self.render_text(self.name, lang, org)
