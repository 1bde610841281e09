"""Which language a text is in: Danish, English, or something the analysis does not read.

The analysis reads Danish and English (:data:`analysis.nlp.LANGUAGES`); a term must never mix
an English and a Danish lemmatiser, and no text may silently be read in the wrong language.
This module tells the languages apart in two steps:

1. **A screen of function words** (pure Python, about a million words a second): the short
   words every Danish or English sentence is full of ("og", "det", "er", "ikke" / "the",
   "of", "is", "that"). A paragraph whose function words are all of one language is that
   language, and no model is asked.
2. **A language model** for everything else: `lingua-language-detector
   <https://pypi.org/project/lingua-language-detector/>`_ (its n-gram models ship inside the
   wheel, nothing is downloaded), in its low-accuracy mode (trigrams, ~60 MB) and limited
   to the languages a Danish organisation's texts plausibly hold (:data:`DETECTED`). Text
   whose function words are Danish or English is judged among Danish, English, Norwegian
   and Swedish only, whose models load in under 0.1 s; the others load when a text shows
   one. py3langid was measured too (bench/results/language.md): it loads three times
   slower and names Norwegian only as "no".

Norwegian and Swedish. Short Danish text is often taken for Norwegian or Swedish by any
detector ("Jeg er enig." is valid Bokmål). A Scandinavian verdict therefore reads the text
as Danish (the closest supported language) unless the text is long (at least
:data:`CLEAR_WORDS` words) *and* holds more Norwegian- or Swedish-only words ("av", "ble",
"och", "inte") than Danish-only ones ("af", "hvad", "meget"): only then is it clearly
Norwegian or Swedish, and treated like any other unsupported language (left out of a map,
a transcript refused), with a message that names it and says how to read it as Danish
anyway (``--lang da``).

What :func:`split_languages` does with a corpus (``workshopbot analyze`` without ``--lang``):

- Each document's language is decided from its paragraphs (by words); each paragraph of
  six words or more is checked, shorter ones (headings, list items) go with their document.
- **The map has one language**: the language with the most words among the documents.
- Documents in the other supported language, and documents in an unsupported language,
  are **left out of the map** and listed (their own map: analyse them alone).
- Paragraphs in another language inside a kept document (an English abstract in a Danish
  thesis, an English block quotation) are **left out** and counted, and so are quoted
  passages and sentences in the other language inside a paragraph ("… as Wenger puts it:
  "learning is a social process" …"), so no English word is lemmatised as Danish.
- With ``--lang`` forced, nothing is left out: every text is read as that language, and
  the report still says what was found.

>>> detect_language("The manager should support what we learn at the course.").lang
'en'
>>> detect_language("Lederen skal bakke op om det, vi lærer på kurset.").lang
'da'
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from analysis.documents import Document
from analysis.errors import AnalysisError
from analysis.nlp import LANGUAGES, Lang

if TYPE_CHECKING:
    from analysis.transcript import Transcript

__all__ = [
    "CLEAR_WORDS",
    "DEFAULT_LANG",
    "DETECTED",
    "LANGUAGE_NAMES",
    "MIN_PARAGRAPH_WORDS",
    "Detection",
    "DocumentLanguage",
    "LanguageReport",
    "LanguageSplit",
    "UnsupportedLanguage",
    "answer_language",
    "detect_language",
    "language_name",
    "other_language_stop_words",
    "speech_language",
    "split_languages",
    "transcript_language",
]

log = logging.getLogger(__name__)

#: The languages the model chooses between (ISO 639-1). Only da and en are analysed; the
#: others are there so that a German or Swedish text is named, not forced into Danish.
DETECTED: tuple[str, ...] = (
    "da",
    "en",
    "nb",
    "nn",
    "sv",
    "de",
    "nl",
    "fr",
    "es",
    "it",
    "pt",
    "pl",
    "fi",
    "is",
)

#: English names of the detected languages, for messages.
LANGUAGE_NAMES: dict[str, str] = {
    "da": "Danish",
    "en": "English",
    "nb": "Norwegian (Bokmål)",
    "nn": "Norwegian (Nynorsk)",
    "sv": "Swedish",
    "de": "German",
    "nl": "Dutch",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "pl": "Polish",
    "fi": "Finnish",
    "is": "Icelandic",
    "": "undetermined (too short)",
}

#: A Norwegian or Swedish verdict counts only for a text at least this long (words).
CLEAR_WORDS = 40

#: Texts shorter than this are decided by their function words when only one language's
#: occur.
_SHORT_WORDS = 8

#: Paragraphs shorter than this (headings, list items) take their document's language.
MIN_PARAGRAPH_WORDS = 6

#: Quoted passages and sentences shorter than this are never cut out of a paragraph.
_MIN_PASSAGE_WORDS = 4

_SCANDINAVIAN = frozenset({"nb", "nn", "sv"})

# Function words that are words of one language and not of the other ("i", "at", "for",
# "her", "man", "have" and "men" are words of both, so they count for neither, and so are
# "to", Danish for two, "it", which Danish writes for IT: "it-chefer", and "by", town).
_DA_WORDS = frozenset(
    """
    og det er til på som med af den har ikke de et vi jeg kan skal var blev bliver også
    eller hvor der om fra ved være deres sig så når mellem efter kun hvis hvordan disse
    dette mange meget nogle andre hun han hvad vores mere skulle kunne ville nu alle
    hvilke hvorfor dem mig dig os bare lidt rigtig godt enig synes tror mener får ingen
    noget nok ud op ind igen altid aldrig fordi derfor hvilket sådan selv sammen mod uden
    ja nej jo tak hej hejsa
    """.split()  # noqa: SIM905  (a word list reads better as text)
)
_EN_WORDS = frozenset(
    """
    the of and is that this with are be not or which from you your as was were
    has an on they their we would should could will there these those what when who how
    been can our its into than then them he she his my me if but do does did very just so
    because any such other may must shall about also more all some yes no don doesn didn
    isn aren wasn won couldn shouldn wouldn
    """.split()  # noqa: SIM905
)
# Words of other languages that would otherwise pass the screen as Danish or English.
_FOREIGN_WORDS = frozenset(
    """
    und ist nicht die das mit sie auf ein eine zu sich auch werden wir ich les est une des
    que pas sont el los las por una het een zijn niet
    """.split()  # noqa: SIM905
)
#: Danish spellings Norwegian and Swedish do not share.
_DA_ONLY = frozenset("af hvad meget noget nogen nogle mellem bliver".split())  # noqa: SIM905
#: Norwegian and Swedish words Danish does not have: two of them send a text to the model.
_NORDIC_ONLY = frozenset(
    """
    av ble mye noe noen hva mellom blir ikkje eg och är inte att jag vad mycket någon något
    några mellan
    """.split()  # noqa: SIM905
)
#: Marker word -> 0 (Danish), 1 (English), 2 (another language), 3 (Norwegian/Swedish):
#: one dict lookup per word.
_MARKERS: dict[str, int] = {
    **dict.fromkeys(_NORDIC_ONLY, 3),
    **dict.fromkeys(_FOREIGN_WORDS, 2),
    **dict.fromkeys(_EN_WORDS, 1),
    **dict.fromkeys(_DA_WORDS, 0),
}

# Letters only: numbers and punctuation are no words for the screen.
_WORD = re.compile(r"[^\W\d_]+")
_QUOTED = re.compile(r"“[^”]{10,}”|„[^“”]{10,}[“”]|«[^»]{10,}»|\"[^\"]{10,}\"|‘[^’]{10,}’")
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][”\"»’)]))\s+(?=[\"“„«‘(]?[A-ZÆØÅ0-9])")


class UnsupportedLanguage(AnalysisError):
    """A text is clearly in a language the analysis does not read (the message names it)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def language_name(code: str) -> str:
    """The English name of an ISO 639-1 code ("de" -> "German")."""
    return LANGUAGE_NAMES.get(code, code)


