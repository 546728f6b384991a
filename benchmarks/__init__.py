"""SignStudio's benchmarks, run by `signstudio bench` from a source checkout (not shipped in the package)."""
