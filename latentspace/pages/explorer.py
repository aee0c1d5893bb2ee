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
import json
import re

import numpy as np
from markupsafe import Markup

from latentspace.pages.page_parts import render

LAYERS_BLOCK = re.compile(r"const LAYERS = \{(.*?)\n    \};", re.S)  # web/explorer/explorer.js's table of readers


def layer_kinds(script: str) -> tuple[str, ...]:
    """The layer kinds the page's reader decodes: the keys of ``LAYERS`` in its ``script`` (web/explorer/explorer.js),
    the one place a kind is declared; a ValueError where the script has no such table."""
    found = LAYERS_BLOCK.search(script)
    if not found:
        raise ValueError("the explorer's script has no LAYERS table of layer readers")
    return tuple(re.findall(r"^        (\w+): ", found.group(1), re.MULTILINE))


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


def check_layers(config: dict, where: str, kinds: tuple[str, ...]) -> None:
    """Refuse a decoder the page cannot decode (its reader knows the layer ``kinds``: :func:`layer_kinds`), naming
    the layer (a one-line StageError)."""
    from latentspace.core.errors import StageError

    for layer in config.get("layers", []):
        if layer.get("class_name") not in kinds:
            raise StageError(f"{where}: layer {layer.get('name')!r} is a {layer.get('class_name')}, which the "
                             f"explorer's reader does not decode (it knows {', '.join(kinds)})")


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


def read_script(path) -> str:
    """A script of the page (web/explorer/), as text; a :class:`StageError` naming it where it cannot be read."""
    from pathlib import Path

    from latentspace.core.errors import StageError

    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise StageError(f"{path}: cannot read the explorer's script ({exc.strerror})") from None


def check_codes(name: str, evaluation: np.ndarray, mapped: np.ndarray, digits: int) -> None:
    """Refuse a model whose evaluation codes (N, D) or t-SNE map (N, 2) are not one a evaluation digit."""
    from latentspace.core.errors import StageError

    if len(evaluation) != digits or len(mapped) != len(evaluation):
        raise StageError(f"{name}: {len(evaluation)} codes and {len(mapped)} map points for {digits} evaluation "
                         "digits: rerun its codes and tsne stages")


def panel(name: str, title: str, codes: dict[str, np.ndarray], mapped: np.ndarray, units: dict,
          decoder: tuple[dict, dict], shown: np.ndarray, factors: dict[str, np.ndarray], *, draws: int,
          drawn: dict[str, np.ndarray]) -> dict:
    """One model's panel of the page: its evaluation codes (``codes["codes_eval"]``, (N, D)) and t-SNE ``mapped``
    (N, 2) at the ``shown`` rows, how much it uses each dimension (``units``, its units metrics: order, usage, the anchor nearest the
    codes' mean, their mean and sd), the ``decoder`` (its config and ``{layer: weights}``), each measured factor's
    direction (:func:`factor_direction` of the evaluation codes and ``factors`` ``{factor: (N,)}``) and the first
    ``draws`` codes of each sampler (``drawn`` ``{sampler: (n, D)}``: the samplers stages' draws, the generation
    stage's; a model whose codes file holds its learnt prior has its prior's button say so)."""
    from latentspace.measures.factors.traversals import anchor, order, usage
    from latentspace.models.priors import PRIOR_ARRAYS
    from latentspace.models.samplers import LEARNT, PRIOR, SAMPLERS

    evaluation = np.asarray(codes["codes_eval"])
    learnt = all(name in codes for name in PRIOR_ARRAYS)  # a VampPrior model: its prior's draws are not N(0, I)'s
    used, measure = usage(units)
    codes = evaluation.astype(np.float64)
    return {"name": name, "title": title, "dimensions": int(evaluation.shape[1]),
            "decoder": decoder_data(*decoder), "codes": floats(evaluation[shown]), "map": floats(mapped[shown]),
            "anchor": anchor(evaluation[shown]), "order": order(used), "order_by": measure, "usage": used.tolist(),
            "mean": codes.mean(axis=0).tolist(), "sd": codes.std(axis=0).tolist(),
            "directions": {f: factor_direction(evaluation, values).tolist() for f, values in factors.items()},
            "samplers": [{"name": s.name, "label": LEARNT if s.name == PRIOR and learnt else s.label,
                          "codes": floats(drawn[s.name][:draws])} for s in SAMPLERS]}


def sweep(evaluation: np.ndarray, shown: np.ndarray, panel: dict) -> np.ndarray:
    """The traversal figure's codes (D·S, D): each dimension, most used first, swept over ± REACH sd around the
    panel's anchor (latentspace.measures.factors.traversals.traversal_codes)."""
    from latentspace.measures.factors.traversals import traversal_codes

    return traversal_codes(np.asarray(evaluation)[shown][panel["anchor"]], np.array(panel["sd"]), panel["order"])


def sweep_rows(panel: dict, images: np.ndarray) -> dict[str, np.ndarray]:
    """The traversal figure's rows: ``{"z3 (KL 2.41)": (S, 28, 28, 1) images}`` from the decoded :func:`sweep`."""
    from latentspace.measures.factors.traversals import TRAVERSAL_STEPS

    images = np.asarray(images).reshape(len(panel["order"]), TRAVERSAL_STEPS, 28, 28, 1)
    return {f"z{d} ({panel['order_by']} {panel['usage'][d]:.3g})": images[row] for row, d in enumerate(panel["order"])}


def data(panels: list[dict], labels: np.ndarray, images: np.ndarray, factors: dict[str, np.ndarray],
         shown: np.ndarray, steps: int) -> dict:
    """The page's data: the panels, the ``shown`` evaluation digits' ``labels``, ``images`` (N, 28, 28) and
    measured ``factors`` ``{factor: (N,)}`` (NaN: not measured, null in the page), the interpolation's steps."""
    from latentspace.measures.factors.morphometrics import LABELS, UNITS

    return {"models": panels, "labels": np.asarray(labels)[shown].tolist(), "index": np.asarray(shown).tolist(),
            "factors": [{"name": f, "label": LABELS[f], "unit": UNITS[f],
                         "values": [None if not np.isfinite(v) else round(float(v), 4) for v in values[shown]]}
                        for f, values in factors.items()],
            "digits": base64_bytes(np.asarray(images)[shown]), "steps": steps}


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
    return render("explore.html", title=title, data=Markup(script_json(data)), runtime=Markup(runtime),
                  script=Markup(script))


PAGE_LIMIT = 256e6  # bytes of codes a page may hold: a browser keeps the page and its parsed data in memory


def check_size(models: int, shown: int, points: int, draws: int, samplers: int, latent: int) -> None:
    """Refuse, before any work, a page whose codes (``shown`` digits a map and ``draws`` codes a sampler, for
    each of ``models`` models of ``latent`` dimensions; about 12 bytes a number as text) pass :data:`PAGE_LIMIT`."""
    from latentspace.core.errors import StageError

    estimate = models * (shown * (latent + 2) + draws * samplers * latent) * 12
    if estimate > PAGE_LIMIT:
        raise StageError(f"explore.points = {points}, explore.draws = {draws}: the explorer page would hold about "
                         f"{estimate / 1e6:.0f} MB of codes for {models} models of {latent} dimensions, more than "
                         f"its limit of {PAGE_LIMIT / 1e6:.0f} MB; lower them")
