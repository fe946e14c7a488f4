"""Wagtail's ``publish_scheduled`` (the cron job that publishes and unpublishes what authors
scheduled), which then makes the cached readings of content stale: it publishes through no
project service or admin hook."""

from wagtail.management.commands.publish_scheduled import Command as WagtailCommand

from modules.services import content_cache_forget


class Command(WagtailCommand):
    def handle(self, *args, **options):
        super().handle(*args, **options)
        if not options.get("dryrun"):
            content_cache_forget()
