from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render

from lms import roles
from lms.access import require_role

from .selectors import certificate_by_code, certificate_for_download, certificates_for_auditor


@login_required
def certificate_download(request, serial):
    certificate = certificate_for_download(user=request.user, serial=serial)
    if certificate is None or not certificate.pdf:
        raise Http404
    return FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"certificate-{certificate.serial}.pdf",
        content_type="application/pdf",
    )


def certificate_verify(request, code):
    """Public: anyone holding the code can check it. Shows no more personal data than needed."""
    certificate = certificate_by_code(code=code)
    if certificate is None:
        raise Http404
    return render(request, "certificates/verify.html", {"certificate": certificate})


@login_required
def auditor_certificate_list(request):
    require_role(request.user, roles.AUDITORS)
    return render(request, "certificates/auditor_list.html", {"certificates": certificates_for_auditor()})
