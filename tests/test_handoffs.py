"""The places where a lower layer causes work above it are named hand-offs, each with one
receiver owned by the layer above (docs/architecture.md). A pass issues a certificate and a
revised clause makes certificates "recertification due": the suite tests those outcomes; this
checks that each hand-off is wired to its owner exactly once."""

from certificates.handoffs import attempt_passed_received
from modules.handoffs import clause_revised, content_approved
from quizzes.handoffs import attempt_passed, content_approved_received
from tracking.handoffs import clause_revised_received


def _receivers(signal):
    return [receiver() for _key, receiver, *_ in signal.receivers]


def test_a_pass_is_handed_to_the_certificates_app_once():
    assert _receivers(attempt_passed) == [attempt_passed_received]


def test_a_revised_clause_is_handed_to_tracking_once():
    assert _receivers(clause_revised) == [clause_revised_received]


def test_an_approved_review_is_handed_to_quizzes_once():
    assert _receivers(content_approved) == [content_approved_received]
