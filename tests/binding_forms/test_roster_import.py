"""The roster import: registry CSV → students and their registry guardians."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from binding_forms.identity.personal_data import decrypt, id_number_digest
from binding_forms.models import RegistryGuardian, School, Student
from binding_forms.registry import roster
from binding_forms.registry.roster import RosterFileError, RosterRowError, roster_import
from tests.factories import UserFactory
from tests.factories import school as make_school
from tests.pii import tables_holding

SAMPLE = Path(roster.__file__).resolve().parent / "data" / "roster_sample.csv"
HEADER = [
    "學校代碼",
    "學號",
    "姓名",
    "年級",
    "班級",
    "身分證統一編號",
    "監護人1姓名",
    "監護人1關係",
    "監護人1身分證統一編號",
    "監護人2姓名",
    "監護人2關係",
    "監護人2身分證統一編號",
]
# Letter codes run 10, 11, … in this order (an independent reading of the 內政部 rule).
_LETTER_ORDER = "ABCDEFGHJKLMNPQRSTUVXYWZIO"


def tw_id(first_nine: str) -> str:
    """``first_nine`` and its check digit: ``tw_id("A12345678") == "A123456789"``."""
    code = _LETTER_ORDER.index(first_nine[0]) + 10
    digits = [code // 10, code % 10, *map(int, first_nine[1:])]
    weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    return first_nine + str(-sum(w * d for w, d in zip(weights, digits, strict=True)) % 10)


ID_1, ID_2, ID_3, ID_4 = (
    tw_id("A25647382"),
    tw_id("A12839475"),
    tw_id("F13110409"),
    tw_id("B21234567"),
)
DAD, MUM, GRANNY = tw_id("A17364528"), tw_id("A21230495"), tw_id("C20011223")


def row(number: str, name: str, id_number: str, *, code: str = "313601", **columns) -> dict:
    return {
        "學校代碼": code,
        "學號": number,
        "姓名": name,
        "年級": "2",
        "班級": "1",
        "身分證統一編號": id_number,
        **columns,
    }


def guardian(slot: int, name: str, relationship: str, id_number: str = "") -> dict:
    return {
        f"監護人{slot}姓名": name,
        f"監護人{slot}關係": relationship,
        f"監護人{slot}身分證統一編號": id_number,
    }


def roster_csv(*rows: dict, header: list[str] = HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def import_rows(*rows: dict, **kwargs) -> roster.RosterImportReport:
    return roster_import(data=roster_csv(*rows).encode(), **kwargs)


def students() -> dict[str, Student]:
    return {student.student_number: student for student in Student.objects.all()}


def guardians_of(student_number: str) -> list[tuple[str, str, str]]:
    return list(
        RegistryGuardian.objects.filter(student__student_number=student_number)
        .order_by("pk")
        .values_list("name", "relationship", "id_number_digest")
    )


@pytest.fixture
def school(db) -> School:
    return make_school(moe_code="313601", name="臺北市立松山國民小學")


@pytest.fixture
def other_school(school) -> School:
    return make_school(moe_code="313602", name="臺北市立西松國民小學")


# Encodings ---------------------------------------------------------------------------------


def test_the_sample_file_imports_students_and_guardians(school):
    report = roster_import(data=SAMPLE.read_bytes())

    assert report.ok
    assert (report.rows, report.created, report.updated, report.left) == (5, 5, 0, 0)
    flower = Student.objects.get(school=school, student_number="108035")
    assert (flower.name, flower.grade, flower.class_number, flower.enrolled) == (
        "陳小花",
        2,
        1,
        True,
    )
    assert flower.id_number_digest == id_number_digest("A234567893")
    assert decrypt(flower.id_number_encrypted) == "A234567893"
    assert flower.user is None
    assert guardians_of("108035") == [("陳大名", "父", id_number_digest("A123456789"))]
    assert guardians_of("108036") == [
        ("林建宏", "父", id_number_digest("A104927361")),
        ("王美玲", "母", id_number_digest("A228704139")),
    ]
    # A guardian without an ID number is kept, with nothing in its ID fields.
    assert list(
        RegistryGuardian.objects.filter(student__student_number="108037").values_list(
            "name", "id_number_digest", "id_number_encrypted"
        )
    ) == [("王大同", "", "")]


def test_big5_file(school):
    data = roster_csv(
        row("112001", "陳小花", ID_1, **guardian(1, "陳大明", "父", DAD)),
        row("112002", "王小明", ID_2),
    ).encode("cp950")

    report = roster_import(data=data)

    assert report.ok and report.created == 2
    assert students()["112001"].name == "陳小花"
    assert guardians_of("112001") == [("陳大明", "父", id_number_digest(DAD))]


def test_utf8_with_bom(school):
    data = "\ufeff".encode() + roster_csv(row("112001", "陳小花", ID_1)).encode()

    report = roster_import(data=data)

    assert report.ok and report.created == 1
    assert students()["112001"].name == "陳小花"


def test_undecodable_file_is_refused_and_nothing_written(school):
    import_rows(row("112001", "陳小花", ID_1))
    before = list(Student.objects.values_list("pk", "name", "class_number", "updated_at"))
    data = (
        roster_csv(row("112001", "陳小花", ID_1), row("112002", "王小明", ID_2)).encode()
        + b"313601,112003,\xff\xfe\xfa,2,1,"
        + ID_3.encode()
        + b"\r\n"
    )

    with pytest.raises(RosterFileError) as refused:
        roster_import(data=data, full=True)

    assert "UTF-8" in refused.value.message and "Big5" in refused.value.message
    assert "第 4 行" in refused.value.message
    assert ID_3 not in refused.value.message
    assert list(Student.objects.values_list("pk", "name", "class_number", "updated_at")) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "第 1 行"),
        (roster_csv().encode(), "沒有任何學生資料"),
        (
            "學校代碼,學號,年級,班級\r\n313601,112001,2,1\r\n".encode(),
            "缺少必要欄位：姓名、身分證統一編號",
        ),
        ("學校代碼,學號,姓名,姓名,年級,班級,身分證統一編號\r\n".encode(), "欄位「姓名」重複"),
        (b'\xe5\xad\xb8\xe6\xa0\xa1\xe4\xbb\xa3\xe7\xa2\xbc\r\n"unterminated\x00', "NUL"),
    ],
    ids=["empty", "header only", "missing columns", "duplicate column", "binary"],
)
def test_unreadable_files_are_refused_as_a_whole(school, data, message):
    with pytest.raises(RosterFileError) as refused:
        roster_import(data=data)

    assert message in refused.value.message
    assert not Student.objects.exists()


def test_a_missing_column_refuses_the_whole_file_even_with_good_rows(school):
    header = [column for column in HEADER if column != "姓名"]
    rows = [
        {k: v for k, v in row(n, "陳小花", i).items() if k != "姓名"}
        for n, i in [("112001", ID_1), ("112002", ID_2)]
    ]

    with pytest.raises(RosterFileError, match="第 1 行（標題列）缺少必要欄位：姓名"):
        roster_import(data=roster_csv(*rows, header=header).encode())

    assert not Student.objects.exists()


# Bad rows ----------------------------------------------------------------------------------


def test_bad_rows_are_reported_by_physical_line_and_good_rows_imported(school):
    text = roster_csv(
        row("112001", "陳小花", ID_1),  # line 2
        row("112002", "王小明", "A256473828"),  # line 3: check digit
        row("112003", "林小美", "12345"),  # line 4: format
        row("112004", "  ", ID_2),  # line 5: no name
        {**row("112005", "張小華", ID_3), "年級": "13"},  # line 6
        row("112006", "李小龍", ID_4, code="999999"),  # line 7: no such school
        row("112001", "陳小花", ID_1),  # line 8: duplicate of line 2
        row("112007", "陳\n小花", tw_id("A10000000")),  # lines 9-10: a newline in a name
        row("112008", "周杰倫", tw_id("A10000001")),  # line 11
        row("112009", "蔡依林", tw_id("A20000000"), **guardian(1, "蔡爸爸", "父", "A1234")),
        {**row("", "無學號", tw_id("A10000002")), "班級": "0"},  # line 13
    )
    text = text.replace("\r\n" + "313601,112009", "\r\n\r\n" + "313601,112009")  # blank line 12

    report = roster_import(data=text.encode())

    assert report.errors == [
        RosterRowError(3, "身分證統一編號檢查碼不正確"),
        RosterRowError(4, "身分證統一編號格式不正確"),
        RosterRowError(5, "姓名未填"),
        RosterRowError(6, "年級應為 1 到 12 的整數"),
        RosterRowError(7, "學校代碼 999999 查無此校"),
        RosterRowError(8, "學號重複（第 2 行）"),
        RosterRowError(9, "姓名含有換行或控制字元"),
        RosterRowError(13, "監護人1身分證統一編號格式不正確"),
        RosterRowError(14, "學號未填；班級應為 1 到 99 的整數"),
    ]
    assert not report.ok
    assert sorted(students()) == ["112001", "112008"]
    assert report.created == 2
    # The rejected ID numbers are never repeated back.
    reasons = " ".join(error.reason for error in report.errors)
    assert "A256473828" not in reasons and "12345" not in reasons and "A1234" not in reasons


def test_rows_of_another_school_are_bad_when_importing_for_one_school(school, other_school):
    report = import_rows(
        row("112001", "陳小花", ID_1, code="313602"),
        row("112002", "王小明", ID_2, code="313601"),
        school=other_school,
    )

    assert report.errors == [RosterRowError(3, "學校代碼 313601 不是本校（本校為 313602）")]
    assert list(Student.objects.values_list("school__moe_code", "student_number")) == [
        ("313602", "112001")
    ]


def test_a_guardian_id_or_relationship_needs_a_guardian_name(school):
    report = import_rows(row("112001", "陳小花", ID_1, **guardian(2, "", "母", MUM)))

    assert report.errors == [
        RosterRowError(2, "監護人2姓名未填，卻填了監護人2的關係或身分證統一編號")
    ]
    assert not Student.objects.exists()


def test_a_row_with_more_cells_than_the_header_is_bad(school):
    text = "學校代碼,學號,姓名,年級,班級,身分證統一編號\r\n313601,112001,陳,小花,2,1," + ID_1

    report = roster_import(data=text.encode())

    assert len(report.errors) == 1
    assert report.errors[0].line == 2
    assert report.errors[0].reason.startswith("欄位比標題列多（7 欄，標題列 6 欄）")


def test_empty_trailing_cells_are_fine(school):
    text = (
        "學校代碼,學號,姓名,年級,班級,身分證統一編號\r\n" + f"313601,112001,陳小花,2,1,{ID_1},,\r\n"
    )

    assert roster_import(data=text.encode()).ok


def test_columns_in_any_order_and_extra_columns_ignored(school):
    text = "備註,身分證統一編號,姓名,班級,年級,學號,學校代碼\r\n"
    text += f"轉入,{ID_1},陳小花,3,4,112001,313601\r\n"

    report = roster_import(data=text.encode())

    assert report.ok
    flower = students()["112001"]
    assert (flower.name, flower.grade, flower.class_number) == ("陳小花", 4, 3)


# Normalisation -----------------------------------------------------------------------------


def test_rare_cjk_names_are_kept_as_nfc(school):
    import_rows(
        row("112001", "黃𠮷祥", ID_1, **guardian(1, "林志堃", "父")),
        row("112002", "王峯", ID_2),
        row("112003", "Rene\u0301e", ID_3),  # decomposed é
    )

    names = {number: student.name for number, student in students().items()}
    assert names == {"112001": "黃𠮷祥", "112002": "王峯", "112003": "Ren\u00e9e"}
    assert guardians_of("112001")[0][0] == "林志堃"


def test_full_width_student_numbers_and_ids_are_normalised(school):
    full_width_id = ID_1.translate(str.maketrans("A0123456789", "ａ０１２３４５６７８９"))
    import_rows(row("１１２００１", "陳小花", full_width_id))

    student = Student.objects.get()
    assert student.student_number == "112001"
    assert student.id_number_digest == id_number_digest(ID_1)

    report = import_rows(row("112001", "陳小花", ID_1))

    assert (report.created, report.unchanged) == (0, 1)


# Re-imports --------------------------------------------------------------------------------


def test_reimport_updates_without_duplicating_or_touching_the_account(school):
    import_rows(row("112001", "陳小花", ID_1), row("112002", "王小明", ID_2))
    account = UserFactory(username="P112001")
    Student.objects.filter(student_number="112001").update(user=account)
    pk = students()["112001"].pk

    report = import_rows(
        {**row("112001", "陳小花", ID_1), "年級": "3", "班級": "5"}, row("112002", "王小明", ID_2)
    )

    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert Student.objects.count() == 2
    flower = students()["112001"]
    assert (flower.pk, flower.grade, flower.class_number, flower.user) == (pk, 3, 5, account)


def test_importing_the_same_file_twice_changes_nothing(school):
    data = SAMPLE.read_bytes()
    roster_import(data=data, full=True)

    def snapshot():
        return (
            list(Student.objects.order_by("pk").values_list()),
            list(RegistryGuardian.objects.order_by("pk").values_list()),
        )

    before = snapshot()

    report = roster_import(data=data, full=True)

    assert (report.created, report.updated, report.unchanged, report.left) == (0, 0, 5, 0)
    assert snapshot() == before  # same pks, ciphertexts, timestamps


def test_a_new_id_number_replaces_digest_and_encrypted_copy(school):
    import_rows(row("112001", "陳小花", ID_1))

    report = import_rows(row("112001", "陳小花", ID_2))

    student = Student.objects.get()
    assert report.updated == 1
    assert student.id_number_digest == id_number_digest(ID_2)
    assert decrypt(student.id_number_encrypted) == ID_2


def test_guardians_are_replaced_by_those_in_the_file(school):
    import_rows(
        row(
            "112001",
            "陳小花",
            ID_1,
            **guardian(1, "陳大明", "父", DAD),
            **guardian(2, "林美玲", "母", MUM),
        ),
        row("112002", "王小明", ID_2, **guardian(1, "王奶奶", "祖母", GRANNY)),
    )
    untouched = list(RegistryGuardian.objects.filter(student__student_number="112002"))

    report = import_rows(
        row("112001", "陳小花", ID_1, **guardian(1, "陳阿嬤", "祖母", GRANNY)),
        row("112002", "王小明", ID_2, **guardian(1, "王奶奶", "祖母", GRANNY)),
    )

    assert (report.updated, report.unchanged) == (1, 1)
    assert guardians_of("112001") == [("陳阿嬤", "祖母", id_number_digest(GRANNY))]
    assert list(RegistryGuardian.objects.filter(student__student_number="112002")) == untouched
    assert RegistryGuardian.objects.count() == 2


def test_whether_the_child_lives_with_a_guardian_is_read_and_a_change_is_written(school):
    header = [*HEADER, "監護人1同住", "監護人2同住"]
    both = {**guardian(1, "陳大明", "父", DAD), **guardian(2, "林美玲", "母", MUM)}
    data = roster_csv(
        row("112001", "陳小花", ID_1, **both, 監護人1同住="是", 監護人2同住="否"),
        row("112002", "王小明", ID_2, **guardian(1, "王奶奶", "祖母", GRANNY)),  # empty: 是
        row("112003", "李小華", ID_3, **guardian(1, "李爸爸", "父"), 監護人1同住="有時"),
        header=header,
    )

    report = roster_import(data=data.encode())

    assert report.errors == [RosterRowError(4, "監護人1同住應填「是」或「否」")]
    lives = dict(RegistryGuardian.objects.values_list("name", "lives_with_student"))
    assert lives == {"陳大明": True, "林美玲": False, "王奶奶": True}
    again = roster_csv(
        row("112001", "陳小花", ID_1, **both, 監護人1同住="Y", 監護人2同住="Y"), header=header
    )
    assert roster_import(data=again.encode()).updated == 1
    assert RegistryGuardian.objects.get(name="林美玲").lives_with_student


# Full imports ------------------------------------------------------------------------------


def test_a_full_import_marks_missing_students_left_without_deleting_them(school):
    import_rows(
        row("112001", "陳小花", ID_1), row("112002", "王小明", ID_2), row("112003", "林小美", ID_3)
    )

    report = import_rows(
        row("112001", "陳小花", ID_1),
        row("112002", "王小明", "A256473828"),  # a bad row still lists its student
        full=True,
    )

    assert report.left == 1
    assert {number: s.enrolled for number, s in students().items()} == {
        "112001": True,
        "112002": True,
        "112003": False,
    }

    report = import_rows(row("112003", "林小美", ID_3))  # back again

    assert (report.created, report.updated) == (0, 1)
    assert students()["112003"].enrolled


def test_a_full_import_touches_only_the_schools_in_the_file(school, other_school):
    import_rows(row("112001", "陳小花", ID_1), row("9001", "西松生", ID_4, code="313602"))

    report = import_rows(row("112002", "王小明", ID_2), full=True)

    assert report.left == 1
    assert {number: s.enrolled for number, s in students().items()} == {
        "112001": False,
        "112002": True,
        "9001": True,
    }


def test_a_full_import_for_one_school_marks_that_schools_missing_students(school, other_school):
    import_rows(row("112001", "陳小花", ID_1), row("9001", "西松生", ID_4, code="313602"))

    report = import_rows(row("112002", "王小明", ID_2), school=school, full=True)

    assert report.left == 1
    assert not students()["112001"].enrolled
    assert students()["9001"].enrolled


def test_a_full_import_of_another_schools_file_leaves_the_own_school_alone(school, other_school):
    import_rows(row("112001", "陳小花", ID_1), row("112002", "王小明", ID_2))

    report = import_rows(row("9001", "西松生", ID_4, code="313602"), school=school, full=True)

    assert len(report.errors) == 1
    assert report.left == 0
    assert all(student.enrolled for student in Student.objects.all())


def test_a_row_without_a_student_number_keeps_its_school_from_being_marked_left(school):
    import_rows(row("112001", "陳小花", ID_1), row("112002", "王小明", ID_2))

    report = import_rows(row("112001", "陳小花", ID_1), row("", "王小明", ID_2), full=True)

    assert report.errors == [RosterRowError(3, "學號未填")]
    assert report.left == 0
    assert students()["112002"].enrolled


def test_an_import_that_is_not_full_marks_nobody_left(school):
    import_rows(row("112001", "陳小花", ID_1), row("112002", "王小明", ID_2))

    report = import_rows(row("112001", "陳小花", ID_1))

    assert report.left == 0
    assert all(student.enrolled for student in Student.objects.all())


# Personal data -----------------------------------------------------------------------------


def test_no_table_holds_an_id_number_in_plain_text_after_an_import(school, caplog):
    sample_ids = [
        "A234567893",
        "A123456789",
        "A139205814",
        "A104927361",
        "A228704139",
        "A118745206",
        "A166203942",
        "A283019473",
        "A273184650",
        "A255193820",
    ]
    plain = [*sample_ids, ID_1, ID_2, DAD, MUM]
    caplog.set_level("DEBUG")
    caplog.set_level("DEBUG", logger="django.db.backends")
    connection.force_debug_cursor = True  # log every statement, as DEBUG=True would
    try:
        with CaptureQueriesContext(connection) as queries:
            roster_import(data=SAMPLE.read_bytes(), full=True)
            import_rows(
                row("108035", "陳小花", ID_1.lower(), **guardian(1, "陳大名", "父", DAD)),
                row("108036", "林志堃", ID_2, **guardian(1, "林美玲", "母", MUM)),
                full=True,
            )
    finally:
        connection.force_debug_cursor = False
    assert (Student.objects.count(), RegistryGuardian.objects.count()) == (5, 5)

    assert tables_holding(*plain) == []
    sql = " ".join(query["sql"] for query in queries.captured_queries).upper()
    assert [value for value in plain if value in sql] == []
    assert [value for value in plain if value in caplog.text.upper()] == []


# Transactions, progress, queries -----------------------------------------------------------


@pytest.mark.parametrize("where", ["between batches (Ctrl-C)", "inside a batch (an error)"])
def test_an_interrupted_import_leaves_nothing_half_written(school, monkeypatch, where):
    import_rows(row("112001", "陳小花", ID_1, **guardian(1, "陳大明", "父", DAD)))
    before = (
        list(Student.objects.order_by("pk").values_list()),
        list(RegistryGuardian.objects.order_by("pk").values_list()),
    )
    monkeypatch.setattr(roster, "BATCH_SIZE", 2)
    progress_calls, encrypt_calls = [], []
    encrypt = roster.encrypt

    def progress(done: int) -> None:
        progress_calls.append(done)
        if where.startswith("between") and len(progress_calls) == 2:
            raise KeyboardInterrupt

    def failing_encrypt(value: str) -> str:
        encrypt_calls.append(1)
        # Batch 1 encrypts two students and two guardians; fail on batch 2's first student.
        if where.startswith("inside") and len(encrypt_calls) == 5:
            raise RuntimeError("disk full")
        return encrypt(value)

    monkeypatch.setattr(roster, "encrypt", failing_encrypt)

    with pytest.raises(KeyboardInterrupt if where.startswith("between") else RuntimeError):
        import_rows(
            {**row("112001", "陳小花", ID_1, **guardian(1, "陳阿嬤", "祖母", GRANNY)), "班級": "9"},
            row("112002", "王小明", ID_2, **guardian(1, "王大明", "父", DAD)),
            row("112003", "林小美", ID_3),
            row("112004", "張小華", ID_4),
            row("112005", "李小龍", tw_id("A10000000")),
            progress=progress,
            full=True,
        )

    assert progress_calls == ([2, 4] if where.startswith("between") else [2])
    after = (
        list(Student.objects.order_by("pk").values_list()),
        list(RegistryGuardian.objects.order_by("pk").values_list()),
    )
    assert after == before


def test_progress_is_reported_after_every_batch(school, monkeypatch):
    monkeypatch.setattr(roster, "BATCH_SIZE", 2)
    calls = []

    import_rows(
        *(row(f"11200{n}", "陳小花", tw_id(f"A1000000{n}")) for n in range(5)),
        progress=calls.append,
    )

    assert calls == [2, 4, 5]


def _many_rows(count: int, *, school_code: str) -> bytes:
    return roster_csv(
        *(
            row(
                f"{n:06d}",
                "陳小花",
                tw_id(f"A1{n:07d}"),
                code=school_code,
                **guardian(1, "陳大明", "父", tw_id(f"A2{n:07d}")),
                **guardian(2, "林美玲", "母"),
            )
            for n in range(count)
        )
    ).encode()


def test_the_number_of_queries_does_not_grow_with_the_number_of_rows(school, other_school):
    counts = {}
    for count, code in ((50, "313601"), (500, "313602")):
        data = _many_rows(count, school_code=code)
        with CaptureQueriesContext(connection) as first:
            assert roster_import(data=data, full=True).created == count
        with CaptureQueriesContext(connection) as again:
            assert roster_import(data=data, full=True).unchanged == count
        counts[count] = (len(first), len(again))

    assert counts[500] == counts[50]
    assert max(counts[500]) <= 12


# The management command --------------------------------------------------------------------


def test_the_command_reports_counts_and_bad_rows(school, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(
        roster_csv(row("112001", "陳小花", ID_1), row("112002", "", ID_2)).encode("cp950")
    )
    out, err = io.StringIO(), io.StringIO()

    call_command("import_roster", str(path), stdout=out, stderr=err)  # returns: exit code 0

    assert out.getvalue().splitlines() == [
        "共 2 列：新增 1、更新 0、未變更 0、離校 0、錯誤 1",
        "第 3 行：姓名未填",
    ]
    assert Student.objects.get().name == "陳小花"


def test_the_command_imports_one_school_fully(school, other_school, tmp_path):
    import_rows(row("112001", "陳小花", ID_1), row("112002", "王小明", ID_2))
    path = tmp_path / "roster.csv"
    path.write_text(roster_csv(row("112001", "陳小花", ID_1)), encoding="utf-8")
    out = io.StringIO()

    call_command("import_roster", str(path), "--school", "313601", "--full", stdout=out)

    assert out.getvalue().splitlines() == ["共 1 列：新增 0、更新 0、未變更 1、離校 1、錯誤 0"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing.csv"], "無法讀取檔案"),
        (["roster.csv", "--school", "999999"], "查無學校代碼 999999"),
        (["undecodable.csv"], "無法辨識檔案的文字編碼"),
    ],
)
def test_the_command_fails_for_a_file_it_cannot_use(school, tmp_path, arguments, message):
    (tmp_path / "roster.csv").write_text(roster_csv(row("112001", "陳小花", ID_1)), "utf-8")
    (tmp_path / "undecodable.csv").write_bytes(b"\xff\xfe\xfa\xff")
    arguments = [str(tmp_path / arguments[0]), *arguments[1:]]

    with pytest.raises(CommandError, match=message) as failed:
        call_command("import_roster", *arguments, stdout=io.StringIO())

    assert failed.value.returncode == 1  # what manage.py exits with
    assert not Student.objects.exists()
