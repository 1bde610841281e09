"""The lemma lookup tables of spacy-lookups-data, loaded once and shared.

The lemmatizer (:mod:`analysis.nlp`) and the word classes (:mod:`analysis.wordclass`) both
read them; this module sits below both so that neither imports the other for them.
"""

from __future__ import annotations

import functools
from typing import Any

import spacy.util

from analysis.errors import InvalidParameter

__all__ = ["LEMMA_FIXES", "lookup_table"]

#: Corrections to the lookup tables where they pick the wrong homograph for this domain
#: ("lederne" is "the leaders", not a form of "led", joint).
LEMMA_FIXES: dict[str, dict[str, str]] = {
    "da": {
        "leder": "leder",
        "lederne": "leder",
        "ledernes": "leder",
        "lederen": "leder",
        "lederens": "leder",
        "ledere": "leder",
        "lederes": "leder",
        "leders": "leder",
        "data": "data",
        "viden": "viden",
        "videns": "viden",
        "deltager": "deltager",
        "deltagere": "deltager",
        "deltageren": "deltager",
        "deltagerne": "deltager",
        "deltagernes": "deltager",
        "medarbejdere": "medarbejder",
        "medarbejderes": "medarbejder",
        "medarbejdernes": "medarbejder",
        "medarbejderens": "medarbejder",
        "kompetencer": "kompetence",
        "kompetencerne": "kompetence",
        "virksomheder": "virksomhed",
        "virksomhedernes": "virksomhed",
        "virksomhedens": "virksomhed",
        "skabe": "skabe",
        "tage": "tage",
        "både": "både",
        "egne": "egen",
        "godt": "god",
        "svært": "svær",
        "frem": "frem",
    },
    "en": {},
}


@functools.lru_cache(maxsize=4)
def lookup_table(lang: str) -> dict[str, Any]:
    """The lemma lookup table (form -> lemma) for ``lang`` from spacy-lookups-data.

    Loaded once per language and shared (the lemmatizer and the word classes use it).
    """
    try:
        tables = spacy.util.registry.lookups.get(lang)
    except Exception as exc:  # catalogue raises its own RegistryError
        raise InvalidParameter(
            f"no lemma lookup tables for lang = {lang!r}; install spacy-lookups-data "
            "(pip install spacy-lookups-data) or name a trained pipeline with --model"
        ) from exc
    data: dict[str, Any] = dict(spacy.util.load_language_data(tables["lemma_lookup"]))
    return data
