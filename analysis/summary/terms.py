"""Key terms of a set of answers.

Uses the analysis pipeline's :func:`analysis.terms.extract_terms` (lemmas and multi-word
terms, as the network map extracts them) when it is installed; otherwise the most frequent
content lemmas and adjacent content-lemma pairs of the prepared answers.
"""

from __future__ import annotations

import importlib
import logging
from collections import Counter
from collections.abc import Sequence
from typing import Any

from analysis.summary.model import Lang
from analysis.summary.prepared import PreparedAnswer
from analysis.summary.text import summary_stop_terms

__all__ = ["key_terms", "term_document_frequency"]

log = logging.getLogger(__name__)


def _term_text(item: Any) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, tuple) and item and isinstance(item[0], str):
        return item[0]
    for attr in ("label", "term", "text", "key_text", "lemma"):
        value = getattr(item, attr, None)
        if isinstance(value, str):
            return value
    return None


def term_document_frequency(answers: Sequence[PreparedAnswer]) -> Counter[str]:
    """How many answers use each content lemma and each adjacent content-lemma pair."""
    df: Counter[str] = Counter()
    for a in answers:
        keys = set(a.content)
        for first, second in zip(a.lemmas, a.lemmas[1:], strict=False):
            if first in a.content and second in a.content and first != second:
                keys.add(f"{first} {second}")
        df.update(keys)
    return df


def key_terms(
    answers: Sequence[PreparedAnswer],
    *,
    lang: Lang,
    nlp: Any | None = None,
    max_terms: int = 8,
    use_pipeline: bool = True,
) -> tuple[str, ...]:
    """Return the key terms of some answers, most characteristic first.

    Args:
        answers: Prepared answers.
        lang: Their language.
        nlp: A spaCy pipeline for the analysis pipeline's term extraction.
        max_terms: At most this many terms.
        use_pipeline: Try :func:`analysis.terms.extract_terms` first.

    Returns:
        Terms as lemma strings (multi-word terms joined by spaces).
    """
    if not answers:
        return ()
    if use_pipeline:
        try:
            module = importlib.import_module("analysis.terms")
            found = module.extract_terms(
                [a.answer.text for a in answers],
                lang=lang,
                nlp=nlp,
                max_terms=max_terms,
                stop_terms=sorted(summary_stop_terms(lang)),
            )
            terms = [t for t in (_term_text(item) for item in found) if t]
            return tuple(dict.fromkeys(terms))[:max_terms]
        except (ImportError, AttributeError, TypeError) as exc:
            log.debug("analysis.terms unavailable (%s); counting lemmas", exc)
    df = term_document_frequency(answers)
    # A pair used twice says more than either word alone; single answers: plain frequency.
    ranked = sorted(
        (t for t, n in df.items() if " " not in t or n >= 2),
        key=lambda t: (-(df[t] + (0.5 if " " in t else 0.0)), t),
    )
    return tuple(ranked[:max_terms])
