from __future__ import annotations

import gc
from pathlib import Path

import pytest
from spacy.tokens import Doc

from analysis.documents import Document
from analysis.errors import InvalidParameter
from analysis.nlp import load_pipeline, stop_words
from analysis.terms import (
    extract_term_table,
    extract_terms,
    read_stop_terms,
    read_synonyms,
)
from tests.analysis.map_fixtures import corpus_result, docs


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    return load_pipeline(lang="da")


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("medarbejderne", "medarbejder"),
        ("Medarbejderne", "medarbejder"),
        ("LEDERNE", "leder"),
        ("kompetenceudviklingen", "kompetenceudvikling"),
        ("virksomhederne", "virksomhed"),
        ("læringsforløbet", "læringsforløb"),  # unknown compound: lemma of its head
    ],
    ids=lambda v: v,
)
def test_danish_lookup_lemmas_are_case_insensitive(nlp, word: str, lemma: str) -> None:  # type: ignore[no-untyped-def]
    assert nlp(word)[0].lemma_ == lemma


def test_pipeline_is_cached_per_language(nlp) -> None:  # type: ignore[no-untyped-def]
    assert load_pipeline(lang="da") is nlp
    assert "lemmatizer" in nlp.pipe_names and "sentencizer" in nlp.pipe_names


def test_a_loaded_pipeline_is_left_out_of_garbage_collections(nlp) -> None:  # type: ignore[no-untyped-def]
    # Frozen objects are in no generation: a full collection does not walk them.
    lemmatizer = nlp.get_pipe("lemmatizer")
    alive = {id(o) for o in gc.get_objects()}
    assert id(nlp) not in alive and id(lemmatizer) not in alive
    assert gc.get_freeze_count() > 0
    # What is made afterwards is collected as usual.
    made_later: list[object] = [nlp]
    assert gc.is_tracked(made_later) and id(made_later) in {id(o) for o in gc.get_objects()}


def test_unknown_model_names_the_fix() -> None:
    with pytest.raises(InvalidParameter, match=r"no_such_model.*not installed"):
        load_pipeline(lang="da", model="no_such_model")


def test_english_pipeline_lemmatises() -> None:
    nlp_en = load_pipeline(lang="en")
    assert [t.lemma_ for t in nlp_en("Employees were learning")] == ["employee", "be", "learn"]


