"""The latent-space explorer: its pieces on known answers (fast), and the page in a real headless
Chromium against the decoders that the pipeline saved, decoded here by Keras (slow)."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from latentspace.tools import browser
from latentspace.pages import explorer
from latentspace.measures.factors import traversals

from helpers import ROOT, default_params, run

MODELS = tuple(default_params()["models"])  # every model section: a panel each


def test_dimensions_are_ordered_by_kl_for_a_vae_and_by_activity_for_the_ae():
    vae = {"kl_per_dimension": {"z0": 0.1, "z1": 2.0, "z2": 0.1, "z3": 1.0}, "activity": {"z0": 9.0}}
    used, measure = traversals.usage(vae)
    assert measure == "KL" and traversals.order(used) == [1, 3, 0, 2]  # ties keep the lower index first
    used, measure = traversals.usage({"activity": {"z0": 0.5, "z1": 3.0}})
    assert measure == "activity" and traversals.order(used) == [1, 0]


def test_the_anchor_is_the_code_nearest_the_mean():
    codes = np.array([[0.0, 0.0], [10.0, 0.0], [4.0, 1.0], [-2.0, 0.0]])
    assert traversals.anchor(codes) == 2  # the mean is (3, 0.25)


def test_a_subset_is_stratified_seeded_and_everything_when_small():
    labels = np.repeat(np.arange(10), [100, 50, 50, 50, 50, 50, 50, 50, 50, 500])
    chosen = traversals.subset(labels, 100, seed=3)
    assert len(chosen) == 100 and list(chosen) == sorted(set(chosen))
    counts = np.bincount(labels[chosen], minlength=10)
    assert counts[9] == 50 and counts[0] == 10 and counts[1] == 5  # each digit in its share
    assert list(traversals.subset(labels, 100, seed=3)) == list(chosen)
    assert list(traversals.subset(labels, 100, seed=4)) != list(chosen)
    assert list(traversals.subset(labels[:30], 100, seed=3)) == list(range(30))


def test_a_traversal_moves_one_dimension_at_a_time_by_its_standard_deviation():
    code, sd = np.array([1.0, -1.0, 0.5]), np.array([2.0, 0.5, 1.0])
    swept = traversals.traversal_codes(code, sd, [2, 0], steps=3, reach=3.0)
    assert swept.shape == (6, 3) and swept.dtype == np.float32
    np.testing.assert_allclose(swept[:3], [[1, -1, -2.5], [1, -1, 0.5], [1, -1, 3.5]])
    np.testing.assert_allclose(swept[3:], [[-5, -1, 0.5], [1, -1, 0.5], [7, -1, 0.5]])


def test_a_factors_direction_moves_its_fitted_value_by_one_sd():
    """Factor = 2·z0 − z2 + noise: the step is along (2, 0, −1), and moving by it raises the fitted factor by
    the factor's sd; a factor no unit predicts gets no step; NaN values are left out."""
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(2000, 3))
    factor = 2 * codes[:, 0] - codes[:, 2] + 0.01 * rng.normal(size=2000)
    factor[:5] = np.nan
    step = explorer.factor_direction(codes, factor)
    assert np.allclose(step / np.linalg.norm(step), np.array([2, 0, -1]) / np.sqrt(5), atol=0.01)
    assert step @ np.array([2, 0, -1]) == pytest.approx(np.nanstd(factor), rel=0.01)
    assert not explorer.factor_direction(codes, np.ones(2000)).any()


def test_weights_travel_as_one_float32_buffer_with_offsets_and_shapes():
    kernel, bias = np.arange(6, dtype=np.float32).reshape(2, 3), np.array([7, 8, 9], np.float32)
    data = explorer.decoder_data({"layers": []}, {"z": [], "dense": [kernel, bias]})
    assert data["weights"] == {"z": [], "dense": [[0, [2, 3]], [6, [3]]]}
    assert np.frombuffer(__import__("base64").b64decode(data["buffer"]), "<f4").tolist() == [0, 1, 2, 3, 4, 5, 7, 8, 9]


