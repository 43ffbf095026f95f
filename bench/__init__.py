"""End-to-end benchmarks (commands, not tests)."""
