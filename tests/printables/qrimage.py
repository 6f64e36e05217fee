"""Test helpers: turn what we print (segno SVG, PDF pages) back into pixels and read the QR."""

from __future__ import annotations

import io
import re

import pypdfium2
import zxingcpp
from PIL import Image, ImageDraw

SVG_RE = re.compile(r"<svg\b.*?</svg>", re.S)


def svg_image(svg: str, pixels_per_module: int = 8) -> Image.Image:
    """Rasterize segno's SVG: one path of horizontal strokes, a module tall, in module units."""
    view = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    scale = float(re.search(r'transform="scale\(([\d.]+)\)"', svg).group(1))
    size = round(float(view.group(1)) / scale)
    image = Image.new("L", (size * pixels_per_module, size * pixels_per_module), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    path = re.search(r'\sd="([^"]+)"', svg).group(1)
    for command, args in re.findall(r"([MmHh])([^MmHh]*)", path):
        numbers = [float(n) for n in args.replace(",", " ").split()]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            end = numbers[0] if command == "H" else x + numbers[0]
            row = int(y)
            draw.rectangle([x * pixels_per_module, row * pixels_per_module,
                            end * pixels_per_module - 1, (row + 1) * pixels_per_module - 1],
                           fill=0)
            x = end
    return image


def decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def decode_svg(svg: str) -> list[str]:
    return decode(svg_image(svg))


def decode_png(data: bytes) -> list[str]:
    return decode(Image.open(io.BytesIO(data)))


def pdf_pages(data: bytes, dpi: int = 110) -> list[tuple[tuple[float, float], Image.Image, str]]:
    """Each page as ((width, height) in inches, rendered image, extracted text)."""
    document = pypdfium2.PdfDocument(data)
    pages = []
    try:
        for page in document:
            width, height = page.get_size()
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            image = page.render(scale=dpi / 72).to_pil()
            page.close()
            pages.append(((width / 72, height / 72), image, text))
    finally:
        document.close()
    return pages
