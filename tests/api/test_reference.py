"""The API reference page: generated from openapi.json, every operation on it, no script."""

from __future__ import annotations

import re

from mentor_match.services import rounds


def test_the_reference_lists_every_operation_of_the_document(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert page.content_type.startswith("text/html")
    html = page.get_data(as_text=True)
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            assert f"<code>{method.upper()} {path}</code>" in html
            assert f'id="{operation["operationId"]}"' in html


def test_the_reference_shows_the_limits_the_services_own(client) -> None:
    html = client.get("/api/v1/docs").get_data(as_text=True)
    body = html.split('id="create_round_post"', 1)[1].split("</article>", 1)[0]
    assert f"at most {rounds.NAME_MAX} characters" in body
    assert f"from 0 to {rounds.MAX_MIN_OVERLAP:g}" in body
    assert "no other field is accepted" in body


def test_every_schema_link_has_its_schema_and_nothing_runs(client) -> None:
    html = client.get("/api/v1/docs").get_data(as_text=True)
    links = set(re.findall(r'href="#(schema-[\w.-]+)"', html))
    assert "schema-Error" in links
    for anchor in links:
        assert f'id="{anchor}"' in html
    # Only the site's own script files (no inline script, no CDN): the CSP forbids the rest.
    for tag in re.findall(r"<script[^>]*>", html):
        assert re.search(r'src="/[^/]', tag), tag
    assert " style=" not in html
