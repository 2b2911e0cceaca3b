"""Profiles: llxprt profile JSON v1, the ProfileManager, and our user settings file."""

from llxprt_runtime.profiles.manager import ProfileEntry, ProfileManager, validate_profile_name
from llxprt_runtime.profiles.model import Profile, parse_profile, parse_profile_text
from llxprt_runtime.profiles.user_settings import (
    UserSettings,
    load_user_settings,
    resolve_default_profile_name,
    save_user_settings,
)

__all__ = [
    "Profile",
    "ProfileEntry",
    "ProfileManager",
    "UserSettings",
    "load_user_settings",
    "parse_profile",
    "parse_profile_text",
    "resolve_default_profile_name",
    "save_user_settings",
    "validate_profile_name",
]
