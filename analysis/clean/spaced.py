"""Step 3: letter-spaced extraction garbage ("D a ta c e n tre re t").

Part of :mod:`analysis.clean`; the rules are described there.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence, Set

__all__ = ["vocabulary_of"]

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


# A token of one or two letters, with punctuation around it at most, and the whitespace
# before it (the text to scan starts with a line break, so the first token has some).
# Whether it is a fragment (no short word, no abbreviation in capitals) is checked in
# Python: a negative lookahead over the short words makes the scan four times slower.
# Both patterns start with a character class, not a lookbehind, so the regex engine skips
# ahead to the next space (or capital) instead of trying the pattern at every character.
_SHORT_TOKEN = re.compile(r"\s([\"'(\[]*([^\W\d_]{1,2})[\"').,;:!?\]]*)(?!\S)")
_SHORT_FORMS = frozenset(f for w in _SHORT_WORDS for f in (w, w.upper(), w.capitalize()))
_SINGLE_LETTER_WORDS = "".join(sorted(w.upper() for w in _SHORT_WORDS if len(w) == 1))
# A capital split from the rest of its word: "B orgeren", "E n rejs e" (not "I dag"): a
# capital after whitespace (or first), not one that is a word itself, then spaces.
_CAPITAL_SPLIT = re.compile(rf"[A-ZÆØÅ](?<!\S[A-ZÆØÅ])(?<![{_SINGLE_LETTER_WORDS}]) +[a-zæøå]")
_LETTER_TOKEN = re.compile(r"\S*[^\W\d_]\S*")


def _garbage_lines(lines: Sequence[str]) -> list[int]:
    """Indexes of the lines that look letter-spaced, found with whole-text scans."""
    # A line break first: every token then has whitespace before it, and position k + 1 of
    # this text is position k of the lines joined, so ``m.start()`` of a short token (its
    # whitespace) is where the token starts in the lines.
    text = "\n" + "\n".join(lines)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    # Most short tokens are short words ("i", "og", "at"): one set lookup settles them.
    fragments: Counter[int] = Counter(
        bisect_right(starts, m.start()) - 1
        for m in _SHORT_TOKEN.finditer(text)
        if m.group(2) not in _SHORT_FORMS and _is_fragment(m.group(2).casefold(), m.group(1))
    )
    flagged = {bisect_right(starts, m.start() - 1) - 1 for m in _CAPITAL_SPLIT.finditer(text)}
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
