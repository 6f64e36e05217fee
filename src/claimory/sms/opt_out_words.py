"""What an inbound text asks of the texting program: stop, start again, help — or nothing.

Carriers' keywords (STOP, START, HELP…) must be the whole message. The FCC's 2025
revocation rule adds opt-outs "by any reasonable means", so plain-language requests in
English and Spanish ("stop texting me", "no más mensajes", "ya no me escriban") count too.

The rule against false positives: an opt-out is recognised only when the request is the
whole message, or one whole sentence/clause of it ("Stop texting me. I picked the car up
already."), give or take courtesy words ("please", "thanks", "por favor"). A message that
only *mentions* stopping ("Can you stop texting me at night?", "when can I stop by?") is not
an opt-out; when it looks like it might be one, it is flagged for staff instead
(``Intent.MAYBE_OPT_OUT``): the text is threaded and a person decides.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass


class Intent(enum.Enum):
    NONE = "none"
    OPT_OUT = "opt_out"  # a carrier keyword or a plain-language request: stop texting
    OPT_IN = "opt_in"  # START / UNSTOP only ("yes" or "sí" is not enough)
    HELP = "help"
    MAYBE_OPT_OUT = "maybe_opt_out"  # mentions stopping, not clearly: flag for staff


@dataclass(frozen=True)
class Reading:
    intent: Intent
    keyword: bool = False  # an exact carrier keyword (method "keyword"), not plain words
    language: str = ""  # "en"/"es" when the words say so; "" when they don't (STOP, HELP)


MAX_CHARS = 1000  # an opt-out is short; a long text is read only this far

# Carrier keywords (CTIA / Telnyx defaults): the whole message, case and punctuation aside.
STOP_KEYWORDS = frozenset({"stop", "stopall", "stop all", "unsubscribe", "cancel", "end",
                           "quit"})
START_KEYWORDS = frozenset({"start", "unstop"})
HELP_KEYWORDS = frozenset({"help", "info"})
HELP_KEYWORDS_ES = frozenset({"ayuda"})

# Courtesy words that may surround a request without changing it.
_FILLER = (
    r"(?:please|pls|plz|pleas|thanks|thank you|thank u|thx|ty|ok|okay|k|sorry|hi|hello|hey"
    r"|por favor|porfa|gracias|muchas gracias|hola|perdon|disculpe|oiga|just|now|asap"
    r"|already|again|immediately|right now)"
)
_TEXTS_EN = r"(?:texts?|text messages?|messages?|msgs?|txts?|sms|notifications?|alerts?)"
_TEXTS_ES = r"(?:mensajes?|textos?|mensajitos?|sms|notificaciones?|alertas?|msjs?)"
_ME = r"(?: (?:me|us|this number|my number|to me|to this number))?"
_MORE = r"(?: (?:anymore|any more|again|ever again|ever|no more|at all|please))*"
_MAS = r"(?: (?:mas|ya|nunca mas|por favor|a este numero|a mi numero))*"

# Requests that are an opt-out when they are the whole message; ``True`` marks the ones
# specific enough (they name texting, messages or a list) to count as one clause of a
# longer text too.
_EN: list[tuple[str, bool]] = [
    (rf"(?:stop|quit|cease) (?:texting|txting|messaging|contacting|sending|spamming|bothering)"
     rf"{_ME}(?: (?:these |the |any |your )?{_TEXTS_EN})?{_MORE}", True),
    (rf"stop sending{_ME}(?: (?:these |the |any |your |all )?{_TEXTS_EN})?{_MORE}", True),
    (rf"stop (?:these|the|all|your) {_TEXTS_EN}", True),
    (r"stop(?: (?:it|this|that|all|everything|them))?", False),
    (r"(?:stop ?)+", False),
    (rf"(?:do not|dont|never) (?:text|txt|message|msg|contact|sms)(?: me| us| this number)"
     rf"{_MORE}", True),
    (rf"(?:no|no more|enough) {_TEXTS_EN}(?: please| for me| to me)?", True),
    (rf"(?:i )?(?:do not|dont|no longer) want (?:these |the |any |your |more |any more )*"
     rf"{_TEXTS_EN}{_MORE}", True),
    (rf"(?:i |id )?(?:want|would like|like|wish|need|wanna) to (?:unsubscribe|opt out|optout|"
     rf"stop (?:getting|receiving) (?:these |the |your |any )?{_TEXTS_EN})", True),
    (r"unsubscribe(?: me)?(?: from (?:this|these|the|your) (?:list|texts|messages"
     r"|text messages|number))?", True),
    (r"(?:opt|op) ?out(?: me)?", True),
    (r"revoke(?: consent)?", False),
    (r"(?:take|remove|delete) (?:me|my number|this number) (?:off|from) (?:the|this|your|"
     r"ur) (?:list|texts?|text list|texting list|mailing list|contact list|messages)", True),
    (r"(?:remove|delete) (?:me|my number|this number)", False),
    (rf"(?:cancel|end) (?:the |these |all |my |your )?{_TEXTS_EN}", True),
    (r"leave me alone", False),
]

# Spanish (accents are folded away before matching: "no más" → "no mas").
_ES: list[tuple[str, bool]] = [
    (rf"no mas{_MAS}", False),  # "no más" also means "only": a whole message, nothing else
    (rf"no mas {_TEXTS_ES}{_MAS}", True),
    (r"ya no(?: mas)?", False),
    (rf"ya no(?: mas)? {_TEXTS_ES}", True),
    (rf"(?:ya )?no me (?:escriban|escribas|escriba|manden|mandes|mande|envien|envies|envie|"
     rf"contacten|contactes|contacte|textean|texteen|textees)(?: (?:mas|nada|ya|"
     rf"{_TEXTS_ES}))*", True),
    (rf"(?:dejen|deje|deja|dejar) de (?:escribirme|mandarme|enviarme|textearme|contactarme|"
     rf"escribir|mandar|enviar|molestar|molestarme)(?: (?:mas )?{_TEXTS_ES})?{_MAS}", True),
    (r"(?:parar|paren|pare|para|alto|basta|detener|detengan|fin|cancelar|cancela|cancelen)"
     r"(?: (?:ya|por favor|ahora))*", False),
    (rf"(?:parar|paren|pare|detener|detengan|cancelar|cancelen|cancela) (?:los |las |sus |"
     rf"estos |estas |todos los |mis )?{_TEXTS_ES}", True),
    (r"(?:dar(?:me)?|dame|denme|deme|quiero darme|me doy|darse) de baja", True),
    (r"(?:de )?baja", False),
    (rf"(?:yo )?no quiero (?:mas |recibir |recibir mas |sus |estos |los )*{_TEXTS_ES}{_MAS}",
     True),
    (rf"quiero (?:dejar de recibir|cancelar) (?:los |las |sus |estos |todos los )?{_TEXTS_ES}",
     True),
    (r"(?:sacame|saquenme|quitame|quitenme|borrame|borrenme|eliminame|eliminenme) de (?:la|"
     r"su|esta|tu) lista", True),
    (r"dejame en paz|dejenme en paz", False),
]

# Signals that a text *might* ask to stop: flagged for staff, never acted on.
_MAYBE = [
    r"(?:^|(?<!wont )(?<!dont )(?<!cant )(?<!didnt )(?<!doesnt )(?<!not )(?<!to ))\bstop\b"
    r"(?! (?:by|in|over|at|on|off|past|for|and|light|lights|sign|signs|the repair|work"
    r"|working))",
    r"\bunsub", r"\bopt ?out\b", r"\b(?:texting|txting|messaging) me\b",
    r"\b(?:do not|dont|stop) (?:text|txt|message)", r"\bno more (?:texts|messages)\b",
    r"\bremove me\b", r"\btake me off\b", r"\bleave me alone\b", r"\bwrong number\b",
    r"\bno mas (?:mensajes|textos)\b", r"\bno me (?:escriban|manden|envien|escribas|mandes)",
    r"\bdej(?:en|e|a|ar) de (?:escrib|mand|envi|text)", r"\bde baja\b", r"\bparar\b",
    r"^basta\b(?! con)", r"\bnumero equivocado\b", r"\bya no quiero\b",
]

_STRIP_FILLERS = re.compile(rf"^(?:{_FILLER} )*(.*?)(?: {_FILLER})*$")
_PATTERNS = [(re.compile(rf"^{p}$"), clause_ok, language)
             for language, table in (("en", _EN), ("es", _ES)) for p, clause_ok in table]
_MAYBE_RE = [re.compile(p) for p in _MAYBE]
_CLAUSE_SPLIT = re.compile(r"[.!?;,\n]+|\s+-\s+")


def normalize(text: str) -> str:
    """Lower case, accents folded ("más" → "mas"), apostrophes dropped ("don't" → "dont"),
    other punctuation and emoji to spaces, whitespace collapsed."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = re.sub(r"['’`´]", "", folded)
    folded = re.sub(r"[^a-z0-9ñ\s]+", " ", folded)
    return " ".join(folded.split())


def _core(words: str) -> str:
    """The words without courtesy before and after ("stop please" → "stop")."""
    match = _STRIP_FILLERS.match(words)
    return match.group(1) if match else words


def _plain_opt_out(words: str, *, clause: bool = False) -> str:
    """"en"/"es" when ``words`` (normalised) is wholly an opt-out request, else "".
    ``clause``: the words are one clause of a longer text (only specific requests count)."""
    core = _core(words)
    if not core:
        return ""
    for pattern, clause_ok, language in _PATTERNS:
        if (clause_ok or not clause) and pattern.match(core):
            return language
    return ""


def classify(text: str) -> Reading:
    """Read one inbound text. See the module docstring for the rules."""
    if not isinstance(text, str):
        return Reading(Intent.NONE)
    whole = normalize(text[:MAX_CHARS])
    if not whole:
        return Reading(Intent.NONE)
    if whole in STOP_KEYWORDS:
        return Reading(Intent.OPT_OUT, keyword=True)
    if whole in START_KEYWORDS:
        return Reading(Intent.OPT_IN, keyword=True)
    if whole in HELP_KEYWORDS:
        return Reading(Intent.HELP, keyword=True)
    if whole in HELP_KEYWORDS_ES:
        return Reading(Intent.HELP, keyword=True, language="es")
    language = _plain_opt_out(whole)
    if language:
        return Reading(Intent.OPT_OUT, language=language)
    # One whole sentence or clause that is a request to stop texting, beside other words
    # ("Stop texting me. I already picked up the car."). Bare words ("stop", "para",
    # "no más") count only as the whole message: inside a longer text they are too often
    # something else ("Para, ¿cuándo está listo?", "Solo el cambio de aceite, no más").
    for clause in _CLAUSE_SPLIT.split(text[:MAX_CHARS]):
        language = _plain_opt_out(normalize(clause), clause=True)
        if language:
            return Reading(Intent.OPT_OUT, language=language)
    if any(p.search(whole) for p in _MAYBE_RE):
        return Reading(Intent.MAYBE_OPT_OUT)
    return Reading(Intent.NONE)
