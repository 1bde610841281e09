"""Remove personal data from text before anything is counted or stored.

Redaction replaces e-mail addresses, URLs, CPR numbers, phone numbers and a caller's list of
names with bracketed placeholders (``[e-mail]``, ``[url]``, ``[cpr]``, ``[telefon]``,
``[navn]``; English words when ``lang="en"``). Later stages should treat every token in
:data:`PLACEHOLDERS` as a non-term.

The order matters: e-mail addresses before URLs (an address contains a domain), URLs before
numbers (a URL may contain digits), CPR numbers before phone numbers (a CPR number contains
eight digits in a row).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from analysis.errors import InvalidParameter, UnreadableInput

__all__ = [
    "NAME_WORDS",
    "PLACEHOLDERS",
    "NameReplacer",
    "RedactionResult",
    "Redactor",
    "placeholders_for",
    "read_names_file",
    "redact",
]

Kind = Literal["email", "url", "cpr", "phone", "name"]

_PLACEHOLDERS: dict[str, dict[Kind, str]] = {
    "da": {
        "email": "[e-mail]",
        "url": "[url]",
        "cpr": "[cpr]",
        "phone": "[telefon]",
        "name": "[navn]",
    },
    "en": {
        "email": "[email]",
        "url": "[url]",
        "cpr": "[cpr]",
        "phone": "[phone]",
        "name": "[name]",
    },
}

#: Every placeholder in every language: later stages must never turn one into a term.
PLACEHOLDERS: frozenset[str] = frozenset(
    p for table in _PLACEHOLDERS.values() for p in table.values()
)

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_TLDS = "dk|com|org|net|eu|io|uk|info|gov|edu|biz"
_URL = re.compile(
    r"(?i:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"]+"  # a scheme or www., any case
    # A bare domain ("lederne.dk"): only well-known endings, in small letters.
    rf"|(?<![\w@.-])(?:[A-Za-z0-9-]{{2,}}\.)+(?:{_TLDS})\b(?:/[^\s<>\"]*)?",
)
_URL_TRAILING = ".,;:!?)]}'\"»"
# ddmmyy-xxxx; the date part is checked in code so "991399-1234" stays a number.
# The pattern starts with a digit (not a lookbehind) so the regex engine can skip ahead.
_CPR = re.compile(r"(\d)(?<![\w-]\d)(\d)(\d{2})(\d{2})[-‐ ]?(\d{4})(?![\w-])")
_PHONE = re.compile(
    r"(?<![\w+])"
    r"(?:"
    r"(?:\+|00)45[ -]?\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?\d{2}"  # Danish with country code
    r"|(?:\+|00)(?!45)[1-9]\d{0,2}[ -]?(?:\(\d{1,4}\)[ -]?)?\d{1,4}(?:[ -]?\d{2,4}){1,4}"
    # Without a country code: Danish numbers start with 2-9, and a row of numbers in a
    # table ("1000  1690  2070  2790") is not a phone number.
    r"|(?<!\d )(?=[2-9])(?:\d{2} \d{2} \d{2} \d{2}|\d{4} \d{4}|\d{8})(?! \d)"
    r")"
    r"(?![\w-]|[.,]\d)"
)
_YEAR = re.compile(r"(?:19|20)\d\d")
# Cheap scans that start with a literal or a character class: the full patterns above
# start with lookbehinds, which the regex engine tries at every position, so they only run
# on texts where these find something.
# Each hint is one pattern per alternative, never "a|b": an alternation at the start
# (like a lookbehind) makes the engine try the pattern at every character, while a pattern
# that starts with a literal or a class lets it skip ahead (3-4 times faster here).
_URL_HINTS = (
    re.compile("://"),
    re.compile(r"[wW][wW][wW]\."),  # www. in any case
    re.compile(rf"\.(?:{_TLDS})\b"),
)
_PHONE_HINTS = (re.compile(r"\d\d[ -]?\d\d[ -]?\d\d[ -]?\d\d"), re.compile(r"\+\d"))
_EMAIL_HINTS = (re.compile("@"),)


def _sub_near(
    hints: Sequence[re.Pattern[str]],
    pattern: re.Pattern[str],
    repl: Callable[[re.Match[str]], str],
    text: str,
) -> str:
    """``pattern.sub(repl, text)``, run only on the paragraphs where one of ``hints`` matches.

    Every pattern here matches inside one paragraph (none crosses a blank line, nor does a
    hint), so the result is the same as a pass over the whole text, at a fraction of the
    cost.
    """
    spans: list[tuple[int, int]] = []
    found = sorted((m.start(), m.end()) for hint in hints for m in hint.finditer(text))
    for hit_start, hit_end in found:
        if spans and hit_start < spans[-1][1]:
            continue  # inside the paragraph already taken
        start = text.rfind("\n\n", 0, hit_start)
        end = text.find("\n\n", hit_end)
        spans.append((0 if start < 0 else start, len(text) if end < 0 else end))
    if not spans:
        return text
    pieces: list[str] = []
    last = 0
    for start, end in spans:
        pieces.append(text[last:start])
        pieces.append(pattern.sub(repl, text[start:end]))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def placeholders_for(lang: Literal["da", "en"]) -> dict[Kind, str]:
    """The placeholder for each kind of personal data in ``lang``.

    Args:
        lang: ``"da"`` or ``"en"``.

    Returns:
        A mapping from kind (``email``, ``url``, ``cpr``, ``phone``, ``name``) to placeholder.

    Raises:
        InvalidParameter: For any other language.
    """
    try:
        return dict(_PLACEHOLDERS[lang])
    except KeyError:
        raise InvalidParameter(f"lang = {lang!r} is not supported; use 'da' or 'en'") from None


@dataclass(frozen=True)
class RedactionResult:
    """Redacted text and how many of each kind were replaced (no content, only counts)."""

    text: str
    counts: Counter[str]


def _valid_cpr(day: str, month: str) -> bool:
    return 1 <= int(day) <= 31 and 1 <= int(month) <= 12


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _name_pattern(names: Iterable[str], *, file_names: bool = False) -> re.Pattern[str] | None:
    separator = r"[ _.\-]+" if file_names else " +"
    cleaned: set[str] = set()
    for name in names:
        norm = " ".join(unicodedata.normalize("NFC", name).split())
        if norm:
            cleaned.add(norm)
    if not cleaned:
        return None
    # Longest first, so "Hanne Jensen" wins over "Hanne".
    alternatives = [
        separator.join(re.escape(part) for part in name.split())
        for name in sorted(cleaned, key=lambda n: (-len(n), n))
    ]
    if file_names:
        # In "Hanne_Jensen_2.docx" the underscore separates words.
        return re.compile(
            r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])", re.IGNORECASE
        )
    return re.compile(
        r"(?<!\w)(?:" + "|".join(alternatives) + r")(?:s|'s|’s|'|’)?(?!\w)",
        re.IGNORECASE,
    )


class Redactor:
    """A reusable redactor: compiles the names list once, then redacts many texts.

    Args:
        names: Names to replace (case-insensitive, whole words, possessive ``s`` included).
        lang: Language of the placeholders.
    """

    def __init__(self, *, names: Sequence[str] = (), lang: Literal["da", "en"] = "da") -> None:
        self._placeholders = placeholders_for(lang)
        self._names = NameReplacer(
            {n: self._placeholders["name"] for n in names},
            lang=lang,
            parts=False,
            keep_suffix=False,
            at_sentence_start=True,
        )
        # File names write "Hanne Jensen" as "hanne-jensen" or "Hanne_Jensen".
        self._names_in_file_names = _name_pattern(names, file_names=True)

    def redact(self, text: str) -> RedactionResult:
        """Replace personal data in ``text``.

        Args:
            text: Any text (already normalised to NFC is best).

        Returns:
            The redacted text and a count per kind.
        """
        counts: Counter[str] = Counter()
        ph = self._placeholders

        def email(match: re.Match[str]) -> str:
            counts["email"] += 1
            return ph["email"]

        def url(match: re.Match[str]) -> str:
            found = match.group(0)
            stripped = found.rstrip(_URL_TRAILING)
            counts["url"] += 1
            return ph["url"] + found[len(stripped) :]

        def cpr(match: re.Match[str]) -> str:
            if not _valid_cpr(match.group(1) + match.group(2), match.group(3)):
                return match.group(0)
            counts["cpr"] += 1
            return ph["cpr"]

        def phone(match: re.Match[str]) -> str:
            found = match.group(0)
            if found.startswith(("+", "00")):
                if not 8 <= _digits(found) <= 15:
                    return found
            else:
                parts = found.split(" ")
                # "2006 2007" is two years, not a phone number.
                if len(parts) == 2 and all(_YEAR.fullmatch(p) for p in parts):
                    return found
            counts["phone"] += 1
            return ph["phone"]

        text = _sub_near(_EMAIL_HINTS, _EMAIL, email, text)
        text = _sub_near(_URL_HINTS, _URL, url, text)
        text = _CPR.sub(cpr, text)
        text = _sub_near(_PHONE_HINTS, _PHONE, phone, text)
        text, named = self._names.replace(text)
        if named:
            counts["name"] += named
        return RedactionResult(text=text, counts=counts)

    def redact_file_name(self, name: str) -> str:
        """Replace the listed names in a file name or path ("hanne-jensen-opgave.docx").

        Only names: dates and numbers in file names are not phone or CPR numbers.

        Args:
            name: A file name or relative path.

        Returns:
            The name with each listed name replaced by the placeholder.
        """
        if self._names_in_file_names is None:
            return name
        return self._names_in_file_names.sub(self._placeholders["name"], name)


def redact(
    text: str, *, names: Sequence[str] = (), lang: Literal["da", "en"] = "da"
) -> RedactionResult:
    """Replace e-mail addresses, URLs, CPR numbers, phone numbers and ``names`` in ``text``.

    Args:
        text: The text to redact.
        names: Names to replace, matched case-insensitively as whole words, with possessive
            forms ("Hanne Jensens").
        lang: Language of the placeholders (``"da"``: ``[navn]``; ``"en"``: ``[name]``).

    Returns:
        The redacted text and a count per kind.

    >>> redact("Skriv til hanne@hk.dk eller ring 23 45 67 89").text
    'Skriv til [e-mail] eller ring [telefon]'
    """
    return Redactor(names=names, lang=lang).redact(text)


def read_names_file(path: Path | str) -> list[str]:
    """Read a ``--redact-names`` file: one name per line.

    Blank lines and lines starting with ``#`` are ignored. UTF-8 (with or without BOM) or
    Windows-1252.

    Args:
        path: The file.

    Returns:
        The names, in file order, without duplicates.

    Raises:
        UnreadableInput: If the file does not exist or cannot be read.
    """
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise UnreadableInput(
            f"names file {file} does not exist; give a text file with one name per line"
        ) from None
    except OSError as exc:
        raise UnreadableInput(f"names file {file} cannot be read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    names: list[str] = []
    seen: set[str] = set()
    for line in text.splitlines():
        name = " ".join(unicodedata.normalize("NFC", line).split())
        if not name or name.startswith("#"):
            continue
        if name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


# ------------------------------------------------------------- names that are words too

#: First names (and name parts) that are also ordinary Danish or English words. Such a
#: name is replaced only where it is written as a name: capitalised and not the first word
#: of a sentence ("Per sagde" stays ambiguous; "kr. per måned" and "Mark" at a sentence's
#: start are left alone).
NAME_WORDS: frozenset[str] = frozenset(
    """bo per mark bent kim dan vinter sommer storm skov lund dal ask birk eg sten ravn ørn
    falk lærke rose viol frank stig tage dag helle hans lone bjørn ulf finn max ring mose
    bro vang holm kær bæk hede bay will grace hope faith joy june april may august bill pat
    sue rich bob dawn ivy summer sky river crystal jack ray gene guy miles chase drew art
    bruger kollega deltager participant user colleague facilitator""".split()  # noqa: SIM905
)
#: Speaker labels such as "Bruger B", "Kollega C", "Participant AA": replaced only whole.
_LABEL = re.compile(r"^[^\W\d_]+ [A-ZÆØÅ]{1,2}$")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;»\"“”]\s+|\n)\s*[\"“«(\-–]*\s*$")


@functools.lru_cache(maxsize=4096)
def _is_word(name: str, lang: str) -> bool:
    lowered = name.lower()
    if lowered in NAME_WORDS:
        return True
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - wordfreq is a dependency
        return False
    # A common word in either language (names are often English words in Danish speech).
    return max(zipf_frequency(lowered, "da"), zipf_frequency(lowered, "en")) >= 5.0


@dataclass(frozen=True)
class _Variant:
    replacement: str
    exact: str  # the form as given (labels must match it exactly)
    label: bool
    word: bool


class NameReplacer:
    """Replace known names in text, as names only.

    Each name is matched whole ("Jonas Berg"), and its parts alone ("Jonas", "Berg"),
    whole words only, with a possessive "s" kept after the replacement. Three rules keep
    ordinary words intact:

    - a speaker label ("Bruger B", "Kollega C") is replaced only whole and as written, so
      "bruger" (uses) and "kollega" stay;
    - a name that is also a word (:data:`NAME_WORDS`, or a very common word in wordfreq:
      Bo, Per, Mark, Bent, Kim, Dan, Vinter …) is replaced only where it is capitalised and
      not the first word of a sentence;
    - other names are replaced in any case ("jonas" as a transcriber wrote it).

    Args:
        names: Name → replacement (a pseudonym or a placeholder).
        lang: The text's language.
        parts: Also replace each part of a many-word name alone ("Jonas" of "Jonas Berg").
        keep_suffix: Keep a possessive after the replacement ("Jonas'" → "Deltager A'");
            False swallows it (a placeholder: "Hanne Jensens" → "[navn]").
        at_sentence_start: Replace a name that is a word also first in a sentence. Quotes
            leave it (False: "Per måned …" stays verbatim); redacting assignments for the
            map, where nothing is quoted, errs towards privacy (True).
    """

    def __init__(
        self,
        names: Mapping[str, str],
        *,
        lang: str = "da",
        parts: bool = True,
        keep_suffix: bool = True,
        at_sentence_start: bool = False,
    ) -> None:
        self._keep_suffix = keep_suffix
        self._at_sentence_start = at_sentence_start
        variants: dict[str, _Variant] = {}
        for name, replacement in names.items():
            norm = " ".join(unicodedata.normalize("NFC", name).split())
            if not norm:
                continue
            label = bool(_LABEL.match(norm))
            variants.setdefault(
                norm.lower(),
                # A full name of two words or more is a name wherever it stands.
                _Variant(replacement, norm, label, " " not in norm and _is_word(norm, lang)),
            )
            if label or " " not in norm or not parts:
                continue
            for part in norm.split():
                if len(part) >= 2 and part.lower() not in variants:
                    variants[part.lower()] = _Variant(
                        replacement, part, False, _is_word(part, lang)
                    )
        self._variants = variants
        self._pattern = (
            re.compile(
                r"(?<!\w)("
                + "|".join(
                    r"\s+".join(re.escape(p) for p in v.split())
                    for v in sorted(variants, key=lambda v: (-len(v), v))
                )
                + r")(s|'s|’s|'|’)?(?!\w)",
                re.IGNORECASE,
            )
            if variants
            else None
        )

    def replace(self, text: str) -> tuple[str, int]:
        """Return ``text`` with the names replaced, and how many were."""
        if self._pattern is None or not text:
            return text, 0
        count = 0

        def sub(match: re.Match[str]) -> str:
            nonlocal count
            found, suffix = match.group(1), match.group(2) or ""
            variant = self._variants.get(" ".join(found.lower().split()))
            if variant is None:
                return match.group(0)
            if variant.label:
                if " ".join(found.split()) != variant.exact:
                    return match.group(0)
            elif variant.word and (
                not found[:1].isupper()
                or (
                    not self._at_sentence_start
                    and _SENTENCE_START.search(text, 0, match.start()) is not None
                )
            ):
                return match.group(0)
            count += 1
            return variant.replacement + (suffix if self._keep_suffix else "")

        return self._pattern.sub(sub, text), count
