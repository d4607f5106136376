"""Researchers' own data: arrays, IDX files and .npz archives in, checked Datasets out, and
one clear error per kind of bad input."""
import gzip
import re
import struct

import numpy as np
import pytest

from ngc_rules import data
from ngc_rules.data import files

CODES = {np.dtype("u1"): 0x08, np.dtype("i1"): 0x09, np.dtype("i2"): 0x0B,
         np.dtype("i4"): 0x0C, np.dtype("f4"): 0x0D, np.dtype("f8"): 0x0E}


def idx_bytes(array):
    """``array`` in the IDX format, written here independently of the reader."""
    array = np.asarray(array)
    header = bytes([0, 0, CODES[array.dtype], array.ndim])
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write(path, content, gz=False):
    with open(path, "wb") as file:
        file.write(gzip.compress(content) if gz else content)
    return str(path)


IMAGES = np.array([[[0, 51], [102, 255]], [[255, 0], [0, 17]], [[1, 2], [3, 4]]], np.uint8)
LABELS = np.array([2, 0, 1], np.uint8)


def f32(values):
    return np.asarray(values, np.float32)


@pytest.mark.parametrize("dtype", list(CODES))
@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
def test_idx_reads_each_type_exactly(tmp_path, dtype, gz):
    info = np.iinfo(dtype) if dtype.kind in "iu" else np.finfo(dtype)
    values = np.array([[info.min, 0, 1], [2, -1 if dtype.kind != "u" else 3, info.max]],
                      dtype)
    out = files.read_idx(write(tmp_path / "values.idx", idx_bytes(values), gz))
    assert out.dtype == dtype and out.dtype.isnative and out.flags.writeable
    np.testing.assert_array_equal(out, values)


@pytest.mark.parametrize("images_gz,labels_gz", [(False, False), (True, True), (True, False)])
def test_mnist_named_images_find_their_labels(tmp_path, images_gz, labels_gz):
    suffix = {False: "", True: ".gz"}
    images = write(tmp_path / f"train-images-idx3-ubyte{suffix[images_gz]}",
                   idx_bytes(IMAGES), images_gz)
    write(tmp_path / f"train-labels-idx1-ubyte{suffix[labels_gz]}", idx_bytes(LABELS),
          labels_gz)
    ds = data.load(images, scale=255)
    np.testing.assert_array_equal(ds.x, f32(IMAGES.reshape(3, 4)) / f32(255))
    assert ds.x.dtype == np.float32 and ds.x.flags.c_contiguous
    assert ds.x[0].tolist() == [0.0, np.float32(0.2), np.float32(0.4), 1.0]
    assert ds.image_shape == (2, 2)
    np.testing.assert_array_equal(ds.labels, [2, 0, 1])
    np.testing.assert_array_equal(ds.y, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])


def test_idx_label_file_named_explicitly_and_found_by_magic(tmp_path):
    images = write(tmp_path / "pictures.bin", idx_bytes(IMAGES))  # no "images", no suffix
    labels = write(tmp_path / "classes.dat", idx_bytes(LABELS.astype(np.int32)), gz=True)
    assert len(data.load(images).labels) == 0
    ds = data.load(images, labels=labels, n_classes=5)
    np.testing.assert_array_equal(ds.x, IMAGES.reshape(3, 4))
    assert ds.y.shape == (3, 5) and ds.labels.tolist() == [2, 0, 1]


def test_images_without_a_label_file_have_no_classes(tmp_path):
    ds = data.load(write(tmp_path / "t10k-images-idx3-ubyte", idx_bytes(IMAGES)))
    assert ds.y.shape == (3, 0) and ds.labels.dtype == np.int64 and len(ds.labels) == 0


@pytest.mark.parametrize("x_key,labels_key", files.NPZ_KEYS)
def test_npz_default_key_pairs(tmp_path, x_key, labels_key):
    path = tmp_path / "set.npz"
    np.savez(path, **{x_key: IMAGES, labels_key: LABELS, "other": np.zeros(2)})
    ds = data.load(str(path), scale="minmax")
    np.testing.assert_array_equal(ds.x, f32(IMAGES.reshape(3, 4)) / f32(255))
    assert ds.labels.tolist() == [2, 0, 1] and ds.image_shape == (2, 2)


