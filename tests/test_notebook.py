"""The example notebook runs in a Jupyter kernel, and the library behaves there: the
figures show inline (ours returned from a cell, and the user's own pyplot figure after
ours drew into it), the backend stays the inline one, the progress bar is a widget and
training prints nothing."""
import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebook test needs nbformat")
nbclient = pytest.importorskip("nbclient", reason="the notebook test needs nbclient")
pytest.importorskip("ipykernel", reason="the notebook test needs ipykernel")
from jupyter_client import AsyncKernelManager  # noqa: E402
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402

NOTEBOOK = Path(__file__).parent.parent / "examples" / "notebook.ipynb"
PNG = "image/png"
WIDGET = "application/vnd.jupyter.widget-view+json"


def _kernel(kernels):
    """A kernel manager for this interpreter's ipykernel, whatever kernelspecs the machine
    has installed (a user-wide "python3" may belong to another Python)."""
    spec = kernels / "this-python"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "this interpreter", "language": "python"}))
    return AsyncKernelManager(kernel_name="this-python",
                              kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))


@pytest.fixture(scope="module")
def notebook(tmp_path_factory):
    """The notebook, executed, with one more cell that reports the backend."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import matplotlib\nmatplotlib.get_backend()"))
    client = nbclient.NotebookClient(
        nb, km=_kernel(tmp_path_factory.mktemp("kernels")), timeout=120,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()   # raises CellExecutionError if any cell fails
    return nb


def _cell(nb, text):
    """The one code cell whose source contains ``text``."""
    [cell] = [c for c in nb.cells if c.cell_type == "code" and text in c.source]
    return cell


def _images(cell):
    return [out for out in cell.outputs if PNG in out.get("data", {})]


def test_stored_without_outputs():
    # Outputs would bloat the repository and every diff.
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


def test_every_cell_runs(notebook):
    errors = [out for cell in notebook.cells if cell.cell_type == "code"
              for out in cell.outputs if out.output_type == "error"]
    assert not errors


def test_returned_figure_shows_once(notebook):
    # Once: the plot functions leave no pyplot figure behind for the backend to show again.
    assert len(_images(_cell(notebook, "configs="))) == 1


def test_users_own_figure_still_shows(notebook):
    assert len(_images(_cell(notebook, "plt.show()"))) == 1


def test_backend_is_still_inline(notebook):
    backend = notebook.cells[-1].outputs[0]["data"]["text/plain"]
    assert "inline" in backend, backend


def test_training_prints_nothing_but_the_progress_bar(notebook):
    outputs = _cell(notebook, "= fit(").outputs
    assert not [out for out in outputs if out.get("name") == "stdout"], outputs
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return   # without ipywidgets tqdm draws a text bar on stderr
    # The widget is the cell's only output: no text bar, no warning on stderr either.
    assert [WIDGET in out.get("data", {}) for out in outputs] == [True], outputs
