"""What the API remembers between requests: the first answer to each Idempotency-Key."""

from django.db import models

from claimory.shops.models import ApiKey


class IdempotentRequest(models.Model):
    """One Idempotency-Key of one API key: the request's fingerprint and, once done, its answer.

    The row is written before the work starts (``status`` 0 = in progress), so two concurrent
    requests with the same key cannot both run: the unique constraint lets one in.
    """

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body")
    status = models.PositiveSmallIntegerField(default=0)
    body = models.TextField(blank=True)
    location_header = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["api_key", "key"],
                                               name="idempotency_key_per_api_key")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status or 'in progress'})"
