"""Providers: the catalogue of built-in providers (`catalog`), the per-runtime
ProviderManager (`manager`) and one module per wire protocol.

Nothing is re-exported here, so importing a light module such as `providers.content`
does not pull in the manager and everything behind it.
"""
