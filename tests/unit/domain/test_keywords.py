"""The inbound-message table: keywords with their variations, plain-language stops in English
and Spanish, non-stops, help and opt-ins, each with the outcome COMPLIANCE.md asks for."""

import pytest

from consentry.domain.keywords import Intent, classify

OUT, IN, HELP, REVIEW, OTHER = (
    Intent.OPT_OUT,
    Intent.OPT_IN,
    Intent.HELP,
    Intent.POSSIBLE_STOP,
    Intent.OTHER,
)

TABLE = [
    # The carriers' opt-out keywords, any case, spacing or punctuation.
    ("STOP", OUT),
    ("stop", OUT),
    ("  Stop  ", OUT),
    ("STOP.", OUT),
    ("stop!!!", OUT),
    ("S.T.O.P", OUT),
    ("Ｓｔｏｐ", OUT),  # full-width, as some phones send it
    ("STOP 🛑", OUT),
    ("STOPALL", OUT),
    ("Stop All", OUT),
    ("UNSUBSCRIBE", OUT),
    ("un-subscribe", OUT),
    ("Cancel", OUT),
    ("END", OUT),
    ("quit", OUT),
    ("REVOKE", OUT),
    ("OPTOUT", OUT),
    ("OPT OUT", OUT),
    ("opt-out", OUT),
    ("Opt out please", OUT),
    ("stop please", OUT),
    ("STOP it now", OUT),
    ("Cancel, thanks", OUT),
    # Plain-language stop requests (FCC: "any reasonable means").
    ("stop texting me please", OUT),
    ("Please stop sending me these messages", OUT),
    ("no more messages", OUT),
    ("No more texts!", OUT),
    ("unsubscribe me", OUT),
    ("Please unsubscribe me from this list", OUT),
    ("remove me from your list", OUT),
    ("Take me off your list", OUT),
    ("Don't text me again", OUT),
    ("do not contact me", OUT),
    ("I don't want your messages", OUT),
    ("leave me alone", OUT),
    ("You won't stop texting me, stop messaging me", OUT),
    ("I revoke my consent", OUT),
    ("quit messaging me", OUT),
    ("delete my number", OUT),
    ("Stop promotions", OUT),  # a WhatsApp quick-reply button's text
    ("no more offers", OUT),
    # Spanish.
    ("para", OUT),
    ("PARA", OUT),
    ("Para.", OUT),
    ("alto", OUT),
    ("Basta ya", OUT),
    ("cancelar", OUT),
    ("no me envíen más mensajes", OUT),
    ("No me envien mas mensajes", OUT),
    ("no me manden nada", OUT),
    ("dejen de enviarme mensajes", OUT),
    ("No quiero recibir más mensajes", OUT),
    ("no más mensajes por favor", OUT),
    ("quiero darme de baja", OUT),
    ("Cancelar mi suscripción", OUT),
    ("BAJA", OUT),
    # Opt-in keywords.
    ("START", IN),
    ("start", IN),
    ("Yes", IN),
    ("YES!", IN),
    ("yes please", IN),
    ("UNSTOP", IN),
    ("un-stop", IN),
    # Help.
    ("HELP", HELP),
    ("help?", HELP),
    ("Info", HELP),
    ("INFO.", HELP),
    ("ayuda", HELP),
    # Unclear, possibly a stop: a person reviews.
    ("how do I stop these", REVIEW),
    ("this is spam", REVIEW),
    ("wrong number", REVIEW),
    ("Not interested", REVIEW),
    ("too many messages", REVIEW),
    ("who is this?", REVIEW),
    ("no me interesa", REVIEW),
    ("número equivocado", REVIEW),
    ("can you stop", REVIEW),
    # Not stops.
    ("don't stop the deals", OTHER),
    ("Don't stop sending me deals!", OTHER),
    ("never stop the coupons", OTHER),
    ("What time do you open?", OTHER),
    ("Thanks!", OTHER),
    ("ok", OTHER),
    ("Is the sale still on?", OTHER),
    ("para cuándo es la oferta?", OTHER),
    ("see you at the end of the month", OTHER),
    ("I want to cancel my order", OTHER),
    ("starting tomorrow?", OTHER),
    ("yesterday's order arrived", OTHER),
    ("", OTHER),
    ("   ", OTHER),
    ("👍", OTHER),
    ("gracias", OTHER),
]


def test_the_table_is_large_enough() -> None:
    assert len(TABLE) >= 60


@pytest.mark.parametrize(("body", "expected"), TABLE)
def test_an_inbound_body_is_classified(body: str, expected: Intent) -> None:
    assert classify(body) is expected
