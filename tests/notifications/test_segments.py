"""SMS segments per GSM 03.38: GSM-7 160/153, extension characters count 2, UCS-2 70/67."""

import pytest

from claimory.notifications.segments import segments


@pytest.mark.parametrize(("text", "expected"), [
    ("", ("GSM-7", 0, 0)),
    ("a" * 160, ("GSM-7", 160, 1)),
    ("a" * 161, ("GSM-7", 161, 2)),
    ("a" * 306, ("GSM-7", 306, 2)),
    ("a" * 307, ("GSM-7", 307, 3)),
    ("Año, señor: ¿listo? Ñu @ £5 §", ("GSM-7", 29, 1)),  # ñ, ¿, £, § are in the basic set
    ("€" * 80, ("GSM-7", 160, 1)),  # extension characters count two
    ("€" * 81, ("GSM-7", 162, 2)),
    ("{}[]~|^\\", ("GSM-7", 16, 1)),
    ("a" * 159 + "€", ("GSM-7", 161, 2)),
    # An escape pair never straddles two parts: 152 + [€ won't fit] → 3 parts, not 2.
    ("a" * 152 + "€" + "a" * 152, ("GSM-7", 306, 3)),
    ("á" + "a" * 69, ("UCS-2", 70, 1)),  # á is not GSM-7: the whole text goes UCS-2
    ("á" + "a" * 70, ("UCS-2", 71, 2)),
    ("á" * 134, ("UCS-2", 134, 2)),
    ("á" * 135, ("UCS-2", 135, 3)),
    ("See you 🙂", ("UCS-2", 10, 1)),  # an emoji is a surrogate pair: two units
    ("🙂" * 35, ("UCS-2", 70, 1)),
    ("a" * 66 + "🙂" + "a" * 66, ("UCS-2", 134, 3)),  # the pair is not split at 67
])
def test_segments(text, expected):
    assert segments(text) == expected
