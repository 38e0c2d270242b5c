"""Vectors for binding_forms.validators, hard-coded and checked by hand against the 內政部 rule.

Sources: hand arithmetic (shown for a few), and the published test vectors of the
taiwan-id-validator npm package (enylin/taiwan-id-validator, src/nin-arc/index.test.ts).
``_reference_is_valid`` is a second, independent reading of the rule (the letter order
string rather than a code table) that every fixed vector is checked against too.
"""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from binding_forms.identity.validators import normalize_tw_id, normalize_tw_mobile

# Letter codes run 10, 11, … in this order; I, O, W, X, Y, Z are out of alphabetical sequence.
_LETTER_ORDER = "ABCDEFGHJKLMNPQRSTUVXYWZIO"


def _reference_is_valid(canonical: str) -> bool:
    code = _LETTER_ORDER.index(canonical[0]) + 10
    second = canonical[1]
    second_digit = (_LETTER_ORDER.index(second) + 10) % 10 if second.isalpha() else int(second)
    digits = [code // 10, code % 10, second_digit, *map(int, canonical[2:])]
    weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1]
    return sum(w * d for w, d in zip(weights, digits, strict=True)) % 10 == 0


NATIONAL_IDS = [
    "A123456789",  # 1·1 + 0·9 + 1·8 + (2·7+3·6+4·5+5·4+6·3+7·2+8·1 = 112) + 9 = 130
    "A234567893",  # 1 + 0 + 16 + 140 + 3 = 160
    "A223456781",  # a woman's: 1 + 0 + 16 + 112 + 1 = 130
    "F131104093",  # F=15: 1 + 45 + 8 + 53 + 3 = 110
    "N116247806",
    "L122544270",
    "C180661564",
    # Out-of-sequence letters, all "?12345678" + check: 120 + tens + 9·units + check.
    "I123456781",  # I=34: 3 + 36 + 120 + 1 = 160
    "O123456782",  # O=35: 3 + 45 + 120 + 2 = 170
    "O158238845",
    "W123456789",  # W=32: 3 + 18 + 120 + 9 = 150
    "X123456787",  # X=30: 3 + 0 + 120 + 7 = 130
    "Y123456788",  # Y=31: 3 + 9 + 120 + 8 = 140
    "Z123456780",  # Z=33: 3 + 27 + 120 + 0 = 150
]
NEW_RESIDENT_NUMBERS = [
    "A800000014",  # 1 + 0 + 8·8 + 1·1 + 4 = 70
    "A900000016",  # 1 + 0 + 9·8 + 1·1 + 6 = 80
    "Y800000013",  # Y=31: 3 + 9 + 64 + 1 + 3 = 80
    "A900207177",
    "A803095426",
    "B801300667",
    "C800151116",
    "H802717288",
    "T900251126",
    "A930196810",
]
# The second letter counts as the units digit of its code: A→0, B→1, C→2, D→3.
OLD_RESIDENT_NUMBERS = [
    "AA00000009",  # 1 + 0 + 0·8 + 0 + 9 = 10
    "AB00000001",  # 1 + 0 + 1·8 + 0 + 1 = 10
    "AC00000003",  # 1 + 0 + 2·8 + 0 + 3 = 20
    "AD00000005",  # 1 + 0 + 3·8 + 0 + 5 = 30
    "FA12345689",  # F=15: 1 + 45 + 0 + (1·7+2·6+3·5+4·4+5·3+6·2+8·1 = 85) + 9 = 140
    "AB00207171",  # 1 + 0 + 8 + (2·5+7·3+1·2+7·1 = 40) + 1 = 50
    "AC03095424",
    "BD01300667",
    "CC00151114",
    "HD02717288",
    "TD00251124",
    "AD30196818",
]
VALID_IDS = NATIONAL_IDS + NEW_RESIDENT_NUMBERS + OLD_RESIDENT_NUMBERS

BAD_CHECKSUMS = [
    "A123456788",
    "A234567890",
    "F131104091",
    "O158238842",
    # Check digits an alphabetical table (I=18, X=33, Y=34, Z=35) would give.
    "I123456787",
    "X123456780",
    "Y123456781",
    "Z123456782",
    # O and W: an alphabetical table happens to agree, so one off instead.
    "O123456783",
    "W123456780",
    "A800000000",
    "A800000015",
    "F931104091",
    "O958238842",
    "AA00000000",
    "AA00000001",
    "FA12345688",
]

