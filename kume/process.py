"""Which process holds something (a crawl lock, a crawl job), and whether that process is still there.

An owner is `host:pid:start`, the start being the process's start time in clock ticks since boot
(Linux /proc/<pid>/stat, field 22), so a pid the kernel hands out again is not taken for the
process that held it. Written by hand: the standard library has no process start time, and this
is all kume needs of a process library such as psutil.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path


def _stat(pid: int) -> list[str] | None:
    """Fields 3 on of /proc/<pid>/stat (state first), or None where /proc does not tell (not Linux, no such pid)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields if len(fields) > 19 else None


def _start_time(pid: int) -> str | None:
    fields = _stat(pid)
    return fields[19] if fields else None


def owner_of(pid: int) -> str:
    """The owner string of the process `pid` of this host."""
    return f"{socket.gethostname()}:{pid}:{_start_time(pid) or ''}"


def current_owner() -> str:
    """The owner string of this process."""
    return owner_of(os.getpid())


def is_local(owner: str) -> bool:
    """Whether the owner is a process of this host (else its liveness cannot be checked from here)."""
    host, _, _ = _parts(owner)
    return host == socket.gethostname()


def owner_alive(owner: str) -> bool:
    """Whether the owning process still runs; a process of another host is assumed to."""
    host, pid, start = _parts(owner)
    if host != socket.gethostname():
        return True
    try:
        number = int(pid)
        os.kill(number, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    fields = _stat(number)
    if fields is None:
        return True  # no /proc: the pid exists, which is all that can be known
    # A zombie has finished; its parent just has not reaped it yet.
    return fields[0] != "Z" and (not start or fields[19] == start)


def _parts(owner: str) -> tuple[str, str, str]:
    """(host, pid, start) of an owner; owners written by an older kume are `host:pid`."""
    host, _, rest = owner.partition(":")
    pid, _, start = rest.partition(":")
    return host, pid, start
