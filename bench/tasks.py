"""The background task of the worker-memory figure: a certificate rendered as issuing renders it
(``certificate_pdf_render``), in whichever worker process took the task, reporting that
process's resident memory afterwards. Each task renders another holder's variant of the sample
(``certificate_variant``), as issuing would. Nothing is stored."""

import os

from django_tasks import task

from certificates.models import Certificate
from certificates.pdf import certificate_pdf_render

from .certificates import WORKER_QUEUE, certificate_variant, rss_mb


@task(queue_name=WORKER_QUEUE)
def certificate_render_task(*, certificate_id, number):
    certificate = Certificate.objects.get(pk=certificate_id)
    pdf = certificate_pdf_render(
        certificate=certificate_variant(certificate=certificate, number=number)
    )
    return {"pid": os.getpid(), "rss_mb": round(rss_mb(), 1), "bytes": len(pdf)}
