"""Readable colours from a brand's colours (WCAG 2.2 contrast, 1.4.3 and 1.4.11).

A brand may pick any colour; the page must stay readable, so text on a brand-coloured button is
black or white, whichever contrasts more, and a brand colour too pale to be read as text on
white is not used for text at all.
"""

AA_NORMAL_TEXT = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    digits = hex_colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_on(background: str) -> str:
    """Black or white, whichever reads better on `background`."""
    return (
        "#000000"
        if contrast(background, "#000000") >= contrast(background, "#ffffff")
        else "#ffffff"
    )


def usable_on_white(colour: str | None, fallback: str) -> str:
    """`colour` if it reads as text on white (AA), else `fallback`."""
    if colour and contrast(colour, "#ffffff") >= AA_NORMAL_TEXT:
        return colour
    return fallback