def test_text_from_the_data_cannot_close_the_script_element_or_start_markup():
    evil = {"title": "</script><script>alert(1)</script>", "x": "a & b > c"}
    text = explorer.script_json(evil)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == evil  # the page's JSON.parse reads the same values back
    with pytest.raises(ValueError, match="runtime"):
        explorer.page({}, "var a = '</script>';", "", "t")


def test_the_layer_kinds_are_read_from_the_pages_own_table_of_readers():
    """web/explorer/explorer.js's LAYERS declares what the page decodes; the stage reads it from there."""
    kinds = explorer.layer_kinds((ROOT / "web/explorer/explorer.js").read_text())
    assert {"InputLayer", "Dense", "Conv2D", "Conv2DTranspose", "Reshape"} <= set(kinds) and len(kinds) >= 9
    assert explorer.layer_kinds("const LAYERS = {\n        Dense: () => 0,\n        Pool: () => 1,\n    };") == ("Dense", "Pool")
    with pytest.raises(ValueError, match="no LAYERS table"):
        explorer.layer_kinds("const readers = {};")


def test_a_decoder_with_a_layer_the_page_cannot_read_is_refused_naming_it():
    from latentspace.core.errors import StageError

    config = {"layers": [{"class_name": "InputLayer", "name": "z"}, {"class_name": "LSTM", "name": "memory"}]}
    with pytest.raises(StageError, match="layer 'memory' is a LSTM"):
        explorer.check_layers(config, "models/x/decoder.keras", ("InputLayer", "Dense"))


def test_the_page_script_evaluates_nothing_and_fetches_nothing():
    script = (ROOT / "web/explorer/explorer.js").read_text()
    for forbidden in ("eval(", "new Function", "innerHTML", "fetch(", "XMLHttpRequest", "import("):
        assert forbidden not in script, forbidden


# --- the page in a real browser ------------------------------------------------------------------

def keras_decode(project: Path, model: str, codes: np.ndarray, scratch: Path) -> np.ndarray:
    """The saved decoder's output for ``codes`` (n, d) as (n, pixels), computed by Keras in a process of
    its own: TensorFlow's thread pools can be set once a process, and other tests may have set them."""
    np.save(scratch / "codes.npy", codes)
    script = ("import sys, numpy as np; from latentspace.models import runtime; runtime.start(2); "
              "decoder = runtime.load_model(sys.argv[1]); "
              "np.save(sys.argv[3], runtime.predict(decoder, np.load(sys.argv[2])))")
    run([sys.executable, "-c", script, str(project / "models" / model / "decoder.keras"),
         str(scratch / "codes.npy"), str(scratch / "decoded.npy")], cwd=ROOT)
    return np.load(scratch / "decoded.npy").reshape(len(codes), -1)


