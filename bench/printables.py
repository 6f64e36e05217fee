"""Prints how long the PDF printables take to build (median of repeated runs)."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time


def main() -> None:
    os.environ.setdefault("CLAIMORY_DATA_DIR", tempfile.mkdtemp(prefix="claimory-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimory.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from claimory import demo
    from claimory.printables.pdf import render_pdf
    from claimory.printables.selectors import printable_for_claim

    claim = demo.seed().portal_claim
    printable = printable_for_claim(claim)
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    for kind in ("work-order", "hang-tag", "card", "all"):
        render_pdf(printable, kind)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            render_pdf(printable, kind)
            timings.append((time.perf_counter() - started) * 1000)
        print(f"{kind:11s} median {statistics.median(timings):6.1f} ms   "
              f"max {max(timings):6.1f} ms   ({runs} runs)")


if __name__ == "__main__":
    main()
