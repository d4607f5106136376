"""Checkpoint hardening: a save killed at any moment or racing another leaves exactly one
whole checkpoint; links planted at temporary names, names that leave the directory, another
rule's file and hostile files are refused; every refusal names the file and leaves every
file and array byte for byte as it was."""
import io
import itertools
import json
import os
import pathlib
import re
import secrets
import signal
import stat
import struct
import sys
import threading
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest

from ngc_rules import checkpoint, models
from ngc_rules.initializers import constant
from ngc_rules.models import PCN, SparseCoding
from ngc_rules.synapses import DenseSynapse, HebbianSynapse
from ngc_rules.training import Run, load_run, save_run

X, Y = np.linspace(0, 1, 24, dtype=np.float32).reshape(3, 8), np.eye(3, dtype=np.float32)


def _pcn(eta, steps, seed):
    """A small PCN after ``steps`` learning steps: each argument changes every array."""
    model = PCN((8, 6, 3), optim_type="adam", eta=eta, T=2, seed=seed)
    for _ in range(steps):
        model.learn(X, Y)
    return model


def _contents(model):
    """All that a checkpoint restores, as bytes: class, configuration and every array."""
    return (type(model).__name__, json.dumps(model.config, sort_keys=True),
            [(synapse.name, name, array.dtype.str, array.shape, array.tobytes())
             for synapse in model.synapses for name, array in synapse._arrays().items()])


def _arrays(synapse):
    return {name: (array.dtype.str, array.shape, array.tobytes())
            for name, array in synapse._arrays().items()}


def _snapshot(root):
    """Every entry under ``root``: a file's bytes, a link's target, or its kind."""
    found = {}
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            path = os.path.join(folder, name)
            mode = os.lstat(path).st_mode
            found[os.path.relpath(path, root)] = (
                ("link", os.readlink(path)) if stat.S_ISLNK(mode) else
                pathlib.Path(path).read_bytes() if stat.S_ISREG(mode) else
                stat.S_IFMT(mode))
    return found


# -- kills ---------------------------------------------------------------------------------

_DISK_CALLS = {"open", "write", "flush", "close", "fsync", "mkdir", "rename", "replace",
               "unlink", "rmdir"}


def _changes_the_disk(function):
    """Whether a built-in call can change what is on disk (an ``os`` call or a file's
    method of these names): a kill before each such call reaches every state a save can
    leave."""
    return getattr(function, "__name__", None) in _DISK_CALLS and (
        getattr(function, "__module__", None) in ("posix", "io")
        or isinstance(getattr(function, "__self__", None), io.IOBase))


def _save_killed_at(model, directory, k):
    """Save ``model`` in a forked child that SIGKILLs itself just before its ``k``-th call
    that can change the disk; True if it was killed, False if the save finished first."""
    pid = os.fork()
    if pid == 0:
        calls, status = itertools.count(1), 1

        def profile(frame, event, function):
            if event == "c_call" and _changes_the_disk(function) and next(calls) == k:
                os.kill(os.getpid(), signal.SIGKILL)
        try:
            sys.setprofile(profile)
            model.save(directory)
            status = 0
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return True
    assert os.WEXITSTATUS(status) == 0, "the child's save failed"
    return False


def test_a_save_killed_before_any_disk_call_leaves_the_old_or_the_new_model(tmp_path,
                                                                            capsys):
    saved, saving = _pcn(0.01, 1, seed=1), _pcn(0.02, 2, seed=2)
    directory = tmp_path / "checkpoint"
    saved.save(directory)
    outcomes = []
    for k in itertools.count(1):
        if not _save_killed_at(saving, directory, k):
            break
        between_renames = not directory.exists()
        restored = _contents(models.restore(directory))
        assert restored in (_contents(saved), _contents(saving)), \
            f"the kill before disk call {k} left a mix"
        outcomes.append((restored == _contents(saving), between_renames))
        saving.save(directory)  # the next save recovers and leaves nothing aside
        assert _contents(models.restore(directory)) == _contents(saving)
        assert not os.path.exists(f"{directory}.old")
        saved, saving = saving, saved
    new_kept = sum(kept for kept, _ in outcomes)
    with capsys.disabled():
        print(f"\n{len(outcomes)} kills survived: {len(outcomes) - new_kept} left the old "
              f"model, {new_kept} the new one, "
              f"{sum(cut for _, cut in outcomes)} between the two renames")
    assert len(outcomes) >= 100 and 0 < new_kept < len(outcomes)
    assert any(cut for _, cut in outcomes)


