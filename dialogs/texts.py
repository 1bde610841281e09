"""Everything the bot says, in Danish and English.

Plain, short sentences: some participants are dyslexic or weak in written Danish
(``../shared/METHOD.md``). Look a text up with :func:`text`; a missing key or an unfilled
``{placeholder}`` raises, so a typo never reaches a user as a half sentence.

>>> text("answers_count", "da", count=7)
'7 svar'
>>> text("answers_count", "en", count=1)
'1 answer'
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any, Literal

__all__ = ["LANGUAGES", "TEXTS", "Language", "duration", "language_of", "text"]

Language = Literal["da", "en"]
LANGUAGES: tuple[Language, ...] = ("da", "en")

TEXTS: Mapping[str, Mapping[str, str]] = {
    # --- counters and labels ---------------------------------------------------------
    "answers_count": {"da": "{count} svar", "en": "{count} answers"},
    "answers_count_one": {"da": "1 svar", "en": "1 answer"},
    "question_of": {"da": "Spørgsmål {number} af {total}", "en": "Question {number} of {total}"},
    "added_question_label": {"da": "Nyt spørgsmål", "en": "New question"},
    "send": {"da": "Send", "en": "Send"},
    "answer_privately": {"da": "Svar privat", "en": "Answer privately"},
    "answer_placeholder": {"da": "Skriv dit svar her …", "en": "Write your answer here …"},
    "choice_placeholder": {"da": "Vælg et svar", "en": "Pick an answer"},
    "question_closed": {"da": "Spørgsmålet er lukket.", "en": "This question is closed."},
    "question_open_hint": {
        "da": "Svar i kortet, skriv i chatten, eller svar privat.",
        "en": "Answer in the card, write in the chat, or answer privately.",
    },
    "private_question_hint": {
        "da": "Dit svar her er privat: det gemmes og tælles med, men vises ikke i gruppen.",
        "en": "Your answer here is private: it is stored and counted, never shown in the group.",
    },
    "no_phase": {"da": "Workshop", "en": "Workshop"},
    # --- setup ---------------------------------------------------------------------
    "setup_title": {"da": "Start en dataworkshop", "en": "Start a data workshop"},
    "setup_intro": {
        "da": "Vælg plan, serie og kort. Kun facilitatorer kan starte workshoppen.",
        "en": "Pick a plan, a series and a map. Only facilitators can start the workshop.",
    },
    "setup_plan": {"da": "Spørgeplan", "en": "Question plan"},
    "setup_series": {"da": "Serie", "en": "Series"},
    "setup_series_new": {"da": "Ny serie", "en": "New series"},
    "setup_series_name": {"da": "Navn på ny serie", "en": "Name of the new series"},
    "setup_map": {"da": "Netværkskort", "en": "Network map"},
    "setup_no_map": {"da": "Intet kort", "en": "No map"},
    "setup_org": {"da": "Organisationens navn", "en": "Organisation name"},
    "setup_language": {"da": "Sprog", "en": "Language"},
    "setup_mode": {"da": "Svarform", "en": "Answer mode"},
    "mode_named": {"da": "Med navn", "en": "Named"},
    "mode_pseudonymous": {
        "da": "Pseudonym (Deltager A, B …)",
        "en": "Pseudonymous (Participant A, B …)",
    },
    "mode_anonymous": {
        "da": "Anonym (ingen identitet gemmes)",
        "en": "Anonymous (no identity stored)",
    },
    "setup_submit": {"da": "Start workshoppen", "en": "Start the workshop"},
    "setup_started_by": {"da": "Startet af {name}", "en": "Started by {name}"},
    # --- welcome -------------------------------------------------------------------
    "welcome_title": {"da": "Velkommen til dataworkshoppen", "en": "Welcome to the data workshop"},
    "welcome_purpose": {
        "da": "Vi taler om, hvordan viden fra efteruddannelse i {org} kan komme i spil på "
        "arbejdspladsen. Der er ingen rigtige eller forkerte svar.",
        "en": "We talk about how knowledge from continuing education in {org} can be put to "
        "use at work. There are no right or wrong answers.",
    },
    "welcome_stored_label": {"da": "Det gemmer vi", "en": "What is stored"},
    "welcome_stored_named": {
        "da": "Dine svar med navn og tidspunkt.",
        "en": "Your answers with your name and the time.",
    },
    "welcome_stored_pseudonymous": {
        "da": "Dine svar og tidspunktet, under et pseudonym (fx Deltager A). Dit navn vises ikke.",
        "en": "Your answers and the time, under a pseudonym (e.g. Participant A). Your name is not shown.",
    },
    "welcome_stored_anonymous": {
        "da": "Kun dine svar og tidspunktet. Hvem der svarede, gemmes ikke.",
        "en": "Only your answers and the time. Who answered is not stored.",
    },
    "welcome_who_label": {"da": "Hvem ser det", "en": "Who sees it"},
    "welcome_who": {
        "da": "Facilitatoren og gruppen ser svarene i opsummeringen. Private svar vises aldrig i gruppen.",
        "en": "The facilitator and the group see the answers in the summary. Private answers are never shown in the group.",
    },
    "welcome_private_label": {"da": "Svar privat", "en": "Answer privately"},
    "welcome_private": {
        "da": "Tryk 'Svar privat' på et spørgsmål, eller skriv til mig i en 1:1-chat.",
        "en": "Press 'Answer privately' on a question, or write to me in a 1:1 chat.",
    },
    "welcome_withdraw_label": {"da": "Fortryd", "en": "Withdraw"},
    "welcome_withdraw": {
        "da": "Skriv '@workshopbot træk tilbage' for at trække dine svar tilbage, eller 'glem mig' for at slette alt om dig.",
        "en": "Write '@workshopbot withdraw' to withdraw your answers, or 'forget me' to delete everything about you.",
    },
    "welcome_consent": {
        "da": "Ved at svare giver du samtykke til, at dit svar gemmes til dette formål.",
        "en": "By answering you agree that your answer is stored for this purpose.",
    },
    # --- map -----------------------------------------------------------------------
    "map_title": {"da": "Netværkskortet: {name}", "en": "The network map: {name}"},
    "map_intro": {
        "da": "Kortet viser, hvilke ord der optræder sammen i opgaverne. Store ord bruges meget.",
        "en": "The map shows which words occur together in the assignments. Big words are used a lot.",
    },
    "map_clusters": {"da": "Klynger", "en": "Clusters"},
    "map_full_size": {"da": "Åbn i fuld størrelse", "en": "Open full size"},
    "map_alt": {
        "da": "Netværkskort over ord i opgaverne",
        "en": "Network map of terms in the assignments",
    },
    "setup_next": {
        "da": "Workshoppen er klar. Når kortet er parkeret og I er enige om udgangspunktet, "
        "så skriv 'næste' i chatten for at åbne det første spørgsmål. 'hjælp' viser alle "
        "kommandoer.",
        "en": "The workshop is ready. Once the map is parked and you agree on the premise, "
        "write 'next' in the chat to open the first question. 'help' lists every command.",
    },
    "map_parked": {
        "da": "Vi parkerer kortet for nu. I får en chance for at udforske det senere. "
        "Vores fælles udgangspunkt: opgaverne rummer viden, som går tabt, hvis den ikke bliver brugt.",
        "en": "We park the map for now. You will get a chance to explore it later. "
        "Our shared starting point: the assignments hold knowledge that is lost if it is not used.",
    },
    "map_unknown": {
        "da": "Jeg kender intet kort med navnet '{name}'. Kendte kort: {known}.",
        "en": "I know no map called '{name}'. Known maps: {known}.",
    },
    "map_none_stored": {
        "da": "Der er ingen gemte kort endnu. Gem et med 'workshopbot maps add NAVN MAPPE'.",
        "en": "No maps are stored yet. Store one with 'workshopbot maps add NAME DIR'.",
    },
    # --- facilitation --------------------------------------------------------------
    "refusal": {
        "da": "Det er kun facilitatoren, der kan bruge '{command}'. Skriv 'hjælp' for at se, hvad du kan.",
        "en": "Only the facilitator can use '{command}'. Write 'help' to see what you can do.",
    },
    "no_workshop": {
        "da": "Der kører ingen workshop her. Skriv '@workshopbot start' for at starte en.",
        "en": "No workshop is running here. Write '@workshopbot start' to start one.",
    },
    "already_running": {
        "da": "Der kører allerede en workshop her (nr. {id}). Afslut den først med 'afslut'.",
        "en": "A workshop is already running here (no. {id}). End it first with 'end'.",
    },
    "setup_already_sent": {
        "da": "Opsætningskortet er sendt. Udfyld det for at starte.",
        "en": "The setup card has been sent. Fill it in to start.",
    },
    "setup_done": {
        "da": "{name} startede workshop nr. {id}.",
        "en": "{name} started workshop no. {id}.",
    },
    "setup_missing": {
        "da": "Udfyld feltet '{field}' på opsætningskortet.",
        "en": "Fill in the field '{field}' on the setup card.",
    },
    "setup_not_facilitator": {
        "da": "Kun den, der skrev 'start' (eller mødets arrangør), kan starte workshoppen.",
        "en": "Only the person who wrote 'start' (or the meeting organiser) can start the workshop.",
    },
    "plan_unknown": {
        "da": "Jeg kender ingen plan med navnet '{plan}'. Skriv 'planer' for at se dem.",
        "en": "I know no plan called '{plan}'. Write 'plans' to see them.",
    },
    "setup_stale": {
        "da": "Dette opsætningskort er ikke længere aktuelt.",
        "en": "This setup card is no longer current.",
    },
    "wrong_state": {
        "da": "Det kan ikke lade sig gøre lige nu: {reason}",
        "en": "That is not possible right now: {reason}",
    },
    "reason_paused": {
        "da": "workshoppen er på pause. Skriv 'fortsæt'.",
        "en": "the workshop is paused. Write 'resume'.",
    },
    "reason_not_paused": {
        "da": "workshoppen er ikke på pause.",
        "en": "the workshop is not paused.",
    },
    "reason_no_more": {
        "da": "der er ikke flere spørgsmål. Skriv 'afslut' for at slutte.",
        "en": "there are no more questions. Write 'end' to finish.",
    },
    "reason_no_previous": {
        "da": "der er intet forrige spørgsmål.",
        "en": "there is no previous question.",
    },
    "reason_no_open": {"da": "intet spørgsmål er åbent.", "en": "no question is open."},
    "reason_nothing_parked": {
        "da": "der er ingen parkerede spørgsmål.",
        "en": "no question is parked.",
    },
    "reason_unknown_question": {
        "da": "jeg kender ikke spørgsmålet '{id}'. Resten af planen: {ids}.",
        "en": "I do not know the question '{id}'. The rest of the plan: {ids}.",
    },
    "reason_not_started": {
        "da": "workshoppen er ikke startet endnu.",
        "en": "the workshop has not started yet.",
    },
    "paused": {
        "da": "Workshoppen holder pause. Vi fortsætter om lidt.",
        "en": "The workshop is paused. We continue shortly.",
    },
    "resumed": {"da": "Vi fortsætter.", "en": "We continue."},
    "parked": {
        "da": "Spørgsmålet er parkeret. Vi vender tilbage til det senere.",
        "en": "The question is parked. We will return to it later.",
    },
    "reordered": {"da": "Ny rækkefølge: {ids}", "en": "New order: {ids}"},
    "added": {
        "da": "Spørgsmålet '{text}' kommer som det næste.",
        "en": "The question '{text}' comes next.",
    },
    "facilitator_added": {"da": "{name} er nu facilitator.", "en": "{name} is now a facilitator."},
    "facilitator_who": {
        "da": "Nævn personen med @, fx 'tilføj facilitator @Anna'.",
        "en": "Mention the person with @, e.g. 'facilitator add @Anna'.",
    },
    "time_box": {
        "da": "Tiden for spørgsmål '{question}' er gået ({duration}). {count} har svaret. Skriv 'næste', når I er klar.",
        "en": "Time is up for question '{question}' ({duration}). {count} answered. Write 'next' when you are ready.",
    },
    "ended": {
        "da": "Workshoppen er slut. Tak for jeres svar! Facilitatoren får en opsummering.",
        "en": "The workshop has ended. Thank you for your answers! The facilitator gets a summary.",
    },
    "all_done": {
        "da": "Det var det sidste spørgsmål. Skriv 'afslut' for at slutte, eller 'vend tilbage' til et parkeret spørgsmål.",
        "en": "That was the last question. Write 'end' to finish, or 'return' to a parked question.",
    },
    "summary_working": {"da": "Jeg laver opsummeringen …", "en": "I am making the summary …"},
    # --- answers -------------------------------------------------------------------
    "too_long": {
        "da": "Dit svar er {length} tegn. Det må højst være {limit}. Del det gerne op.",
        "en": "Your answer is {length} characters. It may be at most {limit}. Please split it.",
    },
    "empty_answer": {
        "da": "Svaret er tomt. Skriv noget i feltet.",
        "en": "The answer is empty. Write something in the box.",
    },
    "stale_question": {
        "da": "Det spørgsmål er lukket, så svaret blev ikke gemt. Det aktuelle spørgsmål kan du få med 'indhent'.",
        "en": "That question is closed, so the answer was not stored. Get the current one with 'catch up'.",
    },
    "answer_not_text": {
        "da": "Svaret kunne ikke læses som tekst, så det blev ikke gemt. Skriv det i feltet og send igen.",
        "en": "The answer could not be read as text, so it was not stored. Write it in the box and send it again.",
    },
    "workshop_ended": {
        "da": "Workshoppen er slut, så svaret blev ikke gemt.",
        "en": "The workshop has ended, so the answer was not stored.",
    },
    "answer_paused": {
        "da": "Workshoppen holder pause, så svaret blev ikke gemt. Skriv det igen, når vi fortsætter.",
        "en": "The workshop is paused, so the answer was not stored. Send it again when we continue.",
    },
    "other_workshop": {
        "da": "Det kort hører til en anden workshop, så svaret blev ikke gemt.",
        "en": "That card belongs to another workshop, so the answer was not stored.",
    },
    "answer_saved": {"da": "Tak! Dit svar er gemt.", "en": "Thank you! Your answer is stored."},
    "private_thanks": {
        "da": "Tak! Dit private svar er gemt. Det vises ikke i gruppen.",
        "en": "Thank you! Your private answer is stored. It is not shown in the group.",
    },
    "private_prompt": {
        "da": "Skriv dit svar her. Det gemmes og tælles med, men vises ikke i gruppen.",
        "en": "Write your answer here. It is stored and counted, but not shown in the group.",
    },
    "no_open_question_private": {
        "da": "Der er ikke noget åbent spørgsmål lige nu. Jeg sender det næste, når du beder om det med 'indhent'.",
        "en": "No question is open right now. Ask for the current one with 'catch up'.",
    },
    "withdrawn": {
        "da": "Dine svar i workshoppen er trukket tilbage ({count}). De indgår ikke i opsummeringen.",
        "en": "Your answers in the workshop are withdrawn ({count}). They are left out of the summary.",
    },
    "forgotten": {
        "da": "Du er glemt: {answers} svar og {participants} deltagelser er slettet.",
        "en": "You are forgotten: {answers} answers and {participants} participations are deleted.",
    },
    "error": {
        "da": "Beklager, noget gik galt. Prøv igen om lidt.",
        "en": "Sorry, something went wrong. Please try again shortly.",
    },
    "answer_not_stored": {
        "da": "Dit svar blev ikke gemt. Send det venligst igen.",
        "en": "Your answer was not stored. Please send it again.",
    },
    "answer_not_saved": {
        "da": "Dit svar er ikke gemt endnu: databasen svarer ikke lige nu. Teams sender det "
        "igen om lidt; stiger tælleren ikke inden for et minut, så send svaret igen.",
        "en": "Your answer is not saved yet: the database is not answering right now. Teams "
        "will deliver it again shortly; if the counter has not gone up within a minute, "
        "send your answer again.",
    },
    "private_failed_group": {
        "da": "{name}: jeg kunne ikke skrive til dig privat. Åbn en 1:1-chat med mig.",
        "en": "{name}: I could not write to you privately. Open a 1:1 chat with me.",
    },
    # --- status --------------------------------------------------------------------
    "status_title": {"da": "Status", "en": "Status"},
    "status_workshop": {"da": "Workshop", "en": "Workshop"},
    "status_state": {"da": "Tilstand", "en": "State"},
    "status_question": {"da": "Spørgsmål", "en": "Question"},
    "status_answers": {"da": "Svar på dette spørgsmål", "en": "Answers to this question"},
    "status_total": {"da": "Svar i alt", "en": "Answers in total"},
    "status_participants": {"da": "Deltagere", "en": "Participants"},
    "status_elapsed": {"da": "Tid siden start", "en": "Time since start"},
    "status_remaining": {"da": "Tilbage i planen", "en": "Left in the plan"},
    "status_parked": {"da": "Parkeret", "en": "Parked"},
    "state_setup": {"da": "opsætning", "en": "setting up"},
    "state_running": {"da": "kører", "en": "running"},
    "state_paused": {"da": "pause", "en": "paused"},
    "state_ended": {"da": "afsluttet", "en": "ended"},
    "none": {"da": "ingen", "en": "none"},
    # --- help ----------------------------------------------------------------------
    "help_title_facilitator": {
        "da": "Kommandoer for facilitatorer",
        "en": "Commands for facilitators",
    },
    "help_title_participant": {"da": "Kommandoer", "en": "Commands"},
    "help_intro": {
        "da": "Skriv @workshopbot og kommandoen. Svar på spørgsmål kan du bare skrive i chatten.",
        "en": "Write @workshopbot and the command. Answers to questions you simply write in the chat.",
    },
    "help_unknown": {
        "da": "Den kommando kender jeg ikke: '{text}'.",
        "en": "I do not know that command: '{text}'.",
    },
    # --- summary -------------------------------------------------------------------
    "summary_title": {"da": "Opsummering: {title}", "en": "Summary: {title}"},
    "summary_overview": {
        "da": "{answers} svar fra {participants} deltagere på {questions} spørgsmål. Varighed {duration}.",
        "en": "{answers} answers from {participants} participants to {questions} questions. Duration {duration}.",
    },
    "summary_missing": {"da": "Har ikke svaret: {names}", "en": "Did not answer: {names}"},
    "summary_everyone": {"da": "Alle har svaret.", "en": "Everyone answered."},
    "summary_no_answers": {"da": "Ingen svar.", "en": "No answers."},
    "summary_private": {"da": "(privat)", "en": "(private)"},
    "summary_more": {"da": "+ {count} flere", "en": "+ {count} more"},
    "summary_discussion": {"da": "Åben drøftelse", "en": "Open discussion"},
    "summary_skipped": {"da": "sprunget over", "en": "skipped"},
    "summary_parked": {"da": "parkeret", "en": "parked"},
    "summary_private_hidden": {
        "da": "{count} private svar er talt med, men vises ikke her.",
        "en": "{count} private answers are counted but not shown here.",
    },
    "anonymous": {"da": "Anonym", "en": "Anonymous"},
    # --- plans ---------------------------------------------------------------------
    "plans_title": {"da": "Spørgeplaner", "en": "Question plans"},
    "reword_which_plan": {
        "da": "Hvilken plan vil du ændre? Skriv dens navn: {plans}",
        "en": "Which plan do you want to change? Write its name: {plans}",
    },
    "reword_plan_retry": {
        "da": "Den plan kender jeg ikke. Skriv et af navnene: {plans}",
        "en": "I do not know that plan. Write one of the names: {plans}",
    },
    "reword_which_question": {
        "da": "Hvilket spørgsmål? Skriv dets id (fx q3).\n\n{questions}",
        "en": "Which question? Write its id (e.g. q3).\n\n{questions}",
    },
    "reword_question_retry": {
        "da": "Skriv et af spørgsmålenes id, fx q3.\n\n{questions}",
        "en": "Write one of the question ids, e.g. q3.\n\n{questions}",
    },
    "reword_new_text": {
        "da": "Skriv den nye formulering (højst {limit} tegn).",
        "en": "Write the new wording (at most {limit} characters).",
    },
    "reword_text_retry": {
        "da": "Skriv en tekst på højst {limit} tegn.",
        "en": "Write a text of at most {limit} characters.",
    },
    "cancelled": {"da": "Fint, jeg har stoppet.", "en": "Fine, I have stopped."},
    "plan_saved": {
        "da": "Planen '{plan}' er gemt som version {version}.",
        "en": "The plan '{plan}' is saved as version {version}.",
    },
    "plan_usage": {"da": "Sådan: {usage}", "en": "Usage: {usage}"},
    "plan_error": {
        "da": "Planen kunne ikke ændres: {reason}",
        "en": "The plan could not be changed: {reason}",
    },
    "plan_builtin_refused": {
        "da": (
            "'{plan}' er en indbygget plan, som kun driftsansvarlige kan ændre. Lav din egen "
            "kopi og ret i den: plan kopiér {plan} <ny-id>"
        ),
        "en": (
            "'{plan}' is a built-in plan that only operators can change. Make your own copy "
            "and change that: plan copy {plan} <new-id>"
        ),
    },
    "plan_not_owner": {
        "da": (
            "Kun planens ejer, en medejer eller en driftsansvarlig kan ændre '{plan}'. Lav din "
            "egen kopi og ret i den: plan kopiér {plan} <ny-id>"
        ),
        "en": (
            "Only the plan's owner, a co-owner or an operator can change '{plan}'. Make your "
            "own copy and change that: plan copy {plan} <new-id>"
        ),
    },
    "plan_no_owner": {
        "da": (
            "'{plan}' har ingen ejer endnu, så kun driftsansvarlige kan ændre den. Lav din egen "
            "kopi og ret i den: plan kopiér {plan} <ny-id>"
        ),
        "en": (
            "'{plan}' has no owner yet, so only operators can change it. Make your own copy "
            "and change that: plan copy {plan} <new-id>"
        ),
    },
    "plan_owners": {
        "da": "Ejer: {owner}. Medejere: {co_owners}.",
        "en": "Owner: {owner}. Co-owners: {co_owners}.",
    },
    "plan_owner_none": {
        "da": "ingen (kun driftsansvarlige)",
        "en": "none (operators only)",
    },
    "plan_history": {"da": "Historik", "en": "History"},
    "plan_shared": {
        "da": "{names} kan nu også ændre planen '{plan}'.",
        "en": "{names} can now change the plan '{plan}' too.",
    },
    "plan_share_who": {
        "da": "Nævn den, der skal kunne ændre planen, med @: plan del <plan> @navn",
        "en": "Mention who may change the plan with @: plan share <plan> @name",
    },
    "series_not_owner": {
        "da": (
            "Kun seriens ejer, en medejer eller en driftsansvarlig kan føje en workshop til "
            "serien. Vælg 'ny serie' i stedet."
        ),
        "en": (
            "Only the series' owner, a co-owner or an operator can add a workshop to the "
            "series. Choose 'new series' instead."
        ),
    },
    "series_no_owner": {
        "da": (
            "Serien har ingen ejer endnu, så kun driftsansvarlige kan føje workshops til den. "
            "Vælg 'ny serie' i stedet."
        ),
        "en": (
            "The series has no owner yet, so only operators can add workshops to it. Choose "
            "'new series' instead."
        ),
    },
    "not_member": {
        "da": (
            "Du er ikke med i den workshops chat, så dit svar blev ikke gemt. Svar i chatten "
            "for den workshop, du deltager i."
        ),
        "en": (
            "You are not in that workshop's chat, so your answer was not stored. Answer in "
            "the chat of the workshop you take part in."
        ),
    },
    "member_unknown": {
        "da": (
            "Jeg kunne ikke tjekke, at du er med i workshoppens chat, så intet blev gemt. "
            "Prøv igen om lidt."
        ),
        "en": (
            "I could not check that you are in the workshop's chat, so nothing was stored. "
            "Try again in a moment."
        ),
    },
    "outputs_not_member": {
        "da": ("Kort og opsummeringer fra en workshop vises kun for dem, der er med i dens chat."),
        "en": "A workshop's maps and summaries are shown only to people in its chat.",
    },
}

# The knowledge bank's texts (issue 16) live beside its use cases and are looked up here.
from dialogs.knowledge.texts import KB_TEXTS  # noqa: E402

if set(KB_TEXTS) & set(TEXTS):  # pragma: no cover - a clash is a programming error
    raise RuntimeError(f"text keys defined twice: {sorted(set(KB_TEXTS) & set(TEXTS))}")
TEXTS = {**TEXTS, **KB_TEXTS}


#: Units of :func:`duration`, per language: (minutes, seconds).
_DURATION_UNITS: Mapping[Language, tuple[str, str]] = {"da": ("min.", "sek."), "en": ("min", "s")}


def duration(seconds: int, language: str, /) -> str:
    """A time box's length as people say it: whole minutes, seconds, or both.

    >>> duration(20, "da"), duration(300, "da"), duration(90, "en")
    ('20 sek.', '5 min.', '1 min 30 s')

    Raises:
        ValueError: ``seconds`` is negative or not a whole number.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
        raise ValueError(f"a duration is a whole number of seconds >= 0, not {seconds!r}")
    minute_unit, second_unit = _DURATION_UNITS[language_of(language)]
    minutes, rest = divmod(seconds, 60)
    parts = [f"{minutes} {minute_unit}"] if minutes else []
    if rest or not minutes:
        parts.append(f"{rest} {second_unit}")
    return " ".join(parts)


def language_of(value: str | None, *, default: Language = "da") -> Language:
    """Map a language tag (``"da"``, ``"en-GB"``, ``None``) to a supported language."""
    if value:
        head = value.strip().lower()[:2]
        if head == "en":
            return "en"
        if head == "da":
            return "da"
    return default


def text(key: str, language: str, /, **values: Any) -> str:
    """Look up the text ``key`` in ``language`` and fill its placeholders.

    Args:
        key: A key of :data:`TEXTS`.
        language: ``"da"`` or ``"en"`` (other values fall back to Danish).
        **values: The placeholders' values.

    Raises:
        KeyError: When ``key`` is unknown or a placeholder has no value.
    """
    entry = TEXTS.get(key)
    if entry is None:
        raise KeyError(f"no text called {key!r}; add it to dialogs.texts.TEXTS")
    template = entry.get(language_of(language))
    if template is None:
        template = entry["da"]
    if key == "answers_count" and values.get("count") == 1:
        template = TEXTS["answers_count_one"][language_of(language)]
    needed = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    missing = needed - set(values)
    if missing:
        raise KeyError(f"text {key!r} needs {', '.join(sorted(missing))}; pass them")
    return template.format(**values)
