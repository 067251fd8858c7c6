"""Security headers, cookies and the production checks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assessment import create_app
from assessment.config import PROJECT_ROOT
from assessment.security import UnsafeConfiguration
from tests.helpers import csrf_token


@pytest.mark.parametrize("url", ["/", "/begeleider/inloggen", "/d/ONBEKEND",
                                 "/static/regiospiegel.css"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    response.close()
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(client, facilitator_client):
    for html in (client.get("/").get_data(as_text=True),
                 facilitator_client.get("/begeleider/scans/1").get_data(as_text=True)):
        assert "<script>" not in html and " style=" not in html and "<style" not in html


def test_session_cookie_is_httponly_and_lax(client):
    page = client.get("/")
    cookie = page.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_behind_https(app_config):
    app = create_app({**app_config, "BASE_URL": "https://scan.example.nl"})
    cookie = app.test_client().get("/").headers.get("Set-Cookie", "")
    assert "Secure" in cookie
    app.extensions["regiospiegel.reports"].close()


#: Settings production starts with (app_config's BASE_URL is http://regiospiegel.test).
PRODUCTION = {"ENVIRONMENT": "production", "SECRET_KEY_FROM_ENVIRONMENT": True,
              "TRUSTED_HOSTS": ["regiospiegel.test"], "PASSWORD_HASH_METHOD": "scrypt"}


@pytest.mark.parametrize(("settings", "reason"), [
    ({"SECRET_KEY_FROM_ENVIRONMENT": False}, "SECRET_KEY"),
    ({"DEBUG": True}, "debug"),
    ({"TRUSTED_HOSTS": None}, "needs TRUSTED_HOSTS"),
    ({"TRUSTED_HOSTS": []}, "needs TRUSTED_HOSTS"),
    ({"TRUSTED_HOSTS": ["https://regiospiegel.test"]}, "without scheme or path"),
    ({"TRUSTED_HOSTS": ["scan.example.nl"]}, "does not include BASE_URL's host"),
    ({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"}, "scrypt only"),
])
def test_production_refuses_unsafe_settings(app_config, settings, reason):
    with pytest.raises(UnsafeConfiguration, match=reason):
        create_app({**app_config, **PRODUCTION, **settings})


@pytest.mark.parametrize("hosts", [["regiospiegel.test"], ["x.example.nl", "regiospiegel.test"],
                                   [".regiospiegel.test"], ["regiospiegel.test:443"]])
def test_production_starts_with_a_secret_and_its_host_names(app_config, hosts):
    app = create_app({**app_config, **PRODUCTION, "TRUSTED_HOSTS": hosts})
    assert app.config["SECRET_KEY"]
    assert app.test_client().get("/", headers={"Host": "regiospiegel.test"}).status_code == 200
    assert app.test_client().get("/", headers={"Host": "evil.example"}).status_code == 400
    app.extensions["regiospiegel.reports"].close()


def test_production_without_trusted_hosts_says_how_to_set_them(tmp_path):
    """`make serve` without TRUSTED_HOSTS stops at once with the message, before serving."""
    environment = {**os.environ, "REGIOSPIEGEL_ENV": "production", "SECRET_KEY": "s" * 40,
                   "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                   "BASE_URL": "https://scan.example.nl", "TRUSTED_HOSTS": ""}
    command = Path(sys.executable).parent / "regiospiegel"
    finished = subprocess.run([str(command), "db", "upgrade"], env=environment,
                              capture_output=True, text=True, timeout=120, check=False)
    assert finished.returncode != 0
    assert "production needs TRUSTED_HOSTS" in finished.stderr


def test_links_never_come_from_the_host_header(app):
    from assessment.links import external_url

    with app.test_request_context("/", headers={"Host": "evil.example"}):
        link = external_url("participant.welcome", code="DMZW26")
    assert link == "http://regiospiegel.test/d/DMZW26"


def test_trusted_hosts_refuse_other_host_headers(app_config):
    app = create_app({**app_config, "TRUSTED_HOSTS": ["scan.example.nl"]})
    client = app.test_client()
    assert client.get("/", headers={"Host": "scan.example.nl"}).status_code == 200
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    app.extensions["regiospiegel.reports"].close()


#: Routes left out of the walk below: they render the PDF report, slow and covered elsewhere.
SLOW_ROUTES = {"facilitator.report_pdf"}


def test_no_page_is_stored_by_the_browser_only_static_files_are(
        app, facilitator_client, participant):
    """Back on a shared laptop asks the server again: every page is ``no-store``.

    Walks every GET route of a scan (as in tests/test_access.py), the participant's pages
    and the facilitator's overview; the static files keep their caching.
    """
    from flask import url_for

    from tests.test_access import assessment_routes

    with app.test_request_context():
        urls = [url_for(endpoint, **arguments)
                for endpoint, method, arguments in assessment_routes(app)
                if method == "GET" and endpoint not in SLOW_ROUTES]
    assert len(urls) > 20
    for url in ["/begeleider/", *urls]:
        response = facilitator_client.get(url)
        assert response.headers.get("Cache-Control") == "no-store", (url, response.status_code)
    participant.post_page("profiel", {"p_organisatietype": "gemeente", "p_rol": "ambtenaar"})
    pages = [participant.url(page_id) for page_id in ("intro", "profiel", "overzicht")]
    participant.submit()
    pages += [participant.url("bedankt"), participant.url("samenvatting"), "/", "/d/DMZW26"]
    for url in pages:
        response = participant.client.get(url)
        assert response.headers.get("Cache-Control") == "no-store", (url, response.status_code)
    static = participant.client.get("/static/regiospiegel.css")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


def _wrong_codes(app, address: str, forwarded_for: str, count: int) -> list[int]:
    client = app.test_client()
    statuses = []
    for _ in range(count):
        page = client.get("/", environ_base={"REMOTE_ADDR": address})
        statuses.append(client.post(
            "/", data={"csrf_token": csrf_token(page), "code": "ONBEKEND"},
            headers={"X-Forwarded-For": forwarded_for},
            environ_base={"REMOTE_ADDR": address}).status_code)
    return statuses


@pytest.mark.parametrize("hops, second_client", [(1, [404, 404]), (0, [429, 429])])
def test_behind_a_proxy_wrong_codes_count_per_client_only_when_the_proxy_is_trusted(
        app_config, request, hops, second_client):
    app_config.update(JOIN_RATE_LIMIT="2 per minute", PROXY_HOPS=hops)
    app = request.getfixturevalue("app")
    proxy = "10.0.0.1"
    assert _wrong_codes(app, proxy, "192.0.2.10", 3) == [404, 404, 429]
    # Another participant behind the same proxy: their own count when the proxy is trusted;
    # without PROXY_HOPS the header is ignored, so nobody escapes the limit by forging it.
    assert _wrong_codes(app, proxy, "192.0.2.20", 2) == second_client


def test_the_nginx_example_tells_browsers_to_use_https_only():
    deploy = (PROJECT_ROOT / "docs" / "deploy.md").read_text()
    nginx = deploy.split("```nginx", 1)[1].split("```", 1)[0]
    tls_server = nginx.split("listen 443", 1)[1].split("\nserver {", 1)[0]
    header = re.search(r'add_header Strict-Transport-Security "max-age=(\d+)[^"]*" always;',
                       tls_server)
    assert header is not None, "the TLS server block sets no HSTS header (with 'always')"
    assert int(header.group(1)) >= 365 * 24 * 3600
