import ctypes.util

from lms.checks import harfbuzz_subset_check


def test_warns_when_harfbuzz_subset_is_missing(monkeypatch):
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    messages = harfbuzz_subset_check(None)
    assert [message.id for message in messages] == ["lms.W001"]
    assert "libharfbuzz-subset0" in messages[0].hint


def test_silent_when_harfbuzz_subset_is_present(monkeypatch):
    monkeypatch.setattr(
        ctypes.util,
        "find_library",
        lambda name: "libharfbuzz-subset.so.0" if name == "harfbuzz-subset" else None,
    )
    assert harfbuzz_subset_check(None) == []
