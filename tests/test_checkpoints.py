"""Checkpoints: exact resume, and damaged, mismatched or pickle-carrying files refused with
nothing changed."""
import pathlib
import pickle
import zipfile

import numpy as np
import pytest

from ngc_rules import checkpoint, optim
from ngc_rules.data import digits
from ngc_rules.models import PCN, SparseCoding
from ngc_rules.synapses import HebbianSynapse
from rules import RULES, random_problem, state_arrays


@pytest.mark.parametrize("rule", RULES)
def test_a_resumed_rule_continues_bit_for_bit(rule, tmp_path):
    init, step, hp = RULES[rule]
    theta0, updates = random_problem(5, [(3, 4), (), (0,), (6,)], np.float32, 8)
    state, theta = init(theta0), theta0
    for s, u in enumerate(updates):
        if s == 4:
            checkpoint.save_state(tmp_path / "state.npz", state)
            np.savez(tmp_path / "theta.npz", *theta)
        state, theta = step(state, theta, u, **hp)
    resumed = checkpoint.load_state(tmp_path / "state.npz", like=init(theta0))
    with np.load(tmp_path / "theta.npz") as saved:
        resumed_theta = [saved[f"arr_{k}"] for k in range(len(theta0))]
    for u in updates[4:]:
        resumed, resumed_theta = step(resumed, resumed_theta, u, **hp)
    for a, b in zip(state_arrays(state) + theta, state_arrays(resumed) + resumed_theta):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()


def test_nested_states_round_trip(tmp_path):
    theta = {"w": np.ones((2, 3)), "b": np.zeros(3)}
    state = optim.finite_init(optim.adam_init(theta, amsgrad=True))
    state, theta = optim.finite_step(state, theta, {"w": np.ones((2, 3)), "b": np.ones(3)},
                                     amsgrad=True)
    checkpoint.save_state(tmp_path / "s.npz", state)
    like = optim.finite_init(optim.adam_init(theta, amsgrad=True))
    restored = checkpoint.load_state(tmp_path / "s.npz", like)
    assert type(restored) is optim.FiniteState and type(restored.inner) is optim.AmsgradState
    assert int(restored.inner.t) == 1
    np.testing.assert_array_equal(restored.inner.v_max["w"], state.inner.v_max["w"])
    assert not like.inner.m["w"].any()  # the template is not written to


@pytest.mark.parametrize("like, message", [
    (lambda t: optim.nag_init(t), "layout is 'AdamState.*expected 'NagState"),
    (lambda t: optim.adam_init([t[0]]), r"list\[2\].*expected.*list\[1\]"),
    (lambda t: optim.adam_init([t[0], np.zeros(5, np.float32)]), r"float32\[3\], expected "
                                                                  r"float32\[5\]"),
    (lambda t: optim.adam_init([t[0], t[1].astype(np.float64)]), "expected float64"),
])
def test_a_state_for_other_parameters_is_refused(tmp_path, like, message):
    theta = [np.ones((2, 2), np.float32), np.ones(3, np.float32)]
    checkpoint.save_state(tmp_path / "s.npz", optim.adam_init(theta))
    with pytest.raises(ValueError, match=message):
        checkpoint.load_state(tmp_path / "s.npz", like(theta))


def test_device_or_foreign_leaves_are_not_saved(tmp_path):
    with pytest.raises(TypeError, match="'leaf_0' is of type float, expected host"):
        checkpoint.save_state(tmp_path / "s.npz", optim.AdamState([[1.0]], [[1.0]], 0))


