"""Telling alerts of one group apart: the labels whose values differ between them."""

# Labels shown first when they tell alerts apart: where the problem is.
PREFERRED = ("instance", "pod", "node", "host", "container", "job")


def distinguishing(label_sets: list[dict]) -> list[dict]:
    """For each alert's labels, only those that differ between the alerts (preferred names first)."""
    if len(label_sets) < 2:
        return [{} for _ in label_sets]
    names = set().union(*label_sets)
    differing = [n for n in names if len({str(labels.get(n)) for labels in label_sets}) > 1]
    ordered = sorted(differing, key=lambda n: (PREFERRED.index(n) if n in PREFERRED else len(PREFERRED), n))
    return [{n: labels[n] for n in ordered if n in labels} for labels in label_sets]
