"""The bulk ZIP keeps what its central directory needs in a temporary file, not in memory: the
archive must come out exactly as zipstream makes it on its own."""

import io
import tempfile
import zipfile

from zipstream import ZIP_STORED, ZipStream

from certificates.exports import _CentralDirectoryOnDisk

FILES = [
    (f"C-{number:05d}.pdf", (b"%PDF-" + bytes([number % 256])) * (number % 7 + 1))
    for number in range(300)
]


def _archive(archive):
    for name, content in FILES:
        archive.add(iter([content[:3], content[3:]]), name)
    return b"".join(archive.finalize())


def _entries(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return [
            (info.filename, info.CRC, info.file_size, info.header_offset, archive.read(info))
            for info in archive.infolist()
        ]


def test_the_directory_kept_on_disk_gives_the_archive_zipstream_gives_from_memory():
    in_memory = _entries(_archive(ZipStream(compress_type=ZIP_STORED)))
    with tempfile.TemporaryFile() as spool:
        on_disk_stream = ZipStream(compress_type=ZIP_STORED)
        on_disk_stream._filelist = directory = _CentralDirectoryOnDisk(spool)
        on_disk = _entries(_archive(on_disk_stream))
        assert len(directory) == len(FILES)
        assert spool.tell() > 46 * len(FILES)  # every record went to the file
    assert on_disk == in_memory
    assert [entry[0] for entry in on_disk] == [name for name, _ in FILES]
    assert [entry[4] for entry in on_disk] == [content for _, content in FILES]


def test_an_empty_archive_is_still_a_valid_zip():
    with tempfile.TemporaryFile() as spool:
        archive = ZipStream(compress_type=ZIP_STORED)
        archive._filelist = _CentralDirectoryOnDisk(spool)
        assert _entries(b"".join(archive.finalize())) == []
