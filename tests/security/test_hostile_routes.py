"""Odd query values on every page and API route added for assisted coding and openness:
a stranger's input gets a 4xx or the page, never a 500 (on SQLite and PostgreSQL)."""
from __future__ import annotations

from tests.helpers import api_token, bearer, login

VALUES = ["%00", "a%00b", "x" * 5000, "%FF%FE", "'\"<>", "-1", "99999999999", "٣",
          "%E2%80%AE", "NEAR(", "*"]
PUBLIC = [
    "/en/rounds?x={v}", "/ar/rounds/{r}?q={v}", "/en/rounds/{r}?principle={v}",
    "/en/rounds/{r}?theme={v}&after={v}", "/en/contributions/{v}",
    "/en/rounds/{r}/open-data/views.csv?x={v}", "/en/rounds/{r}/feed.atom?after={v}",
    "/en/rounds/{r}/response?x={v}", "/en/rounds/{r}/paper-form?x={v}",
    "/zh/rounds/{r}/moderation?x={v}", "/en/submit?round={v}", "/en/manage/{v}",
]
STAFF = [
    "/en/moderate?q={v}", "/en/moderate?detected={v}", "/en/moderate/clusters?cursor={v}",
    "/en/moderate/clusters?order={v}&round={v}", "/en/moderate/second-coding?cursor={v}",
    "/en/moderate/reconcile?cursor={v}", "/en/reports/?q={v}", "/en/reports/?language={v}",
    "/en/admin/suggestions?days={v}", "/en/admin/outbox?cursor={v}", "/en/admin/audit?cursor={v}",
    "/en/reports/summary/P2?q={v}", "/en/moderate/submissions/1?reveal={v}",
]
API = [
    "/api/v1/clusters?cursor={v}", "/api/v1/clusters?limit={v}&order={v}&round_id={v}",
    "/api/v1/submissions?q={v}&detected={v}", "/api/v1/stats?group_by={v}",
    "/api/v1/submissions/{v}/suggestions", "/api/v1/exports/submissions.csv?q={v}",
]


def test_odd_values_never_give_a_server_error(client, session, open_round):
    answered: dict[int, int] = {}
    errors = []

    def visit(url: str, **kwargs) -> None:
        status = client.get(url, **kwargs).status_code
        answered[status] = answered.get(status, 0) + 1
        if status >= 500:
            errors.append((url[:120], status))

    for value in VALUES:
        for url in PUBLIC:
            visit(url.format(v=value, r=open_round.id))
    login(client, session, "admin")
    for value in VALUES:
        for url in STAFF:
            visit(url.format(v=value))
    token = bearer(api_token(session, "admin", "odd-values@example.org"))
    for value in VALUES:
        for url in API:
            visit(url.format(v=value), headers=token)
    assert errors == []
    assert answered.get(200, 0) > 50 and answered.get(400, 0) > 50  # the routes were reached
