"""The runtime's public surface: what a front end (the TUI, `llxprt -p`) may use.

A front end imports this module, `llxprt_runtime.errors` and the content types
(`llxprt_runtime.providers.content`) and nothing else of the runtime; the import-linter
contracts in pyproject.toml hold it to that. Everything here is re-exported from the module
that owns it, loaded on first use (PEP 562): importing this module costs nothing, so the
first frame can import it without pulling in the runtime.

`describe(runtime)` says what a runtime is set to (provider, model, profile, key source,
endpoint, streaming); the helpers change it (each acts on `runtime=` or the active runtime).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llxprt_runtime import __version__, paths
from llxprt_runtime.lazy_exports import lazy_getattr

_EXPORTS = {
    "KeySaveResult": "llxprt_runtime.runtime_settings",
    "ModelChangeResult": "llxprt_runtime.runtime_settings",
    "MutationResult": "llxprt_runtime.runtime_settings",
    "ProfileLoadResult": "llxprt_runtime.runtime_settings",
    "ProfileSaveResult": "llxprt_runtime.runtime_settings",
    "ProviderSwitchResult": "llxprt_runtime.runtime_settings",
    "RuntimeRef": "llxprt_runtime.runtime_settings",
    "activate_isolated_runtime_context": "llxprt_runtime.runtime_settings",
    "apply_profile_snapshot": "llxprt_runtime.runtime_settings",
    "build_runtime_profile_snapshot": "llxprt_runtime.runtime_settings",
    "copy_profile": "llxprt_runtime.runtime_settings",
    "delete_profile_by_name": "llxprt_runtime.runtime_settings",
    "dispose_runtime": "llxprt_runtime.runtime_settings",
    "has_inline_profile_key": "llxprt_runtime.runtime_settings",
    "list_saved_profiles": "llxprt_runtime.runtime_settings",
    "load_profile_by_name": "llxprt_runtime.runtime_settings",
    "rename_profile": "llxprt_runtime.runtime_settings",
    "reset_cli_provider_infrastructure": "llxprt_runtime.runtime_settings",
    "resolve_runtime": "llxprt_runtime.runtime_settings",
    "save_active_provider_key": "llxprt_runtime.runtime_settings",
    "save_profile_snapshot": "llxprt_runtime.runtime_settings",
    "set_active_model": "llxprt_runtime.runtime_settings",
    "set_active_model_param": "llxprt_runtime.runtime_settings",
    "set_default_profile_name": "llxprt_runtime.runtime_settings",
    "set_ephemeral_setting": "llxprt_runtime.runtime_settings",
    "switch_active_provider": "llxprt_runtime.runtime_settings",
    "update_active_provider_api_key": "llxprt_runtime.runtime_settings",
    "update_active_provider_base_url": "llxprt_runtime.runtime_settings",
    "update_active_provider_keyfile": "llxprt_runtime.runtime_settings",
    "use_named_key": "llxprt_runtime.runtime_settings",
    "BalancerSummary": "llxprt_runtime.summary",
    "RuntimeSummary": "llxprt_runtime.summary",
    "describe": "llxprt_runtime.summary",
    "key_source": "llxprt_runtime.summary",
    "resolved_key_source": "llxprt_runtime.summary",
    "RuntimeRegistry": "llxprt_runtime.runtime.registry",
    "RuntimeServices": "llxprt_runtime.runtime.registry",
    "GenerateChatOptions": "llxprt_runtime.providers.base",
    "BUILTIN_PROVIDERS": "llxprt_runtime.providers.catalog",
    "REFUSED_PROVIDERS": "llxprt_runtime.providers.catalog",
    "api_key_providers": "llxprt_runtime.providers.catalog",
    "RetryEvent": "llxprt_runtime.providers.retry",
    "ChatSession": "llxprt_runtime.chat.session",
    "Turn": "llxprt_runtime.chat.session",
    "ConversationTree": "llxprt_runtime.chat.tree",
    "copy_runtime": "llxprt_runtime.chat.fork",
    "Attachment": "llxprt_runtime.chat.attachments",
    "AttachmentError": "llxprt_runtime.chat.attachments",
    "AttachmentNotFoundError": "llxprt_runtime.chat.attachments",
    "load_attachment": "llxprt_runtime.chat.attachments",
    "size_text": "llxprt_runtime.chat.attachments",
    "MessageNode": "llxprt_runtime.chat.tree",
    "Failed": "llxprt_runtime.chat.events",
    "Finished": "llxprt_runtime.chat.events",
    "ReplyEvent": "llxprt_runtime.chat.events",
    "TextDelta": "llxprt_runtime.chat.events",
    "ThinkingDelta": "llxprt_runtime.chat.events",
    "ToolCall": "llxprt_runtime.chat.events",
    "UsageReported": "llxprt_runtime.chat.events",
    "LoadBalancer": "llxprt_runtime.providers.load_balancer",
    "MemberReport": "llxprt_runtime.providers.load_balancer",
    "save_load_balancer_profile": "llxprt_runtime.runtime.lb_snapshot",
    "build_load_balancer_snapshot": "llxprt_runtime.runtime.lb_snapshot",
    "ProfileEntry": "llxprt_runtime.profiles.manager",
    "LoadBalancerProfile": "llxprt_runtime.profiles.model",
    "Profile": "llxprt_runtime.profiles.model",
    "parse_profile_text": "llxprt_runtime.profiles.model",
    "UserSettings": "llxprt_runtime.profiles.user_settings",
    "load_user_settings": "llxprt_runtime.profiles.user_settings",
    "resolve_default_profile_name": "llxprt_runtime.profiles.user_settings",
    "save_user_settings": "llxprt_runtime.profiles.user_settings",
    "SettingsEvent": "llxprt_runtime.settings.service",
    "SettingSpec": "llxprt_runtime.settings.registry",
    "SettingType": "llxprt_runtime.settings.registry",
    "parse_setting_text": "llxprt_runtime.settings.registry",
    "require_spec": "llxprt_runtime.settings.registry",
    "setting_line_holds_secret": "llxprt_runtime.settings.registry",
    "setting_specs": "llxprt_runtime.settings.registry",
    "shown_setting_value": "llxprt_runtime.settings.registry",
    "setting_holds_secret": "llxprt_runtime.settings.registry",
    "text_holds_secret": "llxprt_runtime.settings.registry",
    "CliOverrides": "llxprt_runtime.overrides",
    "apply_cli_overrides": "llxprt_runtime.bootstrap",
    "get_core_system_prompt": "llxprt_runtime.prompts",
    "LoginPrompt": "llxprt_runtime.auth.codex_auth",
    "PromptSink": "llxprt_runtime.auth.codex_auth",
    "system_browser_opener": "llxprt_runtime.auth.codex_auth",
    "BucketStatus": "llxprt_runtime.auth.codex_oauth",
    "CodexOAuth": "llxprt_runtime.auth.codex_oauth",
    "short_account": "llxprt_runtime.auth.codex_oauth",
    "expand_keyfile_path": "llxprt_runtime.auth.keyfile",
    "read_keyfile": "llxprt_runtime.auth.keyfile",
    "held_credentials": "llxprt_runtime.credentials",
    "looks_like_credential": "llxprt_runtime.credentials",
    "EXPORT_FORMATS": "llxprt_runtime.chat.export",
    "ExportHeader": "llxprt_runtime.chat.export",
    "conversation_json": "llxprt_runtime.chat.export",
    "conversation_markdown": "llxprt_runtime.chat.export",
    "export_conversation": "llxprt_runtime.chat.export",
    "SessionRecorder": "llxprt_runtime.chat.recorder",
    "SessionSummary": "llxprt_runtime.store.records",
    "SearchHit": "llxprt_runtime.store.records",
    "SearchResult": "llxprt_runtime.store.records",
    "SearchQueryError": "llxprt_runtime.store.search",
    "RecordedSession": "llxprt_runtime.store.llxprt_code_sessions",
    "RecordedSessionError": "llxprt_runtime.store.llxprt_code_sessions",
    "import_recorded_session": "llxprt_runtime.store.llxprt_code_sessions",
    "list_recorded_sessions": "llxprt_runtime.store.llxprt_code_sessions",
    "read_recorded_session": "llxprt_runtime.store.llxprt_code_sessions",
    "MessageRecord": "llxprt_runtime.store.records",
    "SessionRecord": "llxprt_runtime.store.records",
    "SessionGoneError": "llxprt_runtime.store.records",
    "SessionStore": "llxprt_runtime.store.service",
    "StoreUnavailableError": "llxprt_runtime.store.service",
    "StoreReplacedError": "llxprt_runtime.store.service",
    "start_debug_log": "llxprt_runtime.debug_log",
    "redact_credentials": "llxprt_runtime.debug_log",
    "remove_stale_temp_files": "llxprt_runtime.atomic",
    "write_new_text": "llxprt_runtime.atomic",
    "read_text": "llxprt_runtime.file_reads",
    "visible_controls": "llxprt_runtime.terminal_text",
    "display_url": "llxprt_runtime.urls",
    "mask_urls": "llxprt_runtime.urls",
}

if TYPE_CHECKING:
    from llxprt_runtime.atomic import (
        remove_stale_temp_files,
        write_new_text,
    )
    from llxprt_runtime.auth.codex_auth import (
        LoginPrompt,
        PromptSink,
        system_browser_opener,
    )
    from llxprt_runtime.auth.codex_oauth import (
        BucketStatus,
        CodexOAuth,
        short_account,
    )
    from llxprt_runtime.auth.keyfile import (
        expand_keyfile_path,
        read_keyfile,
    )
    from llxprt_runtime.bootstrap import (
        apply_cli_overrides,
    )
    from llxprt_runtime.chat.attachments import (
        Attachment,
        AttachmentError,
        AttachmentNotFoundError,
        load_attachment,
        size_text,
    )
    from llxprt_runtime.chat.events import (
        Failed,
        Finished,
        ReplyEvent,
        TextDelta,
        ThinkingDelta,
        ToolCall,
        UsageReported,
    )
    from llxprt_runtime.chat.export import (
        EXPORT_FORMATS,
        ExportHeader,
        conversation_json,
        conversation_markdown,
        export_conversation,
    )
    from llxprt_runtime.chat.fork import (
        copy_runtime,
    )
    from llxprt_runtime.chat.recorder import (
        SessionRecorder,
    )
    from llxprt_runtime.chat.session import (
        ChatSession,
        Turn,
    )
    from llxprt_runtime.chat.tree import (
        ConversationTree,
        MessageNode,
    )
    from llxprt_runtime.credentials import (
        held_credentials,
        looks_like_credential,
    )
    from llxprt_runtime.debug_log import (
        redact_credentials,
        start_debug_log,
    )
    from llxprt_runtime.file_reads import (
        read_text,
    )
    from llxprt_runtime.overrides import (
        CliOverrides,
    )
    from llxprt_runtime.profiles.manager import (
        ProfileEntry,
    )
    from llxprt_runtime.profiles.model import (
        LoadBalancerProfile,
        Profile,
        parse_profile_text,
    )
    from llxprt_runtime.profiles.user_settings import (
        UserSettings,
        load_user_settings,
        resolve_default_profile_name,
        save_user_settings,
    )
    from llxprt_runtime.prompts import (
        get_core_system_prompt,
    )
    from llxprt_runtime.providers.base import (
        GenerateChatOptions,
    )
    from llxprt_runtime.providers.catalog import (
        BUILTIN_PROVIDERS,
        REFUSED_PROVIDERS,
        api_key_providers,
    )
    from llxprt_runtime.providers.load_balancer import (
        LoadBalancer,
        MemberReport,
    )
    from llxprt_runtime.providers.retry import (
        RetryEvent,
    )
    from llxprt_runtime.runtime.lb_snapshot import (
        build_load_balancer_snapshot,
        save_load_balancer_profile,
    )
    from llxprt_runtime.runtime.registry import (
        RuntimeRegistry,
        RuntimeServices,
    )
    from llxprt_runtime.runtime_settings import (
        KeySaveResult,
        ModelChangeResult,
        MutationResult,
        ProfileLoadResult,
        ProfileSaveResult,
        ProviderSwitchResult,
        RuntimeRef,
        activate_isolated_runtime_context,
        apply_profile_snapshot,
        build_runtime_profile_snapshot,
        copy_profile,
        delete_profile_by_name,
        dispose_runtime,
        has_inline_profile_key,
        list_saved_profiles,
        load_profile_by_name,
        rename_profile,
        reset_cli_provider_infrastructure,
        resolve_runtime,
        save_active_provider_key,
        save_profile_snapshot,
        set_active_model,
        set_active_model_param,
        set_default_profile_name,
        set_ephemeral_setting,
        switch_active_provider,
        update_active_provider_api_key,
        update_active_provider_base_url,
        update_active_provider_keyfile,
        use_named_key,
    )
    from llxprt_runtime.settings.registry import (
        SettingSpec,
        SettingType,
        parse_setting_text,
        require_spec,
        setting_holds_secret,
        setting_line_holds_secret,
        setting_specs,
        shown_setting_value,
        text_holds_secret,
    )
    from llxprt_runtime.settings.service import (
        SettingsEvent,
    )
    from llxprt_runtime.store.llxprt_code_sessions import (
        RecordedSession,
        RecordedSessionError,
        import_recorded_session,
        list_recorded_sessions,
        read_recorded_session,
    )
    from llxprt_runtime.store.records import (
        MessageRecord,
        SearchHit,
        SearchResult,
        SessionGoneError,
        SessionRecord,
        SessionSummary,
    )
    from llxprt_runtime.store.search import (
        SearchQueryError,
    )
    from llxprt_runtime.store.service import (
        SessionStore,
        StoreReplacedError,
        StoreUnavailableError,
    )
    from llxprt_runtime.summary import (
        BalancerSummary,
        RuntimeSummary,
        describe,
        key_source,
        resolved_key_source,
    )
    from llxprt_runtime.terminal_text import (
        visible_controls,
    )
    from llxprt_runtime.urls import (
        display_url,
        mask_urls,
    )


if not TYPE_CHECKING:  # hidden from mypy, so a name not exported here is a type error
    __getattr__ = lazy_getattr(__name__, _EXPORTS, globals())


__all__ = [
    "BUILTIN_PROVIDERS",
    "EXPORT_FORMATS",
    "REFUSED_PROVIDERS",
    "Attachment",
    "AttachmentError",
    "AttachmentNotFoundError",
    "BalancerSummary",
    "BucketStatus",
    "ChatSession",
    "CliOverrides",
    "CodexOAuth",
    "ConversationTree",
    "ExportHeader",
    "Failed",
    "Finished",
    "GenerateChatOptions",
    "KeySaveResult",
    "LoadBalancer",
    "LoadBalancerProfile",
    "LoginPrompt",
    "MemberReport",
    "MessageNode",
    "MessageRecord",
    "ModelChangeResult",
    "MutationResult",
    "Profile",
    "ProfileEntry",
    "ProfileLoadResult",
    "ProfileSaveResult",
    "PromptSink",
    "ProviderSwitchResult",
    "RecordedSession",
    "RecordedSessionError",
    "ReplyEvent",
    "RetryEvent",
    "RuntimeRef",
    "RuntimeRegistry",
    "RuntimeServices",
    "RuntimeSummary",
    "SearchHit",
    "SearchQueryError",
    "SearchResult",
    "SessionGoneError",
    "SessionRecord",
    "SessionRecorder",
    "SessionStore",
    "SessionSummary",
    "SettingSpec",
    "SettingType",
    "SettingsEvent",
    "StoreReplacedError",
    "StoreUnavailableError",
    "TextDelta",
    "ThinkingDelta",
    "ToolCall",
    "Turn",
    "UsageReported",
    "UserSettings",
    "__version__",
    "activate_isolated_runtime_context",
    "api_key_providers",
    "apply_cli_overrides",
    "apply_profile_snapshot",
    "build_load_balancer_snapshot",
    "build_runtime_profile_snapshot",
    "conversation_json",
    "conversation_markdown",
    "copy_profile",
    "copy_runtime",
    "delete_profile_by_name",
    "describe",
    "display_url",
    "dispose_runtime",
    "expand_keyfile_path",
    "export_conversation",
    "get_core_system_prompt",
    "has_inline_profile_key",
    "held_credentials",
    "import_recorded_session",
    "key_source",
    "list_recorded_sessions",
    "list_saved_profiles",
    "load_attachment",
    "load_profile_by_name",
    "load_user_settings",
    "looks_like_credential",
    "mask_urls",
    "parse_profile_text",
    "parse_setting_text",
    "paths",
    "read_keyfile",
    "read_recorded_session",
    "read_text",
    "redact_credentials",
    "remove_stale_temp_files",
    "rename_profile",
    "require_spec",
    "reset_cli_provider_infrastructure",
    "resolve_default_profile_name",
    "resolve_runtime",
    "resolved_key_source",
    "save_active_provider_key",
    "save_load_balancer_profile",
    "save_profile_snapshot",
    "save_user_settings",
    "set_active_model",
    "set_active_model_param",
    "set_default_profile_name",
    "set_ephemeral_setting",
    "setting_holds_secret",
    "setting_line_holds_secret",
    "setting_specs",
    "short_account",
    "shown_setting_value",
    "size_text",
    "start_debug_log",
    "switch_active_provider",
    "system_browser_opener",
    "text_holds_secret",
    "update_active_provider_api_key",
    "update_active_provider_base_url",
    "update_active_provider_keyfile",
    "use_named_key",
    "visible_controls",
    "write_new_text",
]