@pytest.mark.slow
def test_the_explorer_decodes_in_the_browser_as_keras_does_and_answers_the_mouse(reproduced, chromium_path, tmp_path):
    page = reproduced.path / "report/explore.html"
    assert page.stat().st_size < 20e6
    rng = np.random.default_rng(0)
    found, failures = {}, []
    with browser.Browser(chromium_path) as chromium:
        chromium.send("Network.enable", session=True)
        chromium.send("Emulation.setDeviceMetricsOverride", session=True, width=1300, height=900,
                      deviceScaleFactor=1, mobile=False)
        chromium.open(page.as_uri())
        try:
            chromium.wait_for("window.explorer !== undefined")
            state = chromium.evaluate("JSON.stringify({ready: window.explorer && explorer.ready, "
                                      "error: window.explorer && explorer.error, backend: explorer.backend, models: Object.keys(explorer.panels)})")
            found["state"] = json.loads(state)
            assert found["state"]["ready"], found["state"]
            assert found["state"]["models"] == list(MODELS)
            assert found["state"]["backend"] == "wasm"  # TensorFlow.js's WebAssembly, its binary from the page
            for model in MODELS:  # fixed codes, decoded in the page and by Keras
                dimensions = chromium.evaluate(f"document.querySelectorAll('#panel-{model} .sliders input').length")
                codes = rng.standard_normal((3, dimensions)).astype(np.float32)
                decoded = chromium.evaluate(f"explorer.panels.{model}.decode({json.dumps(codes.ravel().tolist())}, 3)")
                found[model] = np.abs(np.array(decoded, np.float32).reshape(3, -1)
                                      - keras_decode(reproduced.path, model, codes, tmp_path)).max()
            # hover a point: its digit is shown
            panel = "explorer.panels.conv_vae"
            chromium.send("Runtime.evaluate", session=True,
                          expression="document.getElementById('panel-conv_vae').scrollIntoView()")
            x, y = chromium.evaluate(f"{panel}.position(5)")
            chromium.send("Input.dispatchMouseEvent", session=True, type="mouseMoved", x=x, y=y)
            found["hovered"] = chromium.evaluate("document.querySelector('#panel-conv_vae .caption').dataset.digit")
            found["digit"] = chromium.evaluate("JSON.parse(document.getElementById('explorer-data').textContent)"
                                               ".labels[5]")
            # click two points: the interpolation between them is drawn
            for i in (5, 17):
                x, y = chromium.evaluate(f"{panel}.position({i})")
                for kind in ("mousePressed", "mouseReleased"):
                    chromium.send("Input.dispatchMouseEvent", session=True, type=kind, x=x, y=y, button="left",
                                  clickCount=1)
            found["ends"] = chromium.evaluate("document.querySelector('#panel-conv_vae .interpolation').dataset.ends")
            found["line width"] = chromium.evaluate("document.querySelector('#panel-conv_vae .interpolation').width")
            # move the first slider: the traversal image changes
            picture = "document.querySelector('#panel-conv_vae .traversal').toDataURL()"
            before = chromium.evaluate(picture)
            chromium.evaluate("(() => { const s = document.querySelector('#panel-conv_vae .sliders input');"
                              " s.value = s.max; s.dispatchEvent(new Event('input')); })()")
            found["slider moved"] = chromium.evaluate(picture) != before
            # colour the map by a factor: the map's pixels change; a factor's slider moves the decoded code
            map_picture = "document.querySelector('#panel-conv_vae canvas.map').toDataURL()"
            before = chromium.evaluate(map_picture)
            chromium.evaluate("(() => { const s = document.querySelector('#panel-conv_vae select.colour-by');"
                              " s.value = 'thickness'; s.dispatchEvent(new Event('change')); })()")
            found["coloured"] = (chromium.evaluate(map_picture) != before,
                                 chromium.evaluate("document.querySelector('#panel-conv_vae canvas.map').dataset.colour"))
            code = "document.querySelector('#panel-conv_vae .traversal').dataset.code"
            before_code, before = chromium.evaluate(code), chromium.evaluate(picture)
            chromium.evaluate("(() => { const s = document.querySelector("
                              "'#panel-conv_vae .factor-sliders input[data-factor=thickness]');"
                              " s.value = s.max; s.dispatchEvent(new Event('input')); })()")
            found["factor slider"] = (chromium.evaluate(code) != before_code, chromium.evaluate(picture) != before)
            # a sampler's button decodes its draws
            chromium.evaluate("document.querySelector('#panel-vae button[data-sampler=mixture]').click()")
            found["draws"] = chromium.evaluate("document.querySelector('#panel-vae .draws').dataset.sampler")
            found["requests"] = browser.requested_urls(chromium.events)
        except Exception as exc:  # noqa: BLE001 - keep a picture of the page, then fail
            failures.append(repr(exc))
        shot = tmp_path / "explore.png"
        shot.write_bytes(chromium.screenshot())
    assert not failures, f"{failures}; screenshot: {shot}"
    for model in MODELS:
        assert found[model] <= 1e-4, (model, found[model], f"screenshot: {shot}")
    assert found["hovered"] == str(found["digit"]), f"screenshot: {shot}"
    assert found["ends"] == "5,17" and found["line width"] > 0, f"screenshot: {shot}"
    assert found["slider moved"], f"screenshot: {shot}"
    assert found["coloured"] == (True, "thickness"), f"screenshot: {shot}"
    assert found["factor slider"] == (True, True), f"screenshot: {shot}"
    assert found["draws"] == "mixture"
    assert [url for url in found["requests"] if not url.startswith("file:")] == [], found["requests"]


