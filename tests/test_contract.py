"""The one synthesis contract every course TTS model implements (course_lib.models.contract)."""

import pytest
import torch

from course_lib.models import SYNTHESIZERS, cvae, diff_tts, glow_tts, grad_tts, recipe_of, vits
from course_lib.models.contract import SynthesisOptions, SynthesisResult, Synthesizer, check_options

MODELS = {
    "glow_tts": lambda: glow_tts.build(glow_tts.GlowTTSConfig.tiny()),
    "grad_tts": lambda: grad_tts.build(grad_tts.GradTTSConfig.tiny()),
    "diff_tts": lambda: diff_tts.build(diff_tts.DiffTTSConfig.tiny()),
    "vits": lambda: vits.build(vits.VITSConfig.tiny()),
    "cvae": lambda: cvae.build(cvae.CvaeConfig.tiny()),
}
FAST = {"grad_tts": SynthesisOptions(n_steps=2), "diff_tts": SynthesisOptions(n_steps=4)}


@pytest.fixture(scope="module", params=sorted(MODELS))
def model(request):
    torch.manual_seed(0)
    return request.param, MODELS[request.param]()


def _tokens(model) -> torch.Tensor:
    return torch.randint(1, model.config.n_vocab, (7,), generator=torch.Generator().manual_seed(1))


def test_every_model_synth_drives_is_here():
    assert sorted(MODELS) == sorted(SYNTHESIZERS)


def test_each_model_declares_the_contract_and_its_recipe_says_how_to_voice_it(model):
    kind, net = model
    assert isinstance(net, Synthesizer)
    assert set(net.knobs) | set(net.REFUSED) == set(SynthesisOptions().__dataclass_fields__)
    synth = recipe_of(kind).synth
    assert synth.label and synth.makes_waves == (kind == "vits")


def test_generate_returns_one_result_type_with_the_settings_used(model):
    kind, net = model
    options = FAST.get(kind, SynthesisOptions())
    result = net.generate(_tokens(net), SynthesisOptions(**{**options.given(), "seed": 3, "length_scale": 1.2}))
    assert isinstance(result, SynthesisResult)
    assert result.mel.dim() == 2 and result.mel.shape[0] == 80 and result.durations.shape == (7,)
    assert set(result.settings) == set(net.knobs)
    assert result.settings["seed"] == 3 and result.settings["length_scale"] == 1.2
    assert (result.wave is not None) == recipe_of(kind).synth.makes_waves    # only VITS goes text → wave
    if result.wave is not None:
        assert result.wave.dim() == 1 and result.wave.abs().max() <= 1.0
    assert net.predicted_durations(_tokens(net)).shape == (7,)


def test_the_same_seed_gives_the_same_result(model):
    kind, net = model
    options = SynthesisOptions(**{**FAST.get(kind, SynthesisOptions()).given(), "seed": 11})
    first, again = net.generate(_tokens(net), options), net.generate(_tokens(net), options)
    torch.testing.assert_close(first.mel, again.mel, rtol=0, atol=0)


@pytest.mark.parametrize("kind,options,message", [
    ("glow_tts", SynthesisOptions(n_steps=4), "Glow-TTS has no n_steps (n_steps: it decodes in one pass)"),
    ("glow_tts", SynthesisOptions(noise_scale_w=0.3), "deterministic"),
    ("diff_tts", SynthesisOptions(noise_scale=0.5), "Diff-TTS has no noise_scale"),
    ("grad_tts", SynthesisOptions(speaker=1), "single speaker"),
    ("vits", SynthesisOptions(n_steps=4), "VITS has no n_steps"),
    ("vits", SynthesisOptions(speaker=2), "single speaker"),
])
def test_a_knob_the_model_lacks_is_an_error_naming_it(kind, options, message):
    net = MODELS[kind]()
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        net.generate(_tokens(net), options)


def test_grad_tts_noise_scale_is_one_over_its_temperature():
    torch.manual_seed(0)
    net = MODELS["grad_tts"]().eval()
    tokens = _tokens(net)
    ours = net.generate(tokens, SynthesisOptions(noise_scale=1 / 1.5, n_steps=2, seed=5)).mel
    official = net.synthesize(tokens, n_steps=2, temperature=1.5, seed=5).mel[0]
    torch.testing.assert_close(ours, official[:, : ours.shape[-1]])
    with pytest.raises(ValueError, match="noise_scale > 0"):
        net.generate(tokens, SynthesisOptions(noise_scale=0.0, n_steps=2))


def test_a_multi_speaker_model_takes_the_speaker_knob():
    net = vits.build(vits.VITSConfig.tiny_multi())
    assert "speaker" in net.knobs
    result = net.generate(_tokens(net), SynthesisOptions(speaker=4, seed=0))
    assert result.settings["speaker"] == 4


def test_options_must_be_the_options_object():
    with pytest.raises(TypeError, match="SynthesisOptions"):
        check_options({"noise_scale": 0.5}, frozenset({"noise_scale"}), "Glow-TTS")