def _damage(path, how):
    """Spoil the checkpoint file at ``path`` in the way named ``how`` (see DAMAGES)."""
    path = pathlib.Path(path)
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[:len(data) // 2])
    elif how == "flipped-byte":  # inside the array data: the zip checksum catches it
        spoiled = bytearray(data)
        spoiled[len(data) // 3] ^= 0xFF
        path.write_bytes(bytes(spoiled))
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "pickle":
        path.write_bytes(pickle.dumps({"weights": np.ones(3)}))
    elif how == "pickled-member":
        with zipfile.ZipFile(path, "a") as archive, archive.open("evil.npy", "w") as member:
            np.lib.format.write_array(member, np.array([{"code": 1}], dtype=object),
                                      allow_pickle=True)
    elif how == "no-header":
        np.savez(path, weights=np.ones(3))
    elif how == "damaged-header":
        np.savez(path, __header__=np.array("{not json"))


DAMAGES = ["truncated", "flipped-byte", "empty", "pickle", "pickled-member", "no-header",
           "damaged-header"]


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_synapse_file_is_refused_and_changes_nothing(tmp_path, damage):
    synapse = HebbianSynapse("W", (40, 30), optim_type="adam", eta=0.1, seed=1)
    synapse.pre, synapse.post = np.ones((2, 40), np.float32), np.ones((2, 30), np.float32)
    synapse.evolve()
    synapse.save(tmp_path)
    _damage(synapse.path(tmp_path), damage)
    fresh = HebbianSynapse("W", (40, 30), optim_type="adam", eta=0.1, seed=2)
    before = [a.copy() for a in fresh._arrays().values()]
    with pytest.raises(ValueError, match="W.npz"):
        fresh.load(tmp_path)
    for a, b in zip(before, fresh._arrays().values()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_optimizer_state_file_is_refused(tmp_path, damage):
    theta = [np.ones(1000, np.float32)]
    checkpoint.save_state(tmp_path / "s.npz", optim.adam_init(theta))
    _damage(tmp_path / "s.npz", damage)
    with pytest.raises(ValueError, match="s.npz"):
        checkpoint.load_state(tmp_path / "s.npz", optim.adam_init(theta))


def test_a_synapse_file_of_another_shape_or_kind_is_refused(tmp_path):
    HebbianSynapse("W", (3, 2), optim_type="adam").save(tmp_path)
    with pytest.raises(ValueError, match=r"float32\[3, 2\], expected float32\[4, 2\]"):
        HebbianSynapse("W", (4, 2), optim_type="adam").load(tmp_path)
    with pytest.raises(ValueError, match="rule is .adam.*expected 'nag'"):
        HebbianSynapse("W", (3, 2), optim_type="nag").load(tmp_path)
    checkpoint.save_state(tmp_path / "W.npz", optim.sgd_init([np.ones(2)]))
    with pytest.raises(ValueError, match="component is None, expected 'HebbianSynapse'"):
        HebbianSynapse("W", (3, 2), optim_type="adam").load(tmp_path)


def test_a_damaged_model_header_is_refused(tmp_path):
    PCN((4, 3, 2), T=2).save(tmp_path)
    (tmp_path / "model.json").write_text('{"model": "PCN", "con')
    with pytest.raises(ValueError, match="model.json has a damaged header"):
        PCN.restore(tmp_path)
    (tmp_path / "model.json").write_text('["PCN"]')
    with pytest.raises(ValueError, match="damaged header"):
        PCN.restore(tmp_path)


@pytest.mark.parametrize("make", [
    lambda: PCN((64, 16, 10), optim_type="adam", eta=0.01, T=5, seed=3),
    lambda: SparseCoding(64, 12, optim_type="nag", eta=0.01, seed=3),
], ids=["pcn", "sparse-coding"])
def test_a_model_stopped_and_resumed_trains_on_bit_for_bit(tmp_path, make):
    data = digits().take(np.arange(96))
    batches = [data.take(np.arange(k, k + 32)) for k in (0, 32, 64)] * 2
    uninterrupted, first_half = make(), make()
    for batch in batches:
        uninterrupted.learn_batch(batch)
    for batch in batches[:3]:
        first_half.learn_batch(batch)
    first_half.save(tmp_path)
    resumed = type(first_half).restore(tmp_path)
    for batch in batches[3:]:
        resumed.learn_batch(batch)
    for a, b in zip(uninterrupted.synapses, resumed.synapses):
        for name, array in a._arrays().items():
            assert array.tobytes() == b._arrays()[name].tobytes(), name
