"""IdNumberFields: every model storing an ID number keeps a digest, a ciphertext and a mask."""

import pytest

from binding_forms.identity.fields import IdNumberFields
from binding_forms.identity.personal_data import digests_match, encrypt
from binding_forms.models import Applicant, RegistryGuardian, Student
from review_workflow.models import ParentAccount


@pytest.mark.parametrize("model", [Student, RegistryGuardian, Applicant, ParentAccount])
def test_every_model_with_an_id_number_uses_the_mixin(model):
    assert issubclass(model, IdNumberFields)
    assert not any(field.name == "id_number" for field in model._meta.fields)


def test_an_id_number_is_stored_as_digest_and_ciphertext_and_shown_masked():
    guardian = RegistryGuardian()
    guardian.set_id_number("A123456789")

    assert digests_match("A123456789", guardian.id_number_digest)
    assert "A123456789" not in guardian.id_number_encrypted
    assert guardian.id_number_masked == "A12****789"
    assert guardian.id_number_revealed() == "A123456789"


def test_a_copy_made_with_another_key_is_shown_as_stars(settings):
    guardian = RegistryGuardian(id_number_encrypted=encrypt("A123456789"))
    settings.PERSONAL_DATA_KEY = "another key entirely, 32 characters or more"

    assert guardian.id_number_masked == "**********"
    with pytest.raises(ValueError):
        guardian.id_number_revealed()


def test_a_guardian_the_roster_knows_no_id_for_shows_nothing():
    assert RegistryGuardian().id_number_masked == ""
