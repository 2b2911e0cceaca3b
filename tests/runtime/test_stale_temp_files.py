"""Temp files left by a killed save (`.NAME.json.XXXXXXXX.tmp`) are removed on the next
start; a save in progress (a fresh temp file) and anything else are left alone."""

from __future__ import annotations

import os
import time
from pathlib import Path

from llxprt_runtime.atomic import remove_stale_temp_files, write_private_text
from tests.conftest import Dirs
from tests.tui.conftest import SIZE, make_app, wait_until


def _left_behind(directory: Path, name: str, *, age: float) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("half a profile")
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def test_only_old_temp_files_of_our_pattern_are_removed(tmp_path: Path) -> None:
    old = _left_behind(tmp_path, ".work.json.k2j_9x0a.tmp", age=3600)
    fresh = _left_behind(tmp_path, ".work.json.p0q1r2s3.tmp", age=0)
    other = _left_behind(tmp_path, ".notes.tmp", age=3600)
    profile = _left_behind(tmp_path, "work.json", age=3600)
    link = tmp_path / ".x.json.abcdefgh.tmp"
    link.symlink_to(profile)
    assert remove_stale_temp_files(tmp_path) == [old]
    assert not old.exists() and fresh.exists() and other.exists() and profile.exists()
    assert link.is_symlink()


def test_a_real_save_leaves_nothing_to_clean(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    write_private_text(folder / "p.json", "{}")
    assert remove_stale_temp_files(folder, now=time.time() + 3600) == []
    assert [p.name for p in folder.iterdir()] == ["p.json"]


async def test_the_app_cleans_up_on_start(dirs: Dirs) -> None:
    in_profiles = _left_behind(dirs.config / "profiles", ".work.json.abcd1234.tmp", age=3600)
    in_config = _left_behind(dirs.config, ".tui.toml.abcd1234.tmp", age=3600)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: not in_profiles.exists() and not in_config.exists())
