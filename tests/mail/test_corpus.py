"""The labelled mailbox threads into the right claims: every message where its label says,
nothing on a wrong claim (wrong is worse than unmatched), auto-mail kept out."""

from __future__ import annotations

import pytest

from claimory.mail.filing import mail_file
from claimory.mail.models import MailMessage, MailStatus, Source
from tests.mail.world import build_world, corpus_files, corpus_labels

pytestmark = pytest.mark.django_db


def _outcome(mail, refs: dict[int, str]) -> str:
    if mail.status == MailStatus.IGNORED:
        return "ignore"
    if mail.claim_id is None:
        return "unmatched"
    return refs[mail.claim_id]


def test_every_labelled_message_files_where_its_label_says(location, front_desk):
    claims = build_world(location, front_desk)
    refs = {claim.pk: ref for ref, claim in claims.items()}
    labels = corpus_labels()
    wrong, results = [], {}
    for path in corpus_files():
        filed = mail_file(location=location, raw=path.read_bytes(), source=Source.IMPORT)
        got = _outcome(filed.mail, refs)
        results[path.name] = got
        if got != labels[path.name]["claim"]:
            wrong.append(f"{path.name}: {got} (expected {labels[path.name]['claim']}: "
                         f"{labels[path.name]['why']}; we said {filed.mail.match_reason})")
    assert not wrong, "\n".join(wrong)
    assert set(results) == set(labels)


def test_filing_twice_files_once(location, front_desk):
    build_world(location, front_desk)
    first = corpus_files()[0].read_bytes()
    one = mail_file(location=location, raw=first, source=Source.IMPORT)
    again = mail_file(location=location, raw=first, source=Source.SYNC)
    assert one.created and not again.created and one.mail.pk == again.mail.pk
    assert MailMessage.objects.filter(location=location, direction="in").count() == 1
    assert one.mail.claim.events.filter(type="email").count() == 1