@dataclass(frozen=True)
class _Screen:
    words: int
    da: int
    en: int
    foreign: int
    nordic: int = 0

    def count(self, lang: str) -> int:
        return self.da if lang == "da" else self.en

    def says(self, lang: Lang) -> bool:
        """Whether the function words alone clearly say ``lang``."""
        own, other = self.count(lang), self.count(_other(lang))
        return (
            own >= 2
            and own >= 3 * other
            and (self.foreign + self.nordic) * 3 <= own
            and (lang == "en" or self.nordic < 2)
        )

    def one_sided(self) -> Lang | None:
        """The one supported language whose function words alone occur, if any."""
        if self.foreign or self.nordic or (self.da > 0) == (self.en > 0):
            return None
        return "da" if self.da else "en"


def _tokens(text: str) -> list[str]:
    """Lower-case words (numbers and punctuation dropped)."""
    return _WORD.findall(text.lower())


def _screen(text: str) -> _Screen:
    words = _tokens(text)
    counts = Counter(map(_MARKERS.get, words))  # counted in C; None: no marker
    return _Screen(len(words), counts[0], counts[1], counts[2], counts[3])


#: Words of :data:`_EN_WORDS` and :data:`_DA_WORDS` that are (or lemmatise to) words of
#: the other language: never stop terms of its maps ("an" is the Danish "ane", "den" an
#: English noun).
_NOT_STOP: dict[str, frozenset[str]] = {
    "da": frozenset({"an", "aren", "isn"}),
    "en": frozenset({"den", "mod", "op", "os", "var", "dem", "han"}),
}


