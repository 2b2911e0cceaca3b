"""Random input to the parsers a user can feed: only our typed errors come out, never a
traceback. (Part of the reliability suite.)"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llxprt_runtime.errors import LlxprtError
from llxprt_runtime.profiles.manager import ProfileManager
from llxprt_runtime.profiles.model import Profile, parse_profile, parse_profile_text
from llxprt_tui.commands.spec import CommandParseError, parse_command
from llxprt_tui.themes import ThemeFileError, read_json_theme, read_toml_theme

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)
PROFILE_KEYS = st.sampled_from(
    ["version", "provider", "model", "modelParams", "ephemeralSettings", "auth", "loadBalancer"]
)
PROFILE_LIKE = st.dictionaries(PROFILE_KEYS, JSON, max_size=7)


@settings(max_examples=300, deadline=None)
@given(st.one_of(JSON, PROFILE_LIKE))
def test_profile_parsing_raises_only_typed_errors(data: object) -> None:
    try:
        profile = parse_profile("fuzz", data)
    except LlxprtError as exc:
        assert "fuzz" in str(exc)  # the message names the profile
        return
    assert isinstance(profile, Profile)
    assert parse_profile_text("fuzz", profile.to_json()) == profile  # a round trip holds


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_profile_text_parsing_raises_only_typed_errors(text: str) -> None:
    with contextlib.suppress(LlxprtError):
        parse_profile_text("fuzz", text)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=200))
def test_profile_files_with_random_bytes_load_as_typed_errors(tmp_path: Path, raw: bytes) -> None:
    manager = ProfileManager(tmp_path)
    (tmp_path / "fuzz.json").write_bytes(raw)
    with contextlib.suppress(LlxprtError):
        manager.load("fuzz")
    [entry] = manager.list_profiles()
    assert entry.profile is not None or entry.error


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80).map(lambda s: "/" + s))
def test_slash_command_parsing_raises_only_typed_errors(line: str) -> None:
    try:
        parsed = parse_command(line)
    except CommandParseError as exc:
        assert str(exc)
        return
    assert parsed.name


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(JSON)
def test_theme_files_raise_only_typed_errors(tmp_path: Path, data: object) -> None:
    json_file = tmp_path / "t.json"
    json_file.write_text(json.dumps(data))
    toml_file = tmp_path / "t.toml"
    toml_file.write_text(
        f"name = {json.dumps(str(data))}\n[colors]\nbackground = {json.dumps(str(data))}\n"
    )
    for reader, file in ((read_json_theme, json_file), (read_toml_theme, toml_file)):
        try:
            reader(file).to_theme()
        except ThemeFileError as exc:
            assert str(file) in str(exc)  # names the file