def test_npz_pairs_are_tried_in_order_and_keys_can_be_chosen(tmp_path):
    path = tmp_path / "mnist.npz"  # the layout of Keras' mnist.npz
    np.savez(path, x_train=IMAGES, y_train=LABELS, x_test=IMAGES[:2] // 2,
             y_test=np.array([1, 1]), images=np.ones((1, 1)), labels=np.zeros(1))
    assert data.load(path).labels.tolist() == [2, 0, 1]
    test = data.load(path, x_key="x_test", labels_key="y_test", n_classes=10)
    np.testing.assert_array_equal(test.x, IMAGES[:2].reshape(2, 4) // 2)
    assert test.y.shape == (2, 10) and test.labels.tolist() == [1, 1]
    assert len(data.load(path, x_key="x_test").labels) == 0


def test_npz_one_hot_targets(tmp_path):
    path = tmp_path / "onehot.npz"
    np.savez(path, X=np.arange(6.0).reshape(3, 2), y=np.eye(4)[[3, 0, 1]])
    ds = data.load(path, image_shape=(2, 1))
    np.testing.assert_array_equal(ds.x, [[0, 1], [2, 3], [4, 5]])
    np.testing.assert_array_equal(ds.y, np.eye(4)[[3, 0, 1]])
    assert ds.labels.tolist() == [3, 0, 1] and ds.image_shape == (2, 1)


@pytest.mark.parametrize("shape,image_shape", [
    ((3, 16), (4, 4)), ((3, 6), (1, 6)), ((3, 2, 5), (2, 5)), ((3, 2, 5, 3), (2, 15)),
    ((3, 2, 5, 1), (2, 5)),
])
def test_default_image_shapes(shape, image_shape):
    x = np.arange(np.prod(shape)).reshape(shape)
    ds = data.from_arrays(x)
    assert ds.image_shape == image_shape
    np.testing.assert_array_equal(ds.x, x.reshape(3, -1))


def test_from_arrays_values_labels_and_targets():
    ds = data.from_arrays(np.array([[True, False], [False, True]]), labels=[1.0, 0.0],
                          y=[[0, 1], [1, 0]])
    assert ds.x.tolist() == [[1, 0], [0, 1]] and ds.labels.tolist() == [1, 0]
    assert ds.labels.dtype == np.int64 and ds.y.dtype == np.float32
    minmax = data.from_arrays([[-2.0, 0.0], [6.0, 2.0]], scale="minmax").x
    assert minmax.tolist() == [[0.0, 0.25], [1.0, 0.5]]
    kept = np.array([[0.5, 7.0]], np.float32)
    assert np.shares_memory(data.from_arrays(kept).x, kept)  # no copy without scale
    assert data.from_arrays(kept, scale=2).x.tolist() == [[0.25, 3.5]]
    assert kept.tolist() == [[0.5, 7.0]]


def test_as_dataset_accepts_datasets_tuples_and_arrays():
    bars = data.bars(n=20, size=4)
    again = data.as_dataset(bars, "train")
    for a, b in zip(again, bars):
        np.testing.assert_array_equal(a, b)
    x = np.arange(12.0).reshape(3, 4)
    assert data.as_dataset((x, [0, 2, 1])).y.shape == (3, 3)
    assert data.as_dataset((x, np.eye(3))).labels.tolist() == [0, 1, 2]
    loose = data.as_dataset(data.Dataset(x, None, None, None))  # fields left out: None
    assert loose.y.shape == (3, 0) and loose.image_shape == (2, 2)
    for unlabelled in (x, (x,), (x, None), x.tolist()):
        ds = data.as_dataset(unlabelled)
        assert ds.y.shape == (3, 0) and ds.image_shape == (2, 2)


def test_builtin_names_keep_their_keyword_arguments():
    assert len(data.load("bars", n=10, size=4)) == 10
    assert data.load("clusters", n=30, n_classes=3).y.shape == (30, 3)
    with pytest.raises(TypeError, match="digits"):
        data.digits("elsewhere.npz")  # only the shipped file: no guessing at other files


def _npz(tmp_path, **arrays_):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays_)
    return str(path)


