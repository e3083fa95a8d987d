"""What the models that make waveforms share: generators, discriminators, their losses and the GAN task.

Below every model package (``tests/test_import_graph.py`` keeps it so): HiFi-GAN
(:mod:`course_lib.models.hifigan`), VITS and the course vocoder's adversarial fine-tune all build from here,
and none of these modules imports a model package.

* :mod:`~course_lib.models.waveform.config` — :class:`HiFiGANConfig`: a HiFi-GAN generator, its discriminators and
  its training recipe (V1/V2/V3, tiny, the iSTFT configs);
* :mod:`~course_lib.models.waveform.generator` — HiFi-GAN's upsampling generator, and :func:`build_generator`
  (it, or the inverse-STFT one, as a config names);
* :mod:`~course_lib.models.waveform.istft_generator` — the frame-rate inverse-STFT generator;
* :mod:`~course_lib.models.waveform.discriminators` — period and scale discriminators, MPD, MSD, ``judge``;
* :mod:`~course_lib.models.waveform.losses` — LSGAN, feature matching, mel L1, the phase loss, and the
  discriminators' and the generator's GAN objectives (:func:`discriminator_losses`, :func:`generator_losses`);
* :mod:`~course_lib.models.waveform.gan` — the two-phase GAN task every adversarially trained model subclasses;
* :mod:`~course_lib.models.waveform.evaluation` — a vocoder's resynthesis quality (mel L1, MCD, PESQ, pitch);
* :mod:`~course_lib.models.waveform.pitch_phase` — the STFT phase of a voiced frame from its F0 (lesson 06).
"""
