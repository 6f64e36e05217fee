"""Existing locations get the default templates as drafts (new ones get them when created)."""

from django.db import migrations


def seed(apps, schema_editor):
    from claimory.notifications.wording import DEFAULTS

    Location = apps.get_model("shops", "Location")
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for location in Location.objects.all():
        MessageTemplate.objects.bulk_create(
            [MessageTemplate(location=location, key=key, language=language, body=body)
             for key, bodies in DEFAULTS.items() for language, body in bodies.items()],
            ignore_conflicts=True)


def unseed(apps, schema_editor):
    apps.get_model("notifications", "MessageTemplate").objects.filter(
        approved_at__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
