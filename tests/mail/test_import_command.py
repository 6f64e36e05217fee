"""`claimory mail import`: .eml files, an mbox, a maildir — one line per message with its
Message-ID and claim id (or unmatched / ignored), exit 1 when something was not an email."""

from __future__ import annotations

import mailbox
from io import StringIO

import pytest
from django.core.management import call_command

from claimory.mail.models import MailAttachment, MailMessage
from tests.mail.rawmail import jpeg, raw_mail
from tests.mail.world import build_world, corpus_files, corpus_labels

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[int, list[str]]:
    out = StringIO()
    try:
        call_command("mail", "import", *map(str, args), stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue().splitlines()


def test_the_corpus_folder_prints_one_line_per_message(location, front_desk):
    claims = build_world(location, front_desk)
    ids = {ref: str(c.pk) for ref, c in claims.items()}
    code, lines = run("--location", location.slug, corpus_files()[0].parent)
    assert code == 0 and len(lines) == len(corpus_files())
    labels = corpus_labels()
    for path, line in zip(corpus_files(), lines, strict=True):
        message_id, outcome = line.split(" ", 1)
        assert message_id.startswith("<") and message_id.endswith(">")
        expected = labels[path.name]["claim"]
        if expected == "ignore":
            assert outcome.startswith("ignored ("), line
        elif expected == "unmatched":
            assert outcome == "unmatched", line
        else:
            assert outcome == ids[expected], line
    again = run("--location", location.slug, corpus_files()[0].parent)
    assert again == (code, lines)  # re-importing changes nothing
    assert MailMessage.objects.filter(direction="in").count() == len(corpus_files())


def test_mbox_and_maildir(tmp_path, location, front_desk):
    build_world(location, front_desk)
    box = mailbox.mbox(tmp_path / "history.mbox")
    box.add(raw_mail(subject="one RO-5521", message_id="<m1@x>"))
    box.add(raw_mail(subject="two", message_id="<m2@x>"))
    box.flush()
    maildir = mailbox.Maildir(tmp_path / "Maildir", create=True)
    maildir.add(raw_mail(subject="three RO-5530", message_id="<m3@x>"))
    code, lines = run("--location", location.slug, tmp_path / "history.mbox",
                      tmp_path / "Maildir")
    assert code == 0
    assert [line.split()[0] for line in lines] == ["<m1@x>", "<m2@x>", "<m3@x>"]
    assert lines[1].endswith(" unmatched")


def test_not_an_email_is_rejected_and_the_rest_still_filed(tmp_path, location):
    (tmp_path / "a.eml").write_bytes(raw_mail(message_id="<ok@x>"))
    (tmp_path / "b.eml").write_bytes(b"\x89PNG\r\n\x1a\n not mail")
    code, lines = run("--location", location.slug, tmp_path / "a.eml", tmp_path / "b.eml",
                      tmp_path / "missing.eml")
    assert code == 1
    assert lines[0] == "<ok@x> unmatched"
    assert "rejected" in lines[1] and "rejected: no such file" in lines[2]


def test_unknown_location_is_a_clear_error(tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No location"):
        call_command("mail", "import", "--location", "nope", str(tmp_path))


def test_attachments_are_kept_only_when_they_pass_the_upload_checks(tmp_path, location,
                                                                    front_desk):
    build_world(location, front_desk)
    (tmp_path / "m.eml").write_bytes(raw_mail(
        subject="photos RO-5521", attachments=[
            ("damage.jpg", "image/jpeg", jpeg()),
            ("invoice.jpg", "image/jpeg", b"this is text pretending"),
            ("run.exe", "application/octet-stream", b"MZ\x90\x00")]))
    code, _lines = run("--location", location.slug, tmp_path / "m.eml")
    assert code == 0
    kept = {a.name: a for a in MailAttachment.objects.all()}
    assert kept["damage.jpg"].path and not kept["damage.jpg"].refused
    assert kept["invoice.jpg"].path == "" and "not a photo" in kept["invoice.jpg"].refused
    assert kept["run.exe"].path == ""
