"""Email threading: precision and recall over the labelled shop mailbox, and filing speed.

    .venv/bin/python bench/mail_threading.py [--corpus DIR] [--repeat 50]

On a scratch SQLite data dir, builds the mailbox's world (its claims, customers, adjusters
and the Message-IDs the shop sent, from world.json) and files every message the way a sync
or `claimory mail import` does. Against labels.json it prints:

- precision: of the messages we put on a claim, the share on the right claim (target 100 %:
  a message on the wrong claim is worse than one left for a person);
- recall: of the messages that belong on a claim, the share we placed;
- auto-mail kept out (labelled ``ignore``), and the overall share handled as labelled.

Then it files ``--repeat`` renamed copies of the mailbox (new Message-IDs) to time filing
alone: messages per second, with one claim index per batch as the import command builds it.
``--corpus`` takes any folder laid out like tests/mail/data/corpus (world.json, labels.json,
mail/*.eml).
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from pathlib import Path

from local_server import scratch_django  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "tests" / "mail" / "data" / "corpus"


def _setup(data_dir: Path) -> None:
    scratch_django(data_dir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=50)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="claimory-mail-bench-") as scratch:
        _setup(Path(scratch))
        run(options.corpus, options.repeat)


def run(corpus: Path, repeat: int) -> None:
    from claimory.mail.filing import mail_file
    from claimory.mail.matching import ClaimIndex
    from claimory.mail.models import MailStatus, Source
    from claimory.shops.models import Role
    from tests.factories import make_location, make_staff, make_workspace
    from tests.mail import world as corpus_world

    corpus_world.CORPUS = corpus
    workspace = make_workspace()
    location = make_location(workspace, slug="bench-shop", name="Bench Collision")
    actor = make_staff(workspace, role=Role.FRONT_DESK, locations=[location])
    claims = corpus_world.build_world(location, actor)
    refs = {claim.pk: ref for ref, claim in claims.items()}
    labels = corpus_world.corpus_labels()
    placed = right = belongs = found = kept_out = auto = agree = 0
    wrong = []
    for path in corpus_world.corpus_files():
        mail = mail_file(location=location, raw=path.read_bytes(), source=Source.IMPORT).mail
        want = labels[path.name]["claim"]
        got = ("ignore" if mail.status == MailStatus.IGNORED
               else refs.get(mail.claim_id, "unmatched"))
        agree += got == want
        if want == "ignore":
            auto += 1
            kept_out += got == "ignore"
        if mail.claim_id is not None:
            placed += 1
            right += got == want
            if got != want:
                wrong.append(f"{path.name}: on {got}, labelled {want}")
        if want not in ("ignore", "unmatched"):
            belongs += 1
            found += got == want
    total = len(labels)
    print(f"corpus: {corpus} — {total} messages, {len(claims)} claims")
    print(f"precision: {right}/{placed} placed on the right claim = "
          f"{100 * right / max(placed, 1):.1f} %")
    print(f"recall:    {found}/{belongs} that belong on a claim were placed = "
          f"{100 * found / max(belongs, 1):.1f} %")
    print(f"auto-mail kept out: {kept_out}/{auto}; handled as labelled overall: "
          f"{agree}/{total} = {100 * agree / total:.1f} %")
    for line in wrong:
        print(f"  WRONG CLAIM {line}")

    raws = [p.read_bytes() for p in corpus_world.corpus_files()]
    started = time.perf_counter()
    count = 0
    for n in range(repeat):
        index = ClaimIndex.build(location)
        for raw in raws:
            renamed = re.sub(rb"^(Message-ID: <)", rb"\g<1>r%d-" % n, raw, flags=re.M | re.I)
            mail_file(location=location, raw=renamed, source=Source.IMPORT, index=index)
            count += 1
    elapsed = time.perf_counter() - started
    print(f"filing: {count} messages in {elapsed:.2f} s = {count / elapsed:.0f} messages/s "
          f"({1000 * elapsed / count:.2f} ms each; parse, match, store raw, write)")
    print(json.dumps({"precision": right / max(placed, 1), "recall": found / max(belongs, 1),
                      "per_second": count / elapsed}))


if __name__ == "__main__":
    main()
