"""course_lib — the tested library behind the end-to-end TTS course.

Lessons in ``notebooks/`` build each idea step by step and then call the version
here. Modules grow by concept: ``audio``, ``text``, ``data``, ``training``,
``nn``, ``distributions``, ``flows``, ``diffusion``, ``alignment``, ``models``.
"""

__version__ = "0.1.0"
