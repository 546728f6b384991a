"""SignLLM's Reinforcement Learning loss and Priority Learning Channel (PLC) (seeds/001, §4).

**Reward.** For sample i the reward is the negative mean squared error of its prediction,
``r(i) = -1/N Σ (y - ŷ)²`` over its valid values (`reward`; (B,) per sample).

**RL loss.** The paper rewrites "minimise the MSE" as "maximise the expected cumulative reward"
(its eq. 3: argmax_θ E[Σ r_t] = argmin_θ E[Σ L(y_t, M(x_t))]), so the loss that is
back-propagated is ``-mean_i r(i)`` over the batch (`rl_loss`): numerically the per-sample MSE
averaged over samples. What changes is not the gradient of one batch but *which samples form
the batches*: the per-sample rewards feed the PLC. (With ``weights`` the mean becomes a weighted
mean, e.g. importance-sampling corrections; the paper uses none, so by default none are used.)

**PLC.** The paper writes P(i) = r(i)^η / Σ_j r(j)^η. With r = -MSE <= 0, a power of a negative
number is undefined for fractional η and would favour the *easiest* samples for even η, while
the paper's intent is to prioritise the samples the model still gets wrong ("more valuable
data"). We therefore use the magnitude of the negative reward as the priority:

    priority(i) = -r(i) + ε  = L(i) + ε    (ε > 0 keeps every sample drawable)
    P(i) = priority(i)^η / Σ_j priority(j)^η

so harder samples (larger loss, more negative reward) are drawn more often; η = 0 is uniform
sampling, η = 1 proportional to the loss. Samples not yet seen start at the largest priority so
far (as in prioritised experience replay), so each is visited early. Priorities are refreshed
from the rewards of the batches that were just trained on (`PrioritySampler.update`).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def reward(pred: Any, target: Any, mask: Any | None = None) -> Any:
    """(B,) torch tensor: -MSE per sample. pred/target (B, T, D); mask (B, T) True = valid frame."""
    err = ((pred - target) ** 2).mean(-1)
    if mask is None:
        return -err.mean(-1)
    m = mask.to(err.dtype)
    return -(err * m).sum(-1) / m.sum(-1).clamp(min=1)


def rl_loss(rewards: Any, weights: Any | None = None) -> Any:
    """The RL loss to minimise: -E[r] over the batch (optionally weighted)."""
    if weights is None:
        return -rewards.mean()
    return -(rewards * weights).sum() / weights.sum()


class PrioritySampler:
    """Draws batches of indices from 0..n-1 with P(i) ∝ priority(i)^η, priority = -reward + ε.

    Deterministic for a given seed and sequence of updates; `state_dict` / `load_state_dict`
    make it resumable.
    """

    def __init__(self, n: int, eta: float = 0.6, eps: float = 1e-3, seed: int = 0):
        if n <= 0:
            raise ValueError("a PrioritySampler needs at least one sample")
        if eta < 0:
            raise ValueError("eta must be >= 0")
        self.n, self.eta, self.eps = n, float(eta), float(eps)
        self.priorities = np.full(n, np.nan)
        self.rng = np.random.default_rng(seed)

    def probabilities(self) -> np.ndarray:
        p = self.priorities.copy()
        seen = ~np.isnan(p)
        p[~seen] = p[seen].max() if seen.any() else 1.0
        w = p**self.eta
        return w / w.sum()

    def sample(self, batch_size: int) -> np.ndarray:
        """Distinct indices (min(batch_size, n) of them) drawn by P(i)."""
        k = min(batch_size, self.n)
        return self.rng.choice(self.n, size=k, replace=False, p=self.probabilities())

    def update(self, indices: Any, rewards: Any) -> None:
        """Set priority(i) = -r(i) + ε for the samples just trained on."""
        idx = np.asarray(indices, np.int64)
        r = np.asarray(rewards, np.float64).reshape(-1)
        self.priorities[idx] = np.maximum(-r, 0.0) + self.eps

    def state_dict(self) -> dict[str, Any]:
        return {
            "priorities": self.priorities.tolist(),
            "rng": self.rng.bit_generator.state,
            "eta": self.eta,
            "eps": self.eps,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.priorities = np.asarray(state["priorities"], np.float64)
        self.n = len(self.priorities)
        self.eta, self.eps = float(state["eta"]), float(state["eps"])
        self.rng.bit_generator.state = state["rng"]
