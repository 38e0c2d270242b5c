"""The authorization matrix: who gets what from every URL the site serves for its records.

Roles × URLs × GET/POST, with the answer expected in each cell. The objects in the URLs belong
to school X (松山); "Y" roles belong to another school (螢橋). ``tests/portal/
test_authorization_matrix.py`` sends every request and compares; the README's security section
prints the same table (``python -m tests.authorization_matrix`` writes it).

Answers:
  ok      2xx — the page, or the action done
  done    302 to the next page after the action was done
  login   302 to a sign-in page (the admin's or /signin/)
  denied  302 to the admin's dashboard with "Sorry, you do not have permission"
  refused 302 elsewhere with an error message, nothing done
  403 / 404 / 405   that status
"""

ROLES = (
    "anonymous",
    "student X",
    "student Y",
    "parent X",
    "parent Y",
    "registrar X",
    "registrar Y",
    "editor",
    "superuser",
)

# Shorthands for rows where the roles fall into the usual groups.
OUTSIDERS = ("anonymous", "student X", "student Y", "parent X", "parent Y")


def row(outsiders="login", registrar_x="ok", registrar_y="404", editor="404", superuser="ok"):
    """Expected answers: the non-staff roles share one, then each staff role. The defaults are
    those of a URL naming one of school X's records."""
    cells = dict.fromkeys(OUTSIDERS, outsiders)
    if isinstance(outsiders, dict):
        cells = {**dict.fromkeys(OUTSIDERS, "login"), **outsiders}
    cells.update(
        {
            "registrar X": registrar_x,
            "registrar Y": registrar_y,
            "editor": editor,
            "superuser": superuser,
        }
    )
    return cells


