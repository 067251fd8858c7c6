"""HTML → PDF with WeasyPrint, in a separate process with a time limit and a memory cap.

The worker process runs at a lower CPU priority than the web workers, so a render never slows
participants down much, and it is started once and kept warm (fonts and WeasyPrint loaded).
When a render exceeds its time limit the worker is killed and a fresh one started; the
caller gets :class:`RenderTimeout` and the web app keeps serving. In the worker a render runs
with Python's cyclic garbage collector paused (:func:`_render_collected`).

WeasyPrint fetches through :class:`StaticOnlyFetcher`: files inside the project's static
folder, nothing else (no other ``file:`` path, no network). It styles with a lighter copy of
its own user-agent stylesheet (:func:`report_ua_stylesheet`) and compresses the PDF at
zlib's default level (:data:`COMPRESSION_LEVEL`).
"""

from __future__ import annotations

import ctypes.util
import gc
import multiprocessing
import os
import re
import threading
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from assessment.exceptions import RenderError, RenderTimeout

#: WeasyPrint's variant for tagged, accessible PDF.
PDF_VARIANT = "pdf/ua-1"


@dataclass(frozen=True)
class RenderLimits:
    """How long a render may take, how much memory its process may map, and its niceness."""

    seconds: float = 60.0
    memory_mb: int = 1536
    niceness: int = 10

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RenderLimits:
        """The limits an app's settings give (REPORT_TIME_LIMIT, REPORT_MEMORY_MB,
        REPORT_NICENESS; a niceness above 19 is 19, the lowest priority)."""
        return cls(seconds=float(config["REPORT_TIME_LIMIT"]),
                   memory_mb=int(config["REPORT_MEMORY_MB"]),
                   niceness=min(int(config["REPORT_NICENESS"]), 19))


@contextmanager
def _no_library_search() -> Iterator[None]:
    """``ctypes.util.find_library`` answering "not found" at once while the block runs.

    WeasyPrint loads each native library (Pango, HarfBuzz, fontconfig...) by trying the
    names Windows, macOS and Linux give it, in that order, and cffi hands each name the
    dynamic loader does not know to ``find_library``, which on Linux runs ``ldconfig``,
    ``gcc`` and ``ld``: 54 programs, about 0.15 s of CPU and more of waiting, every time a
    report process starts. Each list also holds the name the loader itself resolves
    (``libpango-1.0.so.0``), which then loads the same library without them.
    """
    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = search


@cache
def load_weasyprint() -> None:
    """Import WeasyPrint, and with it its native libraries, once per process, without the
    library search of :func:`_no_library_search`; every use of WeasyPrint here calls it
    first."""
    with _no_library_search():
        import weasyprint  # noqa: F401


def make_fetcher(static_dir: Path) -> Any:
    """A WeasyPrint URL fetcher that serves files from ``static_dir`` and refuses the rest."""
    load_weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = static_dir.resolve()

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """Serves ``file:`` URLs inside the static folder; refuses every other URL."""

        refused: list[str]

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("file",))
            self.refused = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            path = _static_path(url, root)
            if path is None:
                self.refused.append(url)
                raise ValueError(f"refused to fetch {url[:200]}: only the app's static files")
            return URLFetcherResponse(url, body=path.read_bytes(),
                                      headers={"Content-Type": _mime(path)})

    return StaticOnlyFetcher()


