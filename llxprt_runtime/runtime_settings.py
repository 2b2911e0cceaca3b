"""The runtime helper bundle: the one way commands and screens change a runtime.

Each helper is a coroutine acting on the active runtime of the current task, or on the
runtime passed as `runtime=` (its RuntimeServices or its ProviderRuntimeContext).
"""

from llxprt_runtime.runtime.lifecycle import (
    RuntimeRef,
    activate_isolated_runtime_context,
    dispose_runtime,
    reset_cli_provider_infrastructure,
    resolve_runtime,
)
from llxprt_runtime.runtime.profile_applying import ProfileLoadResult, ProfileSaveResult
from llxprt_runtime.runtime.profile_snapshot import (
    apply_profile_snapshot,
    build_runtime_profile_snapshot,
    copy_profile,
    delete_profile_by_name,
    has_inline_profile_key,
    list_saved_profiles,
    load_profile_by_name,
    rename_profile,
    save_profile_snapshot,
    set_default_profile_name,
)
from llxprt_runtime.runtime.provider_mutations import (
    KeySaveResult,
    ModelChangeResult,
    MutationResult,
    ProviderSwitchResult,
    save_active_provider_key,
    set_active_model,
    set_active_model_param,
    set_ephemeral_setting,
    switch_active_provider,
    update_active_provider_api_key,
    update_active_provider_base_url,
    update_active_provider_keyfile,
    use_named_key,
)

__all__ = [
    "KeySaveResult",
    "ModelChangeResult",
    "MutationResult",
    "ProfileLoadResult",
    "ProfileSaveResult",
    "ProviderSwitchResult",
    "RuntimeRef",
    "activate_isolated_runtime_context",
    "apply_profile_snapshot",
    "build_runtime_profile_snapshot",
    "copy_profile",
    "delete_profile_by_name",
    "dispose_runtime",
    "has_inline_profile_key",
    "list_saved_profiles",
    "load_profile_by_name",
    "rename_profile",
    "reset_cli_provider_infrastructure",
    "resolve_runtime",
    "save_active_provider_key",
    "save_profile_snapshot",
    "set_active_model",
    "set_active_model_param",
    "set_default_profile_name",
    "set_ephemeral_setting",
    "switch_active_provider",
    "update_active_provider_api_key",
    "update_active_provider_base_url",
    "update_active_provider_keyfile",
    "use_named_key",
]
