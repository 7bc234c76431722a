"""The embedded demo store's builder, and synthetic parcels for benchmarks."""
