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

Each step is a module of this package (:mod:`analysis.clean.chars`,
:mod:`~analysis.clean.running`, :mod:`~analysis.clean.spaced`, :mod:`~analysis.clean.hyphens`,
:mod:`~analysis.clean.sections`, :mod:`~analysis.clean.paragraphs`); :mod:`~analysis.clean.stage`
runs them in order. The public names are imported here, as before the split.
"""

from __future__ import annotations

from analysis.clean.options import CleanOptions, CleanResult, Vocabulary
from analysis.clean.sections import (
    ends_reference_section,
    is_reference_heading,
    is_reflection_heading,
    is_section_heading,
)
from analysis.clean.spaced import (
    _is_garbage,  # noqa: F401  (tests check the rule alone)
    vocabulary_of,
)
from analysis.clean.stage import clean_documents, clean_text, split_text_pages
from analysis.redact import read_names_file

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

#: The steps' examples, checked by ``doctest.testmod(analysis.clean)`` as before the split.
__test__ = {
    "clean_text": clean_text,
    "ends_reference_section": ends_reference_section,
    "is_reference_heading": is_reference_heading,
    "is_reflection_heading": is_reflection_heading,
    "is_section_heading": is_section_heading,
}
