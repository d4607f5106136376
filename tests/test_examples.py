"""The examples run, at a tiny size, and show what they claim."""
import runpy
from pathlib import Path

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_regression_example_loss_falls_with_every_rule(tmp_path, capsys):
    plot = tmp_path / "loss.png"
    module = runpy.run_path(str(EXAMPLES / "regression.py"))
    results = module["main"](["--epochs", "8", "--plot", str(plot)])
    assert set(results) == {"sgd", "nag", "adam"}
    for rule, losses in results.items():
        assert losses[-1] < 0.05 * losses[0], rule
    assert plot.stat().st_size > 10_000
    assert "mean squared error by epoch" in capsys.readouterr().out
