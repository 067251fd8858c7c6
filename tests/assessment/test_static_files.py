"""Static files: linked by their version, kept by the browser, asked again when they change."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask, url_for

from assessment.config import PROJECT_ROOT
from assessment.static_files import FONT_MAX_AGE, VERSIONED_MAX_AGE, version

STATIC = PROJECT_ROOT / "assessment" / "static"


def test_a_page_links_its_stylesheet_by_the_file_s_version(client) -> None:
    html = client.get("/").get_data(as_text=True)
    linked = re.search(r'rel="stylesheet" href="/static/regiospiegel\.css\?v=(\w+)"', html)
    assert linked is not None
    assert linked.group(1) == version(STATIC / "regiospiegel.css")


def test_the_current_version_is_kept_a_year_and_any_other_asked_again(client) -> None:
    current = version(STATIC / "regiospiegel.css")
    kept = client.get(f"/static/regiospiegel.css?v={current}")
    assert kept.status_code == 200
    assert kept.headers["Cache-Control"] == f"public, max-age={VERSIONED_MAX_AGE}, immutable"
    assert "Content-Security-Policy" in kept.headers  # the security headers as before
    for url in ("/static/regiospiegel.css?v=0123456789ab", "/static/regiospiegel.css"):
        asked_again = client.get(url)
        assert asked_again.status_code == 200
        assert asked_again.get_data() == kept.get_data()
        assert asked_again.headers["Cache-Control"] == "no-cache"
        asked_again.close()
    kept.close()


def test_fonts_are_kept_a_week(client) -> None:
    css = (STATIC / "regiospiegel.css").read_text(encoding="utf-8")
    fonts = re.findall(r'url\("(fonts/[^"]+)"\)', css)
    assert fonts
    for font in fonts:
        response = client.get(f"/static/{font}")
        assert response.status_code == 200, font
        assert response.headers["Cache-Control"] == f"public, max-age={FONT_MAX_AGE}"
        response.close()


def test_an_edited_file_gets_a_new_version(tmp_path: Path) -> None:
    stylesheet = tmp_path / "stijl.css"
    stylesheet.write_text("body { color: black; }")
    before = version(stylesheet)
    stylesheet.write_text("body { color: navy; }")
    assert version(stylesheet) not in (before, None)
    assert version(tmp_path / "ontbreekt.css") is None
    assert version(tmp_path) is None


def test_only_files_in_the_static_folder_get_a_version(app: Flask) -> None:
    with app.test_request_context():
        assert url_for("static", filename="") == "/static/"  # the report's base address
        assert url_for("static", filename="ontbreekt.css") == "/static/ontbreekt.css"
        assert url_for("static", filename="../config.py") == "/static/../config.py"
        assert "?v=" in url_for("static", filename="fonts/OpenSans-Regular.ttf")


def test_a_way_out_of_the_static_folder_finds_nothing(client) -> None:
    for url in ("/static/../assessment/config.py?v=x", "/static/%2e%2e/pyproject.toml",
                "/static/ontbreekt.css?v=x"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "max-age" not in response.headers.get("Cache-Control", ""), url


def test_a_web_font_keeps_every_character_the_app_writes_that_its_whole_font_has() -> None:
    from fontTools.ttLib import TTFont

    written = _characters_the_app_writes()
    for face in ("Regular", "Italic", "Semibold", "Bold"):
        whole = STATIC / "fonts" / f"OpenSans-{face}.ttf"
        web = STATIC / "fonts" / f"OpenSans-{face}.woff2"
        whole_font, web_font = TTFont(whole), TTFont(web)
        assert web_font.flavor == "woff2"
        lost = {character for character in written
                if ord(character) in whole_font.getBestCmap()
                and ord(character) not in web_font.getBestCmap()}
        assert not lost, f"{web.name} lacks {sorted(lost)}: add them in the Makefile (make fonts)"
        # The point of the cut: a phone on a crowded venue's Wi-Fi loads a tenth.
        assert web.stat().st_size * 10 < whole.stat().st_size


def _characters_the_app_writes() -> set[str]:
    """Every character in the templates, stylesheets, scripts, questionnaires and catalogues."""
    sources = [*(PROJECT_ROOT / "templates").rglob("*.html"), *STATIC.glob("*.css"),
               *STATIC.glob("*.js"), *(PROJECT_ROOT / "questions").glob("*.yaml"),
               *(PROJECT_ROOT / "assessment" / "translations").rglob("*.po")]
    assert len(sources) > 20
    written = set()
    for source in sources:
        written.update(source.read_text(encoding="utf-8"))
    assert {"é", "ë", "’", "–"} <= written  # the Dutch texts were read
    return {character for character in written if ord(character) > 0x7E}
