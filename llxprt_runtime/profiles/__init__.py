"""Profiles: llxprt profile JSON v1 (`model`), the ProfileManager (`manager`), snapshots of a
runtime (`snapshot`) and our own settings file (`user_settings`).

Nothing is re-exported here, so reading the settings file at start-up stays light.
"""