def _static_path(url: str, root: Path) -> Path | None:
    """The file a ``file:`` URL names, if it lies inside ``root`` and exists."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path)).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def _mime(path: Path) -> str:
    return {".css": "text/css", ".ttf": "font/ttf", ".svg": "image/svg+xml",
            ".png": "image/png"}.get(path.suffix, "application/octet-stream")


#: The rules of WeasyPrint's user-agent stylesheet that give every element of a document
#: computed styles for pseudo-elements the report never has: footnotes and notes (nothing
#: floats as a footnote), and markers of elements other than list items (only ``li`` is
#: one). WeasyPrint computes a style for each such pseudo-element of each element, six per
#: element, some 14,000 in the demo report.
_UA_UNUSED = re.compile(r"^::(?:footnote|note)-[a-z]+ \{[^}\n]*\}\n", re.MULTILINE)
_UA_MARKER = re.compile(r"^::marker \{", re.MULTILINE)


def report_ua_text(ua: str) -> str | None:
    """WeasyPrint's user-agent stylesheet ``ua`` without the rules the report never uses
    (:data:`_UA_UNUSED`; ``::marker`` only for ``li``), or None when the sheet does not read
    as expected (a new WeasyPrint: then the full sheet is used, and a test says so)."""
    trimmed, removed = _UA_UNUSED.subn("", ua)
    trimmed, markers = _UA_MARKER.subn("li::marker {", trimmed)
    if removed != 5 or markers != 1:
        return None
    return trimmed


@cache
def report_ua_stylesheet() -> Any:
    """The user-agent stylesheet the report renders with, parsed once per process."""
    load_weasyprint()
    from weasyprint import CSS
    from weasyprint.html import UA, UA_COUNTER_STYLE, UA_STYLESHEET

    text = report_ua_text(UA)
    return UA_STYLESHEET if text is None else CSS(string=text, counter_style=UA_COUNTER_STYLE)


#: How hard the PDF's streams are compressed: zlib's default. WeasyPrint's PDF writer
#: (pydyf) asks for level 9, which costs the demo report about 70 ms of a 1.9 s render (its
#: structure tree, 4,600 tagged elements, is text zlib searches long at that level) for a
#: file 3 % smaller.
COMPRESSION_LEVEL = 6


class _DefaultLevelZlib:
    """zlib for pydyf: compressing at :data:`COMPRESSION_LEVEL` whatever level it asks,
    the rest of zlib as it is."""

    @staticmethod
    def compress(data: bytes, level: int = -1) -> bytes:
        return zlib.compress(data, COMPRESSION_LEVEL)

    @staticmethod
    def compressobj(level: int = -1, *args: Any, **kwargs: Any) -> Any:
        return zlib.compressobj(COMPRESSION_LEVEL, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)


_DEFAULT_LEVEL_ZLIB = _DefaultLevelZlib()


def _compress_at_default_level() -> bool:
    """Make pydyf compress at :data:`COMPRESSION_LEVEL`, for every PDF this process writes;
    False (and level 9 stays) when pydyf no longer calls zlib as this expects."""
    import pydyf

    if getattr(pydyf, "zlib", None) is zlib:
        pydyf.zlib = _DEFAULT_LEVEL_ZLIB
    return getattr(pydyf, "zlib", None) is _DEFAULT_LEVEL_ZLIB


@cache
def _report_html_class() -> Any:
    """WeasyPrint's HTML document class, styled with :func:`report_ua_stylesheet`; the
    first call also sets the compression (:func:`_compress_at_default_level`)."""
    load_weasyprint()
    from weasyprint import HTML
    from weasyprint.html import UA_FORM_STYLESHEET

    _compress_at_default_level()

    class ReportHTML(HTML):  # type: ignore[misc]
        """An HTML document with the report's user-agent stylesheet."""

        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            sheet = report_ua_stylesheet()
            return [sheet, UA_FORM_STYLESHEET] if forms else [sheet]

    return ReportHTML


def report_document(html: str, static_dir: Path, fetcher: Any = None) -> Any:
    """WeasyPrint's HTML document for ``html``, as the worker renders it: static files
    only, the report's user-agent stylesheet, the PDF compression set."""
    return _report_html_class()(string=html, base_url=static_dir.resolve().as_uri() + "/",
                                url_fetcher=fetcher or make_fetcher(static_dir))


def html_to_pdf(html: str, static_dir: Path, fetcher: Any = None) -> bytes:
    """Render in this process (the worker calls this; tests may, with their own fetcher)."""
    document = report_document(html, static_dir, fetcher)
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT, finisher=_open_with_bookmarks)
    return pdf


def _open_with_bookmarks(_document: Any, pdf: Any) -> None:
    """A reader opens the report with its bookmarks (the chapters) shown beside the pages."""
    pdf.catalog["PageMode"] = "/UseOutlines"


# -- the worker process ------------------------------------------------------------------


