"""Profiles: llxprt profile JSON v1 (`model`), the ProfileManager (`manager`) and our own
settings file (`user_settings`). Applying one to a runtime is llxprt_runtime/runtime/'s.

Nothing is re-exported here, so reading the settings file at start-up stays light.
"""
