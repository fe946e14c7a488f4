"""System checks for what the platform needs from the machine it runs on."""

import ctypes.util

from django.core import checks


@checks.register(checks.Tags.compatibility)
def harfbuzz_subset_check(app_configs, **kwargs):
    """WeasyPrint (the evidence record; certificates are Typst's) embeds fonts about ten times faster
    when HarfBuzz's subsetting library is present."""
    if ctypes.util.find_library("harfbuzz-subset"):
        return []
    return [
        checks.Warning(
            "libharfbuzz-subset is not installed, so evidence-record PDFs (WeasyPrint) render about ten times slower.",
            hint="Install Debian's libharfbuzz-subset0 package (make system-deps does it where it can).",
            id="lms.W001",
        )
    ]
