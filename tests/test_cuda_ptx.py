"""Every CUDA kernel compiles to PTX for several GPU generations (needs libNVVM, no GPU).

Skips only where the CUDA compiler is missing; CI sets NGC_RULES_REQUIRE_PTX=1 so that a
missing compiler fails there instead.
"""
import os

import pytest

from ngc_rules.optim import _math

COMPUTE_CAPABILITIES = [(7, 5), (8, 0), (9, 0)]
DTYPES = ["float16", "float32", "float64"]
ADAM_STATE_ARRAYS = {"adam": 2, "adam_lerp": 2, "amsgrad": 3, "amsgrad_lerp": 3, "nadam": 2,
                     "adamax": 2}
STATE_ARRAYS = {"sgd": 0, "nag": 1, "momentum": 1, **ADAM_STATE_ARRAYS,
                **{f"{rule}_{variant}": n for rule, n in ADAM_STATE_ARRAYS.items()
                   for variant in ("sr", "plain")},
                "accumulate": 0, "blend": 0, "assign": 0, "fill": 0}
ROOTED = ("adam", "adam_lerp", "amsgrad", "amsgrad_lerp", "nadam")
"""The rules whose step divides by a square root, which must stay correctly rounded."""
COEFFICIENTS = {"sgd": 1, "nag": 2, "momentum": 6, "accumulate": 2, "blend": 2, "assign": 0,
                "fill": 1}


@pytest.fixture(scope="module")
def compiler():
    try:
        from numba import cuda
        from numba.cuda.cudadrv import nvvm
        nvvm.NVVM()
        from ngc_rules.optim import _cuda
    except Exception as missing:  # no numba-cuda or no libNVVM
        if os.environ.get("NGC_RULES_REQUIRE_PTX"):
            raise
        pytest.skip(f"CUDA compiler not available: {missing}")
    return cuda, _cuda


def _array(dtype):
    from numba import types
    return types.Array(getattr(types, dtype), 1, "C")


def _signature(rule, n_tensors, dtype):
    from numba import types
    compute = "float64" if dtype == "float64" else "float32"
    n_state = STATE_ARRAYS[rule]
    params = types.UniTuple(_array(dtype), n_tensors)
    state = types.UniTuple(_array(compute), n_state) if n_state else types.Tuple(())
    scalar = getattr(types, compute)
    n_coefficients = COEFFICIENTS.get(rule, len(_math.ADAM_COEFFICIENTS))
    return (params, params, types.UniTuple(state, n_tensors),
            types.UniTuple(scalar, n_coefficients), types.UniTuple(scalar, n_tensors))


def _check_ptx(ptx, cc):
    assert f".target sm_{cc[0]}{cc[1]}" in ptx
    assert ".entry" in ptx
    arithmetic = [line for line in ptx.splitlines()
                  if line.strip().startswith(("add.", "sub.", "mul.", "fma.", "div."))]
    # half parameters are loaded, converted and computed in float32
    assert not any(".f16" in line for line in arithmetic)


def test_every_rule_is_tested():
    assert set(STATE_ARRAYS) == set(_math.RULES)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rule", sorted(_math.RULES))
def test_kernel_compiles_to_ptx(compiler, rule, dtype):
    cuda, _cuda = compiler
    for n_tensors in (1, 3):
        ptx, _ = cuda.compile_ptx(_cuda.DRIVERS[rule], _signature(rule, n_tensors, dtype),
                                  cc=(8, 0))
        _check_ptx(ptx, (8, 0))
        if rule.removesuffix("_sr").removesuffix("_plain") in ROOTED:
            assert ("sqrt.rn.f64" if dtype == "float64" else "sqrt.rn.f32") in ptx


@pytest.mark.parametrize("cc", COMPUTE_CAPABILITIES, ids=lambda cc: f"sm_{cc[0]}{cc[1]}")
@pytest.mark.parametrize("rule", ["sgd", "amsgrad_lerp"])
def test_kernel_compiles_for_each_generation(compiler, rule, cc):
    cuda, _cuda = compiler
    ptx, _ = cuda.compile_ptx(_cuda.DRIVERS[rule], _signature(rule, 2, "float16"), cc=cc)
    _check_ptx(ptx, cc)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sum_of_squares_compiles_to_ptx(compiler, dtype):
    cuda, _cuda = compiler
    from numba import types
    signature = (types.UniTuple(_array(dtype), 2), _array("float64"))
    ptx, _ = cuda.compile_ptx(_cuda._sum_squares, signature, cc=(8, 0))
    _check_ptx(ptx, (8, 0))
    assert "atom.global.add.f64" in ptx
    assert "bar.sync" in ptx


@pytest.mark.parametrize("dtype", DTYPES)
def test_nonfinite_count_compiles_to_ptx(compiler, dtype):
    cuda, _cuda = compiler
    ptx, _ = cuda.compile_ptx(_cuda._count_nonfinite, (_array(dtype), _array("int64")),
                              cc=(8, 0))
    _check_ptx(ptx, (8, 0))
    assert "atom.global.add" in ptx


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kernel", ["sum", "take", "put"])
def test_row_kernels_compile_to_ptx(compiler, kernel, dtype):
    cuda, _cuda = compiler
    from numba import types
    rows, index = types.Array(getattr(types, dtype), 2, "C"), _array("int64")
    signature = {"sum": (rows, rows, index, index), "take": (rows, rows, index),
                 "put": (rows, index, rows)}[kernel]
    ptx, _ = cuda.compile_ptx(_cuda.ROW_KERNELS[kernel], signature, cc=(8, 0))
    assert ".target sm_80" in ptx and ".entry" in ptx
