"""A stand-in for the user's browser, for `BROWSER="python -m tests.wire.fake_browser %s"`:
it opens the URL (GET, following redirects: the authorize page sends it to the loopback
callback) and exits. Used by the `llxprt auth login` subprocess tests."""

from __future__ import annotations

import sys

import httpx2


def main() -> int:
    with httpx2.Client(follow_redirects=True, timeout=30) as browser:
        return 0 if browser.get(sys.argv[1]).status_code == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