def other_language_stop_words(lang: Lang) -> frozenset[str]:
    """Function words of the other supported language that are never terms of a ``lang``
    map: a safety net for the ones left in the text (an English book title inside a Danish
    sentence, "jf. The Art of Changing the Brain").

    >>> "the" in other_language_stop_words("da")
    True
    """
    words = _EN_WORDS if lang == "da" else _DA_WORDS
    return words - _NOT_STOP[lang]


def _other(lang: str) -> Lang:
    return "en" if lang == "da" else "da"


@dataclass(frozen=True)
class Detection:
    """What was found in one text.

    Attributes:
        code: ISO 639-1 code of the language found (``"da"``, ``"nb"``, ``"de"``; ``""``
            when the text has no words).
        lang: The supported language the text is read as, or ``None`` when it is clearly
            another language (or has no words).
        words: Words in the text.
        confidence: The model's confidence in ``code`` (1.0 when the screen decided).
        note: Why a Norwegian or Swedish verdict was read as Danish, if it was.
    """

    code: str
    lang: Lang | None
    words: int
    confidence: float
    note: str = ""

    @property
    def name(self) -> str:
        return language_name(self.code)


_LOCK = threading.Lock()


#: The languages asked first: Danish, English and the two that short Danish is taken for.
#: Their models load in a third of the time all of :data:`DETECTED` take, and a Danish or
#: English corpus never needs more.
_CORE: tuple[str, ...] = ("da", "en", "nb", "nn", "sv")


@functools.lru_cache(maxsize=2)
def _detector(wide: bool) -> Any:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    codes = DETECTED if wide else _CORE
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in codes]
    detector = LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()
    log.debug("built the language detector for %s", ", ".join(codes))
    return detector


def _model_scores(text: str, *, wide: bool = True) -> list[tuple[str, float]]:
    """``(code, confidence)`` pairs from the model, best first.

    Args:
        text: The text.
        wide: Choose among all of :data:`DETECTED`; else among Danish, English, Norwegian
            and Swedish only (for text whose function words are Danish or English).
    """
    with _LOCK:
        detector = _detector(wide)
    values = detector.compute_language_confidence_values(text)
    return [(v.language.iso_code_639_1.name.lower(), float(v.value)) for v in values]


