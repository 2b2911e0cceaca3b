"""What each slash command does: it calls the runtime helper of the same meaning and returns
the lines to show. Bad input raises a typed error whose message is shown; nothing changes."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from llxprt_runtime import api
from llxprt_runtime.api import (
    RuntimeServices,
    parse_setting_text,
    require_spec,
    shown_setting_value,
)
from llxprt_runtime.errors import REDACTED, LlxprtError
from llxprt_tui.commands.load_balancer import save_load_balancer
from llxprt_tui.commands.spec import COMMANDS_BY_NAME, CommandParseError, ParsedCommand
from llxprt_tui.screen_table import ScreenKind
from llxprt_tui.values import value_text

if TYPE_CHECKING:
    from llxprt_tui.chat.attachments import PendingAttachments


class CommandHost(Protocol):
    """What commands may ask of the tab they were typed in."""

    @property
    def runtime(self) -> RuntimeServices: ...
    async def new_tab(self) -> None: ...
    async def close_tab(self) -> None: ...
    def switch_tab(self, number: int) -> None: ...
    def rename_tab(self, name: str) -> None: ...
    def system_prompt(self) -> str | None: ...
    async def set_system_prompt(self, text: str | None) -> None: ...
    def open_sessions(self) -> None: ...
    def open_search(self, text: str) -> None: ...
    def quit_app(self) -> None: ...
    async def clear_conversation(self) -> None: ...
    async def save_profile(self, name: str) -> None: ...
    async def retry(self) -> None: ...
    async def fork(self, provider: str | None, model: str | None) -> list[str]: ...
    async def compare(self, entries: list[str]) -> list[str]: ...
    @property
    def attachments(self) -> PendingAttachments: ...
    def last_reply(self) -> str | None: ...
    def copy_text(self, text: str) -> None: ...
    def conversation_markdown(self) -> str: ...
    def conversation_json(self) -> str: ...
    def show_help(self) -> None: ...
    def theme_names(self) -> list[str]: ...
    def current_theme(self) -> str: ...
    def set_theme(self, name: str) -> None: ...
    def open_screen(self, kind: ScreenKind) -> None: ...
    def open_login(self, bucket: str | None, device: bool) -> None: ...
    # The tab's login changed (not a setting, whose changes redraw the tab by themselves).
    def login_changed(self) -> None: ...
    def confirm(self, question: str, then: Callable[[], Awaitable[list[str]]]) -> None: ...


Handler = Callable[[CommandHost, ParsedCommand], Awaitable[list[str]]]


def provider_switch_lines(result: api.ProviderSwitchResult) -> list[str]:
    """What a provider switch says, from a command or the picker."""
    if not result.changed:
        return list(result.info_messages)
    head = (
        f"Switched from {result.previous_provider} to {result.next_provider}"
        if result.previous_provider
        else f"Provider set to {result.next_provider}"
    )
    return [head, *result.info_messages]


def profile_loaded_lines(name: str, loaded: api.ProfileLoadResult) -> list[str]:
    """What loading a profile says, from a command, the picker or the profile screen."""
    return [
        f"Profile '{name}' loaded",
        *(f"- {m}" for m in loaded.info_messages),
        *(f"⚠ {w}" for w in loaded.warnings),
    ]


def replace_question(name: str) -> str:
    """What saving over an existing profile asks (the profile screen and /profile save)."""
    return f"Replace profile '{name}' with this tab's current setup?"


def _usage(name: str) -> CommandParseError:
    return CommandParseError(f"Usage: {COMMANDS_BY_NAME[name].usage}")


async def cmd_help(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    host.show_help()
    return []


async def cmd_provider(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    runtime = host.runtime
    if not cmd.args:
        host.open_screen("provider")
        return []
    return provider_switch_lines(await api.switch_active_provider(cmd.args[0], runtime=runtime))


async def cmd_model(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    runtime = host.runtime
    if not cmd.args:
        host.open_screen("model")
        return []
    return [(await api.set_active_model(cmd.args[0], runtime=runtime)).message]


async def cmd_profile(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    runtime = host.runtime
    action = cmd.args[0].lower() if cmd.args else "list"
    name = cmd.args[1] if len(cmd.args) > 1 else None
    if action == "list":
        host.open_screen("profiles")
        return []
    if action == "load" and name is None:
        host.open_screen("profile")
        return []
    if action == "set-default" and name is None:  # shows it; `none` clears it
        from llxprt_runtime.api import resolve_default_profile_name

        default = await asyncio.to_thread(resolve_default_profile_name)
        if default is None:
            return [
                "No default profile: new tabs start from the command-line flags. "
                "/profile set-default NAME sets one."
            ]
        return [
            f"Default profile: {default} (new tabs load it). /profile set-default none clears it."
        ]
    if action == "set-default":
        return [await api.set_default_profile_name(name, runtime=runtime)]
    if action == "save" and name is not None and name.lower() == "loadbalancer":
        return await save_load_balancer(runtime, cmd.args[2:])
    if name is None or action not in ("save", "load", "delete"):
        raise _usage("profile")
    if action == "save":
        if await asyncio.to_thread(runtime.profile_manager.exists, name):

            async def save_over() -> list[str]:
                await host.save_profile(name)  # reports itself
                return []

            host.confirm(replace_question(name), save_over)
            return []
        if api.has_inline_profile_key(runtime=runtime):
            await host.save_profile(name)  # asks where the key goes, then reports
            return []
        return [(await api.save_profile_snapshot(name, runtime=runtime)).message]
    if action == "delete":
        return [await api.delete_profile_by_name(name, runtime=runtime)]
    return profile_loaded_lines(name, await api.load_profile_by_name(name, runtime=runtime))


async def cmd_key(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    runtime = host.runtime
    args = cmd.args
    if not args:
        provider = api.describe(runtime).provider
        if not provider:
            return ["No provider yet: /provider NAME first."]
        try:
            source = await api.resolved_key_source(runtime, provider)
        except LlxprtError as exc:
            return [f"Key for {provider}: not usable — {exc}"]
        return [f"Key for {provider}: {source or 'none (/key VALUE or /key load NAME)'}"]
    action = args[0].lower()
    store = runtime.secret_store
    if action == "list":
        names = await store.list_names()
        return ["Saved keys: " + (", ".join(names) if names else "none")]
    if action in ("load", "delete") and len(args) == 2:
        if action == "load":
            return [(await api.use_named_key(args[1], runtime=runtime)).message]
        # The tab using it keeps it in memory: it still works, and the status line says
        # runtime-only rather than naming a keyring entry that is gone.
        in_use = _key_source(runtime) == f"keyring: {args[1]}"
        value = await store.get(args[1]) if in_use else None
        if not await store.delete(args[1]):
            return [f"Key '{args[1]}' not found. Use '/key list' to see saved keys."]
        if value is None:
            return [f"Deleted key '{args[1]}' from the OS keyring."]
        await api.update_active_provider_api_key(value, runtime=runtime)
        return [
            f"Deleted key '{args[1]}' from the OS keyring. This tab keeps using it for this "
            "session only (key: runtime-only); /key none stops using it."
        ]
    if action == "save" and len(args) in (2, 3):
        value = args[2] if len(args) == 3 else _runtime_key(runtime)
        if not value:
            raise CommandParseError("/key save NAME VALUE (or set a key with /key VALUE first).")
        name = args[1]

        async def save() -> list[str]:
            return [(await api.save_active_provider_key(value, name=name, runtime=runtime)).message]

        other = _other_providers_key_name(runtime, name)
        if other is None:
            return await save()
        provider = runtime.settings_service.active_provider
        host.confirm(
            f"'{name}' is named like a key for {other}, but this tab uses {provider}. "
            f"Save this key as '{name}' and use it for {provider}?",
            save,
        )
        return []
    if action in ("load", "delete", "save"):
        raise _usage("key")
    if len(args) != 1:
        raise _usage("key")
    return [(await api.update_active_provider_api_key(args[0], runtime=runtime)).message]


def _key_source(runtime: RuntimeServices) -> str:
    """Where the tab's key comes from, as the status line says it."""
    provider = runtime.settings_service.active_provider or ""
    return api.key_source(runtime, provider) if provider else "none"


