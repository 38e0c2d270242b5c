"""Django's file mail backend with a file name no two processes share.

Django's own names a file by the second and ``id(self)``, which two gunicorn workers forked from
one master can share: their messages would be appended to one file, interleaved. Here each
connection writes ``<uuid>.part`` and renames it to ``.eml`` when it closes, so a reader sees
only whole files. Everything else (the message as it would go on the wire) is Django's.
"""

import os
import uuid

from django.core.mail.backends import filebased


class EmailBackend(filebased.EmailBackend):
    def _get_filename(self):
        if self._fname is None:
            self._fname = os.path.join(self.file_path, f"{uuid.uuid4().hex}.part")
        return self._fname

    def close(self):
        written = self.stream is not None
        super().close()
        if written and self._fname:
            os.replace(self._fname, self._fname.removesuffix(".part") + ".eml")
            self._fname = None
