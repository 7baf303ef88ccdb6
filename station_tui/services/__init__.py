"""Use cases: each takes a Station (the store and the reference data) and plain values, and returns plain values."""
