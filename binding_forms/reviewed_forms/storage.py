"""Where reviewed forms keep attachments: on disk outside the public media folder, with no URL."""

from django.core.files.storage import FileSystemStorage


class PrivateFileStorage(FileSystemStorage):
    """A file system storage that is never served: a reviewer's admin view, which checks that
    the reviewer serves the submission's school, streams a file from it."""

    def url(self, name):
        raise ValueError("Private files have no URL: serve them through a view that checks access.")
