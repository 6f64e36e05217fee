"""A shop's brand colour turned into CSS custom properties that keep WCAG AA contrast.

Shops pick any colour; a pale yellow must not become unreadable link text. So the brand
colour itself is used for fills, and text colours are derived from it until they reach
4.5:1 against the background they sit on.
"""

from __future__ import annotations

import re

DEFAULT_BRAND = "#1d4ed8"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = (255, 255, 255)
INK = (17, 24, 39)  # the page's body text colour (#111827)


def _rgb(hex_color: str) -> tuple[int, int, int]:
    value = hex_color if _HEX.match(hex_color or "") else DEFAULT_BRAND
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _mix(rgb: tuple[int, int, int], other: tuple[int, int, int], amount: float
         ) -> tuple[int, int, int]:
    return tuple(round(c + (o - c) * amount) for c, o in zip(rgb, other, strict=True))  # type: ignore[return-value]


def _readable_on(rgb: tuple[int, int, int], background: tuple[int, int, int]
                 ) -> tuple[int, int, int]:
    """The brand colour, darkened just enough to be AA text on ``background``."""
    for step in range(0, 21):
        candidate = _mix(rgb, INK, step / 20)
        if contrast(candidate, background) >= 4.5:
            return candidate
    return INK


def brand_palette(hex_color: str) -> dict[str, str]:
    """CSS variables: fill, text on the fill, brand-tinted text, and a soft tint."""
    rgb = _rgb(hex_color)
    on_brand = WHITE if contrast(rgb, WHITE) >= contrast(rgb, INK) else INK
    soft = _mix(rgb, WHITE, 0.9)
    return {
        "--brand": _hex(rgb),
        "--on-brand": _hex(on_brand),
        # Brand text sits on white and on the soft tint (pills, today's hours): the tint is
        # the darker of the two, so readable there means readable everywhere.
        "--brand-text": _hex(_readable_on(rgb, soft)),
        "--brand-soft": _hex(soft),
        "--brand-line": _hex(_mix(rgb, WHITE, 0.65)),
    }


def brand_css(hex_color: str) -> str:
    body = ";".join(f"{name}:{value}" for name, value in brand_palette(hex_color).items())
    return f":root{{{body}}}\n"


def brand_check(hex_color: str) -> dict[str, object]:
    """What the settings page shows about a colour: the text colours derived from it and
    their contrast ratios, every one at least WCAG AA (4.5:1) by construction."""
    palette = brand_palette(hex_color)
    fill, on_fill = _rgb(palette["--brand"]), _rgb(palette["--on-brand"])
    text, soft = _rgb(palette["--brand-text"]), _rgb(palette["--brand-soft"])
    adjusted = palette["--brand-text"] != palette["--brand"]
    return {"fill": palette["--brand"], "on_fill": palette["--on-brand"],
            "button_ratio": round(contrast(fill, on_fill), 1),
            "text_ratio": round(contrast(text, soft), 1),
            "button_aa": contrast(fill, on_fill) >= 4.5, "adjusted": adjusted}
