"""Hide a `--key` value from process listings (`ps`, /proc/PID/cmdline).

Any user on the machine can read another process's command line, so once the arguments
are parsed the process title is rewritten with the key masked, as `mysql -pPASSWORD` does.
The value is visible only for the few milliseconds before this runs; `--key-name`,
`--keyfile` or the key entry screen (f2) never expose it at all.
"""

from __future__ import annotations

from collections.abc import Sequence

MASK = "***"


def masked_argv(argv: Sequence[str]) -> list[str]:
    """`argv` with every `--key VALUE` / `--key=VALUE` value replaced by MASK."""
    masked: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            masked.append(MASK)
            hide_next = False
        elif arg == "--key":
            masked.append(arg)
            hide_next = True
        elif arg.startswith("--key="):
            masked.append(f"--key={MASK}")
        else:
            masked.append(arg)
    return masked


def hide_key_from_process_listing(argv: Sequence[str]) -> bool:
    """Rewrite this process's title if `argv` holds a key; True when it did."""
    masked = masked_argv(argv)
    if masked == list(argv):
        return False
    import setproctitle  # a small C extension; only loaded when there is a key to hide

    setproctitle.setproctitle(" ".join(masked))
    return True
