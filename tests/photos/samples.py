"""Image bytes for tests: a phone photo with GPS in its EXIF, an iPhone HEIC, a bomb."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(width: int = 1200, height: int = 900, *, orientation: int = 1,
                  colour=(40, 90, 160)) -> bytes:
    """A JPEG whose EXIF holds a GPS position (Austin, TX), a camera model and an
    orientation tag."""
    image = Image.new("RGB", (width, height), colour)
    for x in range(0, width, 50):  # some detail, so it is not all one colour
        image.paste((255, 200, 0), (x, 0, x + 10, height // 3))
    exif = Image.Exif()
    exif[0x0110] = "Pixel Test Camera"  # Model
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (30.0, 16.0, 2.0), 3: "W", 4: (97.0, 44.0, 3.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def heic(width: int = 800, height: int = 600, *, with_gps: bool = True) -> bytes:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    image = Image.new("RGB", (width, height), (150, 40, 40))
    exif = Image.Exif()
    if with_gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (30.0, 16.0, 2.0)})
    out = io.BytesIO()
    image.save(out, "HEIF", quality=70, exif=exif.tobytes())
    return out.getvalue()


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A tiny PNG that claims 900 megapixels (its one row of data decompresses to far
    less than that, but a decoder would allocate for all of it)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    data = zlib.compress(b"\x00" + b"\x00" * width)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(
        b"IEND", b"")


def has_gps(raw: bytes) -> bool:
    """Whether an image's bytes carry any EXIF GPS data (or any EXIF at all with GPS)."""
    with Image.open(io.BytesIO(raw)) as image:
        exif = image.getexif()
        return bool(exif.get_ifd(GPS_IFD)) or b"GPS" in image.info.get("exif", b"")


def minimal_pdf(extra: bytes = b"") -> bytes:
    body = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n" + extra)
    return body + b"xref\n0 3\ntrailer << /Root 1 0 R >>\nstartxref\n9\n%%EOF\n"
