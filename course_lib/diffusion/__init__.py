"""Diffusion schedules and samplers as pure functions, separate from networks.

The network predicts (noise ``ε_θ`` or score ``s_θ``); the sampler steps. Two
families:

* :mod:`~course_lib.diffusion.ddpm` — discrete DDPM (Ho et al. 2020): beta
  schedules, ``q_sample``, the ε-prediction loss, ancestral sampling and the
  accelerated skip-γ walk (Diff-TTS);
* :mod:`~course_lib.diffusion.vp_sde` — the continuous VP-SDE with a
  data-dependent terminal mean μ (Grad-TTS): closed-form forward moments, the
  λ_t-weighted loss, reverse ODE and SDE Euler solvers with a temperature.
"""

from course_lib.diffusion.common import (
    NonFiniteEstimateError,
    SampleResult,
    ensure_finite,
    validate_n_steps,
    validate_temperature,
)
from course_lib.diffusion.ddpm import (
    accelerated_sample,
    accelerated_timesteps,
    alpha_bar,
    ancestral_step,
    ddim_step,
    ddpm_sample,
    epsilon_loss,
    linear_betas,
    per_item_alpha_bar,
    q_sample,
    sample_steps,
)
from course_lib.diffusion.vp_sde import (
    ForwardMoments,
    NoiseSchedule,
    forward_moments,
    forward_sample,
    gaussian_score,
    prior_start,
    reverse_ode_step,
    reverse_sde_step,
    reverse_times,
    sample_times,
    score_matching_loss,
    solve_reverse,
)

__all__ = [
    "NonFiniteEstimateError", "SampleResult", "ensure_finite", "validate_n_steps", "validate_temperature",
    "accelerated_sample", "accelerated_timesteps", "alpha_bar", "ancestral_step", "ddim_step", "ddpm_sample",
    "epsilon_loss", "linear_betas", "per_item_alpha_bar", "q_sample", "sample_steps",
    "ForwardMoments", "NoiseSchedule", "forward_moments", "forward_sample", "gaussian_score",
    "prior_start", "reverse_ode_step", "reverse_sde_step", "reverse_times", "sample_times",
    "score_matching_loss", "solve_reverse",
]
