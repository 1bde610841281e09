"""Danish, English and mixed material for the language tests, written for them.

The short answers are the kind participants type in a Teams workshop (with the English loan
words Danish work language is full of); the thesis is a Danish master's thesis on transfer
of continuing education with what real ones carry: an English abstract, English block
quotations, an English quotation inside a Danish sentence and English titles in the
literature list. No real people; the quotations are written for the test.
"""

from __future__ import annotations

from pathlib import Path

#: Short Danish answers (none may be read as English, Norwegian or refused).
DANISH_ANSWERS = (
    "Jeg er enig.",
    "Ja, helt sikkert",
    "Godt forslag!",
    "Nej",
    "Det giver mening for mig",
    "Mere tid til kollegerne",
    "Vi skal have mere tid til sparring.",
    "Lederen skal bakke op om det, vi lærer.",
    "Vi deler for lidt viden på tværs af afdelingerne",
    "Det er svært at finde tid i hverdagen",
    "Jeg tror ikke det virker",
    "Kurser uden opfølgning er spild af penge",
    "Vi skal have mere tid til sparring og feedback i teamet.",
    "Onboarding og mentoring",
    "Mere fokus på data literacy",
    "Et fast møde hver måned hvor vi fortæller om kurserne",
    "Hvem betaler for det?",
    "Det har vi prøvet før, og det døde ud efter et halvt år",
    "Min leder spørger aldrig ind til hvad jeg har lært",
    "Vi mangler et sted at dele materialet, måske SharePoint?",
    "Enig med Deltager B",
    "Fyraftensmøder med kage",
    "Det kræver at ledelsen prioriterer det i budgettet",
    "Kan vi lave en podcast?",
    "Ikke i min afdeling",
    "Vi burde evaluere kurserne tre måneder efter",
    "Det handler om kultur, ikke om værktøjer",
    "Best practice deling på tværs",
    "Jeg har lært mest af at følge en erfaren kollega",
    "Tid. Det er altid tid.",
)

#: Short English answers that say they are English (at least two English function words).
ENGLISH_ANSWERS = (
    "We need more time for sharing.",
    "That makes sense to me",
    "The manager should support what we learn.",
    "We share too little knowledge across departments",
    "It is hard to find time in the daily work",
    "I don't think it works",
    "Courses without follow-up are a waste of money",
    "A fixed meeting every month where we talk about the courses",
    "Who is going to pay for this?",
    "We tried that before and it died out after half a year",
    "My manager never asks what I have learned",
    "We lack a place to share the material, maybe SharePoint?",
    "It requires that the management prioritises it in the budget",
    "Could we make a podcast about it?",
    "Not in my department, to be honest",
    "We should evaluate the courses three months after",
    "It is about culture, not about tools",
    "I learned the most from following an experienced colleague",
    "Time. It is always about time.",
    "The after-work meetings were the best part of the year",
)

#: Short English answers without the words that would tell: read in the workshop language.
AMBIGUOUS_ANSWERS = ("I agree.", "Yes, definitely", "Good idea!", "No", "OK")

NORWEGIAN_SHORT = (
    "Vi trenger mer tid til erfaringsdeling.",
    "Jeg er helt enig.",
    "Lederen må støtte det vi lærer.",
    "Det er vanskelig å finne tid i hverdagen",
)

NORWEGIAN_LONG = (
    "Vi har snakket mye om hvordan kunnskapen fra kursene kan bli brukt i hverdagen. Det "
    "viktigste for meg er at lederen spør hva vi har lært, og at vi får tid til å prøve det "
    "ut sammen med kollegaene. Noen ganger blir det bare med en rapport som ingen leser, og "
    "da er pengene egentlig bortkastet. Hvis vi skal lykkes, må vi ha et fast møte hver måned "
    "hvor noen forteller om et kurs, og så må vi ble enige om hva vi gjør annerledes etterpå. "
    "Det er ikke nok at én person har vært på kurs, hele avdelingen må være med."
)

SWEDISH_LONG = (
    "Vi har pratat mycket om hur kunskapen från kurserna kan användas i vardagen. Det "
    "viktigaste för mig är att chefen frågar vad vi har lärt oss, och att vi får tid att "
    "prova det tillsammans med kollegorna. Ibland blir det bara en rapport som ingen läser, "
    "och då är pengarna egentligen bortkastade. Om vi ska lyckas måste vi ha ett fast möte "
    "varje månad där någon berättar om en kurs, och sedan måste vi komma överens om vad vi "
    "gör annorlunda efteråt. Det räcker inte att en person har varit på kurs."
)