def detect_language(text: str) -> Detection:
    """Detect the language of one text (an answer, a paragraph, a whole transcript).

    The function-word screen decides when it is clear; otherwise the model does, with the
    rule for Norwegian and Swedish described in the module docstring.

    Args:
        text: Any text.

    Returns:
        What was found and the supported language it is read as (``None``: not Danish or
        English, or no words).
    """
    screen = _screen(text)
    if screen.words == 0:
        return Detection("", None, 0, 0.0)
    for lang in LANGUAGES:
        if screen.says(lang) and screen.count(lang) >= 4:
            return Detection(lang, lang, screen.words, 1.0)
    side = screen.one_sided()
    if side is not None and (
        screen.words < _SHORT_WORDS
        or (screen.count(side) >= 3 and screen.count(side) * 6 >= screen.words)
    ):
        # Function words of one language only: a few words ("Onboarding og mentoring"),
        # where the model's trigrams know less than the function words, or as many as
        # running text has ("The best way to predict your future is to create it.").
        return Detection(side, side, screen.words, 1.0)
    # Function words of another language, or none of Danish or English: the text may be
    # anything, so the model chooses among all the languages it knows.
    wide = screen.foreign > 0 or screen.da + screen.en == 0
    scores = _model_scores(text, wide=wide)
    if not scores:
        return Detection("", None, screen.words, 0.0)
    code, confidence = scores[0]
    own = screen.count(code) if code in LANGUAGES else screen.da + screen.nordic
    if not wide and own < max(2, screen.words // 20):
        # Danish, Norwegian, Swedish or English running text is a third function words;
        # a text with a stray "no" or "me" in it (Spanish, Italian) may be none of them:
        # ask again among all the languages.
        scores = _model_scores(text, wide=True)
        code, confidence = scores[0]
    if code in LANGUAGES:
        return Detection(code, code, screen.words, confidence)
    if code in _SCANDINAVIAN:
        words = _tokens(text)
        da_only = sum(w in _DA_ONLY for w in words)
        nordic_only = sum(w in _NORDIC_ONLY for w in words)
        if screen.words < CLEAR_WORDS or da_only >= nordic_only:
            note = (
                f"looks {language_name(code)}, read as Danish (the closest supported language; "
                + (
                    "too short to tell them apart)"
                    if screen.words < CLEAR_WORDS
                    else "Danish spellings)"
                )
            )
            return Detection(code, "da", screen.words, confidence, note)
        return Detection(code, None, screen.words, confidence)
    # Another language. Function words may still clearly say Danish or English (a text
    # full of loan words), if they are as dense as in running text (a Spanish "no me"
    # is not English); else the text is that other language.
    for lang in LANGUAGES:
        if screen.says(lang) and screen.count(lang) * 6 >= screen.words:
            return Detection(lang, lang, screen.words, confidence)
    return Detection(code, None, screen.words, confidence)


def answer_language(text: str, *, workshop: Lang) -> Lang:
    """The language one participant's answer is analysed in.

    An answer is analysed in the workshop's language unless it is clearly the other
    supported language (a Danish workshop, an answer written in English). An answer is
    never refused: one that looks Norwegian, Swedish or anything else is analysed in the
    workshop's language; it is stored verbatim either way.

    Args:
        text: The answer.
        workshop: The workshop's language.

    Returns:
        ``"da"`` or ``"en"``.
    """
    other = _other(workshop)
    screen = _screen(text)
    if screen.count(other) == 0 or screen.says(workshop):
        return workshop
    if screen.words < 3:
        return workshop
    found = detect_language(text)
    if found.lang == other and (screen.says(other) or found.confidence >= 0.7):
        return other
    return workshop


#: The language a transcript gets when its participants say too little to tell.
DEFAULT_LANG: Lang = "da"


def speech_language(texts: Sequence[str]) -> Detection:
    """The language of a transcript, from what its participants said.

    Speech that is too short to tell (fewer than :data:`CLEAR_WORDS` words with no function
    words of another language behind the verdict, "Hej." or nothing at all) gets the
    default language, Danish, and a ``note`` saying so, for the caller to print.

    Args:
        texts: The participants' utterances (the facilitator's left out).

    Returns:
        The detection; its ``lang`` is ``"da"`` or ``"en"``.

    Raises:
        UnsupportedLanguage: The speech is clearly neither Danish nor English; the message
            names what was found and how to force a language.
    """
    text = "\n".join(t for t in texts if t.strip())
    found = detect_language(text)
    if found.lang is not None:
        return found
    screen = _screen(text)
    if found.words < CLEAR_WORDS and screen.foreign < 2 and screen.nordic < 2:
        return replace(
            found,
            lang=DEFAULT_LANG,
            note=f"{found.words} words are too few to tell the language; "
            f"{language_name(DEFAULT_LANG)}, the default",
        )
    sure = f", {found.confidence:.0%} sure" if found.confidence < 1 else ""
    raise UnsupportedLanguage(
        f"the participants speak {found.name} (detected in {found.words:,} words{sure}); "
        "workshopbot analyses Danish and English only. If this is wrong, give the language "
        "with --lang da or --lang en",
        code=found.code,
    )


def transcript_language(transcript: Transcript, facilitators: Iterable[str]) -> Detection:
    """The language of a meeting transcript, from what the participants (not the
    facilitators) said; :func:`speech_language` on their utterances.

    Args:
        transcript: The parsed transcript.
        facilitators: The facilitators' names as the transcript shows them.

    Returns:
        The detection (``lang`` is ``"da"`` or ``"en"``).

    Raises:
        UnsupportedLanguage: Clearly neither Danish nor English, or too little to tell.
    """
    leaders = {f.lower() for f in facilitators}
    said = [u.text for u in transcript.utterances if u.speaker.lower() not in leaders]
    return speech_language(said or [u.text for u in transcript.utterances])


# --------------------------------------------------------------------------- corpora


@dataclass(frozen=True)
class DocumentLanguage:
    """One document's languages.

    Attributes:
        id: The document's id.
        code: The language found for the document (ISO 639-1).
        lang: The supported language it is read as; ``None``: another language.
        words: Words in the document.
        paragraphs: Paragraphs (and passages) by language code, words counted:
            ``{"en": (3, 412)}`` is three English paragraphs of 412 words.
        passages: Quoted passages or sentences in another language inside paragraphs,
            ``{code: (count, words)}``.
        kept: Whether the document is on the map.
    """

    id: str
    code: str
    lang: Lang | None
    words: int
    paragraphs: dict[str, tuple[int, int]] = field(default_factory=dict)
    passages: dict[str, tuple[int, int]] = field(default_factory=dict)
    kept: bool = True

    @property
    def name(self) -> str:
        """The English name of the language found."""
        return language_name(self.code)


@dataclass(frozen=True)
class LanguageReport:
    """What :func:`split_languages` found and did.

    Attributes:
        lang: The map's language.
        forced: Whether the language was given (``--lang``) rather than detected.
        documents: Per document, in input order.
    """

    lang: Lang
    forced: bool
    documents: tuple[DocumentLanguage, ...]

    def document_counts(self) -> Counter[str]:
        """Documents by language code found."""
        return Counter(d.code for d in self.documents)

    def other_paragraphs(self) -> dict[str, tuple[int, int]]:
        """Other-language paragraphs inside kept documents, ``{code: (count, words)}``."""
        out: dict[str, tuple[int, int]] = {}
        for doc in self.documents:
            if not doc.kept:
                continue
            for code, (n, w) in doc.paragraphs.items():
                if code != self.lang:
                    a, b = out.get(code, (0, 0))
                    out[code] = (a + n, b + w)
        return out

    def other_passages(self) -> dict[str, tuple[int, int]]:
        """Other-language passages inside paragraphs of kept documents."""
        out: dict[str, tuple[int, int]] = {}
        for doc in self.documents:
            if doc.kept:
                for code, (n, w) in doc.passages.items():
                    a, b = out.get(code, (0, 0))
                    out[code] = (a + n, b + w)
        return out

    def left_out(self) -> tuple[DocumentLanguage, ...]:
        """Documents not on the map."""
        return tuple(d for d in self.documents if not d.kept)

    def found_line(self) -> str:
        """What was found, e.g. "12 Danish, 1 English; 38 English paragraphs in Danish
        documents"."""
        counts = self.document_counts()
        n = len(self.documents)
        parts = [
            f"{c} {language_name(code)}"
            for code, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        line = f"{n} document{'s' if n != 1 else ''}: " + ", ".join(parts)
        inside = [
            f"{count} {language_name(code)} paragraph{'s' if count != 1 else ''} ({words:,} words)"
            for code, (count, words) in sorted(self.other_paragraphs().items())
        ]
        inside += [
            f"{count} {language_name(code)} passage{'s' if count != 1 else ''} ({words:,} words)"
            for code, (count, words) in sorted(self.other_passages().items())
        ]
        if inside:
            line += "; " + ", ".join(inside) + f" in {language_name(self.lang)} documents"
        return line

    def decision_lines(self) -> list[str]:
        """What the analysis did about the languages, one line each."""
        name = language_name(self.lang)
        if self.forced:
            lines = [
                f"Map in {name}: forced with --lang {self.lang}; every text is read as {name}."
            ]
            others = {c for c in self.document_counts() if c != self.lang} | set(
                self.other_paragraphs()
            )
            if others:
                lines.append(
                    "  Note: "
                    + ", ".join(sorted(language_name(c) for c in others))
                    + f" text is read as {name} too; leave out --lang to have it detected "
                    "and left out of the map"
                )
            return lines
        lines = [f"Map in {name} (detected; --lang da or --lang en forces a language)."]
        for doc in self.left_out():
            reason = (
                f"{doc.name}: the map is {name}; analyse it alone for its own map"
                if doc.lang is not None
                else f"{doc.name}, not analysed (Danish and English only; --lang da reads it "
                "as Danish anyway)"
            )
            lines.append(f"  left out {doc.id} ({doc.words:,} words): {reason}")
        left = [
            f"{count} {language_name(code)} paragraph{'s' if count != 1 else ''}"
            for code, (count, _) in sorted(self.other_paragraphs().items())
        ] + [
            f"{count} {language_name(code)} quotation{'s' if count != 1 else ''} or sentence"
            f"{'s' if count != 1 else ''}"
            for code, (count, _) in sorted(self.other_passages().items())
        ]
        if left:
            lines.append(
                f"  left out of the {name} map: " + ", ".join(left) + f" (so no word of "
                f"another language is read as {name})"
            )
        return lines

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (network.json's ``language``)."""
        return {
            "lang": self.lang,
            "forced": self.forced,
            "found": self.found_line(),
            "documents": [
                {
                    "id": d.id,
                    "language": d.code,
                    "read_as": d.lang,
                    "words": d.words,
                    "on_map": d.kept,
                    "paragraphs": {c: list(v) for c, v in d.paragraphs.items()},
                    "passages": {c: list(v) for c, v in d.passages.items()},
                }
                for d in self.documents
            ],
        }


@dataclass(frozen=True)
class LanguageSplit:
    """The documents to map (other-language text taken out) and the report."""

    documents: tuple[Document, ...]
    report: LanguageReport


def _words(text: str) -> int:
    return len(text.split())


def _paragraph_code(paragraph: str, screen: _Screen, hint: Lang | None) -> str | None:
    """A paragraph's language code, or ``None``: too short or unclear (goes with its doc).

    With a ``hint`` (the document's language), a paragraph that shows no function word of
    another language is taken to be in it without asking the model.
    """
    if screen.words < MIN_PARAGRAPH_WORDS:
        return None
    if hint is not None and (
        screen.says(hint) or (screen.count(_other(hint)) == 0 and screen.foreign == 0)
    ):
        return hint
    found = detect_language(paragraph)
    if found.lang is not None:
        if hint is not None and found.lang != hint and screen.count(found.lang) < 2:
            # One function word is thin evidence against the document's language: only a
            # model that is sure takes the paragraph out ("We share too little knowledge
            # across departments"; not "IT, CAD, PLC, e-handel, brugervejledninger etc.").
            scores = _model_scores(paragraph, wide=False)
            sure = bool(scores) and scores[0][0] == found.lang and scores[0][1] >= _SURE
            return found.lang if sure else hint
        return found.lang
    if found.code and screen.words >= 2 * MIN_PARAGRAPH_WORDS and found.confidence >= 0.5:
        return found.code
    return None


#: The model's confidence that alone takes a paragraph out of its document's language.
_SURE = 0.9

#: Characters of a document the model reads to decide the document's first guess.
_SAMPLE_CHARS = 1200


def _sample(paragraphs: list[str]) -> str:
    """Paragraphs spread over the document, long ones first, up to ``_SAMPLE_CHARS``."""
    long = [p for p in paragraphs if len(p) >= 120] or paragraphs
    if not long:
        return ""
    step = max(1, len(long) // 4)
    picked: list[str] = []
    size = 0
    for p in long[step // 2 :: step]:
        picked.append(p[: _SAMPLE_CHARS - size])
        size += len(picked[-1])
        if size >= _SAMPLE_CHARS:
            break
    return "\n".join(picked)


def _is_other(piece: str, lang: Lang) -> bool:
    """Whether a quotation or sentence inside a ``lang`` paragraph is clearly the other
    supported language."""
    other = _other(lang)
    screen = _screen(piece)
    if screen.words < _MIN_PASSAGE_WORDS or screen.count(other) < 2:
        return False
    if screen.says(other):
        return True
    return screen.count(other) > screen.count(lang) and detect_language(piece).lang == other


def _cut_spans(text: str, spans: list[tuple[int, int]]) -> str:
    pieces: list[str] = []
    pos = 0
    for start, end in spans:
        pieces.append(text[pos:start])
        pos = end
    pieces.append(text[pos:])
    return re.sub(r"[ \t]{2,}", " ", " … ".join(p.strip() for p in pieces if p.strip()))


def _cut_foreign(paragraph: str, lang: Lang) -> tuple[str, list[int]]:
    """Take quotations, then sentences, in the other supported language out of a ``lang``
    paragraph ("… som Baldwin og Ford skriver: “the degree to which …” …").

    Returns:
        The paragraph without them ("…" where they were) and the words of each piece cut.
    """
    cut: list[int] = []
    quotes = [m.span() for m in _QUOTED.finditer(paragraph)]
    foreign = [(a, b) for a, b in quotes if _is_other(paragraph[a:b], lang)]
    cut += [_words(paragraph[a:b]) for a, b in foreign]
    text = _cut_spans(paragraph, foreign) if foreign else paragraph
    sentences: list[tuple[int, int]] = []
    pos = 0
    for part in _SENTENCE_END.split(text):
        start = text.find(part, pos)
        if start >= 0:
            pos = start + len(part)
            if _is_other(part, lang):
                sentences.append((start, pos))
    cut += [_words(text[a:b]) for a, b in sentences]
    return (_cut_spans(text, sentences) if sentences else text), cut


def _add(counts: dict[str, tuple[int, int]], code: str, words: int) -> None:
    n, w = counts.get(code, (0, 0))
    counts[code] = (n + 1, w + words)


def _split_document(
    doc: Document,
) -> tuple[Lang | None, str, list[str | None], list[str], list[_Screen]]:
    """``(lang, code, codes per paragraph, paragraphs, screens)`` for one document.

    The model reads a sample for a first guess; each paragraph is then read with that guess
    as hint; the document's language is the one with the most words, and when that differs
    from the guess the paragraphs are read again with it.
    """
    paragraphs = doc.paragraphs
    first = detect_language(_sample(paragraphs))
    hint = first.lang
    screens = [_screen(p) for p in paragraphs]
    codes = [_paragraph_code(p, sc, hint) for p, sc in zip(paragraphs, screens, strict=True)]
    words: Counter[str] = Counter()
    for sc, code in zip(screens, codes, strict=True):
        if code is not None:
            words[code] += sc.words
    if not words:
        if first.lang is None and first.words < CLEAR_WORDS:
            return None, "", codes, paragraphs, screens
        return first.lang, first.code, codes, paragraphs, screens
    code = words.most_common(1)[0][0]
    lang: Lang | None = code if code in LANGUAGES else None
    if lang is None and sum(sc.words for sc in screens) < CLEAR_WORDS:
        return None, "", codes, paragraphs, screens  # too short to call it another language
    if lang is not None and lang != hint:
        codes = [_paragraph_code(p, sc, lang) for p, sc in zip(paragraphs, screens, strict=True)]
    return lang, code, codes, paragraphs, screens


def split_languages(documents: Sequence[Document], *, lang: Lang | None = None) -> LanguageSplit:
    """Decide the map's language and take other-language text out of the documents.

    Args:
        documents: The cleaned documents.
        lang: Force the map's language (``--lang``): nothing is left out, every text is read
            as ``lang``; ``None`` detects it (see the module docstring for the rules).

    Returns:
        The documents to map (changed only where text was taken out) and the report.
    """
    if lang is not None and lang not in LANGUAGES:
        raise AnalysisError(f"lang = {lang!r} is not supported; use one of {', '.join(LANGUAGES)}")
    found = [(doc, *_split_document(doc)) for doc in documents]
    if lang is None:
        by_lang: Counter[str] = Counter()
        for _, doc_lang, _, _, _, screens in found:
            if doc_lang is not None:
                by_lang[doc_lang] += sum(sc.words for sc in screens)
        map_lang: Lang = "en" if by_lang["en"] > by_lang["da"] else "da"
    else:
        map_lang = lang
    kept_docs: list[Document] = []
    infos: list[DocumentLanguage] = []
    for doc, doc_lang, code, codes, paragraphs, screens in found:
        counts: dict[str, tuple[int, int]] = {}
        passages: dict[str, tuple[int, int]] = {}
        doc_words = sum(sc.words for sc in screens)
        # An undetermined document (too short to tell) is read in the map's language.
        keep_doc = lang is not None or doc_lang == map_lang or (doc_lang is None and not code)
        kept_paragraphs: list[str] = []
        for p, pcode, sc in zip(paragraphs, codes, screens, strict=True):
            pcode = pcode or doc_lang or map_lang
            _add(counts, pcode, sc.words)
            if lang is not None:
                kept_paragraphs.append(p)  # forced: everything is read as lang
            elif keep_doc and pcode == map_lang:
                other = _other(map_lang)
                text = p
                if sc.count(other) >= 2:
                    text, cut = _cut_foreign(p, map_lang)
                    for words in cut:
                        _add(passages, other, words)
                if text.strip():
                    kept_paragraphs.append(text)
        infos.append(
            DocumentLanguage(
                id=doc.id,
                code=code,
                lang=doc_lang,
                words=doc_words,
                paragraphs=counts,
                passages=passages,
                kept=keep_doc,
            )
        )
        if not keep_doc:
            continue
        if kept_paragraphs == paragraphs:
            kept_docs.append(doc)  # nothing taken out: the document as it came
        else:
            kept_docs.append(replace(doc, text="\n\n".join(kept_paragraphs)))
    report = LanguageReport(lang=map_lang, forced=lang is not None, documents=tuple(infos))
    log.info("languages: %s", report.found_line())
    return LanguageSplit(documents=tuple(kept_docs), report=report)
