// The latent-space explorer (report/explore.html): one panel a model, every image decoded in the
// page by TensorFlow.js (tfjs.js, inlined before this script) from the model's saved Keras decoder.
// The explore stage (stages/explore.py) writes the data: a JSON block, parsed (never evaluated).
//
// kerasModel() is the one generic reader of a saved Keras functional model: it walks the model's
// config (layers and the tensors between them) and runs each layer as TensorFlow.js ops on the
// saved weights. It knows layer kinds, not architectures: every decoder, dense or convolutional,
// is read the same way, and a layer kind it does not know is an error naming it.
"use strict";

(() => {
    const IMAGE = 28;                      // decoded images are (28, 28, 1) in [0, 1]
    const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                     "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];  // one a digit (matplotlib's tab10)
    const RAMP = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];  // viridis, low → high
    const REACH = 3;                       // sliders span ± 3 standard deviations (of a unit, of a factor)

    function ramp(t) {  // t in [0, 1] → a viridis colour; NaN (an unmeasured digit) → light grey
        if (!Number.isFinite(t)) return "#ccc";
        const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1), i = Math.min(RAMP.length - 2, Math.floor(x));
        const mix = RAMP[i].map((c, k) => Math.round(c + (x - i) * (RAMP[i + 1][k] - c)));
        return `rgb(${mix.join(",")})`;
    }

    function quantile(sorted, q) {
        return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
    }

    function bytes(base64) {
        const text = atob(base64);
        const out = new Uint8Array(text.length);
        for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
        return out;
    }

    function floats(base64) {  // little-endian float32, as numpy wrote them
        const raw = bytes(base64);
        return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    }

    // ---- the generic reader of a saved Keras functional model ---------------------------------

    const ACTIVATIONS = {
        linear: (x) => x, sigmoid: (x) => tf.sigmoid(x), relu: (x) => tf.relu(x), tanh: (x) => tf.tanh(x),
        elu: (x) => tf.elu(x), selu: (x) => tf.selu(x), softplus: (x) => tf.softplus(x),
        softmax: (x) => tf.softmax(x),
    };

    function activation(name) {
        if (!(name in ACTIVATIONS)) throw new Error(`activation "${name}" is not one the explorer can decode`);
        return ACTIVATIONS[name];
    }

    function channelsLast(config, kind) {
        if ((config.data_format || "channels_last") !== "channels_last") throw new Error(`${kind}: only channels_last`);
        if ((config.dilation_rate || [1, 1]).some((d) => d !== 1)) throw new Error(`${kind}: dilation is not supported`);
        if ((config.groups || 1) !== 1) throw new Error(`${kind}: groups are not supported`);
    }

    function transposedSize(size, kernel, stride, padding) {  // Keras' conv-transpose output size (no output_padding)
        return padding === "same" ? size * stride : size * stride + Math.max(kernel - stride, 0);
    }

    // Each layer kind: (config, weights as tf tensors) → a function of one tensor.
    const LAYERS = {
        InputLayer: () => (x) => x,
        Dense: (c, [kernel, bias]) => (x) => {
            const y = tf.matMul(x, kernel);
            return activation(c.activation)(c.use_bias ? tf.add(y, bias) : y);
        },
        LeakyReLU: (c) => (x) => tf.leakyRelu(x, c.negative_slope),
        ReLU: (c) => (x) => {
            if (c.max_value != null || (c.threshold || 0) !== 0) throw new Error("ReLU: only the plain ReLU");
            return (c.negative_slope || 0) ? tf.leakyRelu(x, c.negative_slope) : tf.relu(x);
        },
        Activation: (c) => activation(c.activation),
        Reshape: (c) => (x) => tf.reshape(x, [-1, ...c.target_shape]),
        Flatten: () => (x) => tf.reshape(x, [x.shape[0], -1]),
        Conv2D: (c, [kernel, bias]) => {
            channelsLast(c, "Conv2D");
            return (x) => {
                const y = tf.conv2d(x, kernel, c.strides, c.padding);
                return activation(c.activation)(c.use_bias ? tf.add(y, bias) : y);
            };
        },
        Conv2DTranspose: (c, [kernel, bias]) => {
            channelsLast(c, "Conv2DTranspose");
            if (c.output_padding != null) throw new Error("Conv2DTranspose: output_padding is not supported");
            return (x) => {
                const [, h, w] = x.shape;
                const shape = [x.shape[0], transposedSize(h, c.kernel_size[0], c.strides[0], c.padding),
                               transposedSize(w, c.kernel_size[1], c.strides[1], c.padding), c.filters];
                const y = tf.conv2dTranspose(x, kernel, shape, c.strides, c.padding);
                return activation(c.activation)(c.use_bias ? tf.add(y, bias) : y);
            };
        },
    };

    function kerasModel(config, weights) {
        // config: the Functional model's config (layers, input_layers, output_layers), as Keras saves it;
        // weights: {layer name: [Float32Array with .shape, ...]} in the layer's own order.
        const triple = (t) => (Array.isArray(t[0]) ? t : [t]);
        const inputs = triple(config.input_layers), outputs = triple(config.output_layers);
        if (inputs.length !== 1 || outputs.length !== 1) throw new Error("only models of one input and one output");
        const steps = config.layers.map((layer) => {
            const make = LAYERS[layer.class_name];
            if (!make) throw new Error(`layer ${layer.name}: ${layer.class_name} is not a kind the explorer can decode`);
            const nodes = layer.inbound_nodes || [];
            if (nodes.length > 1) throw new Error(`layer ${layer.name}: shared layers are not supported`);
            const args = nodes.length ? nodes[0].args : [];
            if (args.length > 1 || (args[0] && Array.isArray(args[0]))) {
                throw new Error(`layer ${layer.name}: only layers of one input tensor`);
            }
            const tensors = (weights[layer.name] || []).map((w) => tf.tensor(w, w.shape, "float32"));
            return {name: layer.name, from: args.length ? args[0].config.keras_history[0] : null,
                    call: make(layer.config, tensors)};
        });
        const input = inputs[0][0], output = outputs[0][0];
        return (x) => {
            const values = {};
            for (const step of steps) values[step.name] = step.call(step.from === null ? x : values[step.from]);
            if (!(output in values) || !(input in values)) throw new Error("the model's input or output is missing");
            return values[output];
        };
    }

    function decoderOf(model) {
        const all = floats(model.decoder.buffer);
        const weights = {};
        for (const [name, arrays] of Object.entries(model.decoder.weights)) {
            weights[name] = arrays.map(([offset, shape]) => {
                const size = shape.reduce((a, b) => a * b, 1);
                const array = all.subarray(offset, offset + size);
                array.shape = shape;
                return array;
            });
        }
        const network = kerasModel(model.decoder.config, weights);
        return (codes, n) => tf.tidy(() => network(tf.tensor2d(codes, [n, model.dimensions])).dataSync().slice());
    }

    // ---- drawing ------------------------------------------------------------------------------

    function drawImages(canvas, pixels, count, columns, scale) {
        // pixels: count × 784 values in [0, 1], drawn as grey images, `columns` a row
        const rows = Math.ceil(count / columns);
        canvas.width = columns * IMAGE * scale;
        canvas.height = rows * IMAGE * scale;
        const context = canvas.getContext("2d");
        const image = context.createImageData(IMAGE, IMAGE);
        const small = document.createElement("canvas");
        small.width = small.height = IMAGE;
        context.imageSmoothingEnabled = false;
        context.fillStyle = "#fff";
        context.fillRect(0, 0, canvas.width, canvas.height);
        for (let k = 0; k < count; k++) {
            for (let p = 0; p < IMAGE * IMAGE; p++) {
                const v = 255 - Math.round(255 * Math.min(1, Math.max(0, pixels[k * IMAGE * IMAGE + p])));
                image.data.set([v, v, v, 255], 4 * p);
            }
            small.getContext("2d").putImageData(image, 0, 0);
            context.drawImage(small, (k % columns) * IMAGE * scale, Math.floor(k / columns) * IMAGE * scale,
                              IMAGE * scale, IMAGE * scale);
        }
    }

    function element(tag, attributes = {}, text = null) {  // text is set as text, never parsed as HTML
        const node = document.createElement(tag);
        for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
        if (text !== null) node.textContent = text;
        return node;
    }

    // ---- one panel a model --------------------------------------------------------------------

    function Panel(model, shared, root) {
        const n = shared.labels.length, d = model.dimensions;
        const codes = floats(model.codes), map = floats(model.map);
        const decode = decoderOf(model);
        const size = 400, margin = 8;
        const state = {selected: model.anchor, ends: [], code: codes.slice(model.anchor * d, (model.anchor + 1) * d)};

        const box = element("section", {class: "panel", id: `panel-${model.name}`});
        box.append(element("h2", {}, model.title));
        const left = element("div", {class: "left"}), right = element("div", {class: "right"});
        box.append(left, right);
        const scatter = element("canvas", {class: "map", width: size, height: size});
        const legend = element("div", {class: "legend"});
        const colourBy = element("select", {class: "colour-by"});
        colourBy.append(element("option", {value: ""}, "colour: digit"));
        for (const factor of shared.factors) colourBy.append(element("option", {value: factor.name}, `colour: ${factor.label}`));
        function drawLegend() {
            legend.replaceChildren();
            const factor = shared.factors.find((f) => f.name === colourBy.value);
            if (!factor) {
                for (const digit of [...new Set(shared.labels)].sort((a, b) => a - b)) {
                    const key = element("span", {}, String(digit));
                    key.style.borderLeft = `0.8em solid ${COLOURS[digit % COLOURS.length]}`;
                    legend.append(key);
                }
                return;
            }
            const [low, high] = shared.range[factor.name];
            for (const t of [0, 0.25, 0.5, 0.75, 1]) {
                const key = element("span", {}, (low + t * (high - low)).toPrecision(3));
                key.style.borderLeft = `0.8em solid ${ramp(t)}`;
                legend.append(key);
            }
            legend.append(element("span", {}, `${factor.label} (${factor.unit}; 2–98 % of the digits)`));
        }
        function colourOf(i) {
            const factor = shared.factors.find((f) => f.name === colourBy.value);
            if (!factor) return COLOURS[shared.labels[i] % COLOURS.length];
            const [low, high] = shared.range[factor.name], v = factor.values[i];
            return ramp(v === null ? NaN : (v - low) / ((high - low) || 1));
        }
        colourBy.addEventListener("change", () => {
            drawLegend();
            drawMap();
            scatter.dataset.colour = colourBy.value || "digit";
        });
        drawLegend();
        left.append(colourBy, scatter, legend, element("p", {class: "hint"},
            "Hover a point: its digit and its reconstruction. Click two points: the line between their codes. " +
            "The sliders move the last clicked code."));
        const digit = element("canvas", {class: "digit"}), reconstruction = element("canvas", {class: "reconstruction"});
        const caption = element("p", {class: "caption"}, "hover a point");
        const pair = element("div", {class: "pair"});
        pair.append(element("figure", {}, null), element("figure", {}, null));
        pair.children[0].append(digit, element("figcaption", {}, "digit"));
        pair.children[1].append(reconstruction, element("figcaption", {}, "reconstruction"));
        right.append(pair, caption);
        const interpolation = element("canvas", {class: "interpolation"});
        right.append(element("h3", {}, "Interpolation (click two points)"), interpolation);
        const traversal = element("canvas", {class: "traversal"});
        right.append(element("h3", {}, `Traversal: one slider a dimension, ordered by ${model.order_by}`), traversal);
        const sliders = element("div", {class: "sliders"});
        right.append(sliders);
        const factorSliders = element("div", {class: "factor-sliders"});
        if (shared.factors.length) {
            right.append(element("h3", {}, "One slider a factor: the code moved along the direction a linear fit of " +
                                           "the factor on the codes gives (± 3 of the factor's sd, as the fit predicts)"),
                         factorSliders);
        }
        const draws = element("canvas", {class: "draws"});
        const buttons = element("div", {class: "buttons"});
        right.append(element("h3", {}, "Generated digits (codes drawn by the pipeline, decoded here)"), buttons, draws);
        root.append(box);

        // the map: t-SNE coordinates scaled into the canvas
        let low = [Infinity, Infinity], high = [-Infinity, -Infinity];
        for (let i = 0; i < n; i++) {
            for (const a of [0, 1]) {
                low[a] = Math.min(low[a], map[2 * i + a]);
                high[a] = Math.max(high[a], map[2 * i + a]);
            }
        }
        const at = (i) => [0, 1].map((a) => margin + (size - 2 * margin) *
                                       (map[2 * i + a] - low[a]) / ((high[a] - low[a]) || 1));
        function drawMap() {
            const context = scatter.getContext("2d");
            context.fillStyle = "#fff";
            context.fillRect(0, 0, size, size);
            for (let i = 0; i < n; i++) {
                const [x, y] = at(i);
                context.fillStyle = colourOf(i);
                context.fillRect(x - 1.5, y - 1.5, 3, 3);
            }
            if (state.ends.length === 2) {
                const [a, b] = state.ends.map(at);
                context.strokeStyle = "#000";
                context.beginPath();
                context.moveTo(...a);
                context.lineTo(...b);
                context.stroke();
            }
            for (const i of state.ends) {
                const [x, y] = at(i);
                context.strokeStyle = "#000";
                context.strokeRect(x - 4, y - 4, 8, 8);
            }
        }
        function nearest(event) {
            const bounds = scatter.getBoundingClientRect();
            const x = (event.clientX - bounds.left) * size / bounds.width;
            const y = (event.clientY - bounds.top) * size / bounds.height;
            let best = -1, distance = 64;  // within 8 canvas pixels
            for (let i = 0; i < n; i++) {
                const [px, py] = at(i);
                const d2 = (px - x) ** 2 + (py - y) ** 2;
                if (d2 < distance) [best, distance] = [i, d2];
            }
            return best;
        }
        function show(i) {
            drawImages(digit, Float32Array.from(shared.digits.subarray(i * 784, (i + 1) * 784), (v) => v / 255), 1, 1, 3);
            drawImages(reconstruction, decode(codes.subarray(i * d, (i + 1) * d), 1), 1, 1, 3);
            caption.textContent = `digit ${shared.labels[i]} (evaluation digit #${shared.index[i]})`;
            caption.dataset.digit = String(shared.labels[i]);
        }
        function interpolate() {
            const [a, b] = state.ends, steps = shared.steps;
            const line = new Float32Array(steps * d);
            for (let s = 0; s < steps; s++) {
                const t = s / (steps - 1);
                for (let k = 0; k < d; k++) line[s * d + k] = (1 - t) * codes[a * d + k] + t * codes[b * d + k];
            }
            drawImages(interpolation, decode(line, steps), steps, steps, 2);
            interpolation.dataset.ends = `${a},${b}`;
        }
        function traverse() {
            drawImages(traversal, decode(state.code, 1), 1, 1, 3);
            traversal.dataset.code = Array.from(state.code, (v) => v.toFixed(4)).join(",");
        }
        function rebase() {  // the factor sliders start again from the code as it is now
            state.base = state.code.slice();
            for (const input of factorSliders.querySelectorAll("input")) input.value = "0";
        }
        function select(i) {
            state.selected = i;
            state.code = codes.slice(i * d, (i + 1) * d);
            for (const input of sliders.querySelectorAll("input")) {
                input.value = String(state.code[Number(input.dataset.dimension)]);
            }
            rebase();
            traverse();
        }
        scatter.addEventListener("mousemove", (event) => {
            const i = nearest(event);
            if (i >= 0) show(i);
        });
        scatter.addEventListener("click", (event) => {
            const i = nearest(event);
            if (i < 0) return;
            state.ends = state.ends.length === 1 ? [state.ends[0], i] : [i];
            if (state.ends.length === 2) interpolate();
            select(i);
            drawMap();
        });

        // sliders: mean ± 3 sd of each dimension over the evaluation codes, most used dimension first
        for (const k of model.order) {
            const row = element("label", {class: "slider"});
            const low = model.mean[k] - 3 * model.sd[k], high = model.mean[k] + 3 * model.sd[k];
            const input = element("input", {type: "range", min: String(low), max: String(high),
                                             step: String((high - low) / 200 || 0.01), "data-dimension": String(k)});
            input.value = String(state.code[k]);
            input.addEventListener("input", () => {
                state.code[k] = Number(input.value);
                rebase();
                traverse();
            });
            row.append(element("span", {}, `z${k} (${model.order_by} ${model.usage[k].toPrecision(3)})`), input);
            sliders.append(row);
        }
        // factor sliders: code = the base code + Σ (slider · the factor's one-sd step)
        state.base = state.code.slice();
        for (const factor of shared.factors) {
            const step = model.directions[factor.name];
            const row = element("label", {class: "slider"});
            const input = element("input", {type: "range", min: String(-REACH), max: String(REACH), step: "0.05",
                                             value: "0", "data-factor": factor.name});
            input.addEventListener("input", () => {
                state.code = state.base.slice();
                for (const other of factorSliders.querySelectorAll("input")) {
                    const s = Number(other.value), move = model.directions[other.dataset.factor];
                    for (let k = 0; k < d; k++) state.code[k] += s * move[k];
                }
                for (const unit of sliders.querySelectorAll("input")) {
                    unit.value = String(state.code[Number(unit.dataset.dimension)]);
                }
                traverse();
            });
            const length = Math.hypot(...step);
            row.append(element("span", {}, `${factor.label} (step ${length.toPrecision(2)} a sd)`), input);
            factorSliders.append(row);
        }

        // generated digits: each sampler's codes, drawn ahead by the pipeline, shown 16 at a time
        const shown = {};
        for (const sampler of model.samplers) {
            const drawn = floats(sampler.codes), count = drawn.length / d;
            shown[sampler.name] = 0;
            const button = element("button", {type: "button", "data-sampler": sampler.name}, `draws of ${sampler.label}`);
            button.addEventListener("click", () => {
                const first = shown[sampler.name], many = Math.min(16, count);
                const batch = new Float32Array(many * d);
                for (let j = 0; j < many; j++) batch.set(drawn.subarray(((first + j) % count) * d, ((first + j) % count + 1) * d), j * d);
                shown[sampler.name] = (first + many) % count;
                drawImages(draws, decode(batch, many), many, 8, 2);
                draws.dataset.sampler = sampler.name;
            });
            buttons.append(button);
        }

        drawMap();
        show(model.anchor);
        traverse();
        return {
            decode: (values, count) => Array.from(decode(Float32Array.from(values), count)),
            position: (i) => {  // where point i is drawn, in the page's CSS pixels
                const bounds = scatter.getBoundingClientRect(), [x, y] = at(i);
                return [bounds.left + x * bounds.width / size, bounds.top + y * bounds.height / size];
            },
        };
    }

    // TensorFlow.js's WebAssembly backend, its binary handed over from TFJS_WASM_SIMD (tfjs.js), not
    // fetched: the backend asks the platform's fetch for it, which here answers that name and nothing
    // else. Where WebAssembly SIMD is missing, the CPU backend (plain JavaScript) decodes instead.
    const WASM = "inline:tfjs-backend-wasm-simd.wasm";

    async function startBackend() {  // explore.html#cpu: the CPU backend (the benchmark compares the two)
        if (typeof TFJS_WASM_SIMD === "string" && tf.wasm && location.hash !== "#cpu") {
            try {
                const binary = bytes(TFJS_WASM_SIMD);
                tf.env().platform.fetch = (path) => (path === WASM
                    ? Promise.resolve(new Response(binary, {headers: {"Content-Type": "application/wasm"}}))
                    : Promise.reject(new Error(`the explorer fetches nothing (${path})`)));
                tf.wasm.setWasmPaths({"tfjs-backend-wasm.wasm": WASM, "tfjs-backend-wasm-simd.wasm": WASM,
                                      "tfjs-backend-wasm-threaded-simd.wasm": WASM}, true);
                if (await tf.setBackend("wasm")) return;
            } catch (error) {
                console.warn(`WebAssembly backend unavailable (${error.message || error}); decoding in JavaScript`);
            }
        }
        await tf.setBackend("cpu");
    }

    async function main() {
        const data = JSON.parse(document.getElementById("explorer-data").textContent);
        await startBackend();
        const shared = {labels: data.labels, index: data.index, digits: bytes(data.digits), steps: data.steps,
                        factors: data.factors || [], range: {}};
        for (const factor of shared.factors) {  // the colour scale spans 2–98 % of the shown digits' values
            const sorted = factor.values.filter((v) => v !== null).sort((a, b) => a - b);
            shared.range[factor.name] = [quantile(sorted, 0.02), quantile(sorted, 0.98)];
        }
        const root = document.getElementById("panels");
        const panels = {};
        for (const model of data.models) panels[model.name] = Panel(model, shared, root);
        window.explorer = {ready: true, panels, backend: tf.getBackend()};
    }

    main().catch((error) => {  // window.explorer appears when the page is ready, or says why not
        document.getElementById("status").textContent = `The explorer could not start: ${error.message || error}`;
        window.explorer = {ready: false, error: String(error.message || error)};
    });
})();
