"""File storage that never leaves a half-written file (issue 17).

Every file is first written whole to a hidden temporary name in its target folder
and then moved to its name (a rename inside one folder is atomic). If the disk is
full or the folder is read-only, the temporary file is removed and
``StorageUnavailable`` is raised: core.faults.FaultMiddleware answers it with a
Chinese page, and the database rows of the request roll back with its transaction.
"""
from __future__ import annotations

import errno
import logging
import os
import tempfile

from django.core.files import File
from django.core.files.storage import FileSystemStorage

from .faults import StorageUnavailable

logger = logging.getLogger("changqing.storage")

PARTIAL_PREFIX = ".partial-"


class _WrittenFile(File):
    """A file already on the target filesystem: Django's storage moves it instead of copying it."""

    def __init__(self, path):
        super().__init__(None, os.path.basename(path))
        self._path = path

    def temporary_file_path(self):
        return self._path


class SafeFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        directory = os.path.dirname(self.path(name))
        tmp = None
        try:
            os.makedirs(directory, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=PARTIAL_PREFIX)
            with os.fdopen(fd, "wb") as out:
                if hasattr(content, "seek") and not getattr(content, "closed", False):
                    try:
                        content.seek(0)
                    except (OSError, ValueError):
                        pass
                for chunk in content.chunks():
                    out.write(chunk.encode() if isinstance(chunk, str) else chunk)
                out.flush()
                os.fsync(out.fileno())
            saved = super()._save(name, _WrittenFile(tmp))
            tmp = None  # moved into place
            return saved
        except StorageUnavailable:
            raise
        except OSError as exc:
            if isinstance(exc, FileExistsError) and exc.errno not in (errno.ENOSPC, errno.EROFS, errno.EACCES):
                raise
            raise StorageUnavailable(StorageUnavailable.message) from exc
        finally:
            if tmp is not None:
                try:
                    os.remove(tmp)
                except OSError:
                    pass
