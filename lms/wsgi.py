import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.production")
application = get_wsgi_application()

# What Django, Wagtail and the apps loaded at start-up lives as long as the process. Frozen, it is
# left out of the garbage collector's full collections, which otherwise walk it all again (about
# 250,000 objects: 180 ms each time, once in every 150 or so quiz submissions, in process).
gc.collect()
gc.freeze()