def _idx(tmp_path, content, name="bad-idx", gz=False):
    return write(tmp_path / name, content, gz)


def _pair(tmp_path, images, labels):
    _idx(tmp_path, idx_bytes(labels), "t-labels-idx1-ubyte")
    return _idx(tmp_path, idx_bytes(images), "t-images-idx3-ubyte")


X = np.zeros((2, 4))
GOOD = idx_bytes(IMAGES)
# (id, call given tmp_path, error type, the message's fragments in order)
BAD = [
    ("empty x", lambda t: data.from_arrays(np.zeros((0, 3))), ValueError,
     ["x is empty: shape (0, 3)", "expected at least one sample"]),
    ("no features", lambda t: data.from_arrays(np.zeros((2, 3, 0))), ValueError,
     ["x is empty: shape (2, 3, 0)"]),
    ("object x", lambda t: data.from_arrays(np.array([[1, "a"]], object)), TypeError,
     ["x must hold real numbers", "got dtype object"]),
    ("string x", lambda t: data.from_arrays([["a", "b"]]), TypeError, ["x", "dtype <U1"]),
    ("complex x", lambda t: data.from_arrays(np.ones((2, 2), complex)), TypeError,
     ["x must hold real numbers", "dtype complex128"]),
    ("ragged x", lambda t: data.from_arrays([[1, 2], [3]]), ValueError,
     ["x must be a rectangular array"]),
    ("nan and inf", lambda t: data.from_arrays([[0, 1], [np.inf, np.nan]]), ValueError,
     ["x has 2 non-finite values, the first inf at index (1, 0)", "expected finite"]),
    ("beyond float32", lambda t: data.from_arrays([[1e39]], name="patches"), ValueError,
     ["patches has 1 non-finite value, the first 1e+39 at index (0, 0)"]),
    ("nan in an image", lambda t: data.from_arrays(np.where(np.arange(18).reshape(2, 3, 3)
                                                            == 15, np.nan, 0)), ValueError,
     ["x has 1 non-finite value, the first nan at index (1, 2, 0)"]),
    ("1-D x", lambda t: data.from_arrays(np.ones(5)), ValueError,
     ["x must have one sample per row", "got shape (5,)"]),
    ("5-D x", lambda t: data.from_arrays(np.ones((1, 1, 1, 1, 1))), ValueError,
     ["got shape (1, 1, 1, 1, 1)"]),
    ("2-D labels", lambda t: data.from_arrays(X, labels=[[0], [1]]), ValueError,
     ["labels must be 1-D", "got shape (2, 1)"]),
    ("bool labels", lambda t: data.from_arrays(X, labels=[True, False]), TypeError,
     ["labels must be class numbers", "got dtype bool"]),
    ("string labels", lambda t: data.from_arrays(X, labels=["a", "b"]), TypeError,
     ["labels must hold real numbers", "dtype <U1"]),
    ("fractional label", lambda t: data.from_arrays(X, labels=[0, 1.5]), ValueError,
     ["labels has 1 non-whole label, the first 1.5 at index 1", "expected whole numbers"]),
    ("nan label", lambda t: data.from_arrays(X, labels=[np.nan, 1]), ValueError,
     ["labels has 1 non-whole label, the first nan at index 0"]),
    ("negative label", lambda t: data.from_arrays(X, labels=[0, -2]), ValueError,
     ["labels has 1 negative label, the first -2 at index 1", "expected class numbers >= 0"]),
    ("label >= n_classes", lambda t: data.from_arrays(X, labels=[3, 4], n_classes=3),
     ValueError, ["labels has 2 out-of-range labels, the first 3 at index 0",
                  "expected class numbers in 0..2 (n_classes=3)"]),
    ("too few labels", lambda t: data.from_arrays(X, labels=[0]), ValueError,
     ["labels has length 1 but x has 2 samples", "expected one entry per sample"]),
    ("y not one-hot", lambda t: data.from_arrays(X, y=[[1, 0], [0.5, 0.5]]), ValueError,
     ["y has 1 non-one-hot row, the first [0.5 0.5] at index 1",
      "expected a single 1 and 0 elsewhere"]),
    ("y with two ones", lambda t: data.from_arrays(X, y=[[1, 1], [0, 1]]), ValueError,
     ["y has 1 non-one-hot row, the first [1 1] at index 0"]),
    ("1-D y", lambda t: data.from_arrays(X, y=[0, 1]), ValueError,
     ["y must be one-hot targets of shape (n, classes), got shape (2,)"]),
    ("y of another length", lambda t: data.from_arrays(X, y=np.eye(3)), ValueError,
     ["y has length 3 but x has 2 samples"]),
    ("labels and y disagree", lambda t: data.from_arrays(X, labels=[0, 0], y=np.eye(2)),
     ValueError, ["labels and y disagree at 1 of 2 samples, the first at index 1",
                  "label 0 but the one-hot row says 1"]),
    ("n_classes vs y", lambda t: data.from_arrays(X, y=np.eye(2), n_classes=3), ValueError,
     ["n_classes=3 but y has 2 columns"]),
    ("n_classes 0", lambda t: data.from_arrays(X, labels=[0, 0], n_classes=0), ValueError,
     ["n_classes must be None or an integer >= 1, got 0"]),
    ("n_classes alone", lambda t: data.from_arrays(X, n_classes=2), ValueError,
     ["n_classes=2 needs labels or y"]),
    ("image_shape product", lambda t: data.from_arrays(X, image_shape=(3, 3)), ValueError,
     ["image_shape (3, 3) holds 9 pixels but x has 4 features per sample",
      "height * width == 4"]),
    ("image_shape form", lambda t: data.from_arrays(X, image_shape=(4,)), ValueError,
     ["image_shape must be (height, width), two positive integers, got (4,)"]),
    ("image_shape float", lambda t: data.from_arrays(X, image_shape=(2.0, 2)), ValueError,
     ["image_shape must be (height, width)", "got (2.0, 2)"]),
    ("scale 0", lambda t: data.from_arrays(X, scale=0), ValueError,
     ["scale must be > 0, got 0"]),
    ("scale nan", lambda t: data.from_arrays(X, scale=float("nan")), ValueError,
     ["scale must be finite, got nan"]),
    ("scale word", lambda t: data.from_arrays(X, scale="max"), ValueError,
     ["scale must be None, a positive number or 'minmax', got 'max'"]),
    ("scale bool", lambda t: data.from_arrays(X, scale=True), TypeError,
     ["scale must be a real number, got True"]),
    ("minmax of a constant", lambda t: data.from_arrays(X + 3, scale="minmax"), ValueError,
     ["scale='minmax' needs x to vary, but every value is 3.0"]),
    ("scale overflows", lambda t: data.from_arrays([[1e38]], scale=1e-3), ValueError,
     ["x with scale=0.001 has 1 overflowing value, the first 1e+38 at index (0, 0)"]),
    ("Dataset x and y lengths", lambda t: data.as_dataset(
        data.Dataset(np.zeros((3, 4), np.float32), np.zeros((2, 0)), np.zeros(0, int),
                     (2, 2)), "train"), ValueError,
     ["train.y has length 2 but train.x has 3 samples"]),
    ("Dataset labels length", lambda t: data.as_dataset(
        data.Dataset(np.zeros((3, 4), np.float32), np.eye(3), np.arange(2), (2, 2)),
        "train"), ValueError, ["train.labels has length 2 but train.x has 3 samples"]),
    ("Dataset nan", lambda t: data.as_dataset(
        data.Dataset(np.full((1, 1), np.nan, np.float32), np.zeros((1, 0)), np.zeros(0, int),
                     (1, 1)), "test"), ValueError, ["test.x has 1 non-finite value"]),
    ("tuple labels length", lambda t: data.as_dataset((X, [0]), "test"), ValueError,
     ["test[1] has length 1 but test[0] has 2 samples"]),
    ("tuple of 3", lambda t: data.as_dataset((X, [0, 1], 3), "train"), TypeError,
     ["train must be a tuple (x,) or (x, labels), got a tuple of 3 items"]),
    ("as_dataset of a path", lambda t: data.as_dataset("set.npz", "train"), TypeError,
     ["train must be a Dataset, an array x or a tuple (x, labels), got str"]),
    ("IDX magic", lambda t: files.read_idx(_idx(t, b"\x01\x02\x08\x01" + bytes(8))),
     ValueError, ["bad-idx' is not an IDX file", "starts with bytes 01 02 08 01",
                  "expected 00 00"]),
    ("IDX magic in gzip", lambda t: data.load(_idx(t, b"hello, world", gz=True)), ValueError,
     ["bad-idx' is not an IDX file", "68 65 6c 6c"]),
    ("IDX type code", lambda t: data.load(_idx(t, b"\x00\x00\x0a\x01" + bytes(5))),
     ValueError, ["bad-idx' has unknown data type code 0x0A", "0x08 (uint8)",
                  "0x0E (float64)"]),
    ("IDX short magic", lambda t: files.read_idx(_idx(t, b"\x00\x00\x08")), ValueError,
     ["bad-idx' is truncated: 3 bytes"]),
    ("IDX short header", lambda t: data.load(_idx(t, GOOD[:10])), ValueError,
     ["bad-idx' is truncated: its header needs 16 bytes for 3 dimensions, the file has 10"]),
    ("IDX short data", lambda t: data.load(_idx(t, GOOD[:-1], gz=True)), ValueError,
     ["bad-idx' is truncated: shape (3, 2, 2) of uint8 needs 12 bytes of values, it has 11"]),
    ("IDX extra data", lambda t: data.load(_idx(t, GOOD + b"\x00")), ValueError,
     ["bad-idx' is longer than its header says", "needs 12 bytes of values, it has 13"]),
    ("IDX no dimensions", lambda t: data.load(_idx(t, b"\x00\x00\x08\x00")), ValueError,
     ["bad-idx' has 0 dimensions"]),
    ("IDX of nothing", lambda t: data.load(_idx(t, idx_bytes(np.zeros((0, 2, 2), np.uint8)))),
     ValueError, ["bad-idx' is empty: shape (0, 2, 2)"]),
    ("corrupt gzip", lambda t: data.load(_idx(t, gzip.compress(GOOD)[:-12])), ValueError,
     ["bad-idx' is a corrupt gzip file"]),
    ("gzip junk", lambda t: data.load(_idx(t, b"\x1f\x8b" + bytes(30))), ValueError,
     ["bad-idx' is a corrupt gzip file"]),
    ("label file length", lambda t: data.load(_pair(t, IMAGES, LABELS[:2])), ValueError,
     ["t-labels-idx1-ubyte' has length 2 but '", "t-images-idx3-ubyte' has 3 samples"]),
    ("label file range", lambda t: data.load(_pair(t, IMAGES, LABELS), n_classes=2),
     ValueError, ["t-labels-idx1-ubyte' has 1 out-of-range label, the first 2 at index 0"]),
    ("labels for IDX not a path", lambda t: data.load(_idx(t, GOOD), labels=[0, 1, 2]),
     TypeError, ["labels must be the path of an IDX label file, got list"]),
    ("missing label file", lambda t: data.load(_idx(t, GOOD), labels=str(t / "nope-idx1")),
     FileNotFoundError, ["nope-idx1"]),
    ("x_key for IDX", lambda t: data.load(_idx(t, GOOD), x_key="x"), ValueError,
     ["x_key and labels_key choose arrays in a .npz archive", "bad-idx' is an IDX file"]),
    ("npz without known keys", lambda t: data.load(_npz(t, a=X, b=[0, 1])), ValueError,
     ["bad.npz' has none of the key pairs x/y, x/labels, x_train/y_train, images/labels, "
      "X/y, data/target: its keys are ['a', 'b']", "x_key and labels_key"]),
    ("npz missing x_key", lambda t: data.load(_npz(t, x=X, y=[0, 1]), x_key="x_test"),
     ValueError, ["x_key='x_test' is not in '", "bad.npz': its keys are ['x', 'y']"]),
    ("npz missing labels_key", lambda t: data.load(_npz(t, x=X), x_key="x", labels_key="y"),
     ValueError, ["labels_key='y' is not in '", "its keys are ['x']"]),
    ("npz labels_key alone", lambda t: data.load(_npz(t, x=X), labels_key="y"), ValueError,
     ["labels_key='y' needs x_key", "its keys are ['x']"]),
    ("npz pickled", lambda t: data.load(_npz(t, x=np.array([[{}]], object), y=[0])),
     ValueError, ["bad.npz'['x'] cannot be read as an array of numbers",
                  "Object arrays cannot be loaded", "would unpickle"]),
    ("npz corrupt", lambda t: data.load(_idx(t, b"PK\x03\x04" + bytes(40), "c.npz")),
     ValueError, ["c.npz' is not a readable .npz archive"]),
    ("npz nan", lambda t: data.load(_npz(t, x=[[np.nan, 0]], y=[0])), ValueError,
     ["bad.npz'['x'] has 1 non-finite value, the first nan at index (0, 0)"]),
    ("npz one-hot", lambda t: data.load(_npz(t, x=X, y=[[1, 0], [0, 2]])), ValueError,
     ["bad.npz'['y'] has 1 non-one-hot row, the first [0 2] at index 1"]),
    ("npz labels file", lambda t: data.load(_npz(t, x=X, y=[0, 1]), labels="l.idx"),
     ValueError, ["labels='l.idx' names the label file of IDX images", "labels_key"]),
    ("neither format", lambda t: data.load(_idx(t, b"x,y\n1,2\n", "table.csv")), ValueError,
     ["table.csv' is neither a .npz archive nor an IDX file", "starts with bytes 78 2c 79 0a"]),
    ("empty file", lambda t: data.load(_idx(t, b"", "empty.npz")), ValueError,
     ["empty.npz' is neither", "none, it is empty"]),
    ("missing file", lambda t: data.load(str(t / "mnist.npz")), FileNotFoundError,
     ["mnist.npz"]),
    ("missing path object", lambda t: data.load(t / "train-images-idx3-ubyte"),
     FileNotFoundError, ["train-images-idx3-ubyte"]),
    ("unknown name", lambda t: data.load("mnist"), ValueError,
     ["unknown data set 'mnist': expected one of ['bars', 'clusters', 'digits']",
      "or the path of a .npz or IDX file (no file 'mnist' exists)"]),
    ("source type", lambda t: data.load(3), TypeError,
     ["source must be a built-in name or a path, got int"]),
    ("options for a file", lambda t: data.load(_npz(t, x=X), x_key="x", seed=1), TypeError,
     ["load() got ['seed'] for the file '", "a file takes labels, x_key"]),
    ("file option for a built-in", lambda t: data.load("digits", scale=255), TypeError,
     ["digits() got an unexpected keyword argument 'scale'"]),
]


@pytest.mark.parametrize("call,error,fragments", [case[1:] for case in BAD],
                         ids=[case[0] for case in BAD])
def test_bad_input_fails_with_one_clear_line(tmp_path, call, error, fragments):
    with pytest.raises(error) as raised:
        call(tmp_path)
    message = str(raised.value)
    assert "\n" not in message
    assert re.search(".*".join(map(re.escape, fragments)), message), message
