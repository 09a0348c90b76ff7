"""Optional PNG of the scale sweep (only when matplotlib is importable)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def write_scale_plot(results: dict[str, Any], path: Path) -> str:
    """Writes the plot; returns a one-line note saying what happened."""
    runs = {t: r["sweep"] for t, r in results["runs"].items() if r.get("sweep")}
    if not runs:
        return "no sweep results: scale plot not written"
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib not importable: scale plot not written"
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for threads, points in runs.items():
        labels = [f"{p['m']}x{p['hidden']}" for p in points]
        for name, style in (("native", "--"), ("pyautograd", "-")):
            ms = [p["median_ms"].get(name) for p in points]
            if all(v is not None for v in ms):
                ax.plot(labels, ms, style, marker="o", label=f"{name}, {threads} thread(s)")
    ax.set_yscale("log")
    ax.set_xlabel("batch x hidden (1000 -> hidden -> 10)")
    ax.set_ylabel("ms per autograd step")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return f"scale plot written to {path}"