def _render_collected(html: str, static_dir: Path) -> bytes:
    """:func:`html_to_pdf` with the cyclic garbage collector paused, and one collection after.

    WeasyPrint keeps some 200,000 objects alive until a render ends (the document tree, a
    computed style for every element, the boxes): with the collector on, it walks them all
    again and again, four full collections in the demo report, about a quarter of its
    render time. They become garbage together at the end,
    and one collection frees them, before the next render starts.
    """
    gc.disable()
    try:
        return html_to_pdf(html, static_dir)
    finally:
        gc.enable()
        gc.collect()


def step_aside(niceness: int) -> None:
    """Lower this process's priority by ``niceness``, against every other process's.

    On Linux with autogroup (most distributions; /proc/sys/kernel/sched_autogroup_enabled),
    the CPU is shared between sessions first, and a niceness counts only within its session.
    A renderer in a session of its own (a separate worker service, or started with its own
    session as the load benchmark does) would get as much of a core as the whole web server
    however nice it is. So a niced renderer starts a session of its own and lowers that
    session's priority as well; nothing else is in it. Without autogroup only the niceness
    counts.

    A share alone still lets a participant's request wait: a request that arrives while the
    renderer has the core waits until the scheduler takes it back. Linux's idle policy
    (SCHED_IDLE) has any other process that wakes take the core at once, so a niced renderer
    takes that policy too (measured by turns: a room's p95 grew by +17 to +54 % beside a
    render loop with the share alone, by +12 to +16 % with the idle policy; docs/deploy.md).
    """
    if niceness <= 0:
        return
    os.nice(niceness)
    with suppress(OSError):  # not Linux, autogroup off, or already a session's leader
        os.setsid()
        Path("/proc/self/autogroup").write_text(str(niceness))
    if hasattr(os, "SCHED_IDLE"):  # Linux
        with suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def _worker_main(connection: Connection, static_dir: str, limits: RenderLimits) -> None:
    """Render requests from ``connection`` until it closes."""
    import resource

    step_aside(limits.niceness)
    cap = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    load_weasyprint()  # once, before the first job
    report_ua_stylesheet()
    _report_html_class()

    # What is loaded now stays loaded: the collection after each render need not walk it.
    gc.collect()
    gc.freeze()

    while True:
        try:
            html = connection.recv()
        except (EOFError, OSError):
            return
        try:
            connection.send(("ok", _render_collected(html, Path(static_dir))))
        except MemoryError:
            connection.send(("error", "the report needed more memory than allowed"))
        except Exception as exc:
            connection.send(("error", f"{type(exc).__name__}: {exc}"[:500]))


class Renderer:
    """One warm worker process; renders one report at a time."""

    def __init__(self, static_dir: Path, limits: RenderLimits | None = None) -> None:
        self.static_dir = static_dir
        self.limits = limits or RenderLimits()
        self._lock = threading.Lock()
        self._process: Any = None
        self._connection: Connection | None = None

    def _start(self) -> Connection:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(
            target=_worker_main, args=(child, str(self.static_dir), self.limits),
            name="regiospiegel-report", daemon=True)
        process.start()
        child.close()
        self._process, self._connection = process, parent
        return parent

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        if self._connection is not None:
            self._connection.close()
        self._process = self._connection = None

    @property
    def pid(self) -> int | None:
        """The worker's process id, while it runs."""
        return self._process.pid if self._process is not None else None

    def render(self, html: str) -> bytes:
        """HTML → PDF in the worker; RenderTimeout or RenderError when it fails."""
        with self._lock:
            connection = self._connection
            if connection is None or not self._process.is_alive():
                self._stop()
                connection = self._start()
            try:
                connection.send(html)
                if not connection.poll(self.limits.seconds):
                    self._stop()
                    raise RenderTimeout(
                        f"rendering took longer than {self.limits.seconds:g} seconds")
                status, payload = connection.recv()
            except (EOFError, OSError, BrokenPipeError) as exc:
                self._stop()
                raise RenderError("the report process stopped unexpectedly") from exc
        if status != "ok":
            raise RenderError(str(payload))
        result: bytes = payload
        return result

    def close(self) -> None:
        """Stop the worker."""
        with self._lock:
            self._stop()
