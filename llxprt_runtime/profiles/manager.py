"""ProfileManager: profile files on disk, in llxprt-code's places.

Profiles are read from `<config dir>/profiles` and, for names not found there, from the
legacy `~/.llxprt/profiles`; they are written only to the first. Writes are atomic and
private (0600 files, 0700 dirs). File I/O here is synchronous and small; the runtime
helpers run it in a worker thread.
"""

from __future__ import annotations

import contextlib
import stat
from dataclasses import dataclass
from pathlib import Path

from llxprt_runtime.atomic import write_private_text
from llxprt_runtime.errors import InvalidProfileNameError, ProfileError, ProfileNotFoundError
from llxprt_runtime.file_reads import (
    PROFILE_LIMIT,
    FileReadError,
    not_regular_reason,
    others_can_write,
    read_bounded,
    writable_warning,
)
from llxprt_runtime.profiles.model import AnyProfile, parse_profile_text

PROFILE_SUFFIX = ".json"
MAX_PROFILE_BYTES = PROFILE_LIMIT


def validate_profile_name(name: str) -> str:
    """The name, or InvalidProfileNameError (path separators, `..`, empty, too long...)."""
    if not name or not name.strip():
        raise InvalidProfileNameError(name, "the name is empty")
    if name != name.strip():
        raise InvalidProfileNameError(name, "the name starts or ends with spaces")
    if name in (".", "..") or name.startswith("."):
        raise InvalidProfileNameError(name, "the name cannot start with a dot")
    if any(ch in name for ch in "/\\\0") or Path(name).is_absolute():
        raise InvalidProfileNameError(name, "profile names cannot contain path separators")
    if any(ord(ch) < 32 for ch in name):
        raise InvalidProfileNameError(name, "the name contains control characters")
    if len(name) > 128:
        raise InvalidProfileNameError(name, "the name is longer than 128 characters")
    return name


@dataclass(frozen=True, slots=True)
class ProfileEntry:
    """A profile file as listed: its parsed profile, or the error that stops it loading."""

    name: str
    path: Path
    profile: AnyProfile | None
    error: str | None
    legacy: bool = False


class ProfileManager:
    def __init__(self, profiles_dir: Path, legacy_dirs: tuple[Path, ...] = ()) -> None:
        self.profiles_dir = profiles_dir
        self.legacy_dirs = legacy_dirs

    def path_for(self, name: str) -> Path:
        return self.profiles_dir / f"{validate_profile_name(name)}{PROFILE_SUFFIX}"

    def _find(self, name: str) -> tuple[Path, bool] | None:
        validate_profile_name(name)
        for index, directory in enumerate((self.profiles_dir, *self.legacy_dirs)):
            candidate = directory / f"{name}{PROFILE_SUFFIX}"
            if candidate.exists():  # a FIFO or device is found (and refused when read)
                return candidate, index > 0
        return None

    def exists(self, name: str) -> bool:
        return self._find(name) is not None

    def load(self, name: str) -> AnyProfile:
        found = self._find(name)
        if found is None:
            raise ProfileNotFoundError(name)
        return parse_profile_text(name, _read_profile_text(name, found[0]))

    def file_warnings(self, name: str) -> list[str]:
        """What others could change: a profile file or its directory writable by other
        users (such a profile can point `base-url` elsewhere and receive the key)."""
        found = self._find(name)
        if found is None:
            return []
        path = found[0]
        warnings: list[str] = []
        with contextlib.suppress(OSError):
            if others_can_write(path.stat().st_mode):
                warnings.append(writable_warning(path, f"Profile '{name}':"))
        with contextlib.suppress(OSError):
            if path.parent.stat().st_mode & stat.S_IWOTH:
                warnings.append(writable_warning(path.parent, "The profiles directory"))
        return warnings

    def save(self, name: str, profile: AnyProfile) -> Path:
        path = self.path_for(name)
        try:
            write_private_text(path, profile.to_json())
        except OSError as exc:
            raise ProfileError(
                name,
                f"Could not save profile '{name}' to {path}: {exc.strerror or exc}. "
                "The previous file, if any, is unchanged.",
            ) from None
        return path

    def delete(self, name: str) -> Path:
        path = self.path_for(name)
        if not path.is_file():
            legacy = self._find(name)
            if legacy is not None:
                raise ProfileError(
                    name,
                    f"Profile '{name}' lives in the legacy directory {legacy[0].parent}; "
                    "llxprt does not delete files there.",
                )
            raise ProfileNotFoundError(name)
        try:
            path.unlink()
        except OSError as exc:
            raise ProfileError(
                name, f"Could not delete profile '{name}': {exc.strerror or exc}."
            ) from None
        return path

    def list_profiles(self) -> list[ProfileEntry]:
        """Every profile file, by name; a broken one carries its error instead of a profile."""
        entries: dict[str, ProfileEntry] = {}
        for index, directory in enumerate((self.profiles_dir, *self.legacy_dirs)):
            with contextlib.suppress(OSError):
                for path in sorted(directory.glob(f"*{PROFILE_SUFFIX}")):
                    name = path.name[: -len(PROFILE_SUFFIX)]
                    if name in entries or name.startswith("."):
                        continue
                    entries[name] = _entry(name, path, legacy=index > 0)
        return [entries[name] for name in sorted(entries, key=str.lower)]


def _read_profile_text(name: str, path: Path) -> str:
    try:
        data = read_bounded(path, MAX_PROFILE_BYTES).data
        return data.decode("utf-8")
    except FileReadError as exc:
        if exc.reason.startswith("is too large"):
            raise ProfileError(
                name, f"Profile '{name}' is too large to be a profile ({path})."
            ) from None
        raise ProfileError(name, f"Profile '{name}' {exc.reason}: {path}") from None
    except UnicodeDecodeError:
        raise ProfileError(name, f"Profile '{name}' is corrupted: not UTF-8 text.") from None
    except OSError as exc:
        raise ProfileError(
            name, f"Profile '{name}' could not be read ({exc.strerror or exc}): {path}"
        ) from None


def _entry(name: str, path: Path, *, legacy: bool) -> ProfileEntry:
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return ProfileEntry(name, path, None, f"Profile '{name}' cannot be read: {exc}", legacy)
    if not stat.S_ISREG(mode):  # listed with a note, never opened
        note = f"Profile '{name}' {not_regular_reason(mode)} and was skipped: {path}"
        return ProfileEntry(name, path, None, note, legacy)
    try:
        validate_profile_name(name)
        profile = parse_profile_text(name, _read_profile_text(name, path))
    except ProfileError as exc:
        return ProfileEntry(name, path, None, str(exc), legacy)
    return ProfileEntry(name, path, profile, None, legacy)
