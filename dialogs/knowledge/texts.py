"""What the knowledge bank says, in Danish and English (looked up through
:func:`dialogs.texts.text`, which merges these in). Short, plain sentences."""

from __future__ import annotations

__all__ = ["KB_TEXTS"]

KB_TEXTS: dict[str, dict[str, str]] = {
    # --- kursus: the guided dialog ------------------------------------------------------
    "kb_ask_course_name": {
        "da": "Hvilket kursus har du været på? Skriv kursets navn. (Skriv 'annuller' for at stoppe.)",
        "en": "Which course did you take? Write its name. (Write 'cancel' to stop.)",
    },
    "kb_ask_provider": {
        "da": "Hvem holdt kurset? Skriv udbyderen, fx en skole eller et akademi.",
        "en": "Who ran the course? Write the provider, e.g. a school or an academy.",
    },
    "kb_ask_dates": {
        "da": "Hvornår var kurset? Skriv første og sidste dag, fx 1/9/2026 - 3/9/2026.",
        "en": "When was the course? Write the first and last day, e.g. 1/9/2026 - 3/9/2026.",
    },
    "kb_bad_dates": {
        "da": "'{value}' kan jeg ikke læse som datoer. Skriv fx 1/9/2026 - 3/9/2026 eller 2026-09-01.",
        "en": "I cannot read '{value}' as dates. Write e.g. 1/9/2026 - 3/9/2026 or 2026-09-01.",
    },
    "kb_ask_level": {
        "da": "Hvilket niveau? Fx AMU, Fagprøve, Akademi, Diplom eller Master. Skriv '-' for at springe over.",
        "en": "Which level? E.g. AMU, Akademi, Diploma or Master. Write '-' to skip.",
    },
    "kb_bad_name": {
        "da": "Skriv et navn på højst {limit} tegn.",
        "en": "Write a name of at most {limit} characters.",
    },
    "kb_course_refused": {
        "da": "Kurset kunne ikke gemmes. Lad os starte forfra: hvad hed kurset?",
        "en": "The course could not be saved. Let us start again: what was the course called?",
    },
    "kb_course_ahead": {
        "da": "Tak. Kurset '{course}' er ikke slut endnu. Jeg skriver til dig før og efter kurset ({dates}). Når det er slut, så skriv 'kursus' og del tre nøglepunkter.",
        "en": "Thank you. The course '{course}' has not ended yet. I will write to you before and after it ({dates}). When it is over, write 'course' to share three key points.",
    },
    "kb_ask_point": {
        "da": "Nøglepunkt {n} af 3: hvad tager du med fra kurset? Skriv en kort sætning.",
        "en": "Key point {n} of 3: what do you take away from the course? Write a short sentence.",
    },
    "kb_point_too_long": {
        "da": "Nøglepunktet er {length} tegn. Gør det kortere end {limit} tegn.",
        "en": "The key point is {length} characters long. Keep it under {limit}.",
    },
    "kb_ask_visibility": {
        "da": "Hvem må se dine nøglepunkter? 1: mit team, 2: organisationen, 3: kun mig og min leder.",
        "en": "Who may see your key points? 1: my team, 2: the organisation, 3: only me and my manager.",
    },
    "kb_vis_team": {"da": "Mit team", "en": "My team"},
    "kb_vis_org": {"da": "Organisationen", "en": "The organisation"},
    "kb_vis_manager": {"da": "Kun mig og min leder", "en": "Only me and my manager"},
    "kb_ask_consent_title": {"da": "Sådan ser det ud", "en": "This is how it looks"},
    "kb_ask_consent": {
        "da": "Må jeg dele det med dit navn? Synligt for: {who}. Du kan altid trække det tilbage.",
        "en": "May I share it under your name? Visible to: {who}. You can always withdraw it.",
    },
    "kb_yes_share": {"da": "Ja, del det", "en": "Yes, share it"},
    "kb_no_share": {"da": "Nej, kun for mig", "en": "No, keep it to me"},
    "kb_yes_or_no": {"da": "Svar ja eller nej.", "en": "Answer yes or no."},
    "kb_shared": {
        "da": "Tak! Dine nøglepunkter er delt (synligt for: {who}). Kolleger kan finde dem med 'hvem ved'.",
        "en": "Thank you! Your key points are shared (visible to: {who}). Colleagues can find them with 'who knows'.",
    },
    "kb_kept_private": {
        "da": "Gemt, men ikke delt. Del det senere med 'kursus del {number}'.",
        "en": "Saved, not shared. Share it later with 'course share {number}'.",
    },
    "kb_cancelled": {"da": "Stoppet. Intet er delt.", "en": "Stopped. Nothing was shared."},
    "kb_stale_card": {
        "da": "Det kort er ikke aktivt længere. Skriv 'hjælp' for at se, hvad du kan.",
        "en": "That card is no longer active. Write 'help' to see what you can do.",
    },
    "kb_need_number": {
        "da": "Skriv nummeret også, fx '{command} 12'. Se numrene med 'kursus mine'.",
        "en": "Add the number, e.g. '{command} 12'. See the numbers with 'course mine'.",
    },
    "kb_not_yours": {
        "da": "Du har ingen nøglepunkter med nummer {number}. Se dine med 'kursus mine'.",
        "en": "You have no key points numbered {number}. See yours with 'course mine'.",
    },
    "kb_withdrawn": {
        "da": "Nøglepunkter {number} er trukket tilbage. Ingen andre kan se dem nu.",
        "en": "Key points {number} are withdrawn. Nobody else can see them now.",
    },
    "kb_edited": {
        "da": "Nøglepunkter {number} er rettet.",
        "en": "Key points {number} are updated.",
    },
    "kb_none_yet": {
        "da": "Du har ikke delt nøglepunkter endnu. Skriv 'kursus' for at begynde.",
        "en": "You have not shared any key points yet. Write 'course' to begin.",
    },
    "kb_mine_title": {"da": "Dine nøglepunkter", "en": "Your key points"},
    "kb_mine_hint": {
        "da": "'kursus del 12' deler, 'kursus træk 12' trækker tilbage, 'kursus ret 12' retter.",
        "en": "'course share 12' shares, 'course withdraw 12' withdraws, 'course edit 12' edits.",
    },
    "kb_state_shared": {"da": "delt ({who})", "en": "shared ({who})"},
    "kb_state_draft": {"da": "ikke delt", "en": "not shared"},
    "kb_state_withdrawn": {"da": "trukket tilbage", "en": "withdrawn"},
    "kb_by": {"da": "Delt af {name}", "en": "Shared by {name}"},
    "kb_someone": {"da": "en kollega", "en": "a colleague"},
    # --- subscriptions and digests -------------------------------------------------------
    "kb_subscribe_usage": {
        "da": "Skriv 'abonnér Excel' (et emne), 'abonnér kursus Projektledelse' eller 'abonnér @navn'.",
        "en": "Write 'subscribe Excel' (a topic), 'subscribe course Project management' or 'subscribe @name'.",
    },
    "kb_subscribe_self": {
        "da": "Du kan ikke abonnere på dig selv.",
        "en": "You cannot subscribe to yourself.",
    },
    "kb_mention_needed": {
        "da": "Vælg personen, så Teams laver det til et @navn (et blåt navn), og prøv igen.",
        "en": "Pick the person so that Teams makes it an @mention (a blue name), and try again.",
    },
    "kb_subscribed": {
        "da": "Du abonnerer nu på {kind}: {label}. Nye nøglepunkter kommer samlet højst én gang om dagen.",
        "en": "You now follow {kind}: {label}. New key points arrive together at most once a day.",
    },
    "kb_already_subscribed": {
        "da": "Du abonnerer allerede på {kind}: {label}.",
        "en": "You already follow {kind}: {label}.",
    },
    "kb_kind_topic": {"da": "emnet", "en": "the topic"},
    "kb_kind_course": {"da": "kurset", "en": "the course"},
    "kb_kind_person": {"da": "personen", "en": "the person"},
    "kb_no_subscriptions": {
        "da": "Du har ingen abonnementer.",
        "en": "You have no subscriptions.",
    },
    "kb_subscriptions_title": {"da": "Dine abonnementer:", "en": "Your subscriptions:"},
    "kb_unsubscribe_which": {
        "da": "Hvilket vil du afmelde? Skriv 'afmeld' og nummeret, eller 'afmeld alle'.",
        "en": "Which one? Write 'unsubscribe' and the number, or 'unsubscribe all'.",
    },
    "kb_unsubscribed": {
        "da": "{count} abonnement(er) afmeldt.",
        "en": "{count} subscription(s) ended.",
    },
    "kb_no_such_subscription": {
        "da": "Du har intet abonnement '{value}'. Skriv 'afmeld' for at se dem.",
        "en": "You have no subscription '{value}'. Write 'unsubscribe' to see them.",
    },
    "kb_digest_title": {
        "da": "Nyt fra kolleger ({count})",
        "en": "New from colleagues ({count})",
    },
    "kb_digest_hint": {
        "da": "Du får dette, fordi du abonnerer. Skriv 'afmeld' for at stoppe.",
        "en": "You get this because you subscribe. Write 'unsubscribe' to stop.",
    },
    # --- hvem ved ---------------------------------------------------------------------------
    "kb_who_knows_usage": {
        "da": "Skriv 'hvem ved' og et emne, fx 'hvem ved Excel'.",
        "en": "Write 'who knows' and a topic, e.g. 'who knows Excel'.",
    },
    "kb_no_results": {
        "da": "Ingen delte nøglepunkter om '{query}' endnu. Skriv 'abonnér {query}' for at få besked.",
        "en": "No shared key points about '{query}' yet. Write 'subscribe {query}' to hear about it.",
    },
    "kb_results_title": {"da": "Hvem ved noget om '{query}'", "en": "Who knows about '{query}'"},
    "kb_results_hint": {
        "da": "Tryk på en knap, så sætter jeg jer i kontakt (med et @navn i Teams).",
        "en": "Press a button and I will put you in touch (with an @mention in Teams).",
    },
    "kb_contact_button": {"da": "Kontakt nr. {n}", "en": "Contact no. {n}"},
    "kb_follow_button": {"da": "Følg personen", "en": "Follow this person"},
    "kb_contact_to_asker": {
        "da": "Skriv til {mention} om kurset '{course}'. Jeg har sagt til vedkommende, at du spørger.",
        "en": "Write to {mention} about the course '{course}'. I told them you are asking.",
    },
    "kb_contact_to_author": {
        "da": "{mention} har læst dine nøglepunkter fra '{course}' og vil gerne høre mere.",
        "en": "{mention} read your key points from '{course}' and would like to hear more.",
    },
    "kb_contact_self": {
        "da": "Det er dine egne nøglepunkter.",
        "en": "Those are your own key points.",
    },
    "kb_personal_only": {
        "da": "Det gør vi i din 1:1-chat med mig, så intet deles i gruppen. Skriv til mig der.",
        "en": "We do that in your 1:1 chat with me, so nothing is shared in the group. Write to me there.",
    },
    # --- check-ins ------------------------------------------------------------------------------
    "kb_checkin_title": {
        "da": "Opfølgning på kurset '{course}'",
        "en": "Follow-up on the course '{course}'",
    },
    "kb_checkin_before_intro": {
        "da": "Om en uge begynder kurset '{course}'. {count} korte spørgsmål om dine forventninger; svar her i chatten.",
        "en": "The course '{course}' starts in a week. {count} short questions about your expectations; answer here in the chat.",
    },
    "kb_reminder": {
        "da": "Påmindelse (jeg spørger kun denne ene gang mere).",
        "en": "A reminder (I only ask this once more).",
    },
    "kb_pick_one": {"da": "Vælg et svar.", "en": "Pick an answer."},
    "kb_comment_placeholder": {
        "da": "Vil du sige mere? (valgfrit)",
        "en": "Anything to add? (optional)",
    },
    "kb_share_answers": {
        "da": "Mine svar må vises med mit navn (ellers tælles de kun med)",
        "en": "My answers may be shown with my name (otherwise they are only counted)",
    },
    "kb_checkin_incomplete": {
        "da": "Vælg et svar ved hvert spørgsmål og send igen.",
        "en": "Pick an answer for each question and send again.",
    },
    "kb_checkin_thanks": {"da": "Tak for dine svar!", "en": "Thank you for your answers!"},
    "kb_checkin_closed": {
        "da": "Den opfølgning er lukket.",
        "en": "That follow-up is closed.",
    },
    "kb_checkin_text_empty": {
        "da": "Skriv dit svar som tekst.",
        "en": "Write your answer as text.",
    },
    # --- follow-ups ---------------------------------------------------------------------------
    # --- the summary card's proposals: follow-ups and topics -----------------------------
    "kb_summary_unknown_proposal": {
        "da": "Det forslag kan ikke bruges herfra: det findes ikke i workshoppens opsummering, eller det kom kun fra private svar. Skriv det med dine egne ord i workshoppens chat: 'opfølgning @navn 15/1/2027: forslaget'.",
        "en": "That proposal cannot be used from here: it is not in the workshop's summary, or it came only from private answers. Write it in your own words in the workshop's chat: 'follow up @name 2027-01-15: the proposal'.",
    },
    "kb_summary_pick_owner": {
        "da": "Vælg en ansvarlig blandt workshoppens deltagere. Er personen ikke på listen, så skriv 'opfølgning @navn 15/1/2027: forslaget' i workshoppens chat.",
        "en": "Choose an owner among the workshop's participants. If the person is not listed, write 'follow up @name 2027-01-15: the proposal' in the workshop's chat.",
    },
    "kb_summary_bad_date": {
        "da": "Vælg en dato efter i dag og højst {days} dage frem.",
        "en": "Choose a date after today and at most {days} days ahead.",
    },
    "kb_topic_title": {
        "da": "Nyt emne i videnbanken: {topic}",
        "en": "A new topic in the knowledge bank: {topic}",
    },
    "kb_topic_body": {
        "da": "Workshoppen foreslog det. Tryk 'Abonnér', så får du nye nøglepunkter om emnet fra kolleger i din 1:1-chat med mig (højst én samling om dagen). 'afmeld' stopper det.",
        "en": "The workshop proposed it. Press 'Subscribe' to get colleagues' new key points on it in your 1:1 chat with me (one digest a day at most). 'unsubscribe' stops it.",
    },
    "kb_topic_subscribe": {"da": "Abonnér", "en": "Subscribe"},
    "kb_topic_bad": {
        "da": "Skriv emnet med højst {limit} tegn, fx de vigtigste ord fra forslaget.",
        "en": "Write the topic in at most {limit} characters, e.g. the proposal's key words.",
    },
    "kb_topic_posted": {
        "da": "Emnet '{topic}' er sat i workshoppens chat; deltagerne kan abonnere på det.",
        "en": "The topic '{topic}' is posted in the workshop's chat; participants can subscribe to it.",
    },
    "kb_topic_subscribed": {
        "da": "Du abonnerer nu på '{topic}'. Nye nøglepunkter kommer i din 1:1-chat med mig.",
        "en": "You now subscribe to '{topic}'. New key points arrive in your 1:1 chat with me.",
    },
    "kb_topic_subscribed_say_hello": {
        "da": "Du abonnerer nu på '{topic}'. Skriv 'abonnér' til mig i vores 1:1-chat én gang, så samlingen kan nå dig dér (du ser så også dine abonnementer).",
        "en": "You now subscribe to '{topic}'. Write 'subscribe' to me once in our 1:1 chat, so the digest can reach you there (you will see your subscriptions too).",
    },
    "kb_follow_up_usage": {
        "da": "Skriv 'opfølgning @navn 15/1/2027: forslaget' (personen skal være et @navn).",
        "en": "Write 'follow up @name 2027-01-15: the proposal' (the person must be an @mention).",
    },
    "kb_follow_up_refused": {
        "da": "Kun workshoppens facilitatorer kan lave opfølgninger.",
        "en": "Only the workshop's facilitators can make follow-ups.",
    },
    "kb_follow_up_date_past": {
        "da": "Datoen skal ligge ude i fremtiden.",
        "en": "The date must be in the future.",
    },
    "kb_follow_up_created": {
        "da": "Opfølgning: '{proposal}'. Ansvarlig: {mention}. Jeg spørger den {date}, hvad der skete.",
        "en": "Follow-up: '{proposal}'. Owner: {mention}. On {date} I will ask what happened.",
    },
    "kb_follow_up_ask": {
        "da": "I en workshop blev du ansvarlig for: '{proposal}'. Hvad skete der? Svar kort her i chatten.",
        "en": "In a workshop you took on: '{proposal}'. What happened? Answer briefly here in the chat.",
    },
    "kb_follow_up_thanks": {
        "da": "Tak! Dit svar kommer med i seriens næste opsummering.",
        "en": "Thank you! Your answer goes into the series' next summary.",
    },
    # --- the transfer report card -------------------------------------------------------
    "kb_report_title": {"da": "Transfer: {scope}", "en": "Transfer: {scope}"},
    "kb_report_refused": {
        "da": "Rapporten kan kun ses af ledere og administratorer.",
        "en": "Only managers and operators can see the report.",
    },
}