GERMAN_LONG = (
    "Wir haben viel darüber gesprochen, wie das Wissen aus den Kursen im Alltag genutzt "
    "werden kann. Das Wichtigste für mich ist, dass die Führungskraft fragt, was wir gelernt "
    "haben, und dass wir Zeit bekommen, es gemeinsam mit den Kollegen auszuprobieren. "
    "Manchmal bleibt es bei einem Bericht, den niemand liest, und dann ist das Geld "
    "eigentlich verschwendet. Wenn wir Erfolg haben wollen, brauchen wir jeden Monat ein "
    "festes Treffen, bei dem jemand von einem Kurs erzählt."
)

THESIS_TITLE = "Fra kursus til praksis. Transfer af efteruddannelse i en faglig organisation"

THESIS_ABSTRACT_HEADING = "Abstract"

THESIS_ABSTRACT = (
    "This thesis examines how the knowledge that employees gain from continuing education "
    "is turned into shared practice in a Danish trade union. Based on interviews with eight "
    "employees and three managers, and on the written assignments the employees handed in "
    "after their courses, the study shows that transfer depends less on the course itself "
    "than on what happens when the employee returns to work. Where the manager asks about "
    "the course and the team sets aside time to try out new methods, the knowledge spreads; "
    "where the assignment is filed and forgotten, it does not.",
    "The thesis argues that an organisation which wants its investment in education to pay "
    "off must treat transfer as a collective task: it should create recurring occasions for "
    "sharing, make the assignments visible to colleagues, and give managers a clear role in "
    "following up on what their employees have learned. These findings are discussed in the "
    "light of theories of communities of practice and of the transfer of training.",
)

#: English block quotations, each a paragraph of its own in the thesis.
THESIS_BLOCK_QUOTES = (
    "Transfer is not an event that happens at the end of a course; it is a process that "
    "unfolds over months, and it is shaped by the people the learner works with every day.",
    "When nobody asks what you learned, you soon stop believing that it matters. That is "
    "the quiet way in which most training is wasted.",
)

#: A Danish paragraph with an English quotation inside it.
THESIS_INLINE = (
    "Baldwin og Ford definerer transfer som “the degree to which trainees effectively apply "
    "the knowledge, skills and attitudes gained in a training context to the job”. "
    "Definitionen er nyttig, fordi den flytter blikket fra kurset til arbejdspladsen, men den "
    "siger ikke meget om, hvordan kollegerne tager del i processen."
)

THESIS_DANISH = (
    "Specialet undersøger, hvordan medarbejdernes viden fra efteruddannelse bliver til fælles "
    "praksis i en faglig organisation. Udgangspunktet er en undren over, at organisationen "
    "hvert år bruger mange penge på kurser og uddannelse, mens der kun sjældent bliver talt "
    "om, hvad medarbejderne har lært, når de kommer tilbage til arbejdet.",
    "Empirien består af interviews med otte medarbejdere og tre ledere samt de skriftlige "
    "opgaver, som medarbejderne afleverede efter deres kurser. Opgaverne er læst med henblik "
    "på, hvilke begreber medarbejderne selv bruger, når de beskriver deres læring, og "
    "interviewene er kodet med fokus på de situationer, hvor viden blev delt eller gik tabt.",
    "Analysen viser, at transfer af efteruddannelse afhænger mere af det, der sker efter "
    "kurset, end af selve kurset. Når lederen spørger ind til kurset, og teamet afsætter tid "
    "til at afprøve nye metoder, spreder viden sig til kollegerne. Når opgaven bliver lagt i "
    "en mappe og glemt, sker der ingenting.",
    "Medarbejderne beskriver lederens opbakning som afgørende. En medarbejder fortæller, at "
    "hun fik lov til at præsentere sin opgave på et personalemøde, og at flere kolleger "
    "bagefter kom og spurgte ind til metoderne. En anden medarbejder fortæller, at ingen "
    "nogensinde spurgte til hendes kursus, og at hun derfor holdt op med at bruge det, hun "
    "havde lært.",
    "Lederne ser selv opfølgningen som vigtig, men de peger på, at tiden ikke slår til. "
    "Opfølgning på kurser konkurrerer med driften, og når der er travlt, bliver samtalen om "
    "læring udskudt. Flere ledere efterlyser en fast struktur, så opfølgningen ikke afhænger "
    "af den enkelte leders overskud.",
    "Praksisfællesskaber er et centralt begreb i specialet. Viden bliver til praksis, når den "
    "bliver forhandlet i et fællesskab af kolleger, der arbejder med de samme opgaver. "
    "Medarbejderne i undersøgelsen deler viden i uformelle fællesskaber på tværs af "
    "afdelinger, men fællesskaberne er sårbare, fordi de hviler på enkelte ildsjæle.",
    "Specialet foreslår, at organisationen skaber faste anledninger til videndeling, for "
    "eksempel fyraftensmøder, hvor medarbejdere fortæller om deres kurser, og at opgaverne "
    "gøres synlige for kollegerne på intranettet. Lederne bør have en klar rolle i "
    "opfølgningen, og opfølgningen bør ske inden for tre måneder efter kurset.",
    "Medarbejderne efterlyser også bedre muligheder for sparring med kolleger, der har "
    "været på samme kursus. Sparring gør det lettere at omsætte viden til praksis, fordi "
    "medarbejderne kan afprøve nye metoder sammen og lære af hinandens erfaringer i det "
    "daglige arbejde.",
    "Konklusionen er, at transfer af efteruddannelse bør ses som en kollektiv opgave. "
    "Organisationen kan ikke overlade det til den enkelte medarbejder at omsætte viden fra "
    "kurset til praksis; det kræver opbakning fra lederen, tid i hverdagen og fællesskaber, "
    "hvor viden bliver delt og udviklet.",
)

