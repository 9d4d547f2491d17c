"""Load and timing benchmarks that print figures; run with `python -m bench.<name>`."""