def _other_providers_key_name(runtime: RuntimeServices, name: str) -> str | None:
    """The provider whose key `name` looks like by llxprt's convention (the provider's name,
    alone or before `-`/`_`), when that provider takes other keys than this tab's."""
    provider = runtime.settings_service.active_provider or ""
    manager = runtime.provider_manager
    mine = set(manager.get_provider_info(provider).env_key_names)
    lowered = name.lower()
    for other in sorted(manager.list_providers(), key=len, reverse=True):  # longest first
        if other == provider or not _named_for(lowered, other):
            continue
        return None if mine & set(manager.get_provider_info(other).env_key_names) else other
    return None


def _named_for(name: str, provider: str) -> bool:
    return name == provider or (
        name.startswith(provider) and name[len(provider) : len(provider) + 1] in ("-", "_")
    )


def _runtime_key(runtime: RuntimeServices) -> str | None:
    provider = runtime.settings_service.active_provider or ""
    value = runtime.settings_service.get_provider_setting(provider, "auth-key")
    return value if isinstance(value, str) else None


async def cmd_keyfile(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    # A path may hold spaces: quoted it is one argument, unquoted it is the whole rest.
    path = cmd.args[0] if len(cmd.args) == 1 else cmd.raw_args.strip()
    if not path:
        raise _usage("keyfile")
    return [(await api.update_active_provider_keyfile(path, runtime=host.runtime)).message]


async def cmd_baseurl(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    if len(cmd.args) != 1:
        raise _usage("baseurl")
    return [(await api.update_active_provider_base_url(cmd.args[0], runtime=host.runtime)).message]


async def cmd_set(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    runtime = host.runtime
    args = list(cmd.args)
    if not args:
        raise _usage("set")
    if args[0] == "unset" and len(args) == 3 and args[1] == "modelparam":
        await api.set_active_model_param(args[2], None, runtime=runtime)
        return [f"Model parameter '{args[2]}' cleared"]
    if args[0] == "unset" and len(args) == 2 and args[1] != "modelparam":
        key, _ = await api.set_ephemeral_setting(args[1], None, runtime=runtime)
        return [f"Setting '{key}' cleared"]
    if args[0] == "unset":  # a key missing or too many: the usage, not "no setting 'unset'"
        raise _usage("set")
    if args[0] == "modelparam" and len(args) >= 3:
        raw_value = cmd.raw_args.split(None, 2)[2]
        name, value = await api.set_active_model_param(
            args[1], parse_setting_text(raw_value), runtime=runtime
        )
        return [f"Model parameter '{name}' set to {value_text(value)}"]
    if len(args) == 1:
        spec = require_spec(args[0])
        choices = f" ({', '.join(spec.enum_values)})" if spec.enum_values else ""
        return [f"{spec.key}: {spec.description}{choices}"]
    raw_value = cmd.raw_args.split(None, 1)[1]
    key, value = await api.set_ephemeral_setting(
        args[0], parse_setting_text(raw_value), runtime=runtime
    )
    shown = shown_setting_value(key, value)
    text = shown if shown == REDACTED else value_text(shown)
    return [f"Setting '{key}' set to {text} (this tab; /profile save to keep it)"]


async def cmd_theme(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    if not cmd.args:
        host.open_screen("theme")
        return []
    if cmd.args[0] not in host.theme_names():
        raise LlxprtError(f"Unknown theme '{cmd.args[0]}'. /theme lists them.")
    host.set_theme(cmd.args[0])
    return [f"Theme set to {cmd.args[0]}"]


async def cmd_new(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    await host.new_tab()
    return []


async def cmd_close(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    await host.close_tab()
    return []


async def cmd_tab(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    if len(cmd.args) != 1 or not cmd.args[0].isdigit():
        raise _usage("tab")
    host.switch_tab(int(cmd.args[0]))
    return []


async def cmd_rename(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    if not cmd.raw_args:
        raise _usage("rename")
    host.rename_tab(cmd.raw_args)
    return [f"Tab renamed to {cmd.raw_args}"]


async def cmd_system(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    text = cmd.raw_args.strip()
    if not text:
        current = host.system_prompt()
        if current is None:
            return ["No system prompt of this tab's own (/system TEXT sets one)."]
        return [f"System prompt: {current}"]
    if text.lower() == "none":
        await host.set_system_prompt(None)
        return ["System prompt cleared."]
    await host.set_system_prompt(text)
    return ["System prompt set for this tab (added to the core system prompt)."]


async def cmd_sessions(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    host.open_sessions()
    return []


async def cmd_search(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    host.open_search(cmd.raw_args.strip())
    return []


async def cmd_clear(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    await host.clear_conversation()
    return []


async def cmd_fork(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    if len(cmd.args) > 2:
        raise _usage("fork")
    provider = cmd.args[0] if cmd.args else None
    model = cmd.args[1] if len(cmd.args) > 1 else None
    return await host.fork(provider, model)


async def cmd_attach(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    from llxprt_tui.chat.attachments import chip

    pending = host.attachments
    if not cmd.args:
        return pending.lines()
    # A name with spaces goes as typed ('quoted' works too).
    path = cmd.raw_args.strip() if len(cmd.args) > 1 else cmd.args[0]
    if cmd.args == ("clear",):
        count = pending.clear()
        return [f"Removed {count} attached file{'s' if count != 1 else ''}."]
    added = await pending.add(path)
    what = "an image" if added.kind == "image" else "a text file"
    return [f"Attached {chip(added.file)} ({what}) to the next prompt."]


async def cmd_compare(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    return await host.compare(list(cmd.args))


async def cmd_retry(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    await host.retry()
    return []


_CODE_BLOCK = re.compile(r"```[^\n]*\n(.*?)```", re.S)


async def cmd_copy(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    reply = host.last_reply()
    if not reply:
        return ["Nothing to copy yet."]
    if cmd.args[:1] == ("code",):
        blocks = _CODE_BLOCK.findall(reply)
        if not blocks:
            return ["The last reply has no code block."]
        host.copy_text(blocks[-1])
        return ["Copied the last code block to the clipboard."]
    host.copy_text(reply)
    return ["Copied the last reply to the clipboard."]


async def cmd_export(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    from llxprt_runtime.api import EXPORT_FORMATS, export_conversation

    args = list(cmd.args)
    fmt: str | None = None
    if "--format" in args:
        at = args.index("--format")
        if at + 1 >= len(args) or args[at + 1] not in EXPORT_FORMATS:
            raise _usage("export")
        fmt = args[at + 1]
        del args[at : at + 2]
    if len(args) > 1:
        raise _usage("export")
    if fmt is None:
        fmt = "json" if args and args[0].lower().endswith(".json") else "md"
    # The path as typed (never resolved: a symlink there is refused, not followed).
    path = Path(args[0] if args else f"llxprt-conversation.{fmt}")
    text = host.conversation_json() if fmt == "json" else host.conversation_markdown()
    written = await asyncio.to_thread(lambda: export_conversation(path.expanduser(), text))
    if written.name != path.name:
        return [f"{path} exists, so the conversation was exported to {written} (nothing replaced)"]
    return [f"Conversation exported to {path}"]


async def cmd_quit(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    host.quit_app()
    return []


async def run_command(host: CommandHost, command: ParsedCommand) -> list[str]:
    """Run a parsed command with the handler its CommandSpec names."""
    return await COMMANDS_BY_NAME[command.name].load_handler()(host, command)