# -- concurrency -----------------------------------------------------------------------------

def _in_threads(*actions, times=12):
    """Run each action ``times`` times in its own thread, all at once; their errors."""
    errors = []

    def repeat(action):
        try:
            for _ in range(times):
                action()
        except BaseException as error:  # noqa: B036 (handed to the test's thread)
            errors.append(error)
    threads = [threading.Thread(target=repeat, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_model_saves_and_loads_each_see_one_whole_model(tmp_path):
    first, second = _pcn(0.01, 1, seed=1), _pcn(0.02, 2, seed=2)
    expected = [_contents(first), _contents(second)]
    directory = tmp_path / "checkpoint"
    first.save(directory)

    def restore_one_of_them():
        assert _contents(models.restore(directory)) in expected
    assert not _in_threads(lambda: first.save(directory), lambda: second.save(directory),
                           restore_one_of_them, restore_one_of_them)
    assert _contents(models.restore(directory)) in expected
    assert os.listdir(tmp_path) == ["checkpoint"]  # nothing temporary or aside is left


def test_concurrent_saves_of_one_file_do_not_collide(tmp_path):
    path = tmp_path / "state.npz"
    states = [[np.full(1000, k, np.float32)] for k in (1, 2)]
    like = [np.zeros(1000, np.float32)]

    def load_one_of_them():
        assert checkpoint.load_state(path, like)[0][0] in (1, 2)
    checkpoint.save_state(path, states[0])
    assert not _in_threads(*(lambda s=s: checkpoint.save_state(path, s) for s in states),
                           load_one_of_them, times=40)
    assert os.listdir(tmp_path) == ["state.npz"]


# -- links planted at temporary names ----------------------------------------------------

SAVES = {
    "synapse": (lambda folder: HebbianSynapse("W", (3, 2), optim_type="adam").save(folder),
                "W.npz"),
    "optimizer state": (lambda folder: checkpoint.save_state(
        os.path.join(folder, "s.npz"), [np.ones(3)]), "s.npz"),
    "JSON file": (lambda folder: checkpoint.write_json(os.path.join(folder, "m.json"),
                                                       {"a": 1}), "m.json"),
    "model": (lambda folder: _pcn(0.01, 0, seed=1).save(os.path.join(folder, "model")),
              "model"),
}


@pytest.mark.parametrize("save", SAVES)
def test_a_link_planted_at_the_temporary_name_is_never_followed(tmp_path, monkeypatch,
                                                                save):
    write, name = SAVES[save]
    folder, victim = tmp_path / "checkpoints", tmp_path / "victim"
    victim.mkdir()
    folder.mkdir()
    (victim / "precious").write_bytes(b"keep me")
    write(folder)
    monkeypatch.setattr(secrets, "token_hex", lambda n: "guessed")  # the name leaks
    os.symlink(victim, folder / f"{name}.partial-guessed")
    before = _snapshot(tmp_path)
    with pytest.raises(FileExistsError, match=f"{name}.partial-guessed"):
        write(folder)
    assert _snapshot(tmp_path) == before


def test_a_link_at_the_aside_name_is_removed_not_followed(tmp_path):
    victim, directory = tmp_path / "victim", tmp_path / "checkpoint"
    victim.mkdir()
    (victim / "precious").write_bytes(b"keep me")
    old, new = _pcn(0.01, 1, seed=1), _pcn(0.02, 2, seed=2)
    old.save(directory)
    os.symlink(victim, f"{directory}.old")
    new.save(directory)
    assert _snapshot(victim) == {"precious": b"keep me"}
    assert not os.path.lexists(f"{directory}.old")
    assert _contents(models.restore(directory)) == _contents(new)


# -- names -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["../x", "a/../../x", "{tmp}/outside", "a/b", "", ".",
                                  ".."])
def test_a_component_name_that_leaves_the_directory_is_refused(tmp_path, name):
    name = name.format(tmp=tmp_path)
    model, directory = _pcn(0.01, 1, seed=1), tmp_path / "checkpoint"
    model.save(directory)
    synapse = model.synapses[0]
    before, arrays = _snapshot(tmp_path), _arrays(synapse)
    synapse.name = name
    refused = re.escape(f"the component name {name!r} cannot name a file in {directory}")
    for act in (model.save, synapse.save, synapse.load):
        with pytest.raises(ValueError, match=refused):
            act(directory)
    with pytest.raises(ValueError, match=re.escape(f"name {name!r} cannot name a file")):
        DenseSynapse(name, (2, 2)).save(tmp_path)
    assert _snapshot(tmp_path) == before and _arrays(synapse) == arrays


