"""`claimory apikey create|list|revoke`: manage the API keys that act for one location."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claimory.shops.models import ApiKey, Location
from claimory.shops.services import apikey_create, apikey_revoke


def _location(slug: str) -> Location:
    location = Location.objects.filter(slug=slug).first()
    if location is None:
        known = ", ".join(Location.objects.order_by("slug").values_list("slug", flat=True)[:20])
        raise CommandError(f"No location with slug “{slug}”. Known: {known or 'none yet'}.")
    return location


class Command(BaseCommand):
    help = "Create, list or revoke API keys. `create` prints the raw key as its last line."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="create|list|revoke")
        create = actions.add_parser("create", help="Issue a new key for a location.")
        create.add_argument("--location", required=True, help="Location slug.")
        create.add_argument("--name", default="API key", help="What the key is for.")
        listing = actions.add_parser("list", help="Show keys (never the keys themselves).")
        listing.add_argument("--location", help="Only this location's keys.")
        revoke = actions.add_parser("revoke", help="Stop a key from working, at once.")
        revoke.add_argument("prefix", help="The key's prefix as shown by `list` (clm_…).")

    def handle(self, *args, action: str, **options) -> None:
        if action == "create":
            self._create(options["location"], options["name"])
        elif action == "list":
            self._list(options.get("location"))
        else:
            self._revoke(options["prefix"])

    def _create(self, slug: str, name: str) -> None:
        name = name.strip()[:80] or "API key"
        key, raw = apikey_create(location=_location(slug), name=name)
        self.stdout.write(f"Created API key {key.prefix}… “{key.name}” for {slug}. "
                          "Store it now: it is shown only once.")
        # Scripts take the last line: it holds the raw key and nothing else.
        self.stdout.write(raw)

    def _list(self, slug: str | None) -> None:
        keys = ApiKey.objects.select_related("location").order_by("location__slug", "created_at")
        if slug:
            keys = keys.filter(location=_location(slug))
        rows = [(k.prefix, k.location.slug, "revoked" if k.revoked_at else "active",
                 k.created_at.strftime("%Y-%m-%d"),
                 k.last_used_at.strftime("%Y-%m-%d %H:%M") if k.last_used_at else "never",
                 k.name) for k in keys]
        if not rows:
            self.stdout.write("No API keys.")
            return
        header = ("PREFIX", "LOCATION", "STATUS", "CREATED", "LAST USED", "NAME")
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header) - 1)]
        for row in [header, *rows]:
            cells = [str(c).ljust(w) for c, w in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, row[-1]]))

    def _revoke(self, prefix: str) -> None:
        prefix = prefix.strip().rstrip("…").rstrip(".")
        matches = list(ApiKey.objects.select_related("location").filter(prefix=prefix))
        if not matches:
            raise CommandError(f"No API key with prefix “{prefix}”. See `claimory apikey list`.")
        if len(matches) > 1:
            raise CommandError(f"Several keys share the prefix “{prefix}”; revoke them from "
                               "the admin, where each has its own row.")
        key = matches[0]
        if key.revoked_at is not None:
            self.stdout.write(f"{prefix}… was already revoked.")
            return
        apikey_revoke(key=key)
        self.stdout.write(f"Revoked {prefix}… ({key.location.slug}). It stops working now.")
