"""The one way a model stores a national ID or resident certificate number: a keyed digest to
match it, an encrypted copy to read it back, a mask to show it. Never the plain number."""

from django.db import models

from binding_forms.identity.personal_data import (
    decrypt,
    encrypt,
    id_number_digest,
    mask_encrypted_id_number,
)


class IdNumberFields(models.Model):
    """Abstract: ``id_number_digest`` + ``id_number_encrypted``. A model redeclares a field where
    it differs (unique, blank) with the same column, so no migration results."""

    id_number_digest = models.CharField(max_length=64, db_index=True, editable=False)
    id_number_encrypted = models.TextField(editable=False)

    class Meta:
        abstract = True

    def set_id_number(self, id_number: str) -> None:
        """Store a normalised ID number (see ``normalize_tw_id``); the caller saves."""
        self.id_number_digest = id_number_digest(id_number)
        self.id_number_encrypted = encrypt(id_number)

    @property
    def id_number_masked(self) -> str:
        """``A12****789``, or stars when the copy cannot be read with this key."""
        return mask_encrypted_id_number(self.id_number_encrypted)

    def id_number_revealed(self) -> str:
        """The plain number, for the audited reveal and the first-password check only; raises
        ``ValueError`` for a copy made with another key."""
        return decrypt(self.id_number_encrypted)
