"""Serve Ralph's LRS API with its file-system backend: run by Ralph's own interpreter
(var/ralph-venv/bin/python tests/ralph_server.py PORT), never imported by our tests.

Ralph 5.1's file-system LRS backend writes each batch with the "create" operation, which refuses
to write to a file that exists: it stores the first statement it is sent and answers 500 to every
later one. Appending is what an LRS on one file needs, and the backend supports it, so the
launcher makes it the backend's default before uvicorn loads the app. Nothing else changes."""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