# (label, method, path template, data, expected). Placeholders are filled by the test's objects:
# app/app_y: applications in review at X/Y; state/state_y: their current task states; wfstate:
# app's workflow state; rev: app's latest revision; link/link_y: parent–child links; student:
# a student of X; mail: a notification mail of app; template: a mail template; home: the home
# page; doc: a document; school: school X (its class 2年01班 holds the student).
CELLS = [
    # The applications screen (a Wagtail snippet viewset) -----------------------------------
    (
        "applications: list",
        "GET",
        "/admin/applications/",
        None,
        row(registrar_y="ok", editor="denied"),
    ),
    (
        "applications: list results",
        "GET",
        "/admin/applications/results/",
        None,
        row(registrar_y="ok", editor="denied"),
    ),
    (
        "applications: export CSV",
        "GET",
        "/admin/applications/?export=csv",
        None,
        row(registrar_y="ok", editor="denied"),
    ),
    (
        "applications: add",
        "GET",
        "/admin/applications/add/",
        None,
        row(registrar_x="denied", registrar_y="denied", editor="denied", superuser="denied"),
    ),
    (
        "applications: add",
        "POST",
        "/admin/applications/add/",
        {},
        row(registrar_x="denied", registrar_y="denied", editor="denied", superuser="denied"),
    ),
    ("application: edit", "GET", "/admin/applications/edit/{app}/", None, row()),
    (
        "application: edit",
        "POST",
        "/admin/applications/edit/{app}/",
        {"applicant_1_email": "new@example.com"},
        row(registrar_x="done", superuser="done"),
    ),
    ("application: inspect", "GET", "/admin/applications/inspect/{app}/", None, row()),
    ("application: history", "GET", "/admin/applications/history/{app}/", None, row()),
    (
        "application: history results",
        "GET",
        "/admin/applications/history-results/{app}/",
        None,
        row(),
    ),
    ("application: usage", "GET", "/admin/applications/usage/{app}/", None, row()),
    (
        "application: delete",
        "GET",
        "/admin/applications/delete/{app}/",
        None,
        row(registrar_x="denied", superuser="denied"),
    ),
    (
        "application: delete",
        "POST",
        "/admin/applications/delete/{app}/",
        {},
        row(registrar_x="denied", superuser="denied"),
    ),
    (
        "application: compare revisions",
        "GET",
        "/admin/applications/history/{app}/revisions/compare/earliest...latest/",
        None,
        row(),
    ),
    (
        "application: revert revision",
        "GET",
        "/admin/applications/history/{app}/revisions/{rev}/revert/",
        None,
        row(),
    ),
    ("application: unpublish", "GET", "/admin/applications/unpublish/{app}/", None, row()),
    (
        "application: lock",
        "POST",
        "/admin/applications/lock/{app}/",
        {},
        row(registrar_x="done", superuser="done"),
    ),
    (
        "application: unlock (not locked)",
        "POST",
        "/admin/applications/unlock/{app}/",
        {},
        row(registrar_x="refused", superuser="refused"),
    ),
    (
        "application: approve, own task state",
        "GET",
        "/admin/applications/workflow/action/{app}/approve/{state}/",
        None,
        row(),
    ),
    (
        "application: approve, own task state",
        "POST",
        "/admin/applications/workflow/action/{app}/approve/{state}/",
        {},
        row(registrar_x="done", superuser="done"),
    ),
    (
        "application: request changes, own task state",
        "POST",
        "/admin/applications/workflow/action/{app}/reject/{state}/",
        {"comment": "請改正手機號碼"},
        row(registrar_x="done", superuser="done"),
    ),
    (
        "application: approve, Y's task state",
        "POST",
        "/admin/applications/workflow/action/{app}/approve/{state_y}/",
        {},
        row(registrar_x="404", superuser="404"),
    ),
    (
        "application: request changes, Y's task state",
        "POST",
        "/admin/applications/workflow/action/{app}/reject/{state_y}/",
        {"comment": "請改正"},
        row(registrar_x="404", superuser="404"),
    ),
    (
        "application: collect data, own task state",
        "POST",
        "/admin/applications/workflow/collect_action_data/{app}/approve/{state}/",
        {"comment": "核准"},
        row(),
    ),
    (
        "application: collect data, Y's task state",
        "POST",
        "/admin/applications/workflow/collect_action_data/{app}/approve/{state_y}/",
        {"comment": "核准"},
        row(registrar_x="404", superuser="404"),
    ),
    (
        "application: cancel workflow",
        "GET",
        "/admin/applications/workflow/confirm_cancellation/{app}/",
        None,
        row(),
    ),
    (
        "application: workflow history",
        "GET",
        "/admin/applications/workflow_history/{app}/",
        None,
        row(),
    ),
    (
        "application: workflow history detail",
        "GET",
        "/admin/applications/workflow_history/{app}/detail/{wfstate}/",
        None,
        row(),
    ),
    (
        "application: reveal an ID",
        "GET",
        "/admin/applications/reveal/{app}/",
        None,
        row(registrar_x="405", superuser="405"),
    ),
    (
        "application: reveal an ID",
        "POST",
        "/admin/applications/reveal/{app}/",
        {"which": "student"},
        row(),
    ),
    (
        "applications: chooser",
        "GET",
        "/admin/snippets/choose/binding_forms/application/",
        None,
        row(registrar_y="ok", editor="ok"),
    ),
    (
        "application: chosen",
        "GET",
        "/admin/snippets/choose/binding_forms/application/chosen/{app}/",
        None,
        row(),
    ),
    (
        "applications: bulk approve",
        "POST",
        "/admin/bulk/binding_forms/application/approve/?id={app}",
        {},
        row(registrar_x="done", superuser="done"),
    ),
    (
        "applications: bulk delete",
        "GET",
        "/admin/bulk/binding_forms/application/delete/?id={app}",
        None,
        row(),
    ),
    (
        "applications: bulk delete",
        "POST",
        "/admin/bulk/binding_forms/application/delete/?id={app}",
        {},
        row(registrar_x="refused", superuser="refused"),
    ),
    (
        "application's task state through the pages' workflow URL",
        "POST",
        "/admin/pages/workflow/action/{home}/approve/{state}/",
        {},
        row(registrar_x="refused", registrar_y="refused", editor="refused", superuser="refused"),
    ),
    # Parent–child links --------------------------------------------------------------------
    ("links: list", "GET", "/admin/links/", None, row(registrar_y="ok", editor="denied")),
    ("link: inspect", "GET", "/admin/links/inspect/{link}/", None, row()),
    (
        "link: history",
        "GET",
        "/admin/links/history/{link}/",
        None,
        row(registrar_x="denied", superuser="denied"),
    ),
    (
        "link: edit",
        "GET",
        "/admin/links/edit/{link}/",
        None,
        row(registrar_x="denied", superuser="denied"),
    ),
    (
        "link: delete",
        "POST",
        "/admin/links/delete/{link}/",
        {},
        row(registrar_x="denied", superuser="denied"),
    ),
    ("link: revoke", "GET", "/admin/links/revoke/{link}/", None, row()),
    (
        "link: revoke",
        "POST",
        "/admin/links/revoke/{link}/",
        {"reason": "家長申請解除"},
        row(registrar_x="done", superuser="done"),
    ),
    # Binding letters, printed per class from the binding-progress panel ---------------------
    ("binding letters: print page", "GET", "/admin/binding-letters/{school}/2/1/", None, row()),
    (
        "binding letters: print (PDF)",
        "POST",
        "/admin/binding-letters/{school}/2/1/",
        {"students": "all"},
        row(),
    ),
    # Students of the registry --------------------------------------------------------------
    ("students: list", "GET", "/admin/student/", None, row(registrar_y="ok", editor="denied")),
    ("student: inspect", "GET", "/admin/student/inspect/{student}/", None, row()),
    (
        "student: edit",
        "GET",
        "/admin/student/edit/{student}/",
        None,
        row(registrar_x="denied", registrar_y="denied", editor="denied", superuser="denied"),
    ),
    (
        "student: history",
        "GET",
        "/admin/student/history/{student}/",
        None,
        row(registrar_x="denied", registrar_y="denied", editor="denied", superuser="denied"),
    ),
    (
        "student: reset the password",
        "POST",
        "/admin/student/reset-password/{student}/",
        {},
        row(registrar_x="done", superuser="done"),
    ),
    (
        "students: import the roster",
        "GET",
        "/admin/student/import/",
        None,
        row(registrar_y="ok", editor="denied"),
    ),
    # Mail ------------------------------------------------------------------------------------
    (
        "mail: resend to a corrected address",
        "POST",
        "/admin/review/mail/{mail}/resend/",
        {"email": "fixed@example.com"},
        row(),
    ),
    (
        "mail templates: list",
        "GET",
        "/admin/snippets/review_workflow/mailtemplate/",
        None,
        row(registrar_x="denied", registrar_y="denied", editor="ok", superuser="ok"),
    ),
    (
        "mail template: edit",
        "GET",
        "/admin/snippets/review_workflow/mailtemplate/edit/{template}/",
        None,
        row(registrar_x="denied", registrar_y="denied", editor="ok", superuser="ok"),
    ),
    # Reports, search, dashboard --------------------------------------------------------------
    ("dashboard", "GET", "/admin/", None, row(registrar_y="ok", editor="ok")),
    (
        "site history",
        "GET",
        "/admin/reports/site-history/",
        None,
        row(registrar_y="ok", editor="ok"),
    ),
    (
        "site history: export CSV",
        "GET",
        "/admin/reports/site-history/?export=csv",
        None,
        row(registrar_y="ok", editor="ok"),
    ),
    (
        "workflow report",
        "GET",
        "/admin/reports/workflow/",
        None,
        row(registrar_x="denied", registrar_y="denied", editor="ok"),
    ),
    (
        "workflow tasks report",
        "GET",
        "/admin/reports/workflow_tasks/",
        None,
        row(registrar_x="denied", registrar_y="denied", editor="ok"),
    ),
    (
        "locked pages report",
        "GET",
        "/admin/reports/locked/",
        None,
        row(registrar_x="denied", registrar_y="denied", editor="ok", superuser="ok"),
    ),
    (
        "page search",
        "GET",
        "/admin/pages/search/?q=陳",
        None,
        row(registrar_x="denied", registrar_y="denied", editor="ok"),
    ),
    (
        "documents",
        "GET",
        "/admin/documents/",
        None,
        row(registrar_x="denied", registrar_y="denied", editor="ok", superuser="ok"),
    ),
    (
        "users",
        "GET",
        "/admin/users/",
        None,
        row(registrar_x="denied", registrar_y="denied", editor="denied"),
    ),
    # The same URLs by POST, where POST is the action itself.
    (
        "application: revert revision",
        "POST",
        "/admin/applications/history/{app}/revisions/{rev}/revert/",
        {"applicant_1_email": "new@example.com"},
        row(registrar_x="done", superuser="done"),
    ),
    (
        "application: unpublish",
        "POST",
        "/admin/applications/unpublish/{app}/",
        {},
        row(registrar_x="refused", superuser="refused"),  # not published: nothing to do
    ),
    (
        "application: cancel workflow",
        "POST",
        "/admin/applications/workflow/confirm_cancellation/{app}/",
        {},
        row(),  # only asks; the edit screen's action cancels
    ),
    (
        "link: edit",
        "POST",
        "/admin/links/edit/{link}/",
        {"relationship": "父子"},
        row(registrar_x="denied", superuser="denied"),
    ),
    (
        "student: edit",
        "POST",
        "/admin/student/edit/{student}/",
        {"name": "改名"},
        row(registrar_x="denied", registrar_y="denied", editor="denied", superuser="denied"),
    ),
    (
        "mail template: edit",
        "POST",
        "/admin/snippets/review_workflow/mailtemplate/edit/{template}/",
        {"kind": "submitted", "subject": "主旨", "body": "內容"},
        row(registrar_x="denied", registrar_y="denied", editor="done", superuser="done"),
    ),
    (
        "site history",
        "POST",
        "/admin/reports/site-history/",
        {},
        row(registrar_x="405", registrar_y="405", editor="405", superuser="405"),
    ),
    # Parent pages ----------------------------------------------------------------------------
    (
        "the wizard",
        "GET",
        "/binding/",
        None,
        row(
            outsiders={
                "student X": "done",
                "student Y": "done",
                "parent X": "done",
                "parent Y": "done",
            },
            registrar_x="done",
            registrar_y="done",
            editor="done",
            superuser="done",
        ),
    ),
]


def markdown() -> str:
    """The matrix as the README prints it."""
    lines = [
        "| request | " + " | ".join(ROLES) + " |",
        "|---|" + "---|" * len(ROLES),
    ]
    for label, method, template, _data, expected in CELLS:
        path = template.replace("|", "\\|")
        cells = " | ".join(expected[role] for role in ROLES)
        lines.append(f"| {label}: {method} `{path}` | {cells} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
