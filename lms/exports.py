"""Helpers for streamed exports."""


class Echo:
    """A file-like object whose write() returns what it was given, so that csv.writer can feed a
    StreamingHttpResponse row by row instead of building the whole file in memory."""

    def write(self, value):
        return value
