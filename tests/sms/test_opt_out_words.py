"""The inbound-text reader: carrier keywords, plain-language opt-outs in English and Spanish,
and the everyday messages it must leave alone."""

import pytest

from claimory.sms.opt_out_words import Intent, classify, normalize

STOP_KEYWORDS = ["STOP", "stop", "Stop.", " STOP ", "STOPALL", "stop all", "Unsubscribe",
                 "CANCEL", "end", "Quit!", "STOP!!!", "stop 🛑"]

PLAIN_EN = [
    "stop texting me", "Stop texting me!", "Please stop", "please stop texting me",
    "don't text me", "Dont text me anymore", "do not text me again", "DO NOT TEXT ME",
    "unsubscribe me", "Unsubscribe me please", "no more texts", "No more messages, thanks",
    "stop sending me texts", "Stop sending me messages", "stop messaging me",
    "opt out", "Opt-out", "optout", "I want to unsubscribe", "I'd like to opt out",
    "I don't want these texts", "I dont want any more messages",
    "remove me from your list", "take me off the list", "Remove me",
    "stop it", "Stop stop stop", "stop now", "Stop. Thanks", "leave me alone",
    "Stop texting me. I already picked up the car.",
    "I picked up the car yesterday. Please stop texting me",
    "Don't text me, call me instead", "cancel texts", "revoke",
    "stop these texts", "quit texting me",
]

PLAIN_ES = [
    "no más", "No mas", "no más mensajes", "no mas mensajes", "No más mensajes por favor",
    "parar", "Para ya", "para", "cancelar", "basta", "Basta ya", "ya no me escriban",
    "Ya no me escriban por favor", "no me manden mensajes", "no me manden más mensajes",
    "dejen de escribirme", "Dejen de mandarme mensajes", "deja de enviarme mensajes",
    "darme de baja", "quiero darme de baja", "baja", "no quiero mensajes",
    "no quiero recibir más mensajes", "sáquenme de la lista", "ya no", "alto",
    "Ya no me escriban. Ya recogí el carro.", "Gracias, no me manden más mensajes",
    "Por favor dejen de escribirme",
]

NOT_OPT_OUT = [
    "when can I stop by?", "can you cancel my rental?", "I'll stop by tomorrow",
    "Can I stop in after work?", "ok", "Thanks!", "yes", "Sí", "YES", "si",
    "What time do you close?", "Is my car ready?", "Please cancel the appointment",
    "The end of the bumper is still scratched", "I quit my job so I can pick up anytime",
    "Can you text me when it's done?", "Text me the total please",
    "stop by at 5?", "Cancel my rental on Friday", "The noise won't stop",
    "Para cuándo estará listo mi carro?", "Para el viernes está bien",
    "¿Cuándo puedo pasar?", "Solo el cambio de aceite, no más.", "Gracias",
    "no más de 500 dólares por favor", "Puedo cancelar la cita?", "Basta con que me avisen",
    "¿Ya está listo?", "start", "help", "HELP", "info", "",
    "The car stops fine now, thanks", "We need to end the rental", "Stop light is out",
]

MAYBE = [
    "Can you stop texting me at night?", "Don't text me before 9am",
    "I never signed up for these texts, stop", "wrong number",
    "I didn't mean to unsubscribe", "If you don't text me I'll call",
    "Stop, I'm confused about the bill", "No me escriban tan tarde",
    "número equivocado",
]


@pytest.mark.parametrize("text", STOP_KEYWORDS)
def test_carrier_stop_keywords_are_keywords(text):
    reading = classify(text)
    assert reading.intent == Intent.OPT_OUT
    assert reading.keyword


@pytest.mark.parametrize("text", PLAIN_EN)
def test_plain_english_opt_outs(text):
    reading = classify(text)
    assert reading.intent == Intent.OPT_OUT, text
    assert reading.language in ("en", "")


@pytest.mark.parametrize("text", PLAIN_ES)
def test_plain_spanish_opt_outs_read_as_spanish(text):
    reading = classify(text)
    assert reading.intent == Intent.OPT_OUT, text
    assert reading.language == "es"


@pytest.mark.parametrize("text", NOT_OPT_OUT)
def test_everyday_messages_are_not_opt_outs(text):
    assert classify(text).intent in (Intent.NONE, Intent.OPT_IN, Intent.HELP), text


@pytest.mark.parametrize("text", MAYBE)
def test_unclear_mentions_are_flagged_not_acted_on(text):
    assert classify(text).intent == Intent.MAYBE_OPT_OUT, text


@pytest.mark.parametrize("text", ["START", "start", "Unstop", "START."])
def test_start_and_unstop_opt_back_in(text):
    reading = classify(text)
    assert reading.intent == Intent.OPT_IN and reading.keyword


@pytest.mark.parametrize("text", ["yes", "YES", "Sí", "si", "ok start", "subscribe"])
def test_yes_is_not_enough_to_opt_in(text):
    assert classify(text).intent != Intent.OPT_IN


@pytest.mark.parametrize(("text", "language"), [("HELP", ""), ("info", ""), ("Ayuda", "es")])
def test_help_keywords(text, language):
    reading = classify(text)
    assert reading.intent == Intent.HELP and reading.language == language


def test_normalize_folds_accents_apostrophes_and_punctuation():
    assert normalize("  No MÁS… ¡Don’t! ") == "no mas dont"


def test_odd_input_reads_as_nothing():
    assert classify(None).intent == Intent.NONE  # type: ignore[arg-type]
    assert classify("🙂🙂").intent == Intent.NONE
    assert classify("stop " * 5000).intent in (Intent.OPT_OUT, Intent.MAYBE_OPT_OUT)
