"""Turn extracted page text into clean paragraphs: stage 2 of the pipeline.

:func:`clean_text` cleans one document; :func:`clean_documents` cleans a corpus (faster,
and it repairs letter-spaced lines with the words of every document). A document comes as
pages: a PDF's pages, or a text file split by :func:`split_text_pages` at form feeds or,
when it has none, at runs of two or more empty lines. The rules, in order:

1. **Characters**: NFC; every kind of space becomes one space; curly quotes, guillemets and
   primes become ``"`` and ``'``; the hyphen characters U+2010/U+2011 become ``-`` and the
   dashes ``–``; ligatures are split; zero-width characters are dropped; a soft hyphen
   survives only at a line end, where it marks a break.
2. **Running headers, footers and page numbers**: a line among the first or last three
   lines of a page that, with its digits ignored, comes back on other pages (at least three
   pages and a tenth of them, or half of them in a short document) is dropped. A line that
   is only a page number ("12", "- 12 -", "Side 12", "12 af 40") is dropped anywhere, and
   so is a table-of-contents line with a dot leader ("Indledning ........ 3").
3. **Letter-spaced extraction garbage** ("D a ta c e n tre re t"): a line where at least
   two words (and a fifth of them) are fragments of one or two letters that are no word,
   or where a capital stands apart from its word ("B orgeren"), is rejoined. Double spaces
   are taken as sure word gaps; inside them, fragments are grouped into the longest words
   the document (or the corpus) spells correctly elsewhere; runs of fragments between
   trusted words are glued into one word. A line that stays garbage is dropped, with a
   warning. Paragraphs made of many one-to-three-letter lines (letters set vertically)
   get the same treatment after step 7.
4. **Hyphenation**: a word broken at a line end with ``-``, U+2010 or a soft hyphen is
   joined ("virksomhe-/der" → "virksomheder"), also across one blank line or a page
   break. The hyphen is kept when the first part is an abbreviation in capitals or has a
   digit ("HK-/medlemmer" → "HK-medlemmer"), when the second part starts with a capital,
   or when the document spells the word with a hyphen and never without. A hyphen
   followed by a conjunction ("efter-/og videreuddannelse") is an enumeration and stays.
5. **Reflection sections** (unless ``keep_reflection``): a line that is only a heading such
   as "Refleksion", "Refleksioner", "Personlig refleksion", "5. Refleksion", "Refleksion
   over forløbet", "Reflection(s)" starts a section that is removed. A numbered heading
   ("5.2 Refleksion") ends at the next numbered heading of the same or a higher level
   with a larger number ("5.3 …", "6. …"), so a numbered list inside it does not end it.
   Any reflection section also ends at back matter or a standard section heading
   (Litteraturliste, Litteratur, Referencer, Kilder, Bilag, Noter, Bibliography,
   References, Appendix; Indledning, Problemformulering, Metode, Teori, Analyse,
   Diskussion, Konklusion, Perspektivering, Anbefalinger, Handleplan, Conclusion, …),
   which is kept (but see step 6 for reference sections). A Word heading style ends it
   at the next heading of its level. Otherwise it runs to the end of the document: in
   doubt, personal text goes.
6. **Reference sections** (unless ``keep_references``): a line that is only a heading such
   as "Litteraturliste", "Litteratur:", "7. Litteraturfortegnelse", "Anvendt litteratur",
   "Kilder og litteratur", "Referencer", "Kildeliste", "Bibliography", "References",
   "Works cited", "Sources" (or an appendix named so: "Bilag 3: Litteraturliste") starts a
   section that is removed: author names, titles, publishers and years are not the
   writer's words. The heading decides, not what follows it: a line-only heading removes
   its section even when prose follows, while the word in running text ("I litteraturen
   ser man …", a small letter, a longer line) never does. The section ends at the next
   heading that is no reference heading: a standard section heading or an appendix
   ("Bilag 1", "Appendix", "Noter", "Konklusion", …), a reflection heading, or, for a
   numbered heading, a numbered heading of the same or a higher level with a larger
   number and no year in it; otherwise it runs to the end. Appendices and notes are kept.
   When the same reference heading comes twice, the first is a table-of-contents entry
   and kept. A document that is only a reading list (its first line is the heading)
   loses everything and is skipped by :func:`analysis.ingest.ingest`, like a document
   that is all reflection. In a .docx file a reference heading with a Word heading style
   ends at the next heading of its level (:mod:`analysis.ingest`). This step runs just
   before step 5, so both kinds of warning give the line numbers of the document.
7. **Paragraphs**: lines of a paragraph are joined with a space. Blank lines separate
   paragraphs, except when the next line starts with a small letter or the previous one
   ends with a word no sentence ends with ("og", "for", "the", …) and not with a
   sentence end (wrapped text with blank lines between its lines). Without blank lines
   (PDF text), a line that stops well before the margin (under 60 % of the usual width, or
   under 85 % and ending a sentence) ends its paragraph when the next line starts with a
   capital or digit. A bullet starts a new paragraph and is removed. Paragraphs without a
   letter (table numbers, lone bullets) are dropped.
8. **Redaction** (:mod:`analysis.redact`): e-mail addresses, URLs, CPR numbers, phone
   numbers and the given names become placeholders. It runs on whole paragraphs, after
   hyphenated words are joined, so a name or address broken over two lines is still found.

Warnings say what was changed, with counts and line numbers but never the removed text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Literal

from analysis.errors import InvalidParameter
from analysis.redact import PLACEHOLDERS, Redactor, read_names_file

__all__ = [
    "CleanOptions",
    "CleanResult",
    "Vocabulary",
    "clean_documents",
    "clean_text",
    "ends_reference_section",
    "is_reference_heading",
    "is_reflection_heading",
    "is_section_heading",
    "read_names_file",
    "split_text_pages",
    "vocabulary_of",
]

#: Known words for repairing letter-spaced lines: a set, or a function that builds one on
#: first need (so a corpus without garbage never pays for it).
Vocabulary = Set[str] | Callable[[], Set[str]]


@dataclass(frozen=True)
class CleanOptions:
    """What cleaning removes.

    Attributes:
        keep_reflection: Keep reflection sections (they are removed by default, because
            they hold the most personal passages).
        keep_references: Keep reference sections: literature lists, references,
            bibliographies, source lists (removed by default: their author names, titles
            and years are not the writer's words).
        redact_names: Names to replace with a placeholder (case-insensitive, whole words,
            possessive forms included).
        lang: Language of the document: picks placeholders and heading words.
    """

    keep_reflection: bool = False
    keep_references: bool = False
    redact_names: Sequence[str] = ()
    lang: Literal["da", "en"] = "da"

    def __post_init__(self) -> None:
        if self.lang not in ("da", "en"):
            raise InvalidParameter(f"lang = {self.lang!r} is not supported; use 'da' or 'en'")
        if isinstance(self.redact_names, str):
            raise InvalidParameter(
                "redact_names must be a sequence of names, not one string; "
                "use read_names_file() for a file"
            )


@dataclass(frozen=True)
class CleanResult:
    """The cleaned text (paragraphs separated by ``"\\n\\n"``) and what cleaning changed."""

    text: str
    warnings: tuple[str, ...] = ()
    counts: Counter[str] = field(default_factory=Counter)


# --- 1. characters ---------------------------------------------------------------------

_CHAR_MAP: dict[int, str] = {}
for _chars, _repl in (
    ("“”„‟«»″〝〞＂", '"'),
    ("‘’‚‛′`´", "'"),
    ("‐‑", "-"),
    ("‒–—―−", "–"),
    (
        "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\v",
        " ",
    ),
    ("\u200b\u200c\u200d\u2060\ufeff", ""),
):
    for _ch in _chars:
        _CHAR_MAP[ord(_ch)] = _repl
_CHAR_MAP.update(
    {
        ord("…"): "...",
        ord("ﬀ"): "ff",
        ord("ﬁ"): "fi",
        ord("ﬂ"): "fl",
        ord("ﬃ"): "ffi",
        ord("ﬄ"): "ffl",
        ord("ﬅ"): "st",
        ord("ﬆ"): "st",
        ord("\r"): "\n",
        ord("\f"): "\n",
    }
)
for _code in (*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F):
    _CHAR_MAP[_code] = " "
# Symbol fonts (Wingdings) put their bullets in the private use area.
for _code in range(0xE000, 0xF900):
    _CHAR_MAP[_code] = "•"

_SOFT_HYPHEN = "\u00ad"
_INNER_SOFT_HYPHEN = re.compile(r"\u00ad(?![ ]*$)", re.MULTILINE)
_MULTI_SPACE = re.compile(r" {2,}")


def _normalise_chars(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).translate(_CHAR_MAP)
    if _SOFT_HYPHEN in text:
        text = _INNER_SOFT_HYPHEN.sub("", text)
    return text


# --- 2. headers, footers, page numbers -------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"^[-–(\[]?\s*(?:(?:side|page|s\.|p\.)\s*)?\d{1,4}\s*(?:(?:af|of|/)\s*\d{1,4})?\s*[-–)\]]?$",
    re.IGNORECASE,
)
_ROMAN = re.compile(r"^[ivxlc]{1,6}$", re.IGNORECASE)
# A table-of-contents line: a title, a dot leader, a page number ("Indledning ..... 3").
_TOC_LINE = re.compile(r"^\S.{0,150}?(?:\.{4,}|(?:\. ){4,}|_{4,}|(?:\.\.\.){2,})\s*\d{1,4}$")
_DIGITS = re.compile(r"\d+")
_EDGE_LINES = 3
_MAX_HEADER_CHARS = 150


def _header_key(line: str) -> str:
    return " ".join(_DIGITS.sub("#", line).casefold().split())


def _edge_indexes(lines: list[str]) -> list[int]:
    """Indexes of the first and last few non-blank lines of a page."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]))


def _remove_running_lines(pages: list[list[str]], counts: Counter[str]) -> list[list[str]]:
    n_pages = len(pages)
    edges = [_edge_indexes(lines) for lines in pages]
    seen: Counter[str] = Counter()
    if n_pages >= 2:
        for lines, indexes in zip(pages, edges, strict=True):
            keys = {_header_key(lines[i]) for i in indexes if len(lines[i]) <= _MAX_HEADER_CHARS}
            seen.update(keys)
    running = {
        key
        for key, count in seen.items()
        if (count >= 3 and count >= 0.1 * n_pages) or (count >= 2 and count >= 0.5 * n_pages)
    }
    result: list[list[str]] = []
    for lines, indexes in zip(pages, edges, strict=True):
        edge = set(indexes)
        kept: list[str] = []
        for i, line in enumerate(lines):
            stripped = line.strip()
            if stripped and _PAGE_NUMBER.match(stripped):
                counts["page_number"] += 1
                continue
            leader = "..." in stripped or ". . ." in stripped or "____" in stripped
            if leader and _TOC_LINE.match(stripped):
                counts["contents_line"] += 1
                continue
            if i in edge and (
                _header_key(stripped) in running or _ROMAN.match(stripped) is not None
            ):
                counts["running_line"] += 1
                continue
            kept.append(line)
        result.append(kept)
    return result


# --- 3. letter-spaced garbage ----------------------------------------------------------


def _word_list(words: str) -> frozenset[str]:
    return frozenset(words.split())


# One- and two-letter words, so "i dag og i fremtiden" is not mistaken for garbage.
_SHORT_WORDS = _word_list(
    "i å ø og at en et er på du de vi jo om så af os ud op nu ja ej nå da ad al is ro bo "
    "by dø gå få se ha ta tø ny to ti fx ok hr nr ca mv jf bl pt ml a am an as at be by "
    "do go he hi if in is it me my no of oh ok on or so to up us we "
)
# Frequent words, so a short line can be repaired before the document says much.
_COMMON_WORDS = _word_list(
    "og i at det en til er som på de med for af den der ikke han var jeg har ved sig et "
    "kan vi om så fra men hun man skal have bliver blev være eller når hvor hvad hvordan "
    "hvorfor også kun alle nye ny data deres vores mere meget andre anden samt både the "
    "and of to in is that for it as with was on be by this are or from at an "
)
_WORD = re.compile(r"[^\W\d_]+")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_EDGE_PUNCT = "\"'()[]{}.,;:!?–-•…*/"


def _core(token: str) -> str:
    return token.strip(_EDGE_PUNCT).casefold()


def _is_fragment(core: str, original: str) -> bool:
    """A token of one or two letters that is no word (and no abbreviation in capitals)."""
    if not core or len(core) > 2 or not core.isalpha() or core in _SHORT_WORDS:
        return False
    stripped = original.strip(_EDGE_PUNCT)
    if len(stripped) == 2 and stripped.isupper():
        return False
    # A list label: "a)", "(b)", "c."
    return not (len(core) == 1 and original.endswith((")", ".")))


# A token of one or two letters, with punctuation around it at most. Whether it is a
# fragment (no short word, no abbreviation in capitals) is checked in Python: a negative
# lookahead over the short words makes the scan four times slower.
_SHORT_TOKEN = re.compile(r"(?<!\S)[\"'(\[]*([^\W\d_]{1,2})[\"').,;:!?\]]*(?!\S)")
_SHORT_FORMS = frozenset(f for w in _SHORT_WORDS for f in (w, w.upper(), w.capitalize()))
_SINGLE_LETTER_WORDS = "".join(sorted(w.upper() for w in _SHORT_WORDS if len(w) == 1))
# A capital split from the rest of its word: "B orgeren", "E n rejs e" (not "I dag").
_CAPITAL_SPLIT = re.compile(rf"(?<!\S)(?![{_SINGLE_LETTER_WORDS}] )[A-ZÆØÅ] +[a-zæøå]")
_LETTER_TOKEN = re.compile(r"\S*[^\W\d_]\S*")


def _garbage_lines(lines: Sequence[str]) -> list[int]:
    """Indexes of the lines that look letter-spaced, found with whole-text scans."""
    text = "\n".join(lines)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    # Most short tokens are short words ("i", "og", "at"): one set lookup settles them.
    fragments: Counter[int] = Counter(
        bisect_right(starts, m.start()) - 1
        for m in _SHORT_TOKEN.finditer(text)
        if m.group(1) not in _SHORT_FORMS and _is_fragment(m.group(1).casefold(), m.group(0))
    )
    flagged = {bisect_right(starts, m.start()) - 1 for m in _CAPITAL_SPLIT.finditer(text)}
    for index, count in fragments.items():
        if count >= 2 and count >= 0.2 * len(_LETTER_TOKEN.findall(lines[index])):
            flagged.add(index)
    return sorted(flagged)


def _is_garbage(line: str) -> bool:
    """Whether a line looks letter-spaced ("D a ta c e n tre re t", "B orgeren i centrum")."""
    return bool(_garbage_lines([line]))


def _word_score(word: str, lexicon: Set[str]) -> float | None:
    """Score of a group of fragments if it is a known word, else ``None``."""
    if word in _SHORT_WORDS or word in _COMMON_WORDS or (len(word) >= 2 and word in lexicon):
        return 1.0 if len(word) <= 3 else float(len(word) ** 2)
    return None


def _is_strong(core: str, pieces: int, lexicon: Set[str]) -> bool:
    """A known word that can be trusted as a word boundary inside letter-spaced text.

    Short words only count when they stood alone: "e n" joined into "en" may as well be the
    middle of "centreret".
    """
    if pieces == 1 and len(core) >= 6:
        return True  # a long token is a word even if unknown ("Transformationsproces")
    if len(core) >= 4:
        return core in lexicon or core in _COMMON_WORDS
    return pieces == 1 and len(core) >= 2 and core in _COMMON_WORDS


_MAX_GROUP = 16


def _segment_chunk(tokens: list[str], lexicon: Set[str]) -> list[str]:
    """Group the fragments of one chunk (between double spaces) into words.

    Dynamic programming picks the grouping that forms the longest known words; runs of
    fragments between trusted words are then glued into one word each.
    """
    n = len(tokens)
    cores = [_core(t) for t in tokens]
    best: list[float] = [0.0] + [-math.inf] * n
    back: list[int] = [0] * (n + 1)
    for j in range(1, n + 1):
        for i in range(max(0, j - _MAX_GROUP), j):
            if best[i] == -math.inf:
                continue
            score = _word_score("".join(cores[i:j]), lexicon)
            if score is None:
                if j - i > 1:
                    continue
                # An unknown single token: fine if it looks like a word, bad if a fragment.
                score = -4.0 if _is_fragment(cores[i], tokens[i]) else 0.0
            total = best[i] + score
            if total > best[j]:
                best[j] = total
                back[j] = i
    groups: list[tuple[int, int]] = []
    j = n
    while j > 0:
        groups.append((back[j], j))
        j = back[j]
    groups.reverse()
    words: list[str] = []
    run: list[tuple[int, int]] = []
    for start, end in [*groups, (n, n)]:
        trusted = end == n == start or _is_strong("".join(cores[start:end]), end - start, lexicon)
        if not trusted:
            run.append((start, end))
            continue
        if run:
            first, last = run[0][0], run[-1][1]
            spaced = last - first >= 2 and sum(map(len, tokens[first:last])) / (last - first) < 2.5
            if spaced:
                words.append("".join(tokens[first:last]))
            else:
                words.extend(_attach_letters(["".join(tokens[a:b]) for a, b in run]))
            run = []
        if end > start:
            words.append("".join(tokens[start:end]))
    return words


def _attach_letters(run: list[str]) -> list[str]:
    """Attach single split-off letters to the next word ("S trategis k" → "Strategisk")."""
    words: list[str] = []
    pending = ""
    for token in run:
        core = _core(token)
        if len(core) == 1 and _is_fragment(core, token):
            if words and not token[:1].isupper() and not pending:
                words[-1] += token
            else:
                pending += token
            continue
        words.append(pending + token)
        pending = ""
    if pending:
        if words:
            words[-1] += pending
        else:
            words.append(pending)
    return words


_CHUNK_SPLIT = re.compile(r" {2,}")


def _join_split_capitals(tokens: list[str]) -> list[str]:
    """ "B orgeren" → "Borgeren": a capital that is no word belongs to what follows."""
    out: list[str] = []
    for token in tokens:
        if (
            out
            and len(out[-1]) == 1
            and out[-1].isupper()
            and out[-1].casefold() not in _SHORT_WORDS
            and token[:1].islower()
        ):
            out[-1] += token
        else:
            out.append(token)
    return out


def _repair_spaced(line: str, lexicon: Set[str]) -> str:
    chunks = [c.split(" ") for c in _CHUNK_SPLIT.split(line.strip()) if c.strip()]
    return " ".join(
        " ".join(_segment_chunk(_join_split_capitals([t for t in c if t]), lexicon)) for c in chunks
    )


def _words_outside(lines: Sequence[str], flagged: Sequence[int]) -> set[str]:
    skip = set(flagged)
    clean = "\n".join(line for i, line in enumerate(lines) if i not in skip)
    return set(_WORD.findall(clean.casefold()))


def vocabulary_of(texts: Iterable[str]) -> set[str]:
    """The words (lower case) of ``texts``, leaving out letter-spaced lines.

    For callers of :func:`clean_text` that clean a corpus one document at a time: pass it
    as ``vocabulary`` so a slide deck's broken words are repaired with the words its
    neighbours spell correctly (:func:`clean_documents` does this by itself).

    Args:
        texts: Raw or cleaned texts.

    Returns:
        The set of known words.
    """
    words: set[str] = set()
    for text in texts:
        lines = text.split("\n")
        words |= _words_outside(lines, _garbage_lines(lines))
    return words


def _repair_lines(
    lines: list[str], flagged: Sequence[int], lexicon: Set[str], counts: Counter[str]
) -> tuple[list[str], list[int]]:
    """Repair the flagged lines, or blank them when they stay garbage."""
    dropped: list[int] = []
    out = list(lines)
    for i in flagged:
        repaired = _repair_spaced(lines[i], lexicon)
        if _is_garbage(repaired):
            out[i] = ""
            dropped.append(i + 1)
            counts["garbage_dropped"] += 1
        else:
            out[i] = repaired
            counts["garbage_repaired"] += 1
    return out, dropped


# --- 4. hyphenation --------------------------------------------------------------------

_LAST_WORD = re.compile(r"([\w-]*\w)[-\u00ad]$")
_FIRST_WORD = re.compile(r"^ *([^\W\d_][\w-]*)(\S*)(.*)$", re.DOTALL)
_CONJUNCTIONS = frozenset({"og", "eller", "samt", "som", "til", "and", "or", "nor", "to"})
# Possessive quantifiers: without them every word start backtracks through the word.
_HYPHENATED = re.compile(r"\b\w++(?:-\w++)+")
_MAX_GAP = 1  # a break may span one blank line (wrapped text, or a page break)


_COMPOUND = re.compile(r"\w++(?:-\w++)*")


class _Spellings:
    """How a document spells its words, for deciding whether a broken hyphen stays."""

    def __init__(self, text: str) -> None:
        self._text = text
        self.hyphenated = {w.casefold() for w in _HYPHENATED.findall(text)}
        self._words: set[str] | None = None

    def has(self, word: str) -> bool:
        if self._words is None:
            # Built once, on the first doubt: a search per break would make long documents
            # quadratic.
            self._words = set(_COMPOUND.findall(self._text.casefold()))
        return word.casefold() in self._words


def _keep_hyphen(first: str, second: str, spellings: _Spellings) -> bool:
    letters = first.split("-")[-1]
    if (len(letters) >= 2 and letters.isupper()) or any(ch.isdigit() for ch in letters):
        return True
    if second[:1].isupper():
        return True
    if f"{first}-{second}".casefold() not in spellings.hyphenated:
        return False
    # Spelled with a hyphen elsewhere: keep it, unless it is also spelled without one.
    return not spellings.has(first + second)


def _ends_in_break(line: str) -> bool:
    """Whether a line ends in a hyphen right after a letter, or in a soft hyphen."""
    if not line or line[-1] not in "-\u00ad":
        return False
    return line[-1] == _SOFT_HYPHEN or (len(line) >= 2 and line[-2].isalpha())


def _dehyphenate(lines: list[str], counts: Counter[str]) -> list[str]:
    out: list[str | None] = [line.rstrip() for line in lines]
    if not any(_ends_in_break(line or "") for line in out):
        return lines
    spellings = _Spellings("\n".join(lines))
    for i in range(len(out)):
        # A joined line takes the next line's end, which may break again: loop. Lines
        # already joined stay None; ``after`` skips them so a long chain stays linear.
        after = i + 1
        while (line := out[i]) is not None and _ends_in_break(line):
            j = after
            blanks = 0  # lines already joined (None) do not count as a gap
            while j < len(out) and not (out[j] or "").strip():
                if blanks == _MAX_GAP and out[j] is not None:
                    break
                blanks += out[j] is not None
                j += 1
            following = out[j] if j < len(out) else None
            # Only the line's last 60 characters are searched: lines grow as they are joined.
            head = _LAST_WORD.search(line, max(0, len(line) - 60))
            tail = _FIRST_WORD.match(following) if following else None
            if head is None or tail is None:
                break
            second, punctuation, rest = tail.group(1), tail.group(2), tail.group(3)
            if second.casefold() in _CONJUNCTIONS:
                break  # "efter- og videreuddannelse" is an enumeration, not a break
            first = head.group(1)
            soft = line.endswith(_SOFT_HYPHEN)
            joiner = "" if soft or not _keep_hyphen(first, second, spellings) else "-"
            # The rest of the next line moves up too, so no artificial short line is left.
            rest = rest.strip()
            joined = line[: head.start()] + first + joiner + second + punctuation
            out[i] = f"{joined} {rest}" if rest else joined
            for k in range(after, j + 1):
                out[k] = None
            after = j + 1
            counts["hyphen_joined"] += 1
    return [line for line in out if line is not None]


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


# --- 7. paragraphs ---------------------------------------------------------------------

_BULLET = re.compile(r"^(?:[•▪■□◦●○‣⁃◆◇►▶✓✔❖➢➤·*–-]+|[no](?= [A-ZÆØÅ]))\s*")
_SENTENCE_END = (".", "!", "?", ":", '"', "'", ")")


# Words a sentence or heading cannot end with: the text goes on after a blank line.
_OPEN_ENDINGS = _word_list(
    "og i på for af til med en et den det de at som om fra ved eller men hvor der når the "
    "a an of to in and or for with on at by from "
)


def _last_word(line: str) -> str:
    parts = line.rsplit(" ", 1)
    return parts[-1].casefold()


def _line_width(lines: list[str]) -> int:
    lengths = sorted(len(line) for line in lines if line.strip())
    if not lengths:
        return 0
    return lengths[int(0.9 * (len(lengths) - 1))]


def _paragraphs(lines: list[str]) -> tuple[list[str], list[int]]:
    width = _line_width(lines)
    short = 0.6 * width
    paragraphs: list[list[str]] = []
    current: list[str] = []
    previous = ""
    blank_before = True
    for raw in lines:
        line = raw.strip()
        if not line:
            blank_before = True
            continue
        bullet = _BULLET.match(line)
        if bullet is not None and bullet.end() < len(line):
            line = line[bullet.end() :]
            new = True
        elif bullet is not None:
            continue  # a bullet alone on its line: the item follows
        elif not current:
            new = True
        elif blank_before:
            # Wrapped text with blank lines between its lines continues in small letters.
            new = previous.endswith(_SENTENCE_END) or not (
                line[:1].islower() or _last_word(previous) in _OPEN_ENDINGS
            )
        else:
            # A line that stops well before the margin ends its paragraph (or is a heading)
            # when the next line starts like a new one.
            stops_early = len(previous) < short or (
                len(previous) < 0.85 * width and previous.endswith((".", "!", "?", ":"))
            )
            new = stops_early and (line[:1].isupper() or line[:1].isdigit())
        if new and current:
            paragraphs.append(current)
            current = []
        current.append(line)
        previous = line
        blank_before = False
    if current:
        paragraphs.append(current)
    result: list[str] = []
    spaced: list[int] = []
    for parts in paragraphs:
        text = _MULTI_SPACE.sub(" ", " ".join(parts)).strip()
        if _HAS_LETTER.search(text):
            # Letters set one or two per line ("Tr / an / sit") only show once joined.
            tiny = sum(1 for part in parts if len(part) <= 3)
            if tiny >= 3 and tiny >= 0.5 * len(parts):
                spaced.append(len(result))
            result.append(text)
    return result, spaced


# --- the stage -------------------------------------------------------------------------

_SPLIT_PAGES = re.compile(r"\n{3,}")
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in sorted(PLACEHOLDERS)))


