"""Sentence form for proposal detection: shorthand, imperatives, verbless answers, question kinds.

Word classes come from package data (``spacy-lookups-data``), never from a trained model:

* English: a form can be a verb when WordNet's verb index holds it (``en_lemma_index``);
  irregular past forms come from its exception table (``en_lemma_exc``: *had* → *have*).
* Danish: a stem is an imperative (*lav*, *del*, *lad*) when the lemma table maps its
  present (*-er*) or past (*-te*, *-ede*) to the stem plus *e* (*laver* → *lave*), i.e. the
  stem heads a verb's paradigm; forms the word-class table calls verbs count too.

A verbless sentence has no finite verb before its first subordinate clause ("En årlig liste
over udfordringer fra ledelsen", "a channel with a list of who did what course"): with
nouns in it, it names a thing, which answers a "how could we …" question as a proposal
("what would help?" — "Faste temadage to gange om året.").
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import Any, Literal

import spacy.util

from analysis.nlp import lookup_table
from analysis.wordclass import word_classes

__all__ = [
    "QuestionKind",
    "is_imperative",
    "is_verbless_phrase",
    "normalise",
    "question_kind",
]

QuestionKind = Literal["measure", "other"]

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

# Chat shorthand and contractions, spelled out for matching only (quotes stay verbatim).
_SHORTHAND = {
    "en": {
        "it'd": "it would", "we'd": "we would", "i'd": "i would", "they'd": "they would",
        "you'd": "you would", "that'd": "that would", "there'd": "there would",
        "ppl": "people", "w/": "with", "w/o": "without", "u": "you", "ur": "your",
        "pls": "please", "plz": "please", "tbh": "to be honest", "imo": "in my opinion",
        "shld": "should", "cld": "could", "wld": "would", "gonna": "going to",
        "wanna": "want to", "gotta": "have to", "mgr": "manager", "mgrs": "managers",
    },
    "da": {"ku'": "kunne", "sku'": "skulle", "vil'": "ville", "evt.": "eventuelt"},
}  # fmt: skip
#: Modals a misspelling may stand for (one letter missing, extra, swapped or wrong).
_MODALS = {
    "en": ("should", "could", "would", "must", "might"),
    "da": ("burde", "skulle", "kunne", "ville", "måtte"),
}
#: A word this frequent (wordfreq) is a word of its own, not a misspelling (cold, wold).
_KNOWN_WORD = 1e-6


def _one_edit(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@functools.lru_cache(maxsize=4096)
def _respell(word: str, lang: str) -> str:
    if len(word) < 4:
        return word
    from analysis.wordclass import general_frequencies

    if general_frequencies(lang).get(word, 0.0) >= _KNOWN_WORD:
        return word
    for modal in _MODALS[lang]:
        if _one_edit(word, modal):
            return modal
    return word


def normalise(sentence: str, lang: str) -> str:
    """Lower-case ``sentence`` with shorthand spelled out and misspelt modals corrected.

    >>> normalise("we shoud have like a 15 min slot", "en")
    'we should have like a 15 min slot'
    >>> normalise("i think it'd help w/ a list", "en")
    'i think it would help with a list'
    """
    table = _SHORTHAND.get(lang, {})
    words = sentence.lower().replace("’", "'").split()
    out = []
    for w in words:
        core = w.strip('.,!?;:()"')
        spelled = table.get(core)
        if spelled is None and core.isalpha():
            spelled = _respell(core, lang) if lang in _MODALS else core
        out.append(w.replace(core, spelled, 1) if spelled and core else w)
    return " ".join(out)


@functools.lru_cache(maxsize=4)
def _en_table(name: str) -> dict[str, Any]:
    tables: dict[str, Any] = spacy.util.registry.lookups.get("en")
    data: dict[str, Any] = dict(spacy.util.load_language_data(tables[name]))
    return data


@functools.lru_cache(maxsize=2)
def _en_tables() -> tuple[frozenset[str], dict[str, str]]:
    index = _en_table("lemma_index")
    exc = _en_table("lemma_exc")
    verbs = frozenset(index["verb"])
    past = {form: lemmas[0] for form, lemmas in exc["verb"].items() if lemmas}
    return verbs, past


# Words that open a sentence without starting its clause ("or just share …", "og så lad …").
_OPENERS = {
    "en": frozenset(
        [
            "and",
            "or",
            "but",
            "so",
            "just",
            "maybe",
            "perhaps",
            "also",
            "then",
            "please",
            "simply",
            "ideally",
            "preferably",
            "honestly",
        ]
    ),
    "da": frozenset(
        [
            "og",
            "eller",
            "men",
            "så",
            "bare",
            "måske",
            "også",
            "evt",
            "eventuelt",
            "altså",
            "ellers",
            "helst",
            "gerne",
            "ideelt",
        ]
    ),
}
# Sentence-initial forms that look like base verbs but open no instruction.
_NOT_IMPERATIVE = {
    "en": frozenset(
        [
            "well",
            "like",
            "mind",
            "look",
            "wait",
            "hope",
            "thank",
            "thanks",
            "guess",
            "see",
            "say",
            "mean",
            "agree",
            "same",
            "sure",
            "right",
            "okay",
            "ok",
            "yes",
            "no",
            "hmm",
            "please",
            "love",
            "need",
            "want",
            "know",
            "think",
            "feel",
        ]
    ),
    "da": frozenset(
        [
            "tak",
            "ja",
            "nej",
            "jo",
            "hmm",
            "øh",
            "altså",
            "nå",
            "godt",
            "fint",
            "hej",
            "se",
            "hør",
            "vent",
        ]
    ),
}
# Conjunctions, prepositions and time words that open a sentence but are not its verb,
# though a homograph is one ("før" of "føre", "last" of "to last").
_FUNCTION_OPENERS = {
    "en": frozenset(
        [
            "back",
            "last",
            "next",
            "first",
            "second",
            "then",
            "now",
            "today",
            "tomorrow",
            "yesterday",
            "well",
            "still",
            "even",
            "only",
            "before",
            "after",
            "for",
            "from",
            "with",
            "in",
            "on",
            "at",
            "by",
            "about",
            "since",
            "as",
        ]
    ),
    "da": frozenset(
        [
            "før",
            "for",
            "når",
            "hvis",
            "da",
            "som",
            "at",
            "om",
            "med",
            "til",
            "fra",
            "på",
            "i",
            "af",
            "efter",
            "under",
            "over",
            "ved",
            "hos",
            "uden",
            "mod",
            "siden",
            "nu",
            "så",
            "sidst",
            "først",
            "derfor",
        ]
    ),
}
_AUX = {
    "en": frozenset(
        [
            "is",
            "are",
            "was",
            "were",
            "be",
            "been",
            "am",
            "has",
            "have",
            "had",
            "do",
            "does",
            "did",
            "will",
            "would",
            "can",
            "could",
            "should",
            "must",
            "may",
            "might",
            "shall",
            "'s",
            "'re",
            "'ve",
            "'d",
            "'ll",
            "isn't",
            "aren't",
            "wasn't",
            "weren't",
            "won't",
            "can't",
            "don't",
            "doesn't",
            "didn't",
            "wouldn't",
            "couldn't",
            "shouldn't",
            "helps",
            "works",
            "means",
            "makes",
            "gives",
            "takes",
            "sounds",
            "seems",
            "looks",
            "feels",
        ]
    ),
    "da": frozenset(
        [
            "er",
            "var",
            "har",
            "havde",
            "bliver",
            "blev",
            "kan",
            "kunne",
            "skal",
            "skulle",
            "vil",
            "ville",
            "må",
            "måtte",
            "bør",
            "burde",
            "gør",
            "gjorde",
            "får",
            "fik",
            "tror",
            "synes",
            "ved",
            "lyder",
            "virker",
        ]
    ),
}
_SUBJECTS = {
    "en": frozenset(["there", "it", "i", "we", "they", "you", "he", "she", "that", "this"]),
    "da": frozenset(["jeg", "vi", "de", "du", "han", "hun", "det", "der", "man", "den"]),
}
# A noun phrase that states a lack or an excess describes a state, not a measure.
_STATE = {
    "en": re.compile(
        r"\b(no|not|none|nothing|nobody|never|too (much|many|little|few)|lots|tons|agree|"
        r"agreed|same|ditto|seconded)\b|^\W*\+"
    ),
    "da": re.compile(
        r"\b(ingen|ikke|intet|ingenting|aldrig|for (meget|mange|lidt|få)|enig|enige|"
        r"ligeså|samme her)\b|^\W*\+"
    ),
}
_SUBORDINATE = {
    "en": frozenset(
        [
            "who",
            "that",
            "which",
            "where",
            "when",
            "if",
            "so",
            "because",
            "before",
            "after",
            "until",
            "what",
            "how",
            "why",
            "whether",
        ]
    ),
    "da": frozenset(
        [
            "som",
            "der",
            "hvor",
            "hvad",
            "hvem",
            "hvordan",
            "hvilke",
            "hvorfor",
            "hvis",
            "når",
            "så",
            "fordi",
            "inden",
            "før",
            "efter",
            "indtil",
            "og",
        ]
    ),
}
_DETERMINERS = {
    "en": frozenset(
        ["a", "an", "the", "one", "some", "more", "fewer", "regular", "fixed", "short"]
    ),
    "da": frozenset(
        ["en", "et", "den", "det", "de", "nogle", "flere", "faste", "fast", "fælles", "korte"]
    ),
}


_DET_ALL = {
    "en": frozenset(
        [
            "a",
            "an",
            "the",
            "this",
            "that",
            "these",
            "those",
            "my",
            "our",
            "your",
            "their",
            "his",
            "her",
            "its",
            "some",
            "every",
            "each",
        ]
    ),
    "da": frozenset(
        [
            "en",
            "et",
            "den",
            "det",
            "de",
            "denne",
            "dette",
            "disse",
            "min",
            "mit",
            "mine",
            "vores",
            "jeres",
            "deres",
            "hver",
            "alle",
        ]
    ),
}
_PREPOSITIONS = {
    "en": frozenset(
        ["of", "from", "with", "by", "for", "to", "at", "on", "in", "about", "after", "before"]
    ),
    "da": frozenset(
        ["fra", "med", "af", "for", "til", "på", "i", "om", "efter", "hos", "ved", "uden", "mod"]
    ),
}
_TEMPORAL = re.compile(
    r"\b(hver gang|så snart|every time|each time|whenever|as soon as)\b", re.IGNORECASE
)
_PERSONS = {
    "en": frozenset(["him", "her", "them", "those", "someone", "somebody", "everyone"]),
    "da": frozenset(["ham", "hende", "dem", "nogen", "alle", "hun", "han"]),
}
_VOCATIVE = {
    "en": frozenset(["everyone", "everybody", "folks", "guys", "all"]),
    "da": frozenset(["allesammen", "sammen", "folkens", "venner"]),
}
_SPEAKER = {"en": frozenset(["me", "my", "mine"]), "da": frozenset(["mig", "min", "mit", "mine"])}
# Nouns that talk about the talk ("a good question", "samme pointe"), not about a measure.
_DISCOURSE = {
    "en": frozenset(["question", "point", "idea", "one", "thing", "bit", "answer", "topic"]),
    "da": frozenset(["spørgsmål", "pointe", "idé", "ide", "ting", "svar", "emne"]),
}
# Courtesy, greeting and thanks: "Mange tak for ordet", "Thanks for having me". A verbless
# answer made of them names no measure.
_COURTESY = {
    "en": frozenset(
        ["thanks", "thank", "cheers", "sorry", "hello", "hi", "hey", "apologies"]
    ),
    "da": frozenset(
        ["tak", "undskyld", "hej", "goddag", "godmorgen", "godaften", "ordet", "beklager"]
    ),
}  # fmt: skip
_EXAMPLE = re.compile(
    r"\b(for example|for instance|e\.g\.|for eksempel|fx|f\.eks\.|imagine|picture|forestil|"
    r"forestille|tag nu|take our|take my)"
)
_CONDITIONAL = {
    "en": re.compile(r"^\W*(and |but |so )?(if|when|whenever|once)\b"),
    "da": re.compile(r"^\W*(og |men |så )?(hvis|når)\b"),
}


def _words(sentence: str) -> list[str]:
    return _WORD.findall(sentence.lower().replace("’", "'"))


def _main_clause(words: list[str], lang: str) -> list[str]:
    main: list[str] = []
    for w in words:
        if w in _SUBORDINATE[lang] and main:
            break
        main.append(w)
    return main


def _clause_start(words: list[str], lang: str) -> int:
    i = 0
    while i < len(words) - 1 and words[i] in _OPENERS[lang]:
        i += 1
    return i


@functools.lru_cache(maxsize=2)
def _en_nouns() -> frozenset[str]:
    return frozenset(_en_table("lemma_index")["noun"])


@functools.lru_cache(maxsize=8192)
def _finite(word: str, lang: str) -> bool:
    """Whether ``word`` can only be an inflected (finite) verb form: a past or present
    tense (*handlede*, *deler*, *described*, *told*), or an English verb that is no noun."""
    if lang == "en":
        verbs, past = _en_tables()
        if word in past:
            return True
        if word.endswith("ed") and (word[:-2] in verbs or word[:-1] in verbs):
            return True
        return word in verbs and word not in _en_nouns() and word_classes("en").of(word) == "VERB"
    lemma = lookup_table("da").get(word)
    if not lemma or lemma == word or not lemma.endswith("e"):
        return False
    return word.endswith(("er", "te", "ede")) and word_classes("da").of(word) == "VERB"


#: How much more frequent than its infinitive a Danish stem may be and still be read as
#: the verb's imperative (see :func:`_base_verb`).
_HOMOGRAPH_RATIO = 5.0


@functools.lru_cache(maxsize=8192)
def _base_verb(word: str, lang: str) -> bool:
    if lang == "en":
        verbs, past = _en_tables()
        return word in verbs and word not in past
    table = lookup_table("da")
    stem_e = word + "e"
    heads = any(table.get(word + end) == stem_e for end in ("er", "te", "ede"))
    own = table.get(word) in (None, word, stem_e)
    # A homograph far more frequent than the verb it would be the stem of is another word
    # ("svært" of "sværte", "hos" of "hose"); true stems are at most a few times as
    # frequent as their infinitive ("del"/"dele", "lad"/"lade").
    from analysis.wordclass import general_frequencies

    freq = general_frequencies("da")
    if freq.get(word, 0.0) > _HOMOGRAPH_RATIO * max(freq.get(stem_e, 0.0), 1e-9):
        return False
    return own and (heads or (not word.endswith("e") and word_classes("da").of(word) == "VERB"))


def is_imperative(sentence: str, lang: str) -> str | None:
    """The verb of ``sentence`` when it is an instruction: a clause that opens with a verb's
    base form ("pair new people with …", "lad folk dele i små grupper"), after optional
    conjunctions and hedges ("or just share …"). Questions and one-word sentences are not.

    >>> is_imperative("or just share a summary, not the whole file", "en")
    'share'
    >>> is_imperative("Same here.", "en") is None
    True
    """
    if lang not in _OPENERS or sentence.rstrip().endswith("?"):
        return None
    # "idea: pair new people with …": a label before a colon introduces the clause.
    label = re.match(r"^\W*[^\W\d_]+(\s[^\W\d_]+)?\s*:\s*", sentence)
    if label and len(_words(sentence[label.end() :])) >= 3:
        sentence = sentence[label.end() :]
    head, comma, tail = sentence.partition(",")
    if comma and _CONDITIONAL[lang].match(head.strip().lower()):
        # "Så hvis I spørger mig, så lad folk dele …": the main clause after the condition.
        return is_imperative(tail, lang)
    words = _words(sentence)
    start = _clause_start(words, lang)
    if len(words) - start < 3:
        return None
    first = words[start]
    if first in _NOT_IMPERATIVE[lang] or first in _AUX[lang] or first in _SUBJECTS[lang]:
        return None
    if first in _FUNCTION_OPENERS[lang] or word_classes(lang).of(first) in ("OTHER", "ADV"):
        return None  # a preposition, conjunction or pronoun ("Hos os …", "Før vi går …")
    after = words[start + 1 :]
    # "Brug af kurser er vigtig": a noun with its complement and a verb of its own.
    if after[0] in ("af", "of", "'s") or any(w in _AUX[lang] for w in _main_clause(after, lang)):
        return None
    # "Let me explain", "Lad mig sige": about the speaker; "Take my team, for example": an
    # illustration.
    if after[0] in ("me", "mig") or _EXAMPLE.search(sentence.lower()):
        return None
    # "Look, …", "Tak, …": an interjection before a comma.
    if re.search(rf"\b{re.escape(first)}\s*,", sentence.lower()):
        return None
    return first if _base_verb(first, lang) else None


def is_verbless_phrase(sentence: str, lang: str) -> bool:
    """Whether ``sentence`` names a thing without a finite verb in its main clause and
    carries at least two nouns or a determiner and a noun ("En fast mødetid hver måned",
    "a channel with a pinned list of who did what course"; not "Ja.", "Same here.").

    >>> is_verbless_phrase("Faste temadage to gange om året.", "da")
    True
    >>> is_verbless_phrase("Det er svært.", "da")
    False
    """
    if lang not in _AUX or sentence.rstrip().endswith("?"):
        return False
    # The main clause ends at the first comma ("Good question, actually" is two words) or
    # at a temporal clause ("… hver gang nogen har afsluttet et modul").
    sentence = _TEMPORAL.split(sentence, maxsplit=1)[0]
    words = _words(sentence)
    start = _clause_start(words, lang)
    first_clause = _words(sentence.split(",", 1)[0])
    main = _main_clause(words[start:], lang)[: max(0, len(first_clause) - start)]
    if len(words) - start < 3 or len(main) < 2 or main[0] in _NOT_IMPERATIVE[lang]:
        return False
    # A verb form right after a determiner is a participle ("a pinned list", "de delte opgaver");
    # a pronoun right after a preposition is its object ("fra den der …", "with it").
    if any(
        w in _AUX[lang]
        or (w in _SUBJECTS[lang] and prev not in _PREPOSITIONS[lang])
        or (_finite(w, lang) and prev not in _DET_ALL[lang])
        for prev, w in itertools.pairwise(main)
    ):
        return False
    if main[0] in _AUX[lang] or main[0] in _SUBJECTS[lang]:
        return False
    if _STATE[lang].search(" ".join(main)) or sentence.lstrip().startswith("+"):
        return False  # a state ("ingen opfølgning") or agreement ("+1 to the lunch idea")
    if lang == "en":
        _verbs, past = _en_tables()
        # "we post …": a pronoun-free clause whose second word is a finite past ("people left").
        if any(w in past for w in main[1:2]):
            return False
    wc = word_classes(lang)
    if any(w in _SPEAKER[lang] for w in main) or _EXAMPLE.search(sentence.lower()):
        return False  # about the speaker ("Bit of a tricky one for me"), or an illustration
    if (
        main[0] in _PERSONS[lang]
        or main[0] in ("mest", "mostly", "mainly")
        or wc.of(main[0]) == "ADV"
    ):
        return False  # a person ("Ham fra IT") or a degree ("Mest af alt tid"), not a measure
    if any(w in _COURTESY[lang] for w in main):
        return False  # courtesy ("Mange tak for ordet"), not a measure
    if main[-1] in _VOCATIVE[lang]:
        return False  # addressed to the room ("Great discussion everyone")
    if main[1] in ("at", "to"):
        return False  # an evaluation ("Svært at sige", "Hard to tell")
    head = next((w for w in main if wc.of(w) == "NOUN" and w not in _DET_ALL[lang]), None)
    if head in _DISCOURSE[lang]:
        return False  # talk about the talk ("A good question for HR")
    nouns = [
        w
        for w in main
        if wc.of(w) == "NOUN" and w not in _NOT_IMPERATIVE[lang] and w not in _DISCOURSE[lang]
    ]
    determined = main[0] in _DETERMINERS[lang] or wc.of(main[0]) in ("ADJ", "NOUN")
    return len(nouns) >= 2 or (determined and len(nouns) >= 1 and len(main) >= 3)


# A question that asks for measures: how something can/should be done, what could/should
# be done or would help. Not: why, what happened, what values, what one thinks or says.
_MEASURE = {
    "da": re.compile(
        r"\bhvordan\b(?! (oplevede|oplever|føles|føltes|var|gik|har (i|du) (det|oplevet)|"
        r"havde (i|du)))|"
        r"\bhvad (kan|kunne|skal|skulle|bør|burde|vil|ville) (vi|man|i|du|ledelsen|lederne|"
        r"organisationen|afdelingen) (\w+ )?(gøre|ændre|lave|hjælpe|foreslå|gøre anderledes)\b|"
        r"\bhvad (ville|kunne|vil|kan) (hjælpe|gøre en forskel|virke|ændre)\b|"
        r"\bhvilke (tiltag|forslag|idéer|ideer|løsninger|muligheder|ændringer)\b"
    ),
    "en": re.compile(
        r"\bhow\b(?! (was|were|did|has|have|is it going|are you|do you (feel|find|experience)|"
        r"does it feel|many|much|long|often))|"
        r"\bwhat (can|could|should|would|might|shall) (we|you|one|people|managers|hr|the \w+) "
        r"(\w+ )?(do|change|try|make|suggest|propose|improve)\b|"
        r"\bwhat (would|could|might|will) (help|change it|change that|make a difference|work)\b|"
        r"\bwhich (measures|steps|ideas|changes|solutions|options)\b|"
        r"\bany (ideas|suggestions|proposals)\b"
    ),
}


def question_kind(question: str, lang: str) -> QuestionKind:
    """``"measure"`` when ``question`` asks how something could be done or what would help
    (its answers may propose in a bare noun phrase), else ``"other"``.

    >>> question_kind("Hvordan kan viden fra efteruddannelse deles?", "da")
    'measure'
    >>> question_kind("Why did the follow-up not happen?", "en")
    'other'
    """
    pattern = _MEASURE.get(lang)
    return "measure" if pattern and pattern.search(question.lower()) else "other"
