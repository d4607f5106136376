"""``ngc-rules demo``: a PCN learns digits with each rule; sparse coding learns bars."""
import os

from .. import data
from ..checkpoint import write_json
from ..models import PCN, SparseCoding
from ..plots import plot_filters, plot_learning_curves
from ..training import fit


def _table(rows, columns):
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths))]
    lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)


def run_demo(out, epochs=20, seed=0, progress=True):
    """Train the demo's PCN with each rule at its default rate; returns the histories by
    rule name."""
    os.makedirs(out, exist_ok=True)
    train, test = data.split(data.digits(), seed=seed)
    histories, models = {}, {}
    for rule in PCN.DEFAULT_ETA:
        models[rule] = PCN((64, 128, 10), optim_type=rule, seed=seed)
        histories[rule] = fit(models[rule], train, test, epochs, seed=seed, progress=progress,
                              description=f"PCN + {rule}")
    rows = [(rule, f"{models[rule].config['eta']:g}", f"{h[-1]['energy']:.4f}",
             f"{h[-1]['test_energy']:.4f}", f"{100 * h[-1]['accuracy']:.1f}%",
             f"{sum(r['seconds'] for r in h):.1f}") for rule, h in histories.items()]
    print(f"Predictive-coding network 64-128-10 on handwritten digits "
          f"({len(train)} train / {len(test)} test), {epochs} epochs\n")
    print(_table(rows, ("rule", "eta", "train energy", "test energy", "test accuracy",
                        "seconds")))
    plot_learning_curves(histories, ["energy", "test_energy", "accuracy"],
                         os.path.join(out, "pcn_learning_curves.png"),
                         "PCN on digits: energy and test accuracy per epoch, by rule",
                         configs={rule: model.config for rule, model in models.items()})
    coder = SparseCoding(64, 32, optim_type="sgd", seed=seed)
    bars_train, bars_test = data.split(data.bars(seed=seed), seed=seed)
    coding = fit(coder, bars_train, bars_test, 10, batch_size=100, seed=seed, progress=progress,
                 description="sparse coding + sgd")
    print(f"\nSparse coding of 8x8 bars, 32 filters, sgd: reconstruction energy "
          f"{coding[0]['test_energy']:.3f} -> {coding[-1]['test_energy']:.3f} per sample, "
          f"{100 * coding[-1]['test_active']:.0f}% of latents active")
    plot_filters(coder.filters, (8, 8), os.path.join(out, "sparse_coding_filters.png"),
                 "Sparse coding on bars: the 32 learned dictionary filters")
    write_json(os.path.join(out, "metrics.json"),
               {"pcn": {"configs": {rule: model.config for rule, model in models.items()},
                        "histories": histories},
                "sparse_coding": {"config": coder.config, "history": coding}})
    print(f"\nwrote pcn_learning_curves.png, sparse_coding_filters.png and metrics.json "
          f"to {out}")
    return histories
