"""Providers: the catalogue of built-in providers and the per-runtime ProviderManager."""

from llxprt_runtime.providers.catalog import BUILTIN_PROVIDERS, ProviderInfo
from llxprt_runtime.providers.manager import ProviderManager

__all__ = ["BUILTIN_PROVIDERS", "ProviderInfo", "ProviderManager"]
