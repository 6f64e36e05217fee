"""Reading documents: staff by their locations, the customer by the claim of their token."""

from __future__ import annotations

from django.http import Http404

from claimory.claims.selectors import claims_for_user
from claimory.esign.models import Document, Status


def document_get_for_user(user, document_id: int) -> Document:
    document = (Document.objects.filter(pk=document_id, claim__in=claims_for_user(user))
                .select_related("claim", "claim__location").first())
    if document is None:
        raise Http404("No such document")
    return document


def documents_for_claim(claim) -> list[Document]:
    """Every document of the claim, newest first (staff)."""
    return list(Document.objects.filter(claim=claim).order_by("-sent_at", "-id"))


def portal_documents(claim_id: int) -> list[Document]:
    """What the customer sees: waiting ones first (oldest first), then signed; void ones
    are gone (a replacement, if any, is listed in their place)."""
    documents = Document.objects.filter(claim_id=claim_id).exclude(status=Status.VOID)
    return sorted(documents, key=lambda d: (not d.open, d.sent_at if d.open else -d.pk))


def portal_document(claim_id: int, document_id: int) -> Document | None:
    """A document the claim's token may open (void ones too: they say they were withdrawn)."""
    return (Document.objects.filter(pk=document_id, claim_id=claim_id)
            .select_related("claim", "claim__location", "claim__customer").first())
