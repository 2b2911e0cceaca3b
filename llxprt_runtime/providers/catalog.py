"""Everything llxprt knows about each provider, as data (no SDK is imported here).

`BUILTIN_PROVIDERS` is the one table of built-in providers: the manager, the pickers, the
welcome text, `--help` and the system prompt all read it. A provider is one `ProviderInfo`
row; an OpenAI-compatible vendor needs nothing else. Users add rows of their own in
`<config>/providers.toml` (providers/user_file.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True, slots=True)
class WireProtocol:
    """The provider class that speaks a vendor's protocol, and the SDK it imports."""

    provider_class: str  # "module:Class", imported on first use
    sdk_module: str


#: The protocols a provider may speak; a providers.toml entry names one of these keys.
PROTOCOLS: Final[Mapping[str, WireProtocol]] = MappingProxyType(
    {
        "openai": WireProtocol("llxprt_runtime.providers.openai_chat:OpenAIChatProvider", "openai"),
        "openai-responses": WireProtocol(
            "llxprt_runtime.providers.openai_responses:OpenAIResponsesProvider", "openai"
        ),
        "anthropic": WireProtocol(
            "llxprt_runtime.providers.anthropic:AnthropicProvider", "anthropic"
        ),
        "gemini": WireProtocol("llxprt_runtime.providers.gemini:GeminiProvider", "google.genai"),
    }
)


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    name: str
    display_name: str
    default_model: str
    default_base_url: str
    env_key_names: tuple[str, ...]
    fallback_models: tuple[str, ...]
    protocol: str = "openai"  # a key of PROTOCOLS
    #: "module:Class" when the provider needs more than its protocol's class (codex).
    provider_class: str = ""
    #: A server on this machine usually takes no key; some local servers do (a proxy).
    loopback_needs_key: bool = False
    #: A setting that, when set, replaces the key (Gemini's Vertex AI project).
    keyless_with_setting: str = ""
    #: A line added to the system prompt for this provider's models.
    prompt_note: str = ""
    #: The server takes images in a prompt (an attachment); when False, one is refused
    #: with a message before the call instead of being dropped.
    images: bool = True
    #: Where the row came from: "built-in", or the providers.toml that added it.
    source: str = "built-in"

    @property
    def class_path(self) -> str:
        wire = PROTOCOLS.get(self.protocol)
        return self.provider_class or (wire.provider_class if wire else "")

    @property
    def modules(self) -> tuple[str, ...]:
        """The modules the first call imports: the provider's own, then its SDK."""
        wire = PROTOCOLS.get(self.protocol)
        found = (self.class_path.partition(":")[0], wire.sdk_module if wire else "")
        return tuple(m for m in found if m)


#: The models a ChatGPT plan serves at the Codex endpoint (it has no model-list call for us).
CODEX_MODELS: Final = (
    "gpt-5.3-codex",
    "gpt-5.2-codex",
    "gpt-5.1-codex-max",
    "gpt-5.1-codex",
    "gpt-5.1-codex-mini",
    "gpt-5.4",
    "gpt-5.2",
)

#: Providers llxprt-code has that llxprt leaves out on purpose, with the reason shown.
REFUSED_PROVIDERS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "claudecode": (
            "The 'claudecode' provider (Claude subscription login) is not supported by llxprt on "
            "purpose: Anthropic has asked third-party clients not to use Claude subscription "
            "logins. Use the 'anthropic' provider with an API key instead."
        ),
    }
)

BUILTIN_PROVIDERS: Final[Mapping[str, ProviderInfo]] = MappingProxyType(
    {
        "openai": ProviderInfo(
            name="openai",
            display_name="OpenAI (Chat Completions)",
            default_model="gpt-5",
            default_base_url="https://api.openai.com/v1",
            env_key_names=("OPENAI_API_KEY",),
            fallback_models=("gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1", "gpt-4.1-mini", "o3"),
        ),
        "openai-responses": ProviderInfo(
            name="openai-responses",
            display_name="OpenAI (Responses API)",
            default_model="gpt-5",
            default_base_url="https://api.openai.com/v1",
            env_key_names=("OPENAI_API_KEY",),
            fallback_models=("gpt-5", "gpt-5-mini", "gpt-5-codex", "o3", "o4-mini"),
            protocol="openai-responses",
        ),
        "anthropic": ProviderInfo(
            name="anthropic",
            display_name="Anthropic",
            default_model="claude-sonnet-5",
            default_base_url="https://api.anthropic.com",
            env_key_names=("ANTHROPIC_API_KEY",),
            fallback_models=(
                "claude-opus-5",
                "claude-sonnet-5",
                "claude-sonnet-4-6",
                "claude-haiku-4-5",
            ),
            protocol="anthropic",
            prompt_note="Think step by step when a question needs it, but answer concisely.",
        ),
        "gemini": ProviderInfo(
            name="gemini",
            display_name="Google Gemini",
            default_model="gemini-2.5-pro",
            default_base_url="https://generativelanguage.googleapis.com",
            env_key_names=("GEMINI_API_KEY", "GOOGLE_API_KEY"),
            fallback_models=("gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite"),
            protocol="gemini",
            keyless_with_setting="GOOGLE_CLOUD_PROJECT",  # Vertex AI, application credentials
            prompt_note="Prefer concise answers; use tables only when they add clarity.",
        ),
        "codex": ProviderInfo(
            name="codex",
            display_name="OpenAI Codex (ChatGPT plan login)",
            default_model="gpt-5.3-codex",
            default_base_url="https://chatgpt.com/backend-api/codex",
            env_key_names=(),  # a ChatGPT login (llxprt auth login codex), not an API key
            fallback_models=CODEX_MODELS,
            protocol="openai-responses",
            provider_class="llxprt_runtime.providers.codex:CodexProvider",
        ),
    }
)


def api_key_providers() -> list[ProviderInfo]:
    """The built-ins a user reaches with an API key (codex takes a ChatGPT login)."""
    return [info for info in BUILTIN_PROVIDERS.values() if info.env_key_names]