BAD_FORMATS = [
    "",
    "   ",
    "A12345678",  # 9 characters
    "A1234567890",  # 11 characters
    "1234567890",
    "1A23456789",
    "A323456789",  # second digit 3
    "A023456789",
    "A723456789",
    "AE00000000",  # second letter outside A-D
    "FG31104091",
    "OY58238842",
    "A12345678X",
    "A 123456789",  # spaces inside are not a typo we guess about
    "A-123456789",
    "Ä123456789",
    "ı123456789",  # dotless i: "ı".upper() == "I", but it is not ASCII
    "Α123456789",  # Greek capital alpha
    "A12345678٩",  # Arabic-Indic nine
]


@pytest.mark.parametrize("value", VALID_IDS)
def test_valid_ids_are_returned_unchanged(value: str) -> None:
    assert normalize_tw_id(value) == value


@pytest.mark.parametrize("value", VALID_IDS)
def test_valid_vectors_agree_with_reference(value: str) -> None:
    assert _reference_is_valid(value)


@pytest.mark.parametrize("value", BAD_CHECKSUMS)
def test_bad_checksum_vectors_agree_with_reference(value: str) -> None:
    assert not _reference_is_valid(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a123456789", "A123456789"),
        ("  A123456789  ", "A123456789"),
        ("\tA123456789\n", "A123456789"),
        ("\u3000A123456789\u3000", "A123456789"),  # ideographic space
        ("Ａ１２３４５６７８９", "A123456789"),
        ("ａ８００００００１４", "A800000014"),
        ("fa12345689", "FA12345689"),
        ("Fa12345689", "FA12345689"),
        (" ｆａ１２３４５６８９ ", "FA12345689"),
        ("y123456788", "Y123456788"),
    ],
)
def test_typed_variants_are_normalised(value: str, expected: str) -> None:
    assert normalize_tw_id(value) == expected


@pytest.mark.parametrize("value", BAD_CHECKSUMS)
def test_bad_checksum_is_rejected(value: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_tw_id(value)
    assert excinfo.value.code == "invalid_checksum"


@pytest.mark.parametrize("value", BAD_FORMATS)
def test_bad_format_is_rejected(value: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_tw_id(value)
    assert excinfo.value.code == "invalid_format"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("A12", "Enter a valid national ID or resident certificate number."),
        ("A123456788", "The check digit of this ID number is wrong."),
    ],
)
def test_id_messages_are_translatable(value: str, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_tw_id(value)
    # Lazy: rendered in the language active when read. English only, as *.mo is not in git.
    with translation.override("en"):
        assert excinfo.value.messages == [message]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0912345678", "0912345678"),
        ("0912-345-678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("(0912) 345-678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("+886 912 345 678", "0912345678"),
        ("+886-912-345-678", "0912345678"),
        ("+886912345678", "0912345678"),
        ("+886 0912 345 678", "0912345678"),  # the trunk 0 kept after +886
        ("886912345678", "0912345678"),
        ("０９１２３４５６７８", "0912345678"),
        ("＋８８６　９１２　３４５　６７８", "0912345678"),
        ("０９１２－３４５－６７８", "0912345678"),
        ("  0987654321  ", "0987654321"),
    ],
)
def test_mobile_variants_are_normalised(value: str, expected: str) -> None:
    assert normalize_tw_mobile(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "02-2720-8889",  # Taipei landline
        "0227208889",
        "(02) 2720-8889",
        "+886 2 2720 8889",
        "091234567",  # too short
        "09123456789",  # too long
        "0812345678",
        "0800-000-123",  # toll-free
        "0912-ABC-678",  # phonenumbers would read the letters off a keypad
        "abc",
        "０９１２ＡＢＣ６７８",
        "0912345678 ext 12",  # phonenumbers would keep the extension
        "0912345678#1",
        "+81 90 1234 5678",  # a Japanese mobile
        "+1 650 253 0000",
        "0912345678\n0912345678",
    ],
)
def test_bad_mobile_is_rejected(value: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_tw_mobile(value)
    assert excinfo.value.code == "invalid_mobile"


def test_mobile_message_is_translatable() -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_tw_mobile("02-2720-8889")
    message = "Enter a Taiwan mobile number, e.g. 0912345678."
    with translation.override("en"):
        assert excinfo.value.messages == [message]