def test_synapses_sharing_a_name_are_refused(tmp_path):
    model, directory = _pcn(0.01, 1, seed=1), tmp_path / "checkpoint"
    model.save(directory)
    before = _snapshot(tmp_path)
    model.synapses[1].name = "W1"
    with pytest.raises(ValueError, match=r"the components named \['W1'\] would share a file"):
        model.save(directory)
    assert _snapshot(tmp_path) == before


# -- another rule ----------------------------------------------------------------------------

@pytest.mark.parametrize("saved, loaded", [
    (("nag", {}), ("momentum", {})),
    (("momentum", {}), ("nag", {})),
    (("adam", {}), ("adam", {"infinity_norm": True})),
    (("adam", {"infinity_norm": True}), ("adam", {})),
    (("adam", {}), ("adam", {"nesterov": True})),
    (("adam", {"on_nonfinite": "skip"}), ("adam", {"on_nonfinite": "raise"})),
    (("sgd", {}), ("adam", {})),
], ids=["nag-into-momentum", "momentum-into-nag", "adam-into-adamax", "adamax-into-adam",
        "adam-into-nadam", "skip-into-raise", "sgd-into-adam"])
def test_a_checkpoint_of_another_rule_is_refused_naming_both(tmp_path, saved, loaded):
    def make(rule, seed):
        return HebbianSynapse("W", (4, 3), optim_type=rule[0], optim_params=rule[1],
                              eta=0.1, bias_init=constant(0.5), seed=seed)
    source, target = make(saved, 1), make(loaded, 2)
    source.pre, source.post = np.ones((2, 4), np.float32), np.ones((2, 3), np.float32)
    source.evolve()
    source.save(tmp_path)
    before, arrays = _snapshot(tmp_path), _arrays(target)
    both = re.escape(f"W.npz: the checkpoint's rule is {source._header()['rule']!r}, "
                     f"expected {target._header()['rule']!r}")
    with pytest.raises(ValueError, match=both):
        target.load(tmp_path)
    assert _snapshot(tmp_path) == before and _arrays(target) == arrays


def test_another_learning_rate_loads(tmp_path):
    HebbianSynapse("W", (4, 3), optim_type="adam", eta=0.1, seed=1).save(tmp_path)
    target = HebbianSynapse("W", (4, 3), optim_type="adam", eta=0.01, seed=2)
    target.load(tmp_path)
    assert target.eta == 0.01


# -- hostile synapse files -------------------------------------------------------------------

def _npy(array, **options):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, **options)
    return buffer.getvalue()