def test_a_page_too_large_for_a_browser_is_refused_naming_the_params():
    from latentspace.core.errors import StageError
    from latentspace.pages.explorer import check_size

    check_size(4, 2000, 2000, 64, 2, 10)  # the default: under a megabyte of codes
    with pytest.raises(StageError) as error:
        check_size(20, 20_000, 20_000, 1000, 2, 784)
    message = str(error.value)
    assert message.startswith("explore.points = 20000, explore.draws = 1000: the explorer page would hold about")
    assert "more than its limit of 256 MB" in message and "\n" not in message


def test_a_panel_holds_the_shown_codes_the_order_of_use_factor_directions_and_each_samplers_draws():
    """explorer.panel, sweep and data on tiny arrays: what the page's data contract holds for one model."""
    from latentspace.models import samplers

    rng = np.random.default_rng(0)
    codes = {"codes_eval": rng.normal(size=(30, 3)).astype(np.float32), "codes_train": rng.normal(size=(40, 3))}
    units = {"kl_per_dimension": {"z0": 0.1, "z1": 2.0, "z2": 1.0}}
    decoder = ({"name": "decoder", "layers": []}, {"dense": [np.ones((3, 2)), np.zeros(2)]})
    shown = np.array([0, 5, 7, 9])
    factors = {"width": 2.0 * codes["codes_eval"][:, 0].astype(np.float64)}
    drawn = {s.name: rng.normal(size=(20, 3)).astype(np.float32) for s in samplers.SAMPLERS}
    found = explorer.panel("vae", "VAE", codes, codes["codes_eval"][:, :2], units, decoder, shown, factors,
                           draws=16, drawn=drawn)
    assert found["order"] == [1, 2, 0] and found["order_by"] == "KL" and found["dimensions"] == 3
    assert found["anchor"] == traversals.anchor(codes["codes_eval"][shown])
    def unpacked(text):  # explorer.floats: float32 as base64
        import base64

        return np.frombuffer(base64.b64decode(text), np.float32)

    assert np.array_equal(unpacked(found["codes"]), codes["codes_eval"][shown].ravel())
    assert np.array_equal(unpacked(found["map"]), codes["codes_eval"][shown, :2].ravel())
    direction = np.array(found["directions"]["width"])
    assert abs(direction[0]) > 10 * max(abs(direction[1:]))  # the width is z0's
    assert [s["name"] for s in found["samplers"]] == [s.name for s in samplers.SAMPLERS]
    assert all(np.array_equal(unpacked(s["codes"]), drawn[s["name"]][:16].ravel()) for s in found["samplers"])
    assert found["decoder"]["weights"] == {"dense": [[0, [3, 2]], [6, [2]]]}

    swept = explorer.sweep(codes["codes_eval"], shown, found)
    assert swept.shape == (3 * traversals.TRAVERSAL_STEPS, 3)
    rows = explorer.sweep_rows(found, np.zeros((len(swept), 28, 28)))
    assert list(rows) == ["z1 (KL 2)", "z2 (KL 1)", "z0 (KL 0.1)"]

    labels, images = np.arange(30) % 10, np.zeros((30, 28, 28), np.uint8)
    widths = factors["width"].copy()
    widths[5] = np.nan  # a blank digit: not measured
    page = explorer.data([found], labels, images, {"width": widths}, shown, 8)
    assert page["labels"] == [0, 5, 7, 9] and page["index"] == [0, 5, 7, 9] and page["steps"] == 8
    assert page["factors"][0]["name"] == "width" and page["factors"][0]["values"][1] is None
    json.dumps(page, allow_nan=False)  # the page parses it as JSON: no NaN
