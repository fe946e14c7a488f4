"""The browser suite refuses to pass silently on a machine that cannot run it."""

from . import conftest


def test_missing_chromium_fails_with_what_to_do(monkeypatch):
    monkeypatch.delenv("SKIP_BROWSER_TESTS", raising=False)
    monkeypatch.setattr(conftest, "CHROMIUM", "/nonexistent/chromium")
    action, reason = conftest._browser_tests_unavailable()
    assert action == "fail"
    assert "make system-deps" in reason and "/nonexistent/chromium" in reason


def test_skipping_is_only_on_explicit_request(monkeypatch):
    monkeypatch.setattr(conftest, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("SKIP_BROWSER_TESTS", "1")
    action, reason = conftest._browser_tests_unavailable()
    assert action == "skip" and "SKIP_BROWSER_TESTS=1" in reason
    monkeypatch.setenv("SKIP_BROWSER_TESTS", "0")
    assert conftest._browser_tests_unavailable()[0] == "fail"


def test_chromium_present_means_the_suite_runs(monkeypatch, tmp_path):
    monkeypatch.delenv("SKIP_BROWSER_TESTS", raising=False)
    fake = tmp_path / "chromium"
    fake.touch()
    monkeypatch.setattr(conftest, "CHROMIUM", str(fake))
    assert conftest._browser_tests_unavailable() is None
