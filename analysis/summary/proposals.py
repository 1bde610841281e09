"""Proposals: sentences that propose or demand something, grouped when they say the same.

A sentence is a proposal when it matches one of the language's patterns ("vi skal …",
"man burde …", "we should …", "I suggest …", …). Two proposals say the same thing when
their content lemmas overlap enough (Jaccard similarity, computed for all pairs at once
with a sparse matrix product); a group is led by its first proposal and holds the later
ones similar to it.

Support for a group comes from later answers in the same question, by others: an agreement
marker that answers one of its mentions, or an answer repeating its key terms.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.sparse import csr_matrix

from analysis.errors import InvalidParameter
from analysis.summary.model import AgreementSignal, Lang, Proposal, ProposalMention, format_offset
from analysis.summary.prepared import PreparedAnswer, PreparedQuestion

__all__ = [
    "MODAL",
    "PATTERNS",
    "PROPOSAL_THRESHOLD",
    "SUGGESTING",
    "WEIGHTS",
    "find_proposals",
    "group_lemma_sets",
    "is_proposal",
    "jaccard",
    "proposal_evidence",
]


def _compile(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


# Every pattern runs on the lower-cased sentence.
#: Forms that propose by themselves, even as a question ("Hvad med at …?", "What if …?").
SUGGESTING: dict[str, tuple[re.Pattern[str], ...]] = {
    "da": _compile(
        r"\bhvad med (at|om|en|et)\b",
        r"\bhvad (nu )?hvis\b",
        r"\b(ville|kunne) (jeg|vi) (?:(?!ikke\b|aldrig\b)\w+ ){0,2}(ønske|foreslå|anbefale)\b",
        r"\b(det der skal til|det vi mangler|det vi har brug for) (er|ville være) (at|en|et|nogle|mere)\b",
        r"\bville det (ikke )?(også )?være (nemmere|lettere|bedre|smart|en idé|en god idé)\b",
        r"\bman (kan|kunne) (jo |også |bare |altid |sagtens )+(?!se\b|sige\b|mærke\b|høre\b)\w+",
        r"\bhvorfor (laver|gør|prøver|holder|tager|bruger|starter|sætter) vi (så )?ikke\b",
        r"\bkunne (godt|rigtig godt) tænke (mig|os)\b",
        r"\b(en|et|min|vores|mit|én) (anden )?(idé|ide|forslag|mulighed) (kunne|ville|er|var) "
        r"(at|være)\b",
        r"\bdet (ville|vil|kunne) (også |nok |virkelig |helt klart |jo )*(hjælpe|gøre en "
        r"(stor |kæmpe |reel )?forskel|være en (stor |god )?hjælp)\b",
        r"\b(det bedste|det letteste|det nemmeste) (ville|vil|kunne) være\b",
        r"\bhvorfor ikke\b",
        r"\blad os\b",
        r"\b(kunne|skulle|burde) vi ikke\b",
        r"\bskal vi ikke\b",
        # "jeg vil forsigtigt foreslå", "jeg foreslår altså": one or two adverbs between.
        r"\bjeg (vil |ville )?(?:(?!ikke\b|aldrig\b|ik\b)\w+ ){0,2}(foreslå|foreslår|anbefale|anbefaler)\b",
        # "Han kunne jo bare sætte sig ned med en": anyone but the speaker "could just" do it.
        r"\b(?<!jeg )(kan|kunne) (jo |også |vel )?bare (?!ikke\b|se\b|sige\b|mærke\b|høre\b)\w+",
        r"\b(mit|et|vores) forslag\b",
        r"\bforslag:",
        r"\banbefale[st]? at\b",
        r"\bdet (kunne|ville|vil|ku') (også )?(måske )?være (en )?(rigtig |virkelig |meget )?"
        r"(god|godt|smart|fint|rart|nyttigt|spændende|en fordel|en idé|idé|oplagt|fedt|dejligt|sjovt|"
        r"skønt|super|bedre|ideelt|optimalt)",
        r"\bdet (er|var) en god idé at\b",
        r"\bhvis (man|vi|de|der|lederne|lederen|ledelsen|alle|hver) (bare )?(kunne|ville)\b",
        # "hvis eleverne fik lov til …, så ville det gøre mere indtryk"
        r"\bhvis\b.*\b(så )?(ville|kunne) (det|man|vi|de|folk)\b(?! have)",
        r"\b(ville|vil|kunne) (også )?være (rigtig |virkelig |meget )?"
        r"(godt|fint|rart|smart|nyttigt|en fordel|en god idé|oplagt)\b",
        # Hedged and wished forms: "Min drøm ville være at …", "Jeg kunne forestille mig at
        # man …", "Det ville give mening at …", "… om man ikke kunne …".
        r"\b(min|mit|vores) (drøm|ønske|håb|ønskescenarie) (ville være|vil være|kunne være|er)\b",
        r"\bjeg håber (at )?(vi|man|ledelsen|lederne|hr|organisationen) (kan|vil|får)\b",
        r"\bhvis jeg var (dig|jer|dem|leder|ledelsen)\b",
        r"\b(jeg|vi) (kunne|kan|ville) (godt |sagtens |også )?forestille (mig|os)\b",
        r"\b(jeg|vi) (kunne|ville) ønske\b",
        r"\bdet (ville|vil|kunne) (også |nok |virkelig )?give (god |rigtig god )?mening\b",
        r"\bom (man|vi|de|i|ledelsen|lederne|hr) ikke (kunne|skulle|burde)\b",
        # A wish stated as a cleft: "Det jeg gerne vil have er at …", "Det vi mangler er …".
        r"\bdet (jeg|vi) (helst |gerne |godt )?(vil|ville|kunne tænke (mig|os)|ønsker)( gerne| godt)?"
        r"( have| se| foreslå)?,? (er|var|ville være) (at|en|et|nogle|mere|flere)\b",
        # A measure and its effect: "En fast makker ville hjælpe meget".
        r"(?<!\bjeg )(?<!\bdu )\b(ville|vil|kunne) (også |virkelig |nok |helt klart |altså )*"
        r"(hjælpe (rigtig |utrolig |virkelig )?(meget|en hel del|en del|enormt|os|alle)|"
        r"gøre en (\w+ )?forskel|være en (stor |kæmpe |god |reel )?hjælp)\b",
    ),
    "en": _compile(
        r"\bwhat if\b",
        r"\bi('d| would)? (like to |want to )?(?:(?!not\b|never\b|don't\b|dont\b)\w+ ){0,2}"
        r"(suggest|propose|recommend)\b",
        r"\b(one|an|another|my|a good|a simple) (idea|option|suggestion|proposal) "
        r"(is|would be|could be|might be)\b",
        r"\bit (would|could|might|will) (really |also |probably |definitely )*(help|make a "
        r"(big |real |huge )?difference)\b",
        # "I wish HR would …" (a wish for the past or a lack is weighed by _regret).
        r"\bi wish (that )?(?!i\b|you\b|me\b)\w+",
        r"\bwe might (try|consider|want to)\b",
        r"\b(the )?(best|easiest|simplest|ideal) (thing |solution |option )?would be\b",
        r"\bhow about\b",
        r"\bi would (really )?like (us|managers|people|hr|the|our|everyone|someone|more|to see)\b",
        r"\bwhat (we|they|people) (really )?need is\b|\bwhat (would|could|might) help is\b",
        r"\bwould(n't| not)? it (not )?(also )?be (easier|simpler|better|nicer|smarter|an idea|a good idea)\b",
        r"\b(you|we|one|he|she|they) (could|can) (also |just |always |easily |maybe |then )+"
        r"(?!see\b|tell\b|say\b|feel\b|hear\b|argue\b)\w+",
        r"\bwhy not (?!\?|$)\w+",
        r"\bwhy (don't|dont|do not|not) (we|you|they|managers|everyone)\b",
        r"\b(could|should|shouldn't|can) we (not )?(try|have|make|start|set|ask|use|put|give)\b",
        r"\blet'?s\b",
        r"\bi (would )?(suggest|propose|recommend)\b",
        r"\bmy (suggestion|proposal)\b",
        r"^\W*(idea|suggestion|proposal|tip)\s*:",
        r"\bit (would|could|might|will) (really )?be (a )?(really |very )?"
        r"(good|great|nice|useful|helpful|worth|smart|better|idea|lovely|awesome|cool|amazing|ideal)",
        r"\bit might be worth\b",
        # "short videos on the intranet would be nice"
        r"\b(would|could) (also )?be (really |very |so |super )?"
        r"(nice|good|great|useful|helpful|better|smart|ideal|lovely|awesome|cool|amazing|fun)\b",
        r"\bif (we|you|people|managers|everyone|\w+ \w+ who .*?) (could|would|\w+ed)\b.*\b(would|could)\b",
        # Hedged and wished forms: "I'd love to see …", "My dream would be …", "I could
        # imagine us …" (run on normalised text: "i'd" is "i would").
        r"\b(i|we) would (really )?(love|like) to see\b",
        r"\b(my|our) (dream|wish|hope) (would be|is)\b",
        r"\bi hope (that )?(we|managers|hr|people|the organisation|everyone) (can|could|will)\b",
        r"\bif i were (you|them|a manager|in charge|hr)\b",
        r"\bi (can|could) (easily |also )?(imagine|picture) (us|a|an|that|people|managers|hr)\b",
        # A wish stated as a cleft: "what I'd like is for …", "what we really need is …".
        r"\bwhat (i|we) (would |really |also )*(like|love|want|need)( to see| to have)? is\b",
        # A measure and its effect: "A searchable archive would help a great deal" (not "That
        # would help", which agrees with someone else's).
        r"(?<!\bthat )(?<!\bthis )(?<!\bi )(?<!\byou )\b(would|could|will) (really |also |"
        r"probably |definitely |certainly )*(help (a great deal|a lot|enormously|hugely|"
        r"massively|loads|so much|everyone|us)|make (a|all the) (\w+ )?difference|"
        r"go a long way|be a (big |great |huge |real )?help|be a game.?changer)\b",
    ),
}

#: Deontic and hypothetical modals; a sentence with one proposes unless it is a question,
#: a reason ("Fordi vi skal …"), a condition ("Hvis man skal …, så …"), said of oneself
#: ("jeg skulle …"), or past narrative ("Sidst … vi skulle …").
MODAL: dict[str, re.Pattern[str]] = {
    "da": re.compile(
        r"\b(bør|burde|skal|skulle|kunne|må|måtte|ku'|"
        r"(?:har|mangler) brug for(?= (?:en|et|mere|nogle|bedre|klare|faste) ))\b"
    ),
    "en": re.compile(
        r"\b(should|ought to|must|need to|needs to|have to|has to|could|shall|"
        r"needs?(?= (?:a|an|more|some|better|proper|clear|regular) ))\b"
    ),
}
# A modal without its main verb: "it should but it doesnt", "det burde den, men …".
_ELLIPTICAL_MODAL = {
    "da": re.compile(
        r"^\s*((den|det|de|vi|man|jeg|du|i|han|hun)\s*)?([,.!?;:]|$|(men|og|eller|lol|haha)\b)"
    ),
    "en": re.compile(
        r"^\s*((it|they|we|you|i|he|she|one)\s*)?([,.!?;:]|$|(but|and|or|lol|haha)\b)"
    ),
}
# A modal that comments on the question or hedges instead of answering: "kunne man godt
# sige", "you could say", "som vi kunne tale længe om", "a question we could debate forever".
_HEDGING_MODAL = {
    "da": re.compile(
        r"^\s+((man|du|jeg|vi|i|de)\s+)?((godt|vel|nok|jo|måske|også)\s+){0,2}(sige|kalde|påstå)\b|"
        r"^\s+(\w+\s+){0,2}(tale|snakke|diskutere|debattere)\s+(\w+\s+)?"
        r"(længe|i timevis|for evigt|hele dagen|i dagevis)\b"
    ),
    "en": re.compile(
        r"^\s+((you|one|we|i|they)\s+)?((well|probably|also|maybe|even)\s+){0,2}(say|argue|call)\b|"
        r"^\s+(\w+\s+){0,2}(talk|discuss|debate|go on)\s+(about \w+\s+)?(\w+\s+)?"
        r"(forever|for hours|all day|for ages|at length)\b"
    ),
}
_META_RELATIVE = {
    "da": re.compile(r"\b(spørgsmål|emne|tema|svar)\b,?\s+(som|der)\b[^.;]*$"),
    "en": re.compile(r"\b(question|topic|subject|answer)\b,?\s+(that|which|we|you|one)\b[^.;]*$"),
}
# An obligation given as the cause of a lack: "we must close the books by 5th working day
# so theres never time", "Staff must finish … by March anyway, so the timing could be tricky".
_LACK_CONSEQUENCE = {
    "da": re.compile(
        r"\b(så|derfor|hvilket betyder at)\s+(der\s+|vi\s+|man\s+|det\s+)?(er|har|bliver|når)?\s*"
        r"(der\s+|vi\s+|man\s+|det\s+)?(jo\s+|bare\s+)?(aldrig|ikke|ingen|sjældent)\b|"
        r"\b(så|derfor)\b[^.]*\b(svært|svær|umuligt|problematisk|presset|stramt|vanskeligt)\b"
    ),
    "en": re.compile(
        r"\b(so|which means|meaning)\s+(there'?s|there is|there are|we have|we've got|we get|"
        r"nobody has|no one has)?\s*(never|no|not|little|hardly)\b|"
        r"\b(so|which means)\b[^.]*\b(tricky|hard|difficult|impossible|tight|a problem|"
        r"a struggle|stressful)\b"
    ),
}
# Duties listed one after another describe a burden: "Vi skal lave elevplaner og vi skal
# dække vikartimer og så skal man lige til forældremøde".
_OBLIGATION = {
    "da": re.compile(r"\b(skal|må|skulle|måtte)\b"),
    "en": re.compile(r"\b(must|have to|has to|had to|need to|needs to|got to)\b"),
}
ENUMERATED_OBLIGATIONS = 3
# Two duties after a background statement describe how things are for those people: "Vi
# har mange kolleger som er ordblinde, og de skal så skrive … og så skal de bagefter …".
_BACKGROUND_START = {
    "da": re.compile(r"^\W*(og |men |altså )?(vi har|der er|der findes)\b(?! brug for)"),
    "en": re.compile(r"^\W*(and |but |so )?(we have|we've got|there are|there is|there's)\b"),
}
# A rhetorical question: "Could anyone honestly read forty pages on a Friday afternoon?"
_RHETORICAL = {
    "da": re.compile(
        r"\b(nogen|nogensinde|ærligt talt|seriøst|realistisk set|overhovedet|hvem gider)\b"
    ),
    "en": re.compile(
        r"\b(anyone|anybody|honestly|seriously|realistically|ever|who on earth|who wants to)\b"
    ),
}
_INVERTED = {
    "da": re.compile(
        r"(?<=\w )(skal|bør|burde|må) (man|vi|de|i|lederne|ledelsen|\w+(et|en|ne)) "
        r"((også|altid|gerne|bare) )?(\w+e)\b"
    ),
    "en": re.compile(r"(?!)"),  # English keeps the comma or the order ("if X, we should")
}
_PAST_MODALS = frozenset({"skulle", "kunne", "måtte", "ku'", "could"})
# Said of oneself: "jeg skulle …", "jeg også skulle …"; not "det synes jeg vi skal …",
# where another subject follows the speaker.
_SELF = {
    "da": re.compile(
        r"\b(jeg|du|hun|han)\s+((?!(vi|man|de|i|det|der|folk|alle|lederne|lederen)\b)\w+\s+)?$"
    ),
    "en": re.compile(r"\b(i|you|he|she)\s+((?!(we|they|people|everyone|managers)\b)\w+\s+)?$"),
}
_REASON_START = {
    "da": re.compile(r"^\W*(og |men )?(fordi|for at|eftersom|selvom)\b"),
    "en": re.compile(r"^\W*(and |but )?(because|since|although|though)\b"),
}
_CONDITION_START = {
    "da": re.compile(r"^\W*(og |men |så )?(hvis|når|da|mens|inden|før)\b"),
    "en": re.compile(r"^\W*(and |but |so )?(if|when|whenever|while|before|once)\b"),
}
_PAST_TIME = {
    "da": re.compile(
        r"\b(sidst|sidste (år|gang|uge|måned|forår|efterår)|i fjor|dengang|engang|"
        r"for (\w+ ){1,3}(år|måneder|uger|dage) siden|da (jeg|vi) (var|startede|kom)|i mit (gamle|tidligere|sidste) job|tidligere|"
        r"fik at vide|det var)\b"
    ),
    "en": re.compile(
        r"\b(last (year|time|week|month|spring|autumn|fall|summer|winter)|ago|used to|"
        r"in my (last|previous|old) job|was told|back then|at the time)\b"
    ),
}
_PAST_VERB = {
    "da": re.compile(
        r"\b(var|blev|havde|fik|skrev|sendte|kom|tog|sagde|gik|lå|gjorde|valgte|prøvede|"
        r"spurgte|fortalte|læste|brugte|holdt|stoppede|startede|lavede|talte|vidste|troede|"
        r"mødte|hørte|glemte|oplevede|endte|\w{3,}ede)\b|"
        # "jeg begyndte", "vi købte": a person and a weak past in -te.
        r"\b(jeg|vi|han|hun|de) (\w+ )?\w{3,}(?<![st])te\b"
    ),
    "en": re.compile(
        r"\b(i|we|they|he|she|it|nobody|everyone|someone|my \w+)\s+(never |just |also |"
        r"once |really )?(was|were|had|did|wrote|told|came|took|went|said|made|got|"
        r"thought|knew|spent|met|sent|read|\w{2,}ed)\b"
    ),
}
_COUNTERFACTUAL = {
    "da": re.compile(r"\b(ville|kunne|skulle) have (været|\w+et|\w+t)\b"),
    "en": re.compile(r"\b(would|could|should) have (been|\w+ed|\w+en)\b"),
}
# "Vi skal altid nå 40 sager om dagen": an obligation people live with, not a proposal.
_HABITUAL = {
    "da": re.compile(
        r"\b(skal|skulle|må|måtte) (jo |bare )?(altid|hele tiden|konstant|hver dag)\b"
    ),
    "en": re.compile(
        r"\b(always|constantly) (have|has|had) to\b|\b(have|has|had) to (always|constantly)\b|"
        r"\b(must|have to|has to) (always|constantly)\b"
    ),
}
_NEGATED_ABILITY = {
    "da": re.compile(r"\b(kunne|ku') (jo )?ikke\b"),
    "en": re.compile(r"\b(could not|couldn't|can't|cannot)\b"),
}
# Complaints and background ("Jeg har kun været i HK et års tid, så …") propose nothing.
_COMPLAINT_START = {
    "da": re.compile(
        r"^\W*(problemet er|det irriterende er|det værste er|jeg har (kun|bare) været|"
        r"jeg er (ret |helt )?ny)\b"
    ),
    "en": re.compile(
        r"^\W*(the problem is|honestly i am tired|what annoys me|i have only been|"
        r"i've only been|i am (quite |fairly )?new|i'm (quite |fairly )?new)\b"
    ),
}
# "Jeg ved ikke hvad der skal til", "I don't know what we should do": an indirect question.
_INDIRECT = {
    "da": re.compile(r"\b(hvad|hvordan|hvorfor|hvornår|hvem|hvilke|om) (\w+ ){0,2}$"),
    "en": re.compile(r"\b(what|how|why|when|who|which|whether) (\w+ ){0,2}$"),
}

#: Kept for callers that list the markers: the suggesting forms and the modal, per language.
PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    lang: (*SUGGESTING[lang], MODAL[lang]) for lang in ("da", "en")
}


def _narrative(lowered: str, lang: str, modal_at: int) -> bool:
    """Past narrative: a past-time expression anywhere, or a past verb before the modal
    ("Jeg skrev om hvordan vi kunne …"; but "we could do X where people post what they
    learned" proposes)."""
    return bool(_PAST_TIME[lang].search(lowered) or _PAST_VERB[lang].search(lowered, 0, modal_at))


#: Weights of the evidence for a proposal (see :func:`proposal_evidence`); a sentence
#: proposes when they sum to at least :data:`PROPOSAL_THRESHOLD`. A proposing form or a
#: clean modal alone suffices; a rule, a known fact or a norm cancels one; an instruction
#: or a bare noun phrase suffices, the latter only as the opening of an answer to a
#: question that asks for measures. Steering the meeting vetoes everything ("Lad os gå
#: videre" is a suggesting form and an instruction, and still no proposal).
WEIGHTS: dict[str, float] = {
    "suggesting": 2.0,  # a form that proposes by itself ("lad os", "what if", "I'd love to see")
    "modal": 1.0,  # deontic/hypothetical modal in a main clause, not past, not of oneself
    "offer": 1.0,  # "Jeg kan godt lave …", "I would strip out …", "maybe we let …"
    "asking": 1.0,  # a question that proposes ("could HR maybe just send …?")
    "imperative": 1.0,  # an instruction ("pair new people with …", "lad folk dele …")
    "elliptical": 1.0,  # a verbless noun phrase answering "how could we …?"
    "framed": 1.0,  # a noun phrase put forward as one's idea ("Jeg tænker en kort video …")
    "regret": -2.0,  # a wish about the past or a lack ("I wish someone had called me")
    "rule": -2.0,  # an obligation from law, agreement or rules ("efter overenskomsten")
    "known": -2.0,  # a necessity stated as known ("vi skal jo nå vores sager")
    "norm": -2.0,  # a generic permission, prohibition or maxim ("Man må ikke …")
    "practice": -2.0,  # how it is done in one's unit ("In finance we must close …")
    "hedge": -2.0,  # a modal that hedges or talks about the question ("you could say")
    "burden": -2.0,  # duties listed, or an obligation causing a lack ("… so there's never time")
    "procedure": -3.0,  # steering the meeting ("lad os gå videre", "let's come back to it")
}
PROPOSAL_THRESHOLD = 1.0
#: A sentence this short (words) before an elliptical proposal is an acknowledgement
#: ("Agreed.", "Ja, klart."), so the proposal still opens the answer.
ACKNOWLEDGEMENT_WORDS = 3
#: Content words a proposal must share with the one its speaker agrees with to restate it.
RESTATED_SHARED = 2

# Law, agreements and formal rules as the source of an obligation.
_RULE = {
    "da": re.compile(
        r"\b(overenskomst\w*|loven|lovgivning\w*|lovkrav\w*|\w*forordning\w*|gdpr|"
        r"reglerne|regelsæt\w*|persondataloven|ifølge|det følger af|overholde|kræves|"
        r"efter (aftalen|kontrakten|bekendtgørelsen|cirkulæret)|have lov af|spørge om lov|"
        r"er et krav|lovpligtig\w*|respektere)\b|\b(\w+(ens|ets|ernes)|deres) (regler|krav)\b|"
        r"\bdet er (en |et )?(\w+ )?(regel|krav|politik)\b|"
        r"\b(reglerne|politikken|kontrakten|kontrakterne|aftalen|loven|retningslinjerne|nda\S*) "
        r"(siger|kræver|foreskriver|sagde)\b|\bfra (hovedkontoret|koncernen|ministeriet|direktionen) af\b|"
        # An instruction reported from those who set the rules: "Ledelsen siger at vi skal …".
        r"\b(ledelsen|hovedkontoret|direktionen|ministeriet|kommunen|jura|juristerne|hr) "
        r"(siger|sagde|kræver|krævede)\b"
    ),
    "en": re.compile(
        r"\b(the law|by law|laws?|legal(ly)?|regulations?|gdpr|according to|(collective|union) "
        r"agreement|contract(ually)?|required by|comply|compliance|statutory|mandatory|"
        r"permission from|sign-off from)\b|\b(their|\w+'s) (rules|requirements)\b|"
        r"\b(that|it|this)( is|'s) (a |the |an )?(\w+ )?(rule|policy|requirement)\b|"
        r"\b(the )?(rules?|polic(y|ies)|ndas?|contracts?|guidelines?) (say|says|said|require|requires|"
        r"state|states)\b|\bfrom (head office|headquarters|corporate|the ministry|the board)\b|"
        r"\b(head office|headquarters|hq|management|legal|compliance|the board|the ministry|hr) "
        r"(says|said|requires|required|insists|insisted)\b"
    ),
}
# A necessity stated as known ("vi skal jo …"), or a requirement followed by its denial
# ("Der skal være tid til det, og det er der ikke"): a complaint, not a proposal.
_KNOWN = {
    "da": re.compile(
        r"\b(skal|må|skulle|måtte|bør) ((man|vi|de|i|du|det|der) )?jo\b|\bjo (skal|må)\b|"
        r", (og|men) (det|den|de) (er|sker|gør|har|bliver|får) (der |vi |de |man )?(jo )?"
        r"(bare )?(ikke|aldrig)\b"
    ),
    "en": re.compile(
        r", (and|but) (it|that|they|we|there) (is|does|do|are|has|have|was|were)(n't| not)\b"
    ),
}
_NORM = {
    "da": re.compile(
        r"\b(man|du|i|de) må (jo |bare |gerne |heller )?(ikke )?|"
        r"\b(man|du|i|de) (jo |bare |heller )?(ikke|aldrig) (må|skal)\b|"
        r"\b(dem|det|den|sådan) må (man|du|i)\b"
    ),
    "en": re.compile(
        r"\b(you|one|we|they) (can't|cannot|mustn't|may not|are not allowed|aren't allowed"
        r"|'re not allowed)\b|\bone (must|has to)\b"
    ),
}
_PRACTICE = {
    "da": re.compile(r"^\W*(hos os|i (vores|min|mit) \w+|på \w+kontoret|i \w+afdelingen) "
                     r"(skal|må) (vi|man)\b"),
    "en": re.compile(r"^\W*(in|at|on) (our |my |the )?\w+( team| department)?,? (we|you|they) "
                     r"(must|have to|need to)\b"),
}  # fmt: skip
# Modal + perfect: "we should have had a meeting", "vi skulle have haft".
# Steering the meeting, whoever says it: moving on, coming back, pausing, agreeing on the
# premise. It organises the talk; it proposes nothing about the topic.
_PROCEDURE = {
    "da": re.compile(
        r"\blad os (lige |bare |så )?(gå videre|komme videre|vende tilbage|tage en (kort |lille )?pause|holde "
        r"en pause|(starte|begynde) (med|ved)\b|runde af|slutte|tage det|parkere|se på det næste|høre|"
        r"tage en runde|blive enige om at (opgaverne|kortet|vi parkerer))"
    ),
    "en": re.compile(
        r"\blet'?s (just |now |then )?(move on|go on|come back|get back|take a (short )?break|"
        r"(start|begin) (with|by|off)\b|get started|wrap up|finish|park|hear|go round|go around|agree,? then|"
        r"agree that the)"
    ),
}
_PERFECT = {
    "da": re.compile(r"\b(ville|kunne|skulle|burde|måtte) (\w+ ){0,2}(?:have (\w+)|(haft))\b"),
    "en": re.compile(
        r"\b(would|could|should|must|might|ought to)( not|n't)?( \w+){0,2} have (\w+)\b"
    ),
}
_NOT_PARTICIPLE = frozenset(["a", "an", "the", "some", "more", "to", "like"])
# An offer or advice in the first person: "Jeg kan godt lave en skabelon", "I would strip
# out …"; not perception or opinion ("Jeg kan godt se …", "I would say …").
_OFFER = {
    "da": re.compile(
        r"\b(jeg|vi) (kunne|kan|vil) (godt |sagtens |gerne |også |selv )+(\w+)|"
        r"\bjeg ville (nok |selv |personligt |helt klart )+(\w+)|"
        r"\bvil (jeg|vi) (gerne |også |selv )*gerne (selv )?(\w+)"
    ),
    "en": re.compile(r"\b(i|we) (would|can|could) (easily |happily |also |just )*(\w+)"),
}
_NOT_OFFER = frozenset(
    [
        "se",
        "sige",
        "forstå",
        "høre",
        "lide",
        "mærke",
        "huske",
        "følge",
        "genkende",
        "acceptere",
        "svare",
        "tænke",
        "forestille",
        "tro",
        "mene",
        "love",
        "like",
        "say",
        "see",
        "think",
        "guess",
        "imagine",
        "rather",
        "be",
        "have",
        "need",
        "want",
        "agree",
        "pass",
        "understand",
        "hear",
        "feel",
        "prefer",
        "hope",
        "never",
        "not",
        "probably",
        "remember",
        "recall",
        "forget",
        "glemme",
        "tilføje",
        "nævne",
        "understrege",
        "indrømme",
        "være",
        "gå",
        "add",
        "mention",
        "admit",
    ]
)
_HEDGED = {
    "da": re.compile(r"\bmåske (\w+) (vi|man|de|i)\b"),
    "en": re.compile(r"\b(maybe|perhaps) (we|you|they|people|managers|hr) (just )?(\w+)"),
}
# An opinion frame before what is put forward: "Jeg tænker at …", "Jamen så tænker jeg …",
# "I'm thinking …". Followed by a verbless noun phrase, it proposes that thing.
_FRAME = {
    "da": re.compile(
        r"^\W*((og|men|jamen|ja|nå|altså|så|øh|mm|personligt|ærligt talt)\W+)*(så )?"
        r"(jeg tænker|tænker jeg|jeg synes|synes jeg|jeg foreslår|jeg forestiller mig|"
        r"jeg ser for mig|jeg ville sige|jeg vil sige)"
        r"( nok| egentlig| bare| også| sådan(?! noget)| måske)*( at| på)?( sådan noget som| noget i retning af)?\s+"
    ),
    "en": re.compile(
        r"^\W*((and|but|well|so|yeah|yes|ok|okay|um|uh|personally|honestly)\W+)*"
        r"(i think|i am thinking|i'm thinking|i was thinking|i would say|i guess|i feel like|"
        r"i picture|i imagine)( maybe| just| of| about| that| probably)*( something like)?\s+"
    ),
}
# A wish and the clause wished for ("Jeg ville ønske at …", "I wish …").
_WISH = {
    "da": re.compile(r"\bønske[rt]?( at| om at)? (.+)"),
    "en": re.compile(r"\bwish(ed)?( that)? (.+)"),
}
# A wish for a perfect ("at nogen havde ringet", "we had known") regrets the past.
_WISHED_PERFECT = {
    "da": re.compile(r"\b(havde|var) (\w+ )?(\w+)\b"),
    "en": re.compile(r"\b(had|'d) (\w+ )?(\w+)\b"),
}
# A wish to have more of a scarce resource describes a lack, not a measure.
_WISHED_LACK = {
    "da": re.compile(
        r"\b(havde|fik|var|har|får)\b( \w+){0,2} (tid|tiden|ro|overskud|råd|penge|ressourcer|"
        r"hænder|kræfter|energi|folk|personale)\b"
    ),
    "en": re.compile(
        r"\b(had|got|was|were|have)\b( \w+){0,2} (time|money|resources|staff|hands|energy|"
        r"capacity|budget|people)\b"
    ),
}
# A question in answer to "how could we …?" that puts a measure forward: "Could the author
# decide which parts go out?", "Kunne forfatteren selv vælge …?"
_ASKING_MEASURE = {
    "da": re.compile(r"^\W*(og |men )?(kunne) (?!jeg\b|du\b|det\b|der\b)(.+)"),
    "en": re.compile(r"^\W*(and |but )?(could) (?!i\b|you\b|it\b|that\b|this\b|there\b)(.+)"),
}
_SUBJECT_ADVERBS = frozenset(
    ["selv", "ikke", "bare", "måske", "også", "nu", "just", "maybe", "perhaps", "also", "not"]
)
_ARTICLES = frozenset(
    ["the", "a", "an", "our", "each", "every", "den", "det", "de", "vores", "hver"]
)
_ASKING = {
    "da": re.compile(r"^\W*(kunne|kan|burde|skulle) (?!jeg\b)(\w+ ){1,2}?(måske|bare|ikke|også) "),
    "en": re.compile(
        r"^\W*(could|can|couldn't|can't|shouldn't|should) (?!i\b)(\w+ ){1,2}?"
        r"(maybe|perhaps|just|not|also) (\w+)"
    ),
}


def _counterfactual(lowered: str, lang: str) -> bool:
    if _COUNTERFACTUAL[lang].search(lowered):
        return True
    found = _PERFECT[lang].search(lowered)
    if not found or found.group(found.lastindex or 0) in _NOT_PARTICIPLE:
        return False
    return _is_participle(found.group(found.lastindex or 0), lang)


def _hedging(lowered: str, lang: str) -> str | None:
    """A modal that hedges or comments on the question ("you could say", "a question we
    could debate for hours"), wherever it stands, or None."""
    for found in MODAL[lang].finditer(lowered):
        after = lowered[found.end() :]
        hedge = _HEDGING_MODAL[lang].match(after)
        if hedge:
            return found.group(0) + hedge.group(0)
        if _META_RELATIVE[lang].search(lowered[: found.start()]):
            return found.group(0)
    return None


def _regret(lowered: str, lang: str) -> str | None:
    """The wished clause when a wish regrets the past or names a lack, else None."""
    wish = _WISH[lang].search(lowered)
    if not wish:
        return None
    clause = wish.group(wish.lastindex or 0)
    lack = _WISHED_LACK[lang].search(clause)
    if lack:
        return lack.group(0)
    for perfect in _WISHED_PERFECT[lang].finditer(clause):
        # "at nogen havde ringet", "we had only known": the participle, an adverb between.
        for word in [*(perfect.group(2) or "").split(), perfect.group(3)]:
            if word not in _NOT_PARTICIPLE and _is_participle(word, lang):
                return perfect.group(0)
    return None


def _is_participle(word: str, lang: str) -> bool:
    if lang == "en":
        from analysis.summary.mood import _en_tables

        return word in _en_tables()[1] or word.endswith(("ed", "en", "wn"))
    # A Danish participle is a verb's form in -t (haft, gjort, sendt), not "et" or "tit".
    from analysis.nlp import lookup_table

    lemma = lookup_table("da").get(word, "")
    if not word.endswith("t") or lemma in ("", word):
        return False
    return lemma.endswith("e") or (word.endswith("et") and len(word) > 3)


def _asks_measure(lowered: str, lang: str) -> str | None:
    """A "could <someone> <do> …?" question: the subject (a word or two, after an article)
    and then a verb's base form."""
    from analysis.summary.mood import _base_verb

    found = _ASKING_MEASURE[lang].search(lowered)
    if not found or not lowered.rstrip().endswith("?"):
        return None
    words = re.findall(r"[^\W\d_]+", found.group(3))
    i = 1 if words and words[0] in _ARTICLES else 0
    for j in range(i + 1, min(i + 3, len(words))):
        while j < len(words) and words[j] in _SUBJECT_ADVERBS:
            j += 1
        if j >= len(words):
            break
        verb = words[j]
        if verb in ("be", "have", "være", "have", "get", "få"):
            return None
        if _base_verb(verb, lang) or (lang == "da" and verb.endswith("e") and len(verb) > 3):
            return " ".join([found.group(2), *words[: j + 1]])
    return None


def _modal_marker(lowered: str, lang: str) -> str | None:
    """The clean modal of a main clause (the rules of :func:`is_proposal`), or None."""
    if lowered.rstrip().endswith("?") or _REASON_START[lang].search(lowered):
        return None
    condition = _CONDITION_START[lang].search(lowered)
    # In "Hvis man skal …, så sker det ikke" only the main clause (after the comma) counts.
    body_start = lowered.find(",") + 1 if condition else 0
    if condition and body_start == 0:
        # "Når en ny starter skal introduktionsprogrammet pege på …": without a comma, a
        # modal followed by a subject and then its verb is the main clause, inverted.
        inverted = _INVERTED[lang].search(lowered)
        if not inverted:
            return None
        body_start = inverted.start()
    for found in MODAL[lang].finditer(lowered, body_start):
        modal = found.group(1)
        before = lowered[body_start : found.start()]
        if _SELF[lang].search(before) or _INDIRECT[lang].search(before):
            continue
        # "Det kunne jeg godt tænke mig at vide": the subject after the modal is the speaker.
        if re.match(r"\s+jeg\b" if lang == "da" else r"\s+i\b", lowered[found.end() :]):
            continue
        if _HABITUAL[lang].search(lowered, max(0, found.start() - 12)):
            continue
        after = lowered[found.end() :]
        if _ELLIPTICAL_MODAL[lang].match(after):
            continue
        if _HEDGING_MODAL[lang].match(after) or _META_RELATIVE[lang].search(before):
            continue
        if modal in _PAST_MODALS and (
            _narrative(lowered, lang, found.start()) or _NEGATED_ABILITY[lang].search(lowered)
        ):
            continue
        # "Last year we were told we should …": reported, not proposed.
        if _PAST_TIME[lang].search(lowered) and _PAST_VERB[lang].search(lowered):
            continue
        return found.group(0)
    return None


def proposal_evidence(
    sentence: str, lang: Lang, *, question: str | None = None, opens_answer: bool = True
) -> dict[str, str]:
    """The evidence for and against ``sentence`` being a proposal, feature -> words found.

    Features are those of :data:`WEIGHTS`. ``question`` is the question the sentence
    answers (its kind decides whether a bare noun phrase proposes); ``opens_answer`` says
    whether the sentence opens its answer (an elliptical answer does, an afterthought
    like "nothing fancy" does not).
    """
    from analysis.summary.mood import (
        _base_verb,
        is_imperative,
        is_verbless_phrase,
        normalise,
        question_kind,
    )

    lowered = normalise(" ".join(sentence.split()), lang)
    found: dict[str, str] = {}
    if _COMPLAINT_START[lang].search(lowered) or _counterfactual(lowered, lang):
        return found
    for pattern in SUGGESTING[lang]:
        hit = pattern.search(lowered)
        if hit and not _PAST_TIME[lang].search(lowered):
            found["suggesting"] = hit.group(0)
            break
    modal = _modal_marker(lowered, lang)
    if modal:
        found["modal"] = modal
        lack = _LACK_CONSEQUENCE[lang].search(lowered, lowered.find(modal))
        if lack:
            found["burden"] = lack.group(0)
        else:
            duties = _OBLIGATION[lang].findall(lowered)
            if len(duties) >= ENUMERATED_OBLIGATIONS or (
                len(duties) >= 2 and _BACKGROUND_START[lang].search(lowered)
            ):
                found["burden"] = " … ".join(duties)
    offer = _OFFER[lang].search(lowered)
    if offer and offer.group(offer.lastindex or 0) not in _NOT_OFFER and not lowered.endswith("?"):
        verb = offer.group(offer.lastindex or 0)
        if _base_verb(verb, lang) or (lang == "da" and verb.endswith("e")):
            found["offer"] = offer.group(0)
    hedged = _HEDGED[lang].search(lowered)
    if hedged and "offer" not in found:
        verb = hedged.group(1) if lang == "da" else hedged.group(hedged.lastindex or 0)
        if (lang == "en" and _base_verb(verb, lang)) or (
            lang == "da" and verb.endswith("er") and _base_verb(verb[:-2], lang)
        ):
            found["offer"] = hedged.group(0)
    asking = _ASKING[lang].search(lowered)
    rhetorical = lowered.rstrip().endswith("?") and _RHETORICAL[lang].search(lowered)
    if rhetorical:
        pass
    elif asking:
        found["asking"] = asking.group(0).strip()
    elif question is not None and question_kind(question, lang) == "measure":
        measure = _asks_measure(lowered, lang)
        if measure:
            found["asking"] = measure
    frame = _FRAME[lang].search(lowered)
    if frame and is_verbless_phrase(lowered[frame.end() :], lang):
        found["framed"] = frame.group(0).strip()
    verb = is_imperative(sentence, lang)
    if verb:
        found["imperative"] = verb
    if (
        opens_answer
        and question is not None
        and question_kind(question, lang) == "measure"
        and is_verbless_phrase(sentence, lang)
    ):
        found["elliptical"] = " ".join(sentence.split()[:3])
    if not found:
        return found
    hedge = _hedging(lowered, lang)
    if hedge and "modal" not in found:
        found["hedge"] = hedge.strip()
    regret = _regret(lowered, lang)
    if regret:
        found["regret"] = regret
    if _RULE[lang].search(lowered):
        found["rule"] = _RULE[lang].search(lowered).group(0)  # type: ignore[union-attr]
    known = _KNOWN[lang].search(lowered)
    if known:
        found["known"] = known.group(0)
    norm = _NORM[lang].search(lowered)
    if norm and "suggesting" not in found:
        found["norm"] = norm.group(0).strip()
    procedure = _PROCEDURE[lang].search(lowered)
    if procedure:
        found["procedure"] = procedure.group(0)
    practice = _PRACTICE[lang].search(lowered)
    if practice:
        found["practice"] = practice.group(0).strip()
    return found


def is_proposal(
    sentence: str, lang: Lang, *, question: str | None = None, opens_answer: bool = True
) -> str | None:
    """Return the proposal's marker words if ``sentence`` proposes something.

    The evidence (:func:`proposal_evidence`) is weighed with :data:`WEIGHTS`. A sentence
    proposes when it uses a suggesting form ("lad os", "hvad med at", "det kunne være en
    god idé", "let's", "what if", "I'd love to see", "min drøm ville være"), a deontic or
    hypothetical modal ("bør", "burde", "skal", "kunne", "should", "could", also misspelt
    or in shorthand: "shoud", "it'd") that is not in a question, a reason ("Fordi vi skal
    køre …"), a condition ("Hvis man skal udfylde …, så …"), said of oneself ("jeg skulle
    på kursus"), counterfactual ("We should have had a meeting") or past narrative; an
    offer or advice ("Jeg kan godt lave …", "I would strip out …", "maybe we let …"); a
    proposing question ("could HR maybe just send …"); an instruction ("lad folk dele i
    små grupper"); or, opening an answer to a "how could we …" question, a bare noun
    phrase ("Faste temadage to gange om året."). Rules and law ("Vi skal efter
    overenskomsten …"), known necessities ("vi skal jo …"), norms ("Man må ikke …") and
    descriptions of practice ("In finance we must …") outweigh a modal.

    Args:
        sentence: One sentence, as said.
        lang: ``"da"`` or ``"en"``.
        question: The question it answers, if known.
        opens_answer: Whether it is the first sentence of its answer.

    >>> is_proposal("Vi skal samle opgaverne i en database.", "da")
    'skal'
    >>> is_proposal("Pointerne burde også rapporteres opad.", "da")
    'burde'
    >>> is_proposal("Fordi vi skal køre, med en bestemt samtaleteknik.", "da") is None
    True
    >>> is_proposal("Det ved jeg ikke.", "da") is None
    True
    """
    if lang not in MODAL:
        return None
    found = proposal_evidence(sentence, lang, question=question, opens_answer=opens_answer)
    if sum(WEIGHTS[k] for k in found) < PROPOSAL_THRESHOLD:
        return None
    positive = [k for k in found if WEIGHTS[k] > 0]
    best = max(positive, key=lambda k: WEIGHTS[k])
    return found[best]


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two lemma sets (0 when both are empty)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def group_lemma_sets(sets: Sequence[frozenset[str]], *, threshold: float) -> list[int]:
    """Label each set with a group number; sets with Jaccard >= threshold share a group.

    Args:
        sets: Lemma sets.
        threshold: Similarity in (0, 1] at which two sets say the same thing.

    Returns:
        A group label per set (labels are numbered in order of first appearance).
    """
    if not 0 < threshold <= 1:
        raise InvalidParameter(f"threshold = {threshold} is invalid; it must be in (0, 1]")
    n = len(sets)
    if n == 0:
        return []
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, lemmas in enumerate(sets):
        for lemma in lemmas:
            rows.append(i)
            cols.append(vocab.setdefault(lemma, len(vocab)))
    x = csr_matrix(
        (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(n, max(1, len(vocab)))
    )
    inter = (x @ x.T).tocoo()
    sizes = np.array([len(s) for s in sets], dtype=np.float64)
    union = sizes[inter.row] + sizes[inter.col] - inter.data
    keep = (inter.data / np.maximum(union, 1.0)) >= threshold
    similar = csr_matrix(
        (np.ones(int(keep.sum())), (inter.row[keep], inter.col[keep])), shape=(n, n)
    )
    # Leader clustering, not connected components: every member must resemble the group's
    # first proposal, so "database" -> "database for assignments" -> "assignments on the
    # intranet" does not chain unrelated proposals into one group.
    labels = [-1] * n
    group = 0
    for i in range(n):
        if labels[i] >= 0:
            continue
        labels[i] = group
        for j in similar.indices[similar.indptr[i] : similar.indptr[i + 1]]:
            if j > i and labels[j] < 0:
                labels[j] = group
        group += 1
    return labels


@dataclass(frozen=True)
class _Mention:
    answer: PreparedAnswer
    sentence: str
    content: frozenset[str]


def _supports(answer: PreparedAnswer, lemmas: frozenset[str]) -> bool:
    # Saying the same again supports it; sharing a topic word or two does not (everyone in
    # a question talks about "opgaver").
    shared = len(answer.content & lemmas)
    return shared >= 3 and jaccard(answer.content, lemmas) >= 0.3


def find_proposals(
    questions: Sequence[PreparedQuestion],
    *,
    lang: Lang,
    signals: Sequence[AgreementSignal] = (),
    threshold: float = 0.4,
) -> tuple[Proposal, ...]:
    """Find proposals, group them and count their support.

    Args:
        questions: Prepared questions, answers in time order.
        lang: Language of the patterns.
        signals: Agreement signals (from :func:`analysis.summary.agreement.find_signals`).
        threshold: Jaccard similarity at which two proposals are the same.

    Returns:
        Proposal groups, most supported first, then in order of first mention.
    """
    mentions: list[_Mention] = []
    for question in questions:
        asked = question.run.text if question.run is not None else None
        for answer in question.answers:
            pairs = zip(answer.sentences, answer.sentence_content, strict=True)
            opens = True
            for sentence, content in pairs:
                # An elliptical answer opens its answer (after an "Agreed." or "Ja."
                # at most); later sentences elaborate.
                if content and is_proposal(sentence, lang, question=asked, opens_answer=opens):
                    mentions.append(_Mention(answer, sentence, content))
                opens = opens and len(sentence.split()) <= ACKNOWLEDGEMENT_WORDS
    labels = group_lemma_sets([m.content for m in mentions], threshold=threshold)
    # "I agree with Grace. A follow-up meeting would make a big difference.": a proposal in
    # an answer that agrees with an earlier one, and shares its key words, restates it.
    agrees_with: dict[str, set[str]] = {}
    for s in signals:
        if s.kind == "agree" and s.target_answer_id:
            agrees_with.setdefault(s.answer_id, set()).add(s.target_answer_id)
    for i, m in enumerate(mentions):
        targets = agrees_with.get(m.answer.id, set())
        for j in range(i):
            earlier = mentions[j]
            if earlier.answer.id in targets and len(m.content & earlier.content) >= RESTATED_SHARED:
                labels[i] = labels[j]
                break
    grouped: dict[int, list[_Mention]] = {}
    for label, mention in zip(labels, mentions, strict=True):
        grouped.setdefault(label, []).append(mention)

    by_question: Mapping[str, PreparedQuestion] = {q.key: q for q in questions}
    agreeing: dict[str, set[str]] = {}  # target answer id -> agreeing answer ids
    for s in signals:
        if s.kind == "agree" and s.target_answer_id:
            agreeing.setdefault(s.target_answer_id, set()).add(s.answer_id)

    built: list[tuple[int, int, Proposal]] = []
    for order, group in enumerate(grouped.values()):
        first = group[0]
        counts: dict[str, int] = {}
        for m in group:
            for lemma in m.content:
                counts[lemma] = counts.get(lemma, 0) + 1
        lemmas = frozenset(first.content | {k for k, v in counts.items() if v >= 2})
        proposer_ids = list(dict.fromkeys(m.answer.who for m in group))
        mention_ids = {m.answer.id for m in group}
        supporters: dict[str, str] = {}  # who -> display
        support_ids: list[str] = []
        for m in group:
            question = by_question[m.answer.key]
            agreed = agreeing.get(m.answer.id, set())
            for later in question.answers[m.answer.index + 1 :]:
                if later.who in proposer_ids or later.id in mention_ids:
                    continue
                if later.id in agreed or _supports(later, lemmas):
                    supporters.setdefault(later.who, later.display)
                    support_ids.append(later.id)
        proposal = Proposal(
            id="",
            text=first.sentence,
            lemmas=tuple(sorted(lemmas)),
            mentions=tuple(
                ProposalMention(
                    answer_id=m.answer.id,
                    pseudonym=m.answer.display,
                    question_id=m.answer.question_id,
                    sentence=m.sentence,
                    offset=format_offset(m.answer.answer.offset_seconds),
                )
                for m in group
            ),
            proposers=tuple(dict.fromkeys(m.answer.display for m in group)),
            supporters=tuple(dict.fromkeys(supporters.values())),
            supporting_answer_ids=tuple(dict.fromkeys(support_ids)),
            question_ids=tuple(dict.fromkeys(m.answer.question_id for m in group)),
            support_count=len(proposer_ids) - 1 + len(supporters),
        )
        built.append((proposal.support_count, order, proposal))
    built.sort(key=lambda t: (-t[0], t[1]))
    return tuple(replace(p, id=f"P{i}") for i, (_, _, p) in enumerate(built, start=1))