THESIS_LITERATURE = (
    "Litteratur",
    "Baldwin, T. T. & Ford, J. K. (1988). Transfer of training: A review and directions for "
    "future research. Personnel Psychology, 41(1), 63–105.",
    "Wenger, E. (1998). Communities of Practice: Learning, Meaning, and Identity. Cambridge "
    "University Press.",
    "Illeris, K. (2011). Læring i arbejdslivet. Roskilde Universitetsforlag.",
)


def thesis_paragraphs() -> list[tuple[str, str]]:
    """The thesis in reading order as ``(style, text)``: title, abstract, body, literature."""
    body = list(THESIS_DANISH)
    rows: list[tuple[str, str]] = [("Title", THESIS_TITLE)]
    rows.append(("Heading 1", THESIS_ABSTRACT_HEADING))
    rows += [("Normal", p) for p in THESIS_ABSTRACT]
    rows.append(("Heading 1", "Indledning"))
    rows += [("Normal", p) for p in body[:3]]
    rows.append(("Quote", THESIS_BLOCK_QUOTES[0]))
    rows.append(("Heading 1", "Analyse"))
    rows += [("Normal", p) for p in body[3:6]]
    rows.append(("Normal", THESIS_INLINE))
    rows.append(("Quote", THESIS_BLOCK_QUOTES[1]))
    rows.append(("Heading 1", "Diskussion og konklusion"))
    rows += [("Normal", p) for p in body[6:]]
    rows.append(("Heading 1", THESIS_LITERATURE[0]))
    rows += [("Normal", p) for p in THESIS_LITERATURE[1:]]
    return rows


def write_thesis_docx(path: Path) -> Path:
    """Write the thesis as a real .docx (python-docx) and return its path."""
    from docx import Document as DocxDocument

    doc = DocxDocument()
    for style, text in thesis_paragraphs():
        doc.add_paragraph(text, style=style)
    doc.save(str(path))
    return path


def english_words_only() -> set[str]:
    """Lower-case words of the English parts that no Danish part of the thesis uses."""
    import re

    word = re.compile(r"[^\W\d_]+")
    english = " ".join([*THESIS_ABSTRACT, *THESIS_BLOCK_QUOTES, THESIS_INLINE.split("“")[1]])
    danish = " ".join([*THESIS_DANISH, THESIS_TITLE, THESIS_INLINE.split("”")[1]])
    return {w for w in word.findall(english.lower())} - {w for w in word.findall(danish.lower())}


#: One sentence each in languages with a stray "no", "me" or "a" that is not English.
OTHER_SENTENCES = {
    "es": "No me gusta nada esta idea, pero la reunión mensual puede ser útil para todos nosotros.",
    "it": "Non mi piace questa idea, ma la riunione mensile può essere utile a tutti noi e anche "
    "ai colleghi.",
    "pl": "Nie podoba mi się ten pomysł, ale comiesięczne spotkanie może być przydatne dla nas "
    "wszystkich.",
}
