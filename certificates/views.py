import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from lms import roles
from lms.access import require_role
from lms.audit import audit_export
from lms.exports import as_download, file_response

from .badges import (
    STATUS_PURPOSES,
    BadgeInvalid,
    badge_issuer_profile,
    badge_jwks,
    badge_sign,
    badge_status_list_sign,
    badge_verify,
)
from .exports import certificates_table_response, certificates_zip_stream
from .forms import (
    BadgeCheckForm,
    CertificateCodeForm,
    CertificateFileForm,
    CertificateFilterForm,
    RevokeForm,
)
from .ratelimit import rate_limit_exceeded, rate_limited, too_many_requests
from .selectors import (
    certificate_access_log,
    certificate_by_code,
    certificate_by_sha256,
    certificate_clauses_in_reading_order,
    certificate_events,
    certificate_for_auditor,
    certificate_for_download,
    certificate_revocation,
    certificates_for_auditor,
)
from .services import CertificateError, certificate_download_record, certificate_revoke

VERIFY_SCOPE = "certificate-verify"
# The check page has two forms; this hidden field says which one was sent.
CHECK_BY = "check_by"
CHECK_BY_CODE = "code"
PAGE_SIZE = 50


@login_required
def certificate_download(request, serial):
    """Serve the stored file exactly as issued (its SHA-256 is on record); never re-render."""
    certificate = certificate_for_download(user=request.user, serial=serial)
    if certificate is None or not certificate.pdf:
        raise Http404
    certificate_download_record(certificate=certificate, user=request.user)
    return FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"certificate-{certificate.serial}.pdf",
        content_type="application/pdf",
    )


@login_required
def certificate_badge_download(request, serial):
    """The certificate as a signed Open Badges 3.0 credential (VC-JWT), for whoever may download
    its PDF; recorded in the audit trail like the PDF."""
    certificate = certificate_for_download(user=request.user, serial=serial)
    if certificate is None:
        raise Http404
    token = badge_sign(certificate=certificate)
    certificate_download_record(certificate=certificate, user=request.user, as_badge=True)
    return file_response(
        token, filename=f"badge-{certificate.serial}.jwt", content_type="application/vc+jwt"
    )


# Open Badges: what verifiers fetch (public, no personal data) ------------------------------------


def badge_issuer(request):
    return JsonResponse(badge_issuer_profile(), content_type="application/ld+json")


def badge_jwks_view(request):
    return JsonResponse(badge_jwks(), content_type="application/jwk-set+json")


def badge_status_list(request, purpose):
    if purpose not in STATUS_PURPOSES:
        raise Http404
    response = HttpResponse(
        badge_status_list_sign(purpose=purpose), content_type="application/vc+jwt"
    )
    # A status changes when an auditor revokes: verifiers may keep a copy for minutes, not days.
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_http_methods(["GET", "POST"])
def badge_check(request):
    """Public: check an Open Badge by its text or file: our signature, our issuer, and its
    status now. Each check counts against the same limit as the other checks."""
    if request.method == "GET":
        return render(request, "certificates/badge_check.html", {"form": BadgeCheckForm()})
    if rate_limit_exceeded(request=request, scope=VERIFY_SCOPE):
        return too_many_requests()
    form = BadgeCheckForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "certificates/badge_check.html", {"form": form}, status=400)
    try:
        check = badge_verify(token=form.token())
    except BadgeInvalid as problem:
        form.add_error(None, str(problem))
        return render(request, "certificates/badge_check.html", {"form": form}, status=400)
    context = {
        "check": check,
        "certificate": check.certificate,
        "revocation": certificate_revocation(certificate=check.certificate),
    }
    return render(request, "certificates/badge_result.html", context)


# Public verification -----------------------------------------------------------------------------


@rate_limited(VERIFY_SCOPE)
def certificate_verify(request, code):
    """Public: anyone holding the code can check it. Shows no more personal data than needed."""
    certificate = certificate_by_code(code=code)
    if certificate is None:
        return _not_found(request)
    return _verify_page(request, certificate=certificate)


@require_http_methods(["GET", "POST"])
def certificate_check_file(request):
    """Public: check a certificate by the code printed on it, or by its file (is it, byte for
    byte, a certificate we issued?). Each check counts against the same limit as the links."""
    if request.method == "GET":
        return _check_page(request)
    if rate_limit_exceeded(request=request, scope=VERIFY_SCOPE):
        return too_many_requests()
    if request.POST.get(CHECK_BY) == CHECK_BY_CODE:
        return _check_code(request)
    return _check_file(request)