def split_text_pages(text: str) -> list[str]:
    """Split a plain-text extraction into pages for header and footer detection.

    Form feeds mark pages when the text has them; otherwise runs of two or more empty lines
    (where PDF-to-text tools put page and slide breaks) do.

    Args:
        text: The whole text of one file.

    Returns:
        The pages, in order (at least one).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text:
        return text.split("\f")
    return _SPLIT_PAGES.split(text)


_PLURAL = {
    "page_number": "page numbers",
    "running_line": "running header/footer lines",
    "contents_line": "table-of-contents lines",
    "hyphen_joined": "words hyphenated across lines joined",
    "garbage_repaired": "letter-spaced lines repaired",
}


@dataclass
class _Draft:
    """A document after the steps that need no other document: characters, running lines,
    and the letter-spaced lines found (repairing them may use the whole corpus)."""

    lines: list[str]
    flagged: list[int]
    counts: Counter[str]
    own_words: set[str] | None = None

    def words(self) -> set[str]:
        if self.own_words is None:
            self.own_words = _words_outside(self.lines, self.flagged)
        return self.own_words


def _check_pages(pages: Sequence[str]) -> None:
    if isinstance(pages, str):
        raise InvalidParameter("pages must be a sequence of page texts, not one string; use [text]")


def _prepare(pages: Sequence[str]) -> _Draft:
    counts: Counter[str] = Counter()
    page_lines = [[line.rstrip() for line in _normalise_chars(page).split("\n")] for page in pages]
    page_lines = _remove_running_lines(page_lines, counts)
    lines: list[str] = []
    for page in page_lines:
        start, end = 0, len(page)
        while start < end and not page[start].strip():
            start += 1
        while end > start and not page[end - 1].strip():
            end -= 1
        if start == end:
            continue
        if lines:
            lines.append("")  # a page break is one blank line
        lines.extend(page[start:end])
    return _Draft(lines=lines, flagged=_garbage_lines(lines), counts=counts)


def _finish(
    draft: _Draft, options: CleanOptions, lexicon: Callable[[], Set[str]], redactor: Redactor
) -> CleanResult:
    counts = draft.counts
    warnings: list[str] = []
    lines = draft.lines
    dropped: list[int] = []
    if draft.flagged:
        lines, dropped = _repair_lines(lines, draft.flagged, lexicon(), counts)
    lines = _dehyphenate(lines, counts)
    # Reference sections first: they usually come last, so the line numbers of both
    # kinds of warning stay those of the document.
    if not options.keep_references:
        lines, notes = _remove_references(lines, counts)
        warnings.extend(notes)
    if not options.keep_reflection:
        lines, notes = _remove_reflection(lines, counts)
        warnings.extend(notes)
    paragraphs, spaced = _paragraphs([line.replace(_SOFT_HYPHEN, "") for line in lines])
    flagged = [i for i in spaced if _is_garbage(paragraphs[i])]
    dropped_paragraphs: list[int] = []
    if flagged:
        paragraphs, dropped_paragraphs = _repair_lines(paragraphs, flagged, lexicon(), counts)
        paragraphs = [p for p in paragraphs if p]

    # Paragraphs hold no newline, so one pass over the joined text cannot join two of them.
    redacted = redactor.redact("\n\n".join(paragraphs))
    counts.update({f"redacted_{kind}": n for kind, n in redacted.counts.items()})
    text = redacted.text
    if redacted.counts:
        # A paragraph that was only an address or a name ("[url]") says nothing.
        text = "\n\n".join(
            p for p in text.split("\n\n") if _HAS_LETTER.search(_PLACEHOLDER.sub("", p))
        )

    if dropped:
        shown = ", ".join(str(n) for n in dropped[:10]) + (", …" if len(dropped) > 10 else "")
        where = f"line {shown}" if len(dropped) == 1 else f"lines {shown}"
        warnings.append(
            f"dropped {len(dropped)} letter-spaced line(s) that could not be repaired ({where})"
        )
    if dropped_paragraphs:
        warnings.append(
            f"dropped {len(dropped_paragraphs)} letter-spaced paragraph(s) that could not be "
            "repaired"
        )
    for key, label in _PLURAL.items():
        if counts[key]:
            warnings.append(f"{counts[key]} {label}")
    redactions = {
        k.removeprefix("redacted_"): v for k, v in counts.items() if k.startswith("redacted_")
    }
    if redactions:
        listed = ", ".join(f"{n} {kind}" for kind, n in sorted(redactions.items()))
        warnings.append(f"redacted personal data: {listed}")
    return CleanResult(text=text, warnings=tuple(warnings), counts=counts)


def clean_text(
    pages: Sequence[str],
    *,
    options: CleanOptions | None = None,
    vocabulary: Vocabulary | None = None,
) -> CleanResult:
    """Clean the pages of one document into redacted paragraphs.

    See the module documentation for every rule and its order. To clean many documents,
    :func:`clean_documents` is faster and repairs letter-spaced lines with the words of
    the whole corpus.

    Args:
        pages: The document's text, page by page (one string for a document without pages).
        options: What to remove; defaults to :class:`CleanOptions()`.
        vocabulary: Extra known words (lower case) for repairing letter-spaced lines, or a
            function returning them that is called only if such a line is found.

    Returns:
        The text with paragraphs separated by ``"\\n\\n"``, the warnings (counts and line
        numbers, never removed content) and a count per rule.

    Raises:
        InvalidParameter: If ``pages`` is a single string instead of a sequence of pages.

    >>> clean_text(["Kompetence-\\nudvikling for alle.\\n\\n3"]).text
    'Kompetenceudvikling for alle.'
    """
    _check_pages(pages)
    options = options or CleanOptions()
    draft = _prepare(pages)
    words: set[str] | None = None

    def lexicon() -> Set[str]:
        nonlocal words
        if words is None:
            words = draft.words()
            if vocabulary is not None:
                words = words | (vocabulary() if callable(vocabulary) else vocabulary)
        return words

    return _finish(draft, options, lexicon, Redactor(names=options.redact_names, lang=options.lang))


def clean_documents(
    documents: Sequence[Sequence[str]],
    *,
    options: CleanOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[CleanResult]:
    """Clean many documents; letter-spaced lines are repaired with the whole corpus's words.

    Each document is cleaned as by :func:`clean_text`, with the words every document spells
    correctly as its vocabulary (computed only if some document needs a repair).

    Args:
        documents: For each document, its pages.
        options: What to remove; defaults to :class:`CleanOptions()`.
        progress: Called with the number of documents finished so far, after each one.

    Returns:
        One result per document, in order.

    Raises:
        InvalidParameter: If a document is a single string instead of a sequence of pages.
    """
    options = options or CleanOptions()
    for pages in documents:
        _check_pages(pages)
    drafts = [_prepare(pages) for pages in documents]
    corpus_words: set[str] | None = None

    def lexicon() -> Set[str]:
        nonlocal corpus_words
        if corpus_words is None:
            corpus_words = set().union(*(draft.words() for draft in drafts))
        return corpus_words

    redactor = Redactor(names=options.redact_names, lang=options.lang)
    results: list[CleanResult] = []
    for number, draft in enumerate(drafts, start=1):
        results.append(_finish(draft, options, lexicon, redactor))
        if progress is not None:
            progress(number)
    return results
