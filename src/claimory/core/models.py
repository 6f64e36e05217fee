"""Abstract base every Claimory model inherits: timestamps and a default ordering."""

from django.db import models


class BaseModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class RateCounter(models.Model):
    """One fixed-window rate counter shared by every worker process (core/rate_window.py).

    ``key`` names the limit, the subject and the window's start; rows whose window has passed
    are swept now and then. Written only with an atomic upsert, never read-modify-write.
    """

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.BigIntegerField(db_index=True)  # epoch seconds

    def __str__(self) -> str:
        return f"{self.key}={self.count}"
