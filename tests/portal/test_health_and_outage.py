"""``/healthz`` for the load balancer and process supervision, and the page a parent gets while
the database is unreachable (PostgreSQL restarting): 503 asking to retry, never a traceback.
benchmarks/load/faults.py restarts a real PostgreSQL under load."""

import pytest
from django.db import OperationalError, connection
from django.test import RequestFactory
from django.urls import get_resolver
from portal.errors import server_error


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies  # no session, no CSRF cookie


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client):
    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection refused")

    with connection.execute_wrapper(refuse):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"database unreachable\n"


@pytest.mark.django_db
def test_healthz_takes_no_post(client):
    assert client.post("/healthz").status_code == 405


def test_the_project_answers_errors_with_its_own_handler():
    assert get_resolver().resolve_error_handler(500) is server_error


def _answer_to(error: Exception):
    request = RequestFactory().get("/binding/student/")
    try:
        raise error
    except Exception:
        return server_error(request)


def test_a_database_outage_answers_503_with_a_page_asking_to_retry():
    response = _answer_to(OperationalError("server closed the connection unexpectedly"))

    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    assert "請於幾秒後重新整理本頁，或再按一次送出" in html
    assert "也不會只存下一半" in html
    assert "Traceback" not in html and "OperationalError" not in html
    assert "server closed" not in html


def test_an_outage_behind_another_error_is_still_an_outage():
    try:
        raise OperationalError("terminating connection due to administrator command")
    except OperationalError as cause:
        wrapped = RuntimeError("while rendering")
        wrapped.__cause__ = cause
    response = _answer_to(wrapped)

    assert response.status_code == 503


def test_any_other_failure_is_djangos_500_page():
    response = _answer_to(ValueError("a bug"))

    assert response.status_code == 500
    assert "系統暫時無法處理您的要求" in response.content.decode()
    assert "a bug" not in response.content.decode()


@pytest.mark.django_db
def test_a_request_caught_by_the_outage_gets_the_retry_page(client):
    """Through the whole stack: the database fails under a real page request."""

    def refuse(execute, sql, params, many, context):
        raise OperationalError("the database system is shutting down")

    client.raise_request_exception = False
    with connection.execute_wrapper(refuse):
        response = client.get("/signin/")

    assert response.status_code == 503
    assert "系統忙碌中，請稍後再試" in response.content.decode()
