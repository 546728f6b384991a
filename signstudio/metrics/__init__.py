"""Metrics (numpy + numba): DTW, Fréchet distance, text metrics, DurACC."""
