"""What llxprt knows about each built-in provider, as data (no SDK is imported here)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    name: str
    display_name: str
    default_model: str
    default_base_url: str
    env_key_names: tuple[str, ...]
    fallback_models: tuple[str, ...]


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
        ),
        "gemini": ProviderInfo(
            name="gemini",
            display_name="Google Gemini",
            default_model="gemini-2.5-pro",
            default_base_url="https://generativelanguage.googleapis.com",
            env_key_names=("GEMINI_API_KEY", "GOOGLE_API_KEY"),
            fallback_models=("gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite"),
        ),
        "codex": ProviderInfo(
            name="codex",
            display_name="OpenAI Codex (ChatGPT plan login)",
            default_model="gpt-5.3-codex",
            default_base_url="https://chatgpt.com/backend-api/codex",
            env_key_names=(),  # a ChatGPT login (llxprt auth login codex), not an API key
            fallback_models=CODEX_MODELS,
        ),
    }
)