def _npy_header(shape, descr="<f4"):
    """An .npy header announcing ``shape`` with no data behind it."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_2_0(
        buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def _rezip(path, change):
    """Rewrite the zip ``path`` with ``change(members)`` (a list of (name, bytes)),
    compressed: a huge member can hide in a small file."""
    with zipfile.ZipFile(path) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        warnings.simplefilter("ignore")  # a duplicate name is the point of one case
        for name, data in change(members):
            archive.writestr(name, data)


def _replace(name, data):
    return lambda members: [(n, data if n == name else d) for n, d in members]


def _declare_size(path, member, size):
    """Make the zip directory of ``path`` say that ``member`` unpacks to ``size`` bytes."""
    _rezip(path, lambda members: members)  # without the zip64 fields numpy writes
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")  # the directory's entries, each name at +46
    while data[entry + 46:entry + 46 + len(member)] != member.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 24:entry + 28] = struct.pack("<I", size)
    path.write_bytes(bytes(data))


HEADER = "__header__.npy"
HOSTILE_FILES = {
    "member without .npy": (lambda p: _rezip(p, lambda m: [
        ("weights" if n == "weights.npy" else n, d) for n, d in m]), "members"),
    "extra member": (lambda p: _rezip(p, lambda m: m + [("extra.npy", _npy(np.ones(2)))]),
                     "members"),
    "duplicate member": (lambda p: _rezip(p, lambda m: m + [m[1]]), "members"),
    "deeply nested header": (lambda p: _rezip(p, _replace(
        HEADER, _npy(np.array("[" * 1000 + "]" * 1000)))), "nests 1000 levels"),
    "huge header": (lambda p: _rezip(p, _replace(
        HEADER, _npy(np.array('{"a": "' + "x" * (1 << 17) + '"}')))), "unpacks to"),
    "header not text": (lambda p: _rezip(p, _replace(HEADER, _npy(np.ones(3)))),
                        "expected a unicode string"),
    "pickled header": (lambda p: _rezip(p, _replace(HEADER, _npy(
        np.array([{"code": 1}], object), allow_pickle=True))), "expected a unicode string"),
    "absurd shape": (lambda p: _rezip(p, _replace("weights.npy", _npy_header(
        (10 ** 9, 10 ** 9)))), r"float32\[1000000000, 1000000000\], expected float32\[4, 3\]"),
    "absurd size in the zip directory": (
        lambda p: _declare_size(p, "weights.npy", 0x7FFFFFFF), "unpacks to 2147483647"),
    "absurd file size": (lambda p: os.truncate(p, 1 << 26), "67108864 bytes long"),
    "trailing data": (lambda p: _rezip(p, _replace(
        "weights.npy", _npy(np.ones((4, 3), np.float32)) + b"\0" * 8)),
        "other than the 48 bytes"),
    "npy version 3": (lambda p: _rezip(p, _replace("weights.npy", _npy(
        np.ones((4, 3), np.float32), version=(3, 0)))), r"version \(3, 0\)"),
    "not npy": (lambda p: _rezip(p, _replace("weights.npy", b"hello")), "magic"),
    "fifo": (lambda p: (os.unlink(p), os.mkfifo(p)), "not a regular file"),
}


@pytest.mark.parametrize("hostile", HOSTILE_FILES)
def test_a_hostile_synapse_file_is_refused_without_reading_or_allocating(tmp_path, hostile):
    make, message = HOSTILE_FILES[hostile]
    HebbianSynapse("W", (4, 3), optim_type="adam", bias_init=constant(0.5), seed=1
                   ).save(tmp_path)
    make(tmp_path / "W.npz")
    target = HebbianSynapse("W", (4, 3), optim_type="adam", bias_init=constant(0.5), seed=2)
    before, arrays = _snapshot(tmp_path), _arrays(target)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=re.escape(str(tmp_path / "W.npz")) + ".*"
                           + message):
            target.load(tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20, f"{peak} bytes allocated"
    assert _snapshot(tmp_path) == before and _arrays(target) == arrays


def test_a_read_only_target_is_refused_before_anything_is_copied(tmp_path):
    HebbianSynapse("W", (4, 3), optim_type="adam", seed=1).save(tmp_path)
    target = HebbianSynapse("W", (4, 3), optim_type="adam", seed=2)
    last = list(target._arrays())[-1]  # the others would be copied first
    target._arrays()[last].setflags(write=False)
    before, arrays = _snapshot(tmp_path), _arrays(target)
    with pytest.raises(ValueError, match=re.escape(
            f"cannot load {tmp_path / 'W.npz'} into the read-only arrays ['{last}']")):
        target.load(tmp_path)
    assert _snapshot(tmp_path) == before and _arrays(target) == arrays


# -- hostile model and run files -------------------------------------------------------------

def _write_model_json(text):
    return lambda folder: (folder / "model.json").write_text(text)


def _json_of(value):
    return _write_model_json(json.dumps(value))


PCN_CONFIG = _pcn(0.01, 0, seed=1).config
SPARSE_CONFIG = SparseCoding(8, 6, seed=1).config
HOSTILE_MODELS = {
    "deeply nested": (_write_model_json('{"model": "PCN", "config": ' + "[" * 5000
                                        + "]" * 5000 + "}"), "nests 5001 levels deep"),
    "huge": (lambda folder: os.truncate(folder / "model.json", 1 << 25),
             "33554432 bytes long"),
    "not UTF-8": (lambda folder: (folder / "model.json").write_bytes(b'{"model": "\xff"}'),
                  "damaged header"),
    "a fifo": (lambda folder: (os.unlink(folder / "model.json"),
                               os.mkfifo(folder / "model.json")), "not a regular file"),
    "another model's config": (_json_of({"model": "PCN", "config": SPARSE_CONFIG}),
                               "its configuration does not make a PCN"),
    "unknown settings": (_json_of({"model": "PCN", "config": {**PCN_CONFIG, "evil": 1}}),
                         "its configuration does not make a PCN"),
    "absurd layers": (_json_of({"model": "PCN", "config": {
        **PCN_CONFIG, "sizes": [10 ** 7, 10 ** 7, 3]}}), "its configuration does not make"),
    "another model": (_json_of({"model": "SparseCoding", "config": SPARSE_CONFIG}),
                      "holds a SparseCoding, not a PCN"),
}


@pytest.mark.parametrize("hostile", HOSTILE_MODELS)
def test_a_hostile_model_file_is_refused_and_changes_nothing(tmp_path, hostile):
    make, message = HOSTILE_MODELS[hostile]
    _pcn(0.01, 1, seed=1).save(tmp_path)
    make(tmp_path)
    before = _snapshot(tmp_path)
    with pytest.raises(ValueError, match=re.escape(str(tmp_path / "model.json")) + ".*"
                       + message):
        PCN.restore(tmp_path)
    assert _snapshot(tmp_path) == before


def test_a_deeply_nested_run_file_is_refused(tmp_path):
    save_run(tmp_path, Run(_pcn(0.01, 1, seed=1), [{"epoch": 0}], None, {}))
    (tmp_path / "run.json").write_text("[" * 100 + "]" * 100)
    before = _snapshot(tmp_path)
    with pytest.raises(ValueError, match="run.json has a damaged header: its JSON nests"):
        load_run(tmp_path)
    assert _snapshot(tmp_path) == before


# -- refused saves ---------------------------------------------------------------------------

def _spoil_config(model):
    model.config = {**model.config, "eta": np.float32(0.5)}  # not JSON


def _nest_config(model):
    nested = []
    for _ in range(32):
        nested = [nested]
    model.config = {**model.config, "deep": nested}


def _object_weights(model):
    model.synapses[1].weights = model.synapses[1].weights.astype(object)


def _device_state(model):
    model.synapses[1].opt_params = model.synapses[1].opt_params._replace(t=3)


REFUSED_SAVES = {
    "config not JSON": (_spoil_config, ValueError, "model.json: cannot be written as JSON"),
    "config nested too deep": (_nest_config, ValueError, "model.json: cannot be written: "
                                                         "its JSON nests 35 levels"),
    "object array": (_object_weights, TypeError, "W2.npz: the array 'weights' is of dtype object"),
    "foreign state": (_device_state, TypeError, "W2.npz: the array 'opt_params_4' is of type int"),
}


@pytest.mark.parametrize("spoil", REFUSED_SAVES)
def test_a_refused_save_leaves_the_previous_checkpoint_byte_for_byte(tmp_path, spoil):
    change, error, message = REFUSED_SAVES[spoil]
    model, directory = _pcn(0.01, 1, seed=1), tmp_path / "checkpoint"
    model.save(directory)
    before, contents = _snapshot(tmp_path), _contents(model)
    model.learn(X, Y)
    change(model)
    with pytest.raises(error, match=re.escape(message)):
        model.save(directory)
    with pytest.raises(error, match=re.escape(message)):
        save_run(directory, Run(model, [{"epoch": 0}], None, {}))
    assert _snapshot(tmp_path) == before
    assert _contents(models.restore(directory)) == contents


def test_a_refused_run_or_synapse_save_changes_nothing(tmp_path):
    model, directory = _pcn(0.01, 1, seed=1), tmp_path / "checkpoint"
    save_run(directory, Run(model, [{"epoch": 0}], None, {}))
    model.synapses[0].save(tmp_path)
    before = _snapshot(tmp_path)
    with pytest.raises(ValueError, match="run.json: cannot be written as JSON"):
        save_run(directory, Run(model, [{"epoch": 0}], None, {"seed": object()}))
    model.synapses[0].mask = [1.0]
    with pytest.raises(TypeError, match="W1.npz: the array 'mask' is of type list"):
        model.synapses[0].save(tmp_path)
    assert _snapshot(tmp_path) == before


def test_a_file_where_the_checkpoint_directory_should_be_is_refused(tmp_path):
    (tmp_path / "checkpoint").write_bytes(b"not a folder")
    with pytest.raises(ValueError, match="checkpoint is not a directory"):
        _pcn(0.01, 1, seed=1).save(tmp_path / "checkpoint")
    assert _snapshot(tmp_path) == {"checkpoint": b"not a folder"}
