"""Every shipped checkpoint loads and says the same thing for the same seed as when it shipped.

A refactor of the model layer must not change what a shipped model produces: this pins each one's
durations and mel (and VITS's wave) for one sentence and seed. When a checkpoint is retrained on
purpose, print its new fingerprint with ``python tests/test_shipped_outputs.py`` and replace its row.
"""

import json

import pytest
import torch

from course_lib.models import recipe_of
from course_lib.models.contract import SynthesisOptions
from course_lib.paths import CHECKPOINT_DIR
from course_lib.text import text_to_tokens

TEXT = "The quick brown fox jumps over the lazy dog."
CASES = {  # model → shipped file, the options it is asked with (few steps for the diffusion models: quick)
    "glow_tts": ("glow_tts_tiny.pt", SynthesisOptions(seed=3)),
    "grad_tts": ("grad_tts_tiny.pt", SynthesisOptions(seed=3, n_steps=4)),
    "diff_tts": ("diff_tts_tiny.pt", SynthesisOptions(seed=3, n_steps=8)),
    "vits": ("vits_tiny_multi.pt", SynthesisOptions(seed=3, speaker=1)),
}
SHIPPED = {  # fingerprint(name) when each checkpoint shipped (mel_grid: mel[::16, ::40] flattened)
    "glow_tts": {"n_tokens": 33,
     "durations": [5, 7, 9, 6, 10, 9, 4, 4, 13, 8, 8, 13, 7, 9, 5, 8, 9, 10, 9, 10, 6, 7, 4, 6, 7, 10, 5, 9, 6,
                   21, 7, 2, 2],
     "mel_shape": [80, 255],
     "mel_grid": [-4.8803, -3.518, -3.1444, -4.8373, -4.6032, -4.6956, -4.4427, -4.9992, -4.9037, -5.0932,
                  -0.3051, -1.4319, -3.1387, -1.3405, -6.1548, -6.1545, -5.2639, -0.6844, -4.8579, -7.6081,
                  -0.9455, -6.5658, -4.8109, -4.9068, -4.4958, -2.7003, -3.784, -5.1023, -6.7685, -4.7533,
                  -4.5577, -6.9938, -5.0746, -6.0624, -7.2759],
     "mel_sum": -95936.83592203527},
    "grad_tts": {"n_tokens": 33,
     "durations": [5, 7, 2, 12, 10, 2, 8, 5, 13, 9, 7, 14, 2, 14, 5, 10, 8, 2, 14, 10, 5, 9, 4, 5, 6, 10, 7, 8, 5,
                   21, 7, 2, 2],
     "mel_shape": [80, 250],
     "mel_grid": [-4.6247, -3.1856, -3.1676, -4.9586, -4.4676, -4.6413, -3.9026, -5.1533, -4.349, -1.5255, 0.2162,
                  -5.7979, -6.399, -5.4071, -5.5626, -5.4799, -2.0552, -0.8359, -5.2855, -5.4647, -5.5904,
                  -6.5835, -4.4012, -4.9147, -4.162, -5.5835, -5.1803, -5.392, -6.6762, -4.6142, -5.9366, -6.9611,
                  -7.1344, -3.7912, -5.8966],
     "mel_sum": -95041.1899610646},
    "diff_tts": {"n_tokens": 33,
     "durations": [6, 10, 5, 9, 12, 8, 2, 6, 11, 9, 8, 16, 5, 10, 3, 8, 13, 8, 7, 12, 5, 9, 4, 6, 7, 10, 5, 7, 8,
                   22, 7, 2, 1],
     "mel_shape": [80, 261],
     "mel_grid": [-4.4294, -5.1322, -3.1631, -4.6201, -4.0247, -5.2786, -4.4629, -4.3144, -6.8944, -5.5606,
                  -1.715, -1.2018, -1.2809, -0.7798, -5.796, -7.9483, -6.2397, -3.8065, -3.6352, -7.5896, -1.8964,
                  -5.6268, -6.8475, -5.8132, -4.9619, -1.4052, -3.3696, -5.0004, -6.4419, -7.36, -5.6403, -4.8894,
                  -4.2654, -6.94, -7.143],
     "mel_sum": -100389.27508878708},
    "vits": {"n_tokens": 67,
     "durations": [1, 4, 1, 4, 4, 5, 4, 4, 1, 6, 4, 3, 5, 2, 1, 3, 1, 7, 4, 4, 2, 7, 2, 10, 4, 4, 3, 6, 3, 3,
                  3, 6, 1, 6, 3, 3, 6, 8, 2, 5, 4, 5, 2, 7, 1, 4, 2, 4, 1, 5, 1, 6, 6, 4, 2, 4, 5, 3, 1, 19,
                  2, 1, 2, 2, 1, 1, 1],
     "mel_shape": [80, 251],
     "mel_grid": [-4.4033, -3.9766, -4.4073, -3.5853, -4.3231, -4.062, -4.4172, -5.8751, -4.4046, -1.3542,
                  -1.3359, -6.1867, -5.0364, -1.4117, -6.004, -5.2084, -0.8246, -1.3266, -5.2522, -7.7297,
                  -1.674, -6.3701, -4.1243, -4.1904, -3.1569, -5.4182, -4.3262, -4.0733, -7.2148, -4.0912,
                  -5.0382, -6.8827, -6.7512, -6.5049, -7.1241],
     "mel_sum": -96069.70461993665,
     "wave_len": 64256,
     "wave_abs_sum": 2405.6722106703255},
}


def fingerprint(name: str) -> dict:
    """Tokens, rounded durations, mel shape, a grid of mel values and sums — of the shipped model ``name``."""
    file, options = CASES[name]
    model = recipe_of(name).load(CHECKPOINT_DIR / file)
    tokens = text_to_tokens(TEXT, model.config.front_end, model.config.add_blank)[0]
    result = model.generate(tokens, options)
    found = {"n_tokens": int(tokens.numel()), "durations": [int(d) for d in result.durations.round().tolist()],
             "mel_shape": list(result.mel.shape),
             "mel_grid": [round(float(x), 4) for x in result.mel[::16, ::40].flatten()],
             "mel_sum": float(result.mel.double().sum())}
    if result.wave is not None:
        found["wave_len"] = int(result.wave.numel())
        found["wave_abs_sum"] = float(result.wave.double().abs().sum())
    return found


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_shipped_checkpoint_says_what_it_said_when_it_shipped(name):
    if not (CHECKPOINT_DIR / CASES[name][0]).exists():
        pytest.skip(f"{CASES[name][0]} is not in this checkout")
    found, shipped = fingerprint(name), SHIPPED[name]
    assert found["n_tokens"] == shipped["n_tokens"], "the front end now reads the sentence differently"
    assert found["durations"] == shipped["durations"]
    assert found["mel_shape"] == shipped["mel_shape"]
    torch.testing.assert_close(torch.tensor(found["mel_grid"]), torch.tensor(shipped["mel_grid"]), atol=2e-3, rtol=0)
    assert found["mel_sum"] == pytest.approx(shipped["mel_sum"], rel=1e-5)
    if "wave_len" in shipped:
        assert found["wave_len"] == shipped["wave_len"]
        assert found["wave_abs_sum"] == pytest.approx(shipped["wave_abs_sum"], rel=1e-4)


if __name__ == "__main__":
    for model_name in CASES:
        print(f'    "{model_name}": {json.dumps(fingerprint(model_name))},')
