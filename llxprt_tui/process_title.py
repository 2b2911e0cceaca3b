"""Hide secrets from process listings (`ps`, /proc/PID/cmdline).

Any user on the machine can read another process's command line, so once the arguments
are parsed the process title is rewritten with every secret masked, as `mysql -pPASSWORD`
does: the `--key` value, and every `--set KEY=VALUE` whose value the setting registry calls
secret (`auth-key` under any alias, credential headers in `custom-headers`). The value is
visible only for the few milliseconds before this runs; `--key-name`, `--keyfile` or the key
entry screen (f2) never expose it at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from llxprt_runtime.api import mask_urls

MASK = "***"
# argparse accepts any unambiguous prefix of a long option: `--se`, `--s` are `--set`.
_SET_SPELLINGS = ("--s", "--se", "--set")


def masked_argv(argv: Sequence[str]) -> list[str]:
    """`argv` with every `--key VALUE` / `--key=VALUE` value, every secret `--set` value
    and every URL's password replaced by MASK."""
    masked: list[str] = []
    hide_next: str | None = None
    for arg in argv:
        if hide_next == "--key":
            masked.append(MASK)
            hide_next = None
        elif hide_next == "--set":
            masked.append(_masked_setting(arg))
            hide_next = None
        elif arg == "--key" or arg in _SET_SPELLINGS:
            masked.append(arg)
            hide_next = "--set" if arg in _SET_SPELLINGS else "--key"
        elif arg.startswith("--key="):
            masked.append(f"--key={MASK}")
        elif arg.partition("=")[0] in _SET_SPELLINGS and "=" in arg:
            flag, _, entry = arg.partition("=")
            masked.append(f"{flag}={_masked_setting(entry)}")
        else:
            masked.append(mask_urls(arg))  # --baseurl https://user:password@host
    return masked


def _masked_setting(entry: str) -> str:
    from llxprt_runtime.api import setting_line_holds_secret

    if not setting_line_holds_secret(entry):
        return entry
    return f"{entry.partition('=')[0]}={MASK}"


def hide_key_from_process_listing(argv: Sequence[str]) -> bool:
    """Rewrite this process's title if `argv` holds a secret; True when it did."""
    masked = masked_argv(argv)
    if masked == list(argv):
        return False
    import setproctitle  # a small C extension; only loaded when there is a key to hide

    setproctitle.setproctitle(" ".join(masked))
    return True
