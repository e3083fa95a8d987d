"""The lessons' ipywidgets UIs, one module per lesson, and how they fill their ``Output`` area.

Every widget draws its result (text, a matplotlib figure, an audio player) into an
``ipywidgets.Output`` with :func:`show_outputs`: the outputs are built here as nbformat
output dicts and assigned to ``output.outputs`` in one go, instead of being captured with
``with output: print(...); plt.show(); display(Audio(...))``. That way nothing flickers,
nothing leaks into the notebook's inline backend (figures are plain
``matplotlib.figure.Figure`` objects, never pyplot's), and notebook runners do not have to
echo large captured outputs back to the kernel — which can hang
``jupyter nbconvert --execute`` (jupyter/nbclient#312).

``show_outputs(widget, "text\\n", fig, audio_output(wave, rate))`` shows, in that order, the
text, the figure as a PNG and an ``<audio>`` player; :func:`text_output`,
:func:`figure_output` and :func:`audio_output` build single output dicts.
"""

from __future__ import annotations

import base64
import io


def text_output(text: str, name: str = "stdout") -> dict:
    """``text`` as a stream output, verbatim (like ``sys.stdout.write``: add the ``"\\n"`` yourself)."""
    return {"output_type": "stream", "name": name, "text": text}


def figure_output(fig, **savefig_kwargs) -> dict:
    """A matplotlib figure as a PNG ``display_data`` output (``savefig(bbox_inches="tight")`` unless overridden)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, **{"format": "png", "bbox_inches": "tight", **savefig_kwargs})
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": base64.b64encode(buffer.getvalue()).decode("ascii"), "text/plain": repr(fig)}}


def audio_output(wave, sample_rate: int, normalize: bool = False) -> dict:
    """An audio player as a ``display_data`` output: the ``<audio>`` HTML of ``IPython.display.Audio``.

    ``wave`` ``[N]`` in [-1, 1] (not normalised unless ``normalize``; clip it first if it may overshoot).
    """
    from IPython.display import Audio

    player = Audio(wave, rate=sample_rate, normalize=normalize)
    return {"output_type": "display_data", "metadata": {},
            "data": {"text/html": player._repr_html_(), "text/plain": repr(player)}}


def as_output(item) -> dict:
    """One output dict from a ``str`` (stdout text, verbatim), a matplotlib ``Figure`` (PNG) or an output dict."""
    if isinstance(item, str):
        return text_output(item)
    if isinstance(item, dict):
        if "output_type" not in item:
            raise ValueError(f"an output dict needs an 'output_type' key, got keys {sorted(item)}")
        return item
    from matplotlib.figure import Figure

    if isinstance(item, Figure):
        return figure_output(item)
    raise TypeError(f"cannot show a {type(item).__name__}: pass a str, a matplotlib Figure or an output dict "
                    "(e.g. audio_output(wave, sample_rate))")


def show_outputs(output_widget, *items) -> tuple[dict, ...]:
    """Replace ``output_widget``'s contents with ``items``, in order, in one assignment; returns the outputs.

    Each item is a ``str`` (stdout text, verbatim), a matplotlib ``Figure`` (shown as a PNG; draw
    it with ``matplotlib.figure.Figure``, not pyplot, so that it is not also shown inline), an
    output dict (e.g. from :func:`audio_output`), or ``None`` (skipped).
    """
    outputs = tuple(as_output(item) for item in items if item is not None)
    output_widget.outputs = outputs
    return outputs
