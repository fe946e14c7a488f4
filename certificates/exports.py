"""The auditor's exports of a filtered list: CSV, XLSX, and a streamed ZIP of the PDFs with a
CSV manifest. Each walks the queryset in chunks so memory stays flat however long the list."""

import tempfile

from zipstream import ZIP_STORED, ZipStream

from django.db.models import F

from lms.exports import csv_line, table_response
from modules.models import policy_version_label

from .services import certificates_bulk_download_record

LIST_HEADER = [
    "Serial",
    "Person",
    "Team",
    "Certifies",
    "Modules covered",
    "Policies",
    "Score",
    "Pass mark",
    "Issued",
    "Expires",
    "Status",
    "SHA-256",
]
MANIFEST_HEADER = ["File", "Serial", "Person", "Scope", "Issued", "Expires", "Status", "SHA-256"]
MANIFEST_NAME = "manifest.csv"
CHUNK_SIZE = 200
READ_BUFFER = 64 * 1024


def certificate_list_row(certificate):
    return [
        certificate.serial,
        certificate.holder_name,
        certificate.person.team.name if certificate.person.team else "",
        certificate.title,
        _modules_text(certificate),
        _policies_text(certificate),
        float(certificate.score) if certificate.score is not None else "",
        certificate.pass_mark if certificate.pass_mark is not None else "",
        certificate.issued_at.date().isoformat(),
        certificate.expires_on.isoformat(),
        certificate.display_status,
        certificate.sha256,
    ]


def certificates_table_response(*, certificates, export_format, filename):
    """The filtered list as CSV (streamed) or XLSX, read from the database in chunks."""
    rows = (
        certificate_list_row(certificate)
        for certificate in certificates.iterator(chunk_size=CHUNK_SIZE)
    )
    return table_response(
        export_format=export_format,
        filename=filename,
        headers=LIST_HEADER,
        rows=rows,
        title="Certificates",
        stream=True,
    )


class _CentralDirectoryOnDisk:
    """What ZipStream remembers of each file it has sent, until the central directory at the
    end of the archive: here the record that directory will hold (its 46 bytes and the name,
    computed once the file is sent), written to a temporary file, instead of a ZipInfo object per
    file in memory. ZipStream appends to it, counts it and, at the end, asks each entry for its
    record (its ``_filelist`` protocol; zipstream-ng is pinned below 2)."""

    class _Record:
        __slots__ = ("data",)

        def __init__(self, data):
            self.data = data

        def _central_directory_header_data(self):
            return self.data

    def __init__(self, file):
        self._file = file
        self._count = 0

    def append(self, zip_info):
        record = zip_info._central_directory_header_data()
        self._file.write(len(record).to_bytes(4, "big") + record)
        self._count += 1

    def __len__(self):
        return self._count

    def __iter__(self):
        self._file.seek(0)
        for _ in range(self._count):
            size = int.from_bytes(self._file.read(4), "big")
            yield self._Record(self._file.read(size))


def certificates_zip_stream(*, certificates, user):
    """Yield a ZIP of the stored PDFs (never re-rendered) followed by a manifest of exactly the
    files sent. Each file is streamed from storage as it is added; the manifest and the central
    directory wait in temporary files, so memory stays the same for 100 files or 100,000.

    Each batch is logged before it is sent: if the download is cut short, the log may name a
    certificate that never arrived, but never misses one that did."""
    archive = ZipStream(compress_type=ZIP_STORED)  # PDFs are compressed already
    with (
        tempfile.TemporaryFile() as manifest,
        tempfile.TemporaryFile() as central_directory,
    ):
        archive._filelist = _CentralDirectoryOnDisk(central_directory)
        manifest.write(csv_line(MANIFEST_HEADER).encode())
        # The stored file's name as a plain value, not through ``certificate.pdf``: a FieldFile
        # and its certificate refer to each other, a cycle only Python's full garbage collection
        # frees, so thousands of certificates would pile up in memory before it ran.
        storage = certificates.model._meta.get_field("pdf").storage
        with_names = certificates.annotate(stored_pdf_name=F("pdf"))
        for batch in _batches(with_names.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
            batch = [certificate for certificate in batch if certificate.stored_pdf_name]
            certificates_bulk_download_record(
                certificate_ids=[certificate.pk for certificate in batch], user=user
            )
            for certificate in batch:
                file_name = f"{certificate.serial}.pdf"
                archive.add(_stored_chunks(storage, certificate.stored_pdf_name), file_name)
                yield from archive.all_files()
                manifest.write(csv_line(_manifest_row(certificate, file_name)).encode())
        manifest.seek(0)
        archive.add(iter(lambda: manifest.read(READ_BUFFER), b""), MANIFEST_NAME)
        yield from archive.finalize()


def _batches(items, size):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _manifest_row(certificate, file_name):
    scope = certificate.title
    if certificate.is_base_competence:
        scope = f"{certificate.title}: {_modules_text(certificate)}"
    return [
        file_name,
        certificate.serial,
        certificate.holder_name,
        f"{scope} (policies: {_policies_text(certificate)})",
        certificate.issued_at.date().isoformat(),
        certificate.expires_on.isoformat(),
        certificate.display_status,
        certificate.sha256,
    ]


def _stored_chunks(storage, name):
    with storage.open(name, "rb") as stored:
        while chunk := stored.read(READ_BUFFER):
            yield chunk


def _modules_text(certificate):
    return "; ".join(module["title"] for module in certificate.scope.get("modules", []))


def _policies_text(certificate):
    return "; ".join(
        f"{policy['organisation']} {policy['title']} {policy_version_label(policy['version'])}"
        for policy in certificate.scope.get("policies", [])
    )