def _keys(table) -> set[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    return {t.key for t in table.terms}


def test_ngrams_never_cross_stop_words_punctuation_numbers_or_placeholders(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "\n\n".join(
        [
            "Kvaliteten af kosten. Kvaliteten af kosten.",
            "Projektleder 2024 rapport, projektleder 2024 rapport.",
            "Leder [navn] kursus og leder [navn] kursus.",
            "Leder [e-mail] netværk, leder [e-mail] netværk.",
        ]
    )
    table = extract_term_table(docs(text, text), nlp=nlp, max_terms=50)
    keys = _keys(table)
    assert ("kost", "kvalitet") not in keys  # "af" is a stop word
    assert ("projektleder", "rapport") not in keys  # a number stands between
    assert not any("navn" in k or "mail" in k or "e" in k for k in keys)
    assert ("kursus", "leder") not in keys
    assert ("kost",) in keys and ("kvalitet",) in keys


def test_variants_merge_into_one_term_with_its_base_form(nlp) -> None:  # type: ignore[no-untyped-def]
    # Inflected forms of one phrase, and of one word, are one term each; the written forms
    # are kept as variants, the one-word term is labelled by its base form.
    text = "\n\n".join(
        [
            "Digitale kompetencer er vigtige for medarbejderne.",
            "Digital kompetence hos medarbejderen.",
            "Medarbejdere med digitale kompetencer.",
        ]
    )
    table = extract_term_table(docs(text), nlp=nlp, max_terms=20)
    phrase = [t for t in table.terms if t.key == ("digital", "kompetence")]
    assert len(phrase) == 1
    assert phrase[0].frequency == 3
    assert set(phrase[0].variants) == {"digitale kompetencer", "digital kompetence"}
    assert phrase[0].label == "digitale kompetencer"  # the most frequent written form
    worker = [t for t in table.terms if t.key == ("medarbejder",)]
    assert len(worker) == 1 and worker[0].label == "medarbejder"
    assert set(worker[0].variants) == {"medarbejderne", "medarbejderen", "medarbejdere"}
    assert not any(t.label in {"medarbejderne", "medarbejdere"} for t in table.terms)


def test_stop_terms_and_synonyms(nlp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "\n\n".join(
        ["Kurser og uddannelse.", "Kurser og efteruddannelse.", "Møder og kurser."] * 2
    )
    base = _keys(extract_term_table(docs(text), nlp=nlp))
    assert ("kursus",) in base and ("efteruddannelse",) in base
    table = extract_term_table(
        docs(text),
        nlp=nlp,
        stop_terms=["kursus"],
        synonyms={"efteruddannelse": "uddannelse"},
    )
    keys = _keys(table)
    assert ("kursus",) not in keys
    assert ("efteruddannelse",) not in keys
    merged = next(t for t in table.terms if t.key == ("uddannelse",))
    assert merged.frequency == 4


def test_reads_stop_term_and_synonym_files(tmp_path: Path) -> None:
    stops = tmp_path / "stop.txt"
    stops.write_text("# comment\nprojekt\n\nrapport\n", encoding="utf-8")
    assert read_stop_terms(stops) == ["projekt", "rapport"]
    eq = tmp_path / "syn.txt"
    eq.write_text("efteruddannelse = uddannelse\n# x\nchef=leder\n", encoding="utf-8")
    assert read_synonyms(eq) == {"efteruddannelse": "uddannelse", "chef": "leder"}
    as_csv = tmp_path / "syn.csv"
    as_csv.write_text("variant,canonical\nchef,leder\n", encoding="cp1252")
    assert read_synonyms(as_csv) == {"chef": "leder"}
    bad = tmp_path / "bad.txt"
    bad.write_text("just one word\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"line 1.*variant = canonical"):
        read_synonyms(bad)


@pytest.mark.parametrize(
    ("unit", "expected_units"), [("document", 2), ("paragraph", 3), ("sentence", 5)]
)
def test_units(nlp, unit: str, expected_units: int) -> None:  # type: ignore[no-untyped-def]
    a = "Lederen taler. Lederen lytter.\n\nMedarbejderen lærer."
    b = "Lederen og medarbejderen. Lederen igen."
    table = extract_term_table(docs(a, b), nlp=nlp, unit=unit)  # type: ignore[arg-type]
    assert table.n_units == expected_units
    assert table.matrix.shape == (len(table.terms), expected_units)
    leder = next(i for i, t in enumerate(table.terms) if t.key == ("leder",))
    assert table.terms[leder].document_frequency == 2
    assert table.matrix[leder].sum() == table.terms[leder].frequency == 4


def test_invalid_options_name_the_value(nlp) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidParameter, match="max_terms = 0"):
        extract_term_table(docs("a b"), nlp=nlp, max_terms=0)
    with pytest.raises(InvalidParameter, match="unit = 'bogus'"):
        extract_term_table(docs("a b"), nlp=nlp, unit="bogus")  # type: ignore[arg-type]


def test_extract_terms_for_short_answers(nlp) -> None:  # type: ignore[no-untyped-def]
    answers = [
        "Vi skal have mere tid til kurser.",
        "Kurser giver mening, når lederen følger op.",
        "Lederen skal følge op på kurser.",
    ]
    terms = extract_terms(answers, nlp=nlp, max_terms=5)
    assert terms[0].key == ("kursus",) and "kurser" in terms[0].variants
    assert terms[0].document_frequency == 3
    assert len(terms) <= 5
    assert extract_terms([], nlp=nlp) == []


def test_noun_chunk_mode_uses_noun_phrases(nlp) -> None:  # type: ignore[no-untyped-def]
    from analysis.terms import _Classifier, _collect_chunks, _Collector

    words = ["de", "kortuddannede", "medarbejdere", "lærer", "nye", "metoder"]
    doc = Doc(
        nlp.vocab,
        words=words,
        pos=["DET", "ADJ", "NOUN", "VERB", "ADJ", "NOUN"],
        deps=["det", "amod", "nsubj", "ROOT", "amod", "obj"],
        heads=[2, 2, 3, 3, 5, 3],
        lemmas=["de", "kortuddannet", "medarbejder", "lære", "ny", "metode"],
    )
    collector = _Collector()
    _collect_chunks(doc, collector, _Classifier(nlp, stop_words(nlp)), 0, None)
    found = {" ".join(nlp.vocab.strings[h] for h in gram) for gram in collector.surface_ids}
    assert "kortuddannede medarbejdere" in found  # the whole phrase; its head is a part
    assert "metoder" in found
    assert "lærer" not in found  # a verb is no noun phrase
    assert not any(f.startswith("de ") for f in found)  # a determiner is no modifier


def test_corpus_domain_terms_rank_high_and_no_stop_word_is_a_term() -> None:
    result = corpus_result()
    keys = [t.key for t in result.terms]
    top = keys[:15]
    for expected in [("kompetenceudvikling",), ("medarbejder",), ("leder",)]:
        assert expected in top, f"{expected} not in the top 15: {top}"
    stops = stop_words(load_pipeline(lang="da"))
    for term in result.terms:
        assert not any(part in stops for part in term.key), term
        assert term.label.lower() not in stops
        assert "‐" not in term.label and "\u00ad" not in term.label  # hyphenation joined


# --------------------------------------------------------------------------- issue 13 rules
# Small texts written for the test; each pins one rule of the noun-phrase extraction.

_VERB_HEAVY = "\n\n".join(
    [
        "Lederne skal skabe rammer for efteruddannelse, og de skal sikre at medarbejderne "
        "kan lære noget nyt.",
        "Vi skal motivere medarbejderne, så de benytter efteruddannelse og tænker over "
        "hvad der sker bagefter.",
        "Det sker ofte, at lederen glemmer at følge op; man skal skabe tid og sikre "
        "opfølgning på efteruddannelse.",
        "Medarbejderne lærer meget, når lederen viser interesse og motiverer dem til at "
        "benytte kurserne.",
    ]
    * 2
)
_VERB_LEMMAS = {"skabe", "sikre", "lære", "motivere", "benytte", "tænke", "ske", "følge", "vise"}


def test_a_verb_never_becomes_a_node(nlp) -> None:  # type: ignore[no-untyped-def]
    from analysis.network import build_network

    table = extract_term_table(docs(_VERB_HEAVY), nlp=nlp, max_terms=50)
    keys = {t.key for t in table.terms}
    assert ("efteruddannelse",) in keys and ("medarbejder",) in keys and ("leder",) in keys
    for term in table.terms:
        assert not _VERB_LEMMAS & set(term.key), term
        assert not {"ofte", "noget", "meget"} & set(term.key), term  # nor adverbs, pronouns
    network = build_network(table, min_cooccurrence=1)
    for node in network.graph:
        assert not _VERB_LEMMAS & set(node.split()), node


def test_parts_of_a_term_are_no_island(nlp) -> None:  # type: ignore[no-untyped-def]
    from analysis.network import build_network

    # "lederuddannelse" occurs only inside "grundlæggende lederuddannelse": no node of its
    # own. "netværk" occurs inside "faglige netværk" and also on its own: it stays a term,
    # and its occurrences inside the phrase count for the phrase only.
    text = "\n\n".join(
        [
            "Den grundlæggende lederuddannelse gav faglige netværk.",
            "Efter den grundlæggende lederuddannelse fulgte coaching.",
            "Faglige netværk og coaching styrker lederen.",
            "Lederen savnede et netværk efter uddannelsen.",
            "Et netværk kræver tid, og coaching kræver tid.",
            "Den grundlæggende lederuddannelse og coaching af lederen.",
        ]
    )
    table = extract_term_table(docs(text), nlp=nlp, max_terms=30)
    keys = [t.key for t in table.terms]
    assert "grundlæggende lederuddannelse" in {t.label for t in table.terms}
    assert ("lederuddannelse",) not in keys  # never on its own
    assert ("grundlæggende",) not in keys  # a bare adjective is no term
    assert ("faglig", "netværk") in keys and ("netværk",) in keys  # stands on its own too
    netvaerk = keys.index(("netværk",))
    assert table.matrix[netvaerk].sum() == 2  # only where it stands alone
    network = build_network(table, min_cooccurrence=1)
    graph = network.graph
    for a, b in graph.edges:  # no link between a phrase and its own part
        assert not (set(a.split()) < set(b.split()) or set(b.split()) < set(a.split())), (a, b)


def test_an_enumeration_is_not_a_term(nlp) -> None:  # type: ignore[no-untyped-def]
    # A list (one item a line, or items without commas) gives one term per item.
    text = "\n\n".join(["Vi mangler:\nevner\nincitamenter\nressourcer\nhandlingsplan"] * 3)
    table = extract_term_table(docs(text), nlp=nlp, max_terms=20)
    assert table.terms
    assert all(t.n_words == 1 for t in table.terms), [t.key for t in table.terms]
    keys = {t.key for t in table.terms}
    assert ("incitament",) in keys and ("ressource",) in keys and ("handlingsplan",) in keys


def test_no_bare_adjective_number_or_foreign_function_word(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "\n\n".join(
        [
            "Konkrete mål og personlige mål for 2024.",
            "The future of work: konkrete mål, personlige mål og 25 kurser.",
            "Individuelle samtaler om konkrete mål og the future of work.",
        ]
    )
    table = extract_term_table(docs(text), nlp=nlp, max_terms=30)
    words = {part for t in table.terms for part in t.key}
    assert not {"the", "of", "2024", "25"} & words
    singles = {t.key[0] for t in table.terms if t.n_words == 1}
    assert not {"konkret", "personlig", "individuel"} & singles
    assert ("konkret", "mål") in {t.key for t in table.terms}


def test_specific_terms_outrank_general_words(nlp) -> None:  # type: ignore[no-untyped-def]
    # "behov" is the more frequent word here, but everyday Danish uses it far more often
    # than "efteruddannelse" (wordfreq): specificity puts the domain term first. The texts
    # around them are everyday Danish, as in a real assignment.
    everyday = [
        "Om morgenen cykler jeg til arbejde gennem byen, og vejret er tit koldt.",
        "Min familie bor i et hus med have, og om aftenen laver vi mad sammen.",
        "Weekenden går med fodbold, venner og en tur i skoven med hunden.",
        "Bilen står i garagen, fordi bussen kører hver halve time fra stationen.",
        "Avisen skriver om valget, om skatten og om prisen på boliger i landet.",
    ]
    text = "\n\n".join(
        everyday * 4
        + [
            "Der er behov for efteruddannelse.",
            "Behov og behov igen: efteruddannelse hjælper.",
            "Vores behov er store, og behov ændrer sig.",
            "Efteruddannelse dækker et behov, og efteruddannelse koster.",
        ]
    )
    table = extract_term_table(docs(text), nlp=nlp, max_terms=10)
    order = [t.key for t in table.terms]
    freq = {t.key: t.frequency for t in table.terms}
    assert freq[("behov",)] > freq[("efteruddannelse",)]
    assert order.index(("efteruddannelse",)) < order.index(("behov",))


_ENGLISH = "\n\n".join(
    [
        "The licensee shall keep the source code of the software and the copyright notice.",
        "Upon request, the licensor provides the source code unless the software is free.",
        "Whereas the copyright holder grants a licence, the licensee must keep the notice.",
        "The software and its source code are provided without warranty by the licensor.",
    ]
    * 2
)


def test_english_terms_have_no_function_words() -> None:
    nlp_en = load_pipeline(lang="en")
    table = extract_term_table(docs(_ENGLISH), nlp=nlp_en, max_terms=20)
    stops = stop_words(nlp_en)
    keys = {t.key for t in table.terms}
    assert ("code", "source") in keys and ("software",) in keys and ("licensor",) in keys
    for term in table.terms:
        assert not any(part in stops for part in term.key), term
        assert not {"shall", "upon", "unless", "whereas", "provide", "keep"} & set(term.key)


def test_english_licence_texts_top_terms_are_noun_phrases() -> None:
    from analysis.pipeline import AnalysisOptions, run_analysis
    from analysis.wordclass import word_classes

    folder = Path("/usr/share/common-licenses")
    files = [folder / n for n in ("Apache-2.0", "GPL-3", "MPL-2.0") if (folder / n).exists()]
    if len(files) < 2:
        pytest.skip("the Debian licence texts are not installed")
    texts = [Document(id=f.name, text=f.read_text(encoding="utf-8")) for f in files]
    result = run_analysis(texts, options=AnalysisOptions(lang="en"))
    stops = stop_words(load_pipeline(lang="en"))
    classes = word_classes("en")
    for term in result.terms[:40]:
        assert not any(part in stops for part in term.key), term
        assert (
            classes.of(term.label.split()[-1]) == "NOUN"
            or classes.of(term.variants[0].split()[-1]) == "NOUN"
        ), term


# Word-class evaluation on words written here and never used to tune the rules (a held-out
# set: nouns in many inflections, and verbs, adjectives, adverbs in several forms). Measured
# when written: Danish precision 0.97, recall 0.97; English precision 0.90, recall 0.93.
_HELD_OUT = {
    "da": (
        "kontrakten lønnen ferien sygefravær medarbejderudvikling trivsel "
        "arbejdspladsvurdering tillidsrepræsentanten ledelsesstil kursusdagen fagprøven "
        "eksamen karakteren opgaveskrivning problemformuleringen teorien analysen "
        "konklusionen kilderne interviewet spørgsmålet besvarelsen erfaringer "
        "forandringsledelse omstilling digitalisering automatisering robotter systemet "
        "brugerne kunderne",
        "ansætte afskedige forhandle betale deltog gennemførte skrev lærte diskuterede "
        "overvejer mener synes foreslår glad træt ansvarlig selvstændig fleksibel motiveret "
        "engageret usikker tilfreds effektiv bagefter endelig næsten sammen derfor "
        "alligevel udenfor",
    ),
    "en": (
        "contract salary holiday absence wellbeing assessment representative exam grade "
        "assignment theory analysis conclusion sources interview question answer "
        "experiences leadership automation robots system users customers workplace course "
        "skills competence feedback meeting",
        "hire dismiss negotiate pay attended completed wrote learned discussed considers "
        "believes suggests happy tired responsible independent flexible motivated engaged "
        "uncertain satisfied effective afterwards finally almost together thus nevertheless "
        "outside",
    ),
}


@pytest.mark.parametrize("lang", ["da", "en"])
def test_word_classes_find_nouns_with_high_precision_and_recall(lang: str) -> None:
    from analysis.wordclass import word_classes

    classes = word_classes(lang)
    nouns, others = (text.split() for text in _HELD_OUT[lang])
    found = [w for w in nouns if classes.is_noun(w)]
    wrong = [w for w in others if classes.is_noun(w)]
    precision = len(found) / (len(found) + len(wrong))
    recall = len(found) / len(nouns)
    missed = sorted(set(nouns) - set(found))
    assert precision >= 0.88, (precision, wrong)
    assert recall >= 0.9, (recall, missed)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_batched_phrase_walk_records_what_the_token_walk_records(lang: str) -> None:
    """The numpy walk over many paragraphs finds the same phrases, in the same order, with
    the same units, as the per-token walk paragraph by paragraph."""
    from analysis.terms import (
        _Classifier,
        _collect_phrases,
        _Collector,
        _PhraseBatch,
    )
    from analysis.wordclass import word_classes

    nlp_lang = load_pipeline(lang=lang)  # type: ignore[arg-type]
    lemmatizer = nlp_lang.get_pipe("lemmatizer")
    texts = [
        *("og.", "i", ", 12", "[navn]", "at"),  # a batch without a phrase
        "Kortuddannede medarbejdere [navn] efteruddannelse. Grundlæggende lederuddannelse",
        "[navn  ledere] digitale kompetencer\nnye  medarbejdere i 2024 strategisk ledelse",
        "Source code and open data] new employees [the public sector\n\nrisk assessment",
        "",
        "   ",
        "[",
        "leder] medarbejder",
        "Arbejdsmiljø, trivsel og sikkerhed — digital transformation og kunstig intelligens",
    ] * 3
    results = []
    for batched in (False, True):
        classifier = _Classifier(
            nlp_lang,
            stop_words(nlp_lang),
            lemmatizer,
            word_classes(lang),  # type: ignore[arg-type]
        )
        collector = _Collector()
        batch = _PhraseBatch(collector, classifier)
        for unit, doc in enumerate(nlp_lang.pipe(texts, disable=["lemmatizer"])):
            if batched:
                batch.add(doc, unit // 2)
                if len(batch) == 5:
                    batch.run()
            else:
                _collect_phrases(doc, collector, classifier, unit // 2, None)
        batch.run()
        results.append(
            (
                list(collector.surface_ids.items()),
                collector.surface_lemmas,
                collector.occ_surface,
                collector.occ_unit,
                collector.n_tokens,
                collector.n_words,
            )
        )
    assert results[0][2], "the texts hold phrases"
    assert results[1] == results[0]
