"""The latent-space explorer page (report/explore.html): the decoders, codes and factor directions it
holds (no TensorFlow).

The page decodes in the reader's browser: web/explorer/tfjs.js (TensorFlow.js, inlined: its
WebAssembly backend, the CPU backend as fallback) runs each
model's saved Keras decoder, read by one generic reader (web/explorer/explorer.js, ``kerasModel``)
from the model's config and weights as the explore stage exports them here (:func:`decoder_data`).
Every code, map and draw comes from the pipeline's outputs, so the page follows every retraining.
"""

from __future__ import annotations

import base64
import html
import json
import re

import numpy as np

# The layer kinds the page's reader decodes (web/explorer/explorer.js, LAYERS; a test holds the two
# equal). A decoder with another kind is refused by the stage, naming the layer.
LAYER_KINDS = ("InputLayer", "Dense", "LeakyReLU", "ReLU", "Activation", "Reshape", "Flatten", "Conv2D",
               "Conv2DTranspose")


def factor_direction(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The step in code space (D,) that moves a factor by one of its standard deviations, as a linear
    fit of the factor on the codes predicts it: the least-squares gradient w (codes (N, D), values (N,),
    NaN values left out), scaled to w · sd / |w|² (the shortest such step). Zero when no unit predicts it."""
    codes, values = np.asarray(codes, np.float64), np.asarray(values, np.float64)
    kept = np.isfinite(values)
    codes, values = codes[kept], values[kept]
    if len(values) < 2:
        return np.zeros(codes.shape[1])
    design = np.column_stack([codes - codes.mean(axis=0), np.ones(len(codes))])
    gradient = np.linalg.lstsq(design, values, rcond=None)[0][:-1]
    norm = float(gradient @ gradient)
    return gradient * values.std() / norm if norm > 0 else np.zeros(codes.shape[1])


def check_layers(config: dict, where: str) -> None:
    """Refuse a decoder the page cannot decode, naming the layer (a one-line StageError)."""
    from .errors import StageError

    for layer in config.get("layers", []):
        if layer.get("class_name") not in LAYER_KINDS:
            raise StageError(f"{where}: layer {layer.get('name')!r} is a {layer.get('class_name')}, which the "
                             f"explorer's reader does not decode (it knows {', '.join(LAYER_KINDS)})")


def floats(array: np.ndarray) -> str:
    """Base64 of little-endian float32: how the page receives arrays."""
    return base64.b64encode(np.ascontiguousarray(array, "<f4").tobytes()).decode("ascii")


def base64_bytes(array: np.ndarray) -> str:
    """Base64 of a uint8 array's bytes (the digits, 0–255)."""
    return base64.b64encode(np.ascontiguousarray(array, np.uint8).tobytes()).decode("ascii")


def decoder_data(config: dict, weights: dict[str, list[np.ndarray]]) -> dict:
    """A Keras functional model for the page: its config as Keras saves it, and every layer's weights
    (in the layer's order) as ``[offset, shape]`` into one float32 buffer."""
    index, parts, offset = {}, [], 0
    for name, arrays in weights.items():
        index[name] = []
        for array in arrays:
            array = np.asarray(array, np.float32)
            index[name].append([offset, list(array.shape)])
            parts.append(array.ravel())
            offset += array.size
    buffer = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    return {"config": config, "weights": index, "buffer": floats(buffer)}


def script_json(data) -> str:
    """JSON safe inside a <script> element: no "<", ">" or "&" (escaped as \\u003c …), so no text from
    the data can close the element or start markup; the page parses it with JSON.parse, never eval."""
    text = json.dumps(data, separators=(",", ":"), sort_keys=True, allow_nan=False)
    return re.sub(r"[<>&\u2028\u2029]", lambda m: f"\\u{ord(m.group()):04x}", text)


def page(data: dict, runtime: str, script: str, title: str) -> str:
    """report/explore.html: the data block, TensorFlow.js (``runtime``) and the explorer ``script``."""
    for name, code in (("runtime", runtime), ("script", script)):
        if re.search(r"</script", code, re.IGNORECASE):
            raise ValueError(f"the explorer's {name} contains '</script', which would end its element")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:">
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1200px; color: #222; }}
.panel {{ display: flex; gap: 1.5em; border-top: 1px solid #ccc; padding: 1em 0; flex-wrap: wrap; }}
.panel h2 {{ width: 100%; margin: 0; }}
.panel h3 {{ font-size: 0.95em; margin: 0.8em 0 0.3em; }}
canvas.map {{ border: 1px solid #ddd; cursor: crosshair; }}
.pair {{ display: flex; gap: 1em; }} figure {{ margin: 0; }} figcaption {{ font-size: 0.85em; color: #555; }}
.slider {{ display: flex; align-items: center; gap: 0.5em; font-size: 0.85em; }}
.slider span {{ width: 11em; }} .slider input {{ width: 14em; }}
.legend {{ display: flex; gap: 0.6em; font-size: 0.85em; margin: 0.3em 0; }} .legend span {{ padding-left: 0.3em; }}
.hint, .caption {{ font-size: 0.9em; color: #444; max-width: 400px; }}
#status {{ color: #b00; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Each panel is one model: its evaluation codes mapped by t-SNE (one colour a digit). Everything shown
is decoded here, in this page, by TensorFlow.js running the model's own saved decoder: no server and no
network. The generated digits' codes were drawn by the pipeline with the generation stage's samplers
(the same fit and seed), and are decoded here.</p>
<p id="status"></p>
<div id="panels"></div>
<script id="explorer-data" type="application/json">{script_json(data)}</script>
<script>
{runtime}
</script>
<script>
{script}
</script>
</body></html>
"""


PAGE_LIMIT = 256e6  # bytes of codes a page may hold: a browser keeps the page and its parsed data in memory


def check_size(models: int, shown: int, points: int, draws: int, samplers: int, latent: int) -> None:
    """Refuse, before any work, a page whose codes (``shown`` digits a map and ``draws`` codes a sampler, for
    each of ``models`` models of ``latent`` dimensions; about 12 bytes a number as text) pass :data:`PAGE_LIMIT`."""
    from .errors import StageError

    estimate = models * (shown * (latent + 2) + draws * samplers * latent) * 12
    if estimate > PAGE_LIMIT:
        raise StageError(f"explore.points = {points}, explore.draws = {draws}: the explorer page would hold about "
                         f"{estimate / 1e6:.0f} MB of codes for {models} models of {latent} dimensions, more than "
                         f"its limit of {PAGE_LIMIT / 1e6:.0f} MB; lower them")
