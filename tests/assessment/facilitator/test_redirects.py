"""Pages to return to (``?next=`` after logging in, the language switch) stay on this site.

A browser removes tabs and line breaks anywhere in a URL, strips control characters and
spaces at both ends and reads a backslash as a slash; the check must see what the browser
will see.
"""

from __future__ import annotations

import pytest

from assessment.links import local_path
from tests.helpers import csrf_token

#: Targets that would take the browser to another site (or that hide something odd).
ELSEWHERE = [
    "//evil.example", "//evil.example/x", "///evil.example", "////evil.example",
    "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "\t//evil.example",
    "/\\evil.example", "\\\\evil.example", "\\/evil.example", "/\t\\evil.example",
    " //evil.example", "\x00//evil.example", "\x1f/\\evil.example", "//evil.example\x00 ",
    "/%2F/evil.example", "/%2f%2fevil.example", "%2F%2Fevil.example", "/%5Cevil.example",
    "/%09/evil.example", "/%252F/evil.example", "/%25252F/evil.example",
    "/%2525252F/evil.example", "/%00", "/a%0d%0aSet-Cookie:x=1",
    "https://evil.example/", "http:evil.example", "HTTPS://evil.example", "https:/evil.example",
    "javascript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "evil.example", "begeleider/", "", " ",
    "\t", "?next=//evil.example", "#//evil.example", "/\x7f/evil.example",
]

#: Targets on this site, with what is followed (the normalised form).
HERE = [
    ("/", "/"),
    ("/begeleider/", "/begeleider/"),
    ("/begeleider/scans/1?tab=2#top", "/begeleider/scans/1?tab=2#top"),
    ("/r/abc/profiel", "/r/abc/profiel"),
    ("  /begeleider/  ", "/begeleider/"),
    ("/begeleider/\tscans/1", "/begeleider/scans/1"),
    ("/begeleider\\scans", "/begeleider/scans"),
    ("/zoeken?q=a%20b", "/zoeken?q=a%20b"),
    ("/d/%C3%A9", "/d/%C3%A9"),
    ("/path//double", "/path//double"),
]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_a_target_elsewhere_is_refused(target):
    assert local_path(target) == ""


@pytest.mark.parametrize(("target", "followed"), HERE)
def test_a_path_on_this_site_is_followed_as_the_browser_reads_it(target, followed):
    assert local_path(target) == followed


@pytest.mark.parametrize(("query", "location"), [
    ("?next=%2F%09%2Fevil.example", "/begeleider/"),
    ("?next=%2F%5Cevil.example", "/begeleider/"),
    ("?next=%20%2F%2Fevil.example", "/begeleider/"),
    ("?next=%2Fbegeleider%2Fscans%2F1", "/begeleider/scans/1"),
])
def test_after_logging_in_the_browser_stays_on_this_site(client, demo, query, location):
    page = client.get("/begeleider/inloggen")
    response = client.post(f"/begeleider/inloggen{query}", data={
        "csrf_token": csrf_token(page), "email": "demo@regiospiegel.nl",
        "password": "demo-regiospiegel"})
    assert response.status_code == 302
    assert response.location == location


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\\evil.example", " //evil.example"])
def test_the_language_switch_stays_on_this_site(client, target):
    page = client.get("/")
    response = client.post("/taal", data={"csrf_token": csrf_token(page), "language": "en",
                                          "next": target})
    assert response.status_code == 302
    assert response.location == "/"
