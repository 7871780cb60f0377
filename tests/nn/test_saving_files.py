"""What a save does to the file system: nothing left behind by a killed save, only
regular files replaced, their mode kept, and errors that name the user's path."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import nn
from nn.saving import atomic, container

pytestmark = pytest.mark.training

ROOT = Path(__file__).resolve().parents[2]


def small_model():
    model = nn.Sequential([nn.Input((3,)), nn.layers.Dense(2)])
    return model


# ---------------------------------------------------------------- killed saves


def kill_while_saving(folder: Path, unnamed: bool) -> None:
    """Fork a child that is in the middle of writing a save when it gets SIGKILL."""
    ready_read, ready_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns to pytest
        try:
            if not unnamed:
                atomic._open_unnamed = lambda dir_fd: None

            def endless_chunks():
                os.write(ready_write, b"x")  # the file is open and being written
                while True:
                    yield b"\0" * 65536
                    time.sleep(0.001)

            container.atomic_write(folder / "m.gradstack", endless_chunks())
        finally:
            os._exit(0)
    os.close(ready_write)
    assert os.read(ready_read, 1) == b"x"
    os.close(ready_read)
    time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def test_a_save_killed_by_sigkill_leaves_no_temporary_file(tmp_path):
    if not hasattr(os, "fork") or getattr(os, "O_TMPFILE", None) is None:
        pytest.skip("needs fork and O_TMPFILE (Linux)")
    kill_while_saving(tmp_path, unnamed=True)
    assert list(tmp_path.iterdir()) == []
    small_model().save(tmp_path / "m.gradstack")
    kill_while_saving(tmp_path, unnamed=True)
    assert [p.name for p in tmp_path.iterdir()] == ["m.gradstack"]


def test_without_unnamed_files_the_next_save_removes_a_killed_saves_temporary(tmp_path):
    if not hasattr(os, "fork"):
        pytest.skip("needs fork")
    kill_while_saving(tmp_path, unnamed=False)
    leftovers = [p.name for p in tmp_path.iterdir()]
    assert len(leftovers) == 1 and leftovers[0].startswith(".m.gradstack.")
    small_model().save(tmp_path / "m.gradstack")
    assert [p.name for p in tmp_path.iterdir()] == ["m.gradstack"]


def test_stale_temporaries_of_dead_processes_only_are_removed(tmp_path):
    done = subprocess.run(["true"])  # a process id that is certainly finished
    dead = subprocess.Popen(["true"])
    dead.wait()
    assert done.returncode == 0
    names = {
        "dead": f".m.gradstack.{dead.pid}.0a1b2c3d.tmp",
        "alive": f".m.gradstack.{os.getppid()}.0a1b2c3d.tmp",  # our parent: running
        "other target": f".n.gradstack.{dead.pid}.0a1b2c3d.tmp",
        "not ours": f".m.gradstack.{dead.pid}.tmp",
    }
    for name in names.values():
        (tmp_path / name).write_bytes(b"x")
    small_model().save(tmp_path / "m.gradstack")
    left = {p.name for p in tmp_path.iterdir()}
    assert names["dead"] not in left
    assert {names["alive"], names["other target"], names["not ours"], "m.gradstack"} == left


def test_a_save_uses_an_unnamed_file_where_linux_offers_one(tmp_path, monkeypatch):
    if getattr(os, "O_TMPFILE", None) is None:
        pytest.skip("O_TMPFILE is Linux-only")
    seen = []

    def watch(dir_fd):
        seen.append(os.listdir(dir_fd))
        return real(dir_fd)

    real = atomic._open_unnamed
    monkeypatch.setattr(atomic, "_open_unnamed", watch)
    small_model().save(tmp_path / "m.gradstack")
    assert seen == [[]]
    assert [p.name for p in tmp_path.iterdir()] == ["m.gradstack"]


# ---------------------------------------------------------------- what is at the path


@pytest.mark.parametrize("kind", ["fifo", "folder", "symlink to a device"])
def test_only_a_regular_file_is_ever_replaced(tmp_path, kind):
    target = tmp_path / "m.gradstack"
    if kind == "fifo":
        os.mkfifo(target)
        expected = "a named pipe (FIFO)"
    elif kind == "folder":
        target.mkdir()
        expected = "a folder"
    else:
        target.symlink_to("/dev/null")  # os.replace would replace the link, not the device
        expected = "a character device"
    with pytest.raises(ValueError) as info:
        small_model().save(target)
    message = str(info.value)
    assert repr(str(target)) in message and expected in message
    assert "only ever replaces a regular file" in message
    assert (stat.S_ISFIFO(os.lstat(target).st_mode) if kind == "fifo"
            else target.is_dir() if kind == "folder" else target.is_symlink())
    assert [p.name for p in tmp_path.iterdir()] == ["m.gradstack"]


def test_a_device_node_is_refused_not_replaced(tmp_path):
    # A node of our own, never the machine's /dev/null: if this check ever regressed,
    # the test would replace the device it saves to.
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root (the symlink case covers devices)")
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    with pytest.raises(ValueError, match="character device"):
        small_model().save(node)
    assert stat.S_ISCHR(os.stat(node).st_mode)


def test_resaving_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "m.gradstack"
    model = small_model()
    model.save(path)
    os.chmod(path, 0o600)
    model.save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    os.chmod(path, 0o640)
    model.save_weights(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_a_new_file_gets_the_usual_mode(tmp_path):
    mask = os.umask(0o022)
    try:
        small_model().save(tmp_path / "m.gradstack")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(os.stat(tmp_path / "m.gradstack").st_mode) == 0o644


def test_a_file_in_the_way_of_the_folder_is_named(tmp_path):
    (tmp_path / "plain").write_text("x")
    with pytest.raises(NotADirectoryError, match="is a file, not a folder"):
        small_model().save(tmp_path / "plain" / "m.gradstack")


# ---------------------------------------------------------------- permissions

def save_unprivileged(paths: dict[str, str]) -> dict[str, list[str]]:
    """Save to each path in a forked child without special rights: as root (which
    ignores permission bits) the child becomes the user 'nobody' first."""
    model = small_model()
    model.save(Path(tempfile.mkdtemp()) / "warm.gradstack")  # imports done before the fork
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            results = {}
            for label, path in paths.items():
                try:
                    model.save(path)
                    results[label] = ["saved", ""]
                except Exception as err:  # report whatever it is to the parent
                    results[label] = [type(err).__name__, str(err)]
            os.write(write_end, json.dumps(results).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as f:
        out = f.read()
    os.waitpid(pid, 0)
    return json.loads(out)


def test_permission_problems_are_not_called_missing_and_name_the_users_path():
    if not hasattr(os, "fork"):
        pytest.skip("needs fork")
    base = Path(tempfile.mkdtemp(prefix="gradstack-permissions-"))
    try:
        os.chmod(base, 0o755)
        locked = base / "locked"
        (locked / "inside").mkdir(parents=True)
        readonly = base / "readonly"
        readonly.mkdir()
        os.chmod(locked, 0o000)  # cannot be entered
        os.chmod(readonly, 0o555)  # can be entered, not written
        paths = {"untraversable": str(locked / "inside" / "m.gradstack"),
                 "read-only": str(readonly / "m.gradstack")}
        results = save_unprivileged(paths)
    finally:
        for folder in (base / "locked", base / "readonly"):
            if folder.exists():
                os.chmod(folder, 0o755)
        subprocess.run(["rm", "-rf", str(base)], check=True)
    kind, message = results["untraversable"]
    assert kind == "PermissionError", results
    assert "does not exist" not in message and "permission denied" in message
    assert repr(paths["untraversable"]) in message
    kind, message = results["read-only"]
    assert kind == "PermissionError", results
    assert repr(paths["read-only"]) in message and ".tmp" not in message
    assert "no permission to create files in the folder" in message
