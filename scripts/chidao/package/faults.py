"""Named points where a test may kill a build (``CHIDAO_KILL_AT=<name>``): the crash-safety
test (tests/test_crash.py) proves that a build killed at any of them leaves the previous
package and site whole, and that the next build recovers."""

from __future__ import annotations

import os
import signal


def fault_point(name: str) -> None:
    if os.environ.get("CHIDAO_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
