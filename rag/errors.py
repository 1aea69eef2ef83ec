"""Error types shared by the library.

Every error raised on bad input derives from :class:`InputError` so that the CLI and the
service can turn it into a clear message (CLI exit code 2, HTTP 4xx) instead of a crash.
"""


class MedciteError(Exception):
    """Base class for every error medcite raises on purpose."""


class InputError(MedciteError):
    """The caller gave something we cannot use; the message says what and how to fix it."""


class UnsupportedFileError(InputError):
    """A file type no ingester or image loader handles."""


class CorruptFileError(InputError):
    """A file of a supported type that cannot be parsed."""


class NotFoundError(InputError):
    """An id, collection or index that does not exist."""


class IndexMismatchError(MedciteError):
    """An index was built with a different encoder than the one asked to query it."""


class MissingDependencyError(MedciteError):
    """An optional extra is not installed; the message names the pip extra to install."""
