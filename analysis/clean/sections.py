"""Steps 5 and 6: reflection and reference sections.

Part of :mod:`analysis.clean`; the rules are described there.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping

__all__ = [
    "ends_reference_section",
    "is_reference_heading",
    "is_reflection_heading",
    "is_section_heading",
]

# --- 5. reflection sections ------------------------------------------------------------

_NUMBER = r"(?P<num>\d+(?:\.\d+)*)\.?\s+"
_REFLECTION = re.compile(
    rf"^(?:{_NUMBER})?"
    r"(?:(?:personlige?|faglige?|egen|egne|afsluttende|kritisk|selv|personal|final|critical|"
    r"self)[- ]?)?"
    r"(?:refleksion(?:er)?|selvrefleksion|reflection(?:s)?|self-reflection)"
    r"(?:\s+(?:over|om|på|af|og|on|about|of|and)(?:\s+\S+){1,4})?"
    r"\s*:?$",
    re.IGNORECASE,
)
_SECTION_END = re.compile(
    rf"^(?:{_NUMBER})?"
    # Back matter, then the usual sections of a Danish (and English) assignment.
    r"(?:litteraturliste|litteratur|litteraturfortegnelse|referencer|referenceliste|kilder|"
    r"kildeliste|kildefortegnelse|bilag|bilagsoversigt|appendiks|noter|fodnoter|"
    r"bibliography|references|reference list|works cited|sources|appendix|appendices|notes|"
    r"indledning|problemformulering|metode|teori|empiri|analyse|diskussion|konklusion|"
    r"perspektivering|sammenfatning|opsummering|anbefalinger|handleplan|handlingsplan|"
    r"introduction|methods?|theory|analysis|discussion|conclusions?|recommendations|summary)"
    r"(?:\s+\S+)?\s*:?$",
    re.IGNORECASE,
)
_NUMBERED_HEADING = re.compile(rf"^{_NUMBER}[^\W\d_][^.!?]{{0,80}}$")


def is_reflection_heading(line: str) -> bool:
    """Whether ``line`` is a heading that starts a reflection section.

    >>> [is_reflection_heading(h) for h in ("5. Refleksion", "Personal reflection", "refleksion")]
    [True, True, False]
    """
    stripped = line.strip()
    if len(stripped) > 80 or not (stripped[:1].isupper() or stripped[:1].isdigit()):
        return False
    return _REFLECTION.match(stripped) is not None


def is_section_heading(line: str) -> bool:
    """Whether ``line`` is a standard section heading that ends a reflection section.

    >>> [is_section_heading(h) for h in ("Litteraturliste", "6. Konklusion", "Min konklusion")]
    [True, True, False]
    """
    stripped = line.strip()
    return len(stripped) <= 90 and _SECTION_END.match(stripped) is not None


def _number_tuple(num: str) -> tuple[int, ...]:
    return tuple(int(part) for part in num.split("."))


def _outranks(number: tuple[int, ...] | None, line: str) -> bool:
    """Whether ``line`` is a numbered heading at the same or a higher level than the
    section numbered ``number``, with a larger number ("6." or "5.3" after "5.2")."""
    if number is None:
        return False
    heading = _NUMBERED_HEADING.match(line)
    if heading is None:
        return False
    other = _number_tuple(heading.group("num"))
    return len(other) <= len(number) and other > number


def _cut_sections(
    lines: list[str],
    starts: Mapping[int, re.Match[str]],
    end_at: Callable[[int, str, tuple[int, ...] | None], str | None],
) -> tuple[list[str], list[tuple[int, int, str]]]:
    """Remove the sections that start at ``starts`` (line index -> heading match).

    A section runs up to the first later line for which ``end_at(index, stripped line,
    the heading's number)`` names a reason, or to the end. Returns the kept lines and, per
    section, (first line index, end index, why it ended there).
    """
    out: list[str] = []
    cuts: list[tuple[int, int, str]] = []
    i, n = 0, len(lines)
    while i < n:
        match = starts.get(i)
        if match is None:
            out.append(lines[i])
            i += 1
            continue
        number = _number_tuple(match.group("num")) if match.group("num") else None
        j, reason = i + 1, "the end of the document"
        while j < n:
            found = end_at(j, lines[j].strip(), number)
            if found is not None:
                reason = found
                break
            j += 1
        cuts.append((i, j, reason))
        i = j
    return out, cuts


def _remove_reflection(lines: list[str], counts: Counter[str]) -> tuple[list[str], list[str]]:
    starts = {
        index: match
        for index, line in enumerate(lines)
        if is_reflection_heading(line.strip())
        and (match := _REFLECTION.match(line.strip())) is not None
    }

    def end_at(index: int, line: str, number: tuple[int, ...] | None) -> str | None:
        if is_section_heading(line) or _outranks(number, line):
            return f"the heading on line {index + 1}"
        return None

    out, cuts = _cut_sections(lines, starts, end_at)
    notes: list[str] = []
    for i, j, end_reason in cuts:
        removed_words = sum(len(line.split()) for line in lines[i:j])
        notes.append(
            f"removed a reflection section (line {i + 1} up to {end_reason}, "
            f"{removed_words} words); use keep_reflection to keep it"
        )
        counts["reflection_sections"] += 1
        counts["reflection_words"] += removed_words
    return out, notes


# --- 6. reference sections -------------------------------------------------------------

_REFERENCE_WORDS = (
    r"(?:litteraturliste|litteratur|litteraturfortegnelse|litteraturhenvisninger|"
    r"referencer|referenceliste|kilder|kildeliste|kildefortegnelse|kildehenvisninger|"
    r"bibliografi|bibliography|references|reference list|works cited|sources|literature|"
    r"literature list)"
)
_REFERENCE = re.compile(
    rf"^(?:{_NUMBER})?"
    # An appendix that names itself a literature list: "Bilag 3: Litteraturliste".
    r"(?:(?:bilag|appendiks|appendix)\s+[\w.]{1,4}\s*[:.–-]?\s+)?"
    r"(?:(?:anvendt|anvendte|benyttet|benyttede|brugt|brugte|udvalgt|udvalgte|cited|"
    r"selected)\s+)?"
    rf"{_REFERENCE_WORDS}"
    rf"(?:\s+(?:og|and|&)\s+{_REFERENCE_WORDS})?"
    r"\s*:?$",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:1[5-9]|20)\d\d\b")


def _reference_match(line: str) -> re.Match[str] | None:
    stripped = line.strip()
    if len(stripped) > 80 or not (stripped[:1].isupper() or stripped[:1].isdigit()):
        return None
    return _REFERENCE.match(stripped)


def is_reference_heading(line: str) -> bool:
    """Whether ``line`` is a heading that starts a reference section (a literature list).

    >>> [is_reference_heading(h) for h in ("7. Litteraturliste", "References", "Bilag 1")]
    [True, True, False]
    >>> is_reference_heading("I litteraturen ser man flere modeller.")
    False
    """
    return _reference_match(line) is not None


def ends_reference_section(line: str) -> bool:
    """Whether ``line`` is a heading that ends a reference section: a standard section
    heading that is no reference heading (an appendix, notes, a conclusion) or a
    reflection heading.

    >>> [ends_reference_section(h) for h in ("Bilag 1", "Noter", "Kilder", "Smith (2010).")]
    [True, True, False, False]
    """
    if is_reference_heading(line):
        return False
    return is_section_heading(line) or is_reflection_heading(line)


def _heading_key(match: re.Match[str]) -> str:
    """A reference heading without its number, to find it again after the contents."""
    text = match.group(0)
    if match.group("num"):
        text = text[match.end("num") :]
    return " ".join(text.strip(" .:").casefold().split())


def _remove_references(lines: list[str], counts: Counter[str]) -> tuple[list[str], list[str]]:
    headings = [
        (index, match)
        for index, line in enumerate(lines)
        if (match := _reference_match(line)) is not None
    ]
    if not headings:
        return lines, []
    # A heading that comes again later is an entry of the table of contents.
    last = {_heading_key(match): index for index, match in headings}
    starts = {index: match for index, match in headings if last[_heading_key(match)] == index}

    def end_at(index: int, line: str, number: tuple[int, ...] | None) -> str | None:
        if index in starts:
            return f"the next reference heading on line {index + 1}"
        # "8. Konklusion" ends "7. Litteraturliste"; a numbered entry with a year does not.
        if ends_reference_section(line) or (not _YEAR.search(line) and _outranks(number, line)):
            return f"the heading on line {index + 1}"
        return None

    out, cuts = _cut_sections(lines, starts, end_at)
    notes: list[str] = []
    for i, j, end_reason in cuts:
        removed_lines = sum(1 for line in lines[i:j] if line.strip())
        removed_words = sum(len(line.split()) for line in lines[i:j])
        notes.append(
            f"removed a reference section (line {i + 1} up to {end_reason}, {removed_lines} "
            f"lines, {removed_words} words); use keep_references to keep it"
        )
        counts["reference_sections"] += 1
        counts["reference_lines"] += removed_lines
        counts["reference_words"] += removed_words
    return out, notes
