"""The gain an article is mastered at: the voice's calibrated gain for the
target loudness, and the next gain to try when a file missed it (the second
pass of ``render.speak``, made from the sentences kept, not the engine)."""

from __future__ import annotations

import numpy as np

from .loudness import TARGET_LUFS
from .voices import VoiceProfile


ENCODER_LOSS_LU = 0.35   # LAME takes about this much K-weighted loudness away (measured, 64 and 128 kbps)


def voice_gain(profile: VoiceProfile, loudness: float) -> float:
    """The gain that brings a typical article in this voice to ``loudness`` LUFS:
    the profile's ``gain_db`` is calibrated for -16 LUFS before encoding."""
    return profile.gain_db + (loudness - TARGET_LUFS) + ENCODER_LOSS_LU


LIMITED_SLOPE = 0.6       # dB of loudness per dB of gain for speech well over the limiter's ceiling
LOUDNESS_TOLERANCE = 0.5  # LU: a file further than this from the target is made again at a better gain
TRIAL_TOLERANCE = 0.4     # LU: an article mastered at the voice's gain this close to the target is kept


def next_gain(tries: list[tuple[float, float]], loudness: float) -> float:
    """The gain to try next, from (gain dB, loudness measured after the limiter)
    pairs so far: a secant step between the last two, or, after one try, a step
    scaled for the limiter (a dB of gain adds only part of a dB of loudness once
    peaks are limited). Steps are bounded so a near-silent article cannot run away."""
    gain, measured = tries[-1]
    if not np.isfinite(measured):
        return gain
    slope = LIMITED_SLOPE
    if len(tries) > 1 and abs(gain - tries[-2][0]) > 0.05 and np.isfinite(tries[-2][1]):
        slope = float(np.clip((measured - tries[-2][1]) / (gain - tries[-2][0]), 0.3, 1.0))
    return gain + float(np.clip((loudness - measured) / slope, -12.0, 12.0))