def _check_code(request):
    form = CertificateCodeForm(request.POST)
    if not form.is_valid():
        return _check_page(request, code_form=form, status=400)
    certificate = certificate_by_code(code=form.cleaned_data["code"])
    if certificate is None:
        return _not_found(request)
    return _verify_page(request, certificate=certificate)


def _check_file(request):
    form = CertificateFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _check_page(request, file_form=form, status=400)
    digest = hashlib.sha256()
    for chunk in form.cleaned_data["file"].chunks():
        digest.update(chunk)
    certificate = certificate_by_sha256(sha256=digest.hexdigest())
    if certificate is None:
        return _not_found(request)
    return _verify_page(request, certificate=certificate, matched_file=True)


def _verify_page(request, *, certificate, matched_file=False):
    """What the public learns of a certificate: its status first (with the date and kind of
    reason when it was revoked), then, for an uploaded file, that the file is genuine."""
    context = {
        "certificate": certificate,
        "clauses": certificate_clauses_in_reading_order(certificate=certificate),
        "matched_file": matched_file,
        "revocation": certificate_revocation(certificate=certificate),
    }
    return render(request, "certificates/verify.html", context)


def _check_page(request, *, code_form=None, file_form=None, status=200):
    context = {
        "code_form": code_form or CertificateCodeForm(),
        "file_form": file_form or CertificateFileForm(),
        "max_size": filesizeformat(settings.CERTIFICATE_CHECK_MAX_BYTES),
    }
    return render(request, "certificates/check_file.html", context, status=status)


def _not_found(request):
    # One answer for an unknown code and an unknown file, so probing learns nothing.
    return render(request, "certificates/verify_not_found.html", status=404)


# Auditor's workspace ---------------------------------------------------------------------------


@login_required
def auditor_certificate_list(request):
    require_role(request.user, roles.AUDITORS)
    form = CertificateFilterForm(request.GET or None)
    context = {"form": form, "query": request.GET.urlencode()}
    if form.is_bound and not form.is_valid():
        context["team_choices"] = _team_choice_links(request, form)
        return render(request, "certificates/auditor_list.html", context, status=400)
    arguments = form.selector_arguments() if form.is_bound else {}
    page = Paginator(certificates_for_auditor(**arguments), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    context.update(page=page, certificates=page.object_list, query=query_without_page.urlencode())
    return render(request, "certificates/auditor_list.html", context)


@login_required
def auditor_certificate_export(request, export_format):
    require_role(request.user, roles.AUDITORS)
    certificates = _filtered_or_none(request)
    if certificates is None:
        return redirect(_list_url(request))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if export_format in ("csv", "xlsx"):
        audit_export(request=request, what="the certificates list", export_format=export_format)
    return certificates_table_response(
        certificates=certificates, export_format=export_format, filename=f"certificates-{stamp}"
    )


@login_required
def auditor_certificate_zip(request):
    require_role(request.user, roles.AUDITORS)
    certificates = _filtered_or_none(request)
    if certificates is None:
        return redirect(_list_url(request))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return as_download(
        StreamingHttpResponse(
            certificates_zip_stream(certificates=certificates, user=request.user),
            content_type="application/zip",
        ),
        filename=f"certificates-{stamp}.zip",
    )


@login_required
@require_http_methods(["GET", "POST"])
def auditor_certificate_revoke(request, serial):
    require_role(request.user, roles.AUDITORS)
    certificate = certificate_for_auditor(serial=serial)
    if certificate is None:
        raise Http404
    form = RevokeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                certificate_revoke(
                    certificate=certificate,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    category=form.cleaned_data["category"],
                )
            except CertificateError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Certificate {certificate.serial} has been revoked.")
                return redirect("certificates:auditor_list")
    context = {
        "certificate": certificate,
        "form": form,
        "events": certificate_events(certificate=certificate),
        "access_log": certificate_access_log(certificate=certificate),
    }
    return render(request, "certificates/auditor_revoke.html", context, status=status)


def _team_choice_links(request, form):
    """For each team the typed words could mean, the list filtered by it, the rest kept."""
    links = []
    for team in getattr(form, "team_suggestions", []):
        query = request.GET.copy()
        query["team"] = team.name
        query.pop("page", None)
        links.append((team.name, f"{reverse('certificates:auditor_list')}?{query.urlencode()}"))
    return links


def _filtered_or_none(request):
    form = CertificateFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return None
    return certificates_for_auditor(**(form.selector_arguments() if form.is_bound else {}))


def _list_url(request):
    query = request.GET.urlencode()
    return reverse("certificates:auditor_list") + (f"?{query}" if query else "")
