"""12-megapixel phone photos for the benches: 4000×3000, the size and detail of a real one
(sensor-like noise over gradients, so the JPEG is megabytes, not a flat colour that
compresses to nothing), with a camera's EXIF and a GPS position to be stripped."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

SIZE = (4000, 3000)
GPS_IFD = 0x8825


def _scene(seed: int, grain: int = 24) -> Image.Image:
    noise = Image.effect_noise(SIZE, grain + seed % 7)
    ramp = Image.linear_gradient("L").resize(SIZE).rotate(90 * (seed % 4), expand=False)
    glow = Image.radial_gradient("L").resize(SIZE)
    red = ImageChops.add(ramp, noise, scale=2.0, offset=-20)
    green = ImageChops.add(glow, noise, scale=2.0)
    blue = ImageChops.blend(ramp, glow, 0.5)
    return Image.merge("RGB", (red, green, blue))


def _exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Bench"  # Make
    exif[0x0110] = "Phone 12MP"  # Model
    exif[0x0112] = 6  # Orientation: rotated, so the variant code has to turn it upright
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (30.0, 16.0, 2.0), 3: "W", 4: (97.0, 44.0, 3.0)})
    return exif.tobytes()


def phone_jpeg(seed: int = 0) -> bytes:
    out = io.BytesIO()
    _scene(seed).save(out, "JPEG", quality=90, exif=_exif())
    return out.getvalue()


def phone_heic(seed: int = 0) -> bytes:
    """An iPhone-like HEIC (~2 MB). Encoding 12 MP to HEVC takes a minute or more on a busy
    machine, so the file is kept in the temp dir and reused by the next run."""
    cached = Path(tempfile.gettempdir()) / "claimory-bench" / f"phone-{seed}.heic"
    if cached.exists():
        return cached.read_bytes()
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    _scene(seed, grain=8).save(out, "HEIF", quality=60, exif=_exif())
    cached.parent.mkdir(exist_ok=True)
    cached.write_bytes(out.getvalue())
    return out.getvalue()
