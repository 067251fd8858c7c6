"""Check the system libraries WeasyPrint needs, and name the Debian packages when one is missing.

Run as ``python -m assessment.system_check``; it imports nothing of the app but the report
process's loader (``reports.render``, which needs no web stack), so it works before the app
can start, and loads WeasyPrint as a report process does. Exit status 0 when the report
engine loads, 1 otherwise.
"""

from __future__ import annotations

import ctypes.util
import sys

#: shared library name → Debian package that provides it
REQUIRED_LIBRARIES = {
    "gobject-2.0": "libglib2.0-0",
    "pango-1.0": "libpango-1.0-0",
    "pangoft2-1.0": "libpangoft2-1.0-0",
    "harfbuzz": "libharfbuzz0b",
    "fontconfig": "libfontconfig1",
}


def missing_packages() -> list[str]:
    """Debian packages whose library cannot be found on this system."""
    return [package for library, package in REQUIRED_LIBRARIES.items()
            if ctypes.util.find_library(library) is None]


def main() -> int:
    """Print what is missing and how to install it."""
    missing = missing_packages()
    if not missing:
        from reports.render import load_weasyprint

        try:
            load_weasyprint()
        except (OSError, ImportError) as exc:
            first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            print(f"The PDF engine (WeasyPrint) cannot load: {first_line}", file=sys.stderr)
            missing = list(REQUIRED_LIBRARIES.values())
        else:
            return 0
    print("Missing system libraries for the PDF reports. Install them with:\n"
          f"  sudo apt-get install {' '.join(missing)}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
