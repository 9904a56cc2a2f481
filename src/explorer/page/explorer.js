// citsim explorer: the model of `citsim run` (WebAssembly, src/explorer/explorer_wasm.cpp) behind
// controls and uPlot charts. Two protocols, A and B, side by side. Each change composes a TOML
// config from the controls, has the config reader check it (its message, verbatim, when a value is
// not allowed), shows a quick 0D preview computed here, then the 1D answer computed in a worker.
// The downloadable config is that TOML: `citsim run` of it gives the 1D answer's numbers.
// window.citsimExplorer exposes the state, the charts and the timings for the browser test.
(function () {
  "use strict";
  const PROTOCOLS = ["A", "B"];
  const COLOURS = { A: "#1f77b4", B: "#d62728" };
  const PREVIEW_DELAY_MS = 250;  // the 1D answer starts once the controls rest this long
  const el = (id) => document.getElementById(id);
  const charts = {};
  const api = { ready: false, charts, protocols: {}, timings: [], errors: [] };
  window.citsimExplorer = api;

  function make(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  const fmt = (v, d) => (v === null || v === undefined || !isFinite(v) ? "–" : Number(v).toPrecision(d || 4).replace(/\.?0+(e|$)/, "$1"));
  const last = (a) => a[a.length - 1];

  // -----------------------------------------------------------------------------------------------
  // 1. The model: one instance here (0D previews, checks) and one worker per protocol (1D answers)
  // -----------------------------------------------------------------------------------------------
  const MODULE_TEXT = el("citsim-module").textContent;
  const WORKER_TEXT = MODULE_TEXT + `
    let model = null;
    const ready = createCitsimModule().then((m) => { model = m; });
    self.onmessage = (e) => ready.then(() => {
      const rc = model.ccall("citsim_explorer_run", "number", ["string"], [e.data.toml]);
      const text = model.ccall("citsim_explorer_text", "string", [], []);
      const p = model.ccall("citsim_explorer_data", "number", [], []) / 8;
      const n = model.ccall("citsim_explorer_size", "number", [], []);
      const data = model.HEAPF64.slice(p, p + n);
      self.postMessage({ id: e.data.id, kind: e.data.kind, rc, text, data }, [data.buffer]);
    });`;
  const WORKER_URL = URL.createObjectURL(new Blob([WORKER_TEXT], { type: "text/javascript" }));
  let model = null;

  /// {rc, text, manifest, data} of a run of `toml` on this thread.
  function runHere(toml) {
    const rc = model.ccall("citsim_explorer_run", "number", ["string"], [toml]);
    const text = model.ccall("citsim_explorer_text", "string", [], []);
    if (rc !== 0) return { rc, text };
    const p = model.ccall("citsim_explorer_data", "number", [], []) / 8;
    const n = model.ccall("citsim_explorer_size", "number", [], []);
    return { rc, text, manifest: JSON.parse(text), data: model.HEAPF64.slice(p, p + n) };
  }
  /// The config reader's verdict: the values the controls show, or {error: message}.
  function describe(toml) {
    const text = model.ccall("citsim_explorer_describe", "string", ["string"], [toml]);
    return text.startsWith("error: ") ? { error: text.slice(7) } : JSON.parse(text);
  }
  /// A series of a result: series(r, "readouts", "R0"), series(r, "time").
  function series(r, ...path) {
    let s = r.manifest;
    for (const k of path) s = s[k];
    return r.data.subarray(s.offset, s.offset + s.length);
  }

  // -----------------------------------------------------------------------------------------------
  // 2. Controls: the config keys, with the ranges, units and choices the config reader enforces
  // -----------------------------------------------------------------------------------------------
  // `span` is only the slider's teaching range where the reader allows more (an open end, or a
  // thousand sessions); the allowed range, its unit and the message for a value outside it are
  // the reader's own (probed below, from its messages).
  const CONTROLS = [
    { key: "patient.age", label: "age", kind: "number", step: 1 },
    { key: "patient.laxity_cause", label: "laxity from", kind: "choice" },
    { key: "patient.smoker", label: "smoker", kind: "flag" },
    { key: "patient.keloid_tendency", label: "keloid tendency", kind: "flag" },
    { key: "patient.anticoagulant", label: "anticoagulant", kind: "flag" },
    { key: "patient.sun_exposure", label: "sun after treatment", kind: "number", step: 0.05 },
    { key: "protocol.series.needle.device", label: "device", kind: "choice" },
    { key: "protocol.series.needle.needle_length", label: "needle length", kind: "number", step: 0.05, span: [0.25, 3] },
    { key: "protocol.series.needle.density", label: "density", kind: "number", step: 5, span: [25, 1000], device: "pen" },
    { key: "protocol.series.needle.passes", label: "roller passes", kind: "integer", step: 1, span: [1, 40], device: "roller" },
    { key: "protocol.series.needle.sharpness", label: "sharpness", kind: "number", step: 0.05 },
    { key: "protocol.series.needle.sterility", label: "sterility", kind: "choice" },
    { key: "protocol.series.count", label: "sessions", kind: "integer", step: 1, span: [1, 12] },
    { key: "protocol.series.interval_days", label: "spacing", kind: "number", step: 1, span: [7, 84] },
    { key: "protocol.end_days", label: "run ends on day", kind: "number", step: 5, span: [30, 730] },
    { key: "numerics.closure", label: "1D channels as", kind: "choice", oneD: true },
  ];
  const DEFAULTS = {
    "patient.age": "40", "patient.laxity_cause": "aging", "patient.smoker": false, "patient.keloid_tendency": false,
    "patient.anticoagulant": false, "patient.sun_exposure": "0", "protocol.series.needle.device": "pen",
    "protocol.series.needle.needle_length": "2", "protocol.series.needle.density": "250",
    "protocol.series.needle.passes": "15", "protocol.series.needle.sharpness": "1",
    "protocol.series.needle.sterility": "sterile", "protocol.series.count": "6", "protocol.series.interval_days": "28",
    "protocol.end_days": "365", "numerics.closure": "core-surround",
    // not controls: the output cadence (from the preset) and the first session's day
    "protocol.series.first_day": "0", "output.dt": "1", "output.dense_dt": "0.05", "output.dense_days": "5",
    "output.profile_dt": "3",
  };

  const quote = (s) => JSON.stringify(String(s));  // a TOML basic string
  const raw = (s) => String(s).replace(/[\r\n]/g, " ").trim();  // typed text goes to the reader as it is

  /// The TOML config of a protocol's values at `level` ("0d" or "1d").
  function compose(v, level, name) {
    const roller = v["protocol.series.needle.device"] === "roller";
    const lines = [
      `# citsim config written by the citsim explorer: protocol ${name}${v.preset ? ` (starting from the preset ${v.preset})` : ""}`,
      "# run it with: citsim run THIS_FILE",
      "[patient]",
      `age = ${raw(v["patient.age"])}`,
      `laxity_cause = ${quote(v["patient.laxity_cause"])}`,
      `smoker = ${v["patient.smoker"]}`,
      `keloid_tendency = ${v["patient.keloid_tendency"]}`,
      `anticoagulant = ${v["patient.anticoagulant"]}`,
      `sun_exposure = ${raw(v["patient.sun_exposure"])}`,
      "[protocol]",
      `end_days = ${raw(v["protocol.end_days"])}`,
      "[protocol.series]",
      `count = ${raw(v["protocol.series.count"])}`,
      `interval_days = ${raw(v["protocol.series.interval_days"])}`,
      `first_day = ${raw(v["protocol.series.first_day"])}`,
      "[protocol.series.needle]",
      `device = ${quote(v["protocol.series.needle.device"])}`,
      `needle_length = ${raw(v["protocol.series.needle.needle_length"])}`,
      roller ? `passes = ${raw(v["protocol.series.needle.passes"])}` : `density = ${raw(v["protocol.series.needle.density"])}`,
      `sharpness = ${raw(v["protocol.series.needle.sharpness"])}`,
      `sterility = ${quote(v["protocol.series.needle.sterility"])}`,
      "[model]",
      `level = ${quote(level)}`,
      "[output]",
      `path = ${quote(`results/explorer_${name}.h5`)}`,
      `dt = ${raw(v["output.dt"])}`,
      `dense_dt = ${raw(v["output.dense_dt"])}`,
      `dense_days = ${raw(v["output.dense_days"])}`,
      `profile_dt = ${raw(v["output.profile_dt"])}`,
    ];
    // Last, so that the 0D preview's lines are the 1D config's (the same line in every message).
    if (level === "1d") lines.push("[numerics]", `closure = ${quote(v["numerics.closure"])}`);
    return lines.join("\n") + "\n";
  }

  /// What the reader allows for `key`: {lo, hi, loOpen, hiOpen, unit, rule} for numbers,
  /// {choices} for strings, probed with values it must refuse and read off its messages.
  function allowed(c) {
    const base = Object.assign({}, DEFAULTS);
    if (c.device) base["protocol.series.needle.device"] = c.device;
    const refusal = (value) => {
      const v = Object.assign({}, base, { [c.key]: value });
      const r = describe(compose(v, "1d", "A"));
      return r.error || "";
    };
    if (c.kind === "flag") return {};
    if (c.kind === "choice") {
      const m = /must be one of (.*)$/.exec(refusal("?"));
      return { choices: m ? [...m[1].matchAll(/"([^"]*)"/g)].map((x) => x[1]) : [] };
    }
    for (const probe of ["1e300", "-1e300", "1000000000000000000", "-1000000000000000000"]) {
      const msg = refusal(probe);
      let m = /must be a number in ([[(])([^,]+), ([^\])]+)([\])])(?: (.*))?$/.exec(msg);
      if (m) return { lo: +m[2], hi: +m[3], loOpen: m[1] === "(", hiOpen: m[4] === ")", unit: m[5] || "", rule: msg.slice(msg.indexOf("must be")) };
      m = /must be a number (>=?) (\S+)(?: (.*))?$/.exec(msg);
      if (m) return { lo: +m[2], hi: Infinity, loOpen: m[1] === ">", hiOpen: true, unit: m[3] || "", rule: msg.slice(msg.indexOf("must be")) };
      m = /must be an integer in (-?\d+)\.\.(-?\d+)/.exec(msg);
      if (m) return { lo: +m[1], hi: +m[2], loOpen: false, hiOpen: false, unit: "", rule: msg.slice(msg.indexOf("must be")) };
    }
    throw new Error(`the config reader gave no range for ${c.key}`);
  }

  // -----------------------------------------------------------------------------------------------
  // 3. One protocol's panel
  // -----------------------------------------------------------------------------------------------
  const PRESETS = [...document.querySelectorAll("script[data-preset]")].map((s) => ({
    name: s.dataset.preset, title: s.dataset.title, text: s.textContent }));

  function panel(name) {
    const box = el("protocol-" + name);
    const st = { name, values: Object.assign({}, DEFAULTS), inputs: {}, rows: {}, result: null, stage: "none",
      error: "", request: 0, worker: null, busy: 0, timer: null };
    api.protocols[name] = st;
    const head = make("div", { class: "protocol-head" });
    head.append(make("span", { class: "swatch", style: `background:${COLOURS[name]}` }), make("b", {}, `Protocol ${name}`));
    const preset = make("select", { id: `preset-${name}`, "aria-label": `preset of protocol ${name}` });
    preset.append(make("option", { value: "" }, "preset…"));
    for (const p of PRESETS) preset.append(make("option", { value: p.name }, p.title));
    preset.addEventListener("change", () => { if (preset.value) loadPreset(st, preset.value); });
    head.append(preset);
    box.append(head);

    const grid = make("div", { class: "control-grid" });
    for (const c of CONTROLS) {
      const a = allowed(c);
      const id = `${name}-${c.key}`;
      const row = make("div", { class: "control" });
      row.append(make("label", { for: id, title: c.key }, c.label));
      let input;
      if (c.kind === "flag") {
        input = make("input", { type: "checkbox", id });
        input.addEventListener("change", () => { st.values[c.key] = input.checked; changed(st); });
        row.append(input);
      } else if (c.kind === "choice") {
        input = make("select", { id });
        for (const ch of a.choices) input.append(make("option", { value: ch }, ch.replace(/_/g, " ")));
        input.addEventListener("change", () => { st.values[c.key] = input.value; changed(st); });
        row.append(input);
      } else {
        // A slider over the allowed range (or its teaching span), and the value as typed text: what
        // is typed goes to the reader as it is, and a value it refuses shows its message.
        const lo = c.span ? Math.max(c.span[0], a.lo) : a.lo, hi = c.span ? Math.min(c.span[1], a.hi) : a.hi;
        const slider = make("input", { type: "range", id: id + "-slider", min: String(lo), max: String(hi), step: String(c.step),
          "aria-label": `${c.label} of protocol ${name}` });
        input = make("input", { type: "text", id, inputmode: "decimal", size: "6", title: `${c.key}: ${a.rule}` });
        slider.addEventListener("input", () => { input.value = slider.value; st.values[c.key] = slider.value; changed(st); });
        input.addEventListener("change", () => { slider.value = input.value; st.values[c.key] = input.value; changed(st); });
        row.append(slider, input, make("span", { class: "unit" }, a.unit.replace("^2", "²")));
        input.slider = slider;
      }
      input.dataset.key = c.key;
      grid.append(row);
      st.inputs[c.key] = input;
      st.rows[c.key] = row;
      row.dataset.device = c.device || "";
    }
    box.append(grid);
    const status = make("div", { class: "status", id: `status-${name}` });
    const error = make("div", { class: "error", id: `error-${name}`, role: "alert" });
    const download = make("a", { id: `download-${name}`, download: `explorer_${name}.toml`, href: "#" }, "download this config");
    const p = make("p", { class: "download" });
    p.append(download, document.createTextNode(" (a TOML file: `citsim run` of it gives the 1D answer's numbers)"));
    box.append(status, error, p);
    st.status = status; st.errorBox = error; st.download = download;
    return st;
  }

  function showValues(st) {
    for (const c of CONTROLS) {
      const input = st.inputs[c.key], v = st.values[c.key];
      if (c.kind === "flag") input.checked = !!v;
      else input.value = v;
      if (input.slider) input.slider.value = v;
    }
    const device = st.values["protocol.series.needle.device"];
    for (const c of CONTROLS) st.rows[c.key].hidden = !!c.device && c.device !== device;
  }

  function loadPreset(st, name) {
    const p = PRESETS.find((q) => q.name === name);
    const d = describe(p.text);
    if (d.error) throw new Error(`preset ${name}: ${d.error}`);
    const v = Object.assign({}, DEFAULTS, { preset: name });
    for (const [k, x] of Object.entries(d.patient)) v["patient." + k] = typeof x === "boolean" ? x : String(x);
    v["protocol.end_days"] = String(d.protocol.end_days);
    v["protocol.series.count"] = String(d.protocol.count);
    v["protocol.series.interval_days"] = String(d.protocol.interval_days);
    v["protocol.series.first_day"] = String(d.protocol.first_day);
    for (const [k, x] of Object.entries(d.protocol.needle || {})) v["protocol.series.needle." + k] = String(x);
    if (v["protocol.series.needle.device"] === "pen") v["protocol.series.needle.passes"] = DEFAULTS["protocol.series.needle.passes"];
    for (const [k, x] of Object.entries(d.output)) v["output." + k] = String(x);
    st.values = v;
    el(`preset-${st.name}`).value = name;
    showValues(st);
    changed(st, true);
  }

  // -----------------------------------------------------------------------------------------------
  // 4. Recomputing: the 0D preview at once, the 1D answer in the protocol's worker
  // -----------------------------------------------------------------------------------------------
  function changed(st, now) {
    if (!now) el(`preset-${st.name}`).value = "";  // the values are no longer the preset's
    showValues(st);
    st.toml = compose(st.values, "1d", st.name);
    st.download.href = "data:application/toml;charset=utf-8," + encodeURIComponent(st.toml);
    const t0 = performance.now();
    const check = describe(st.toml);
    if (check.error) {
      st.error = check.error;
      st.errorBox.textContent = check.error;
      st.stage = "error";
      st.request++;  // an answer still on its way belongs to other values
      cancelWorker(st);
      setStatus(st, "not computed: a value is not allowed (below)");
      drawAll();
      return;
    }
    st.error = "";
    st.errorBox.textContent = "";
    const r = runHere(compose(st.values, "0d", st.name));
    if (r.rc !== 0) {
      st.error = r.text;
      st.errorBox.textContent = r.text;
      st.stage = "error";
    } else {
      st.result = st.preview = r;
      st.stage = "0d";
    }
    drawAll();
    const ms = performance.now() - t0;
    api.timings.push({ protocol: st.name, level: "0d", ms, model_ms: r.rc === 0 ? 1000 * r.manifest.seconds : null });
    if (r.rc !== 0) { setStatus(st, "not computed"); return; }
    setStatus(st, `quick 0D preview (the skin as one well-mixed point, ${fmt(ms, 2)} ms); computing the 1D answer…`);
    const id = ++st.request;
    clearTimeout(st.timer);
    st.timer = setTimeout(() => start1D(st, id), now ? 0 : PREVIEW_DELAY_MS);
  }

  function cancelWorker(st) {
    clearTimeout(st.timer);
    if (st.worker && st.busy) { st.worker.terminate(); st.worker = null; st.busy = 0; }
  }

  /// The 1D answer of the config; with the core-surround closure (several seconds), first the
  /// mean field (a fraction of that), shown as a preview until the answer comes.
  function start1D(st, id) {
    if (id !== st.request) return;
    cancelWorker(st);  // an older 1D answer still computing is of no use now
    if (!st.worker) {
      st.worker = new Worker(WORKER_URL);
      st.worker.onerror = (e) => { api.errors.push(e.message); setStatus(st, "the 1D computation failed: " + e.message); };
      st.worker.onmessage = (e) => finish1D(st, e.data);
    }
    const jobs = [];
    if (st.values["numerics.closure"] !== "mean-field")
      jobs.push({ id, kind: "mean-field", toml: compose(Object.assign({}, st.values, { "numerics.closure": "mean-field" }), "1d", st.name) });
    jobs.push({ id, kind: "answer", toml: st.toml });
    st.busy = jobs.length;
    st.sent = performance.now();
    for (const job of jobs) st.worker.postMessage(job);
  }

  function finish1D(st, msg) {
    st.busy--;
    if (msg.id !== st.request) return;
    const ms = performance.now() - st.sent;
    if (msg.rc !== 0) {
      st.error = msg.text;
      st.errorBox.textContent = msg.text;
      st.stage = "error";
      setStatus(st, "the 1D run failed");
      drawAll();
      return;
    }
    st.result = { rc: 0, text: msg.text, manifest: JSON.parse(msg.text), data: msg.data };
    const closure = st.result.manifest.closure;
    api.timings.push({ protocol: st.name, level: "1d", kind: msg.kind, closure, ms, model_ms: 1000 * st.result.manifest.seconds });
    if (msg.kind === "mean-field") {
      st.stage = "1d-preview";
      drawAll();
      setStatus(st, `1D mean-field preview (channels spread evenly over the column: an upper estimate), ` +
        `${fmt(ms / 1000, 2)} s; computing the 1D answer with channels as ${st.values["numerics.closure"]}…`);
      return;
    }
    st.stage = "1d";
    drawAll();
    setStatus(st, `1D answer (a column through the skin, channels as ${closure}), ${fmt(ms / 1000, 2)} s: ` +
      "what citsim run gives for the downloaded config", true);
  }

  function setStatus(st, text, final) {
    st.status.textContent = text;
    st.status.className = "status " + (final ? "final" : st.stage === "error" ? "failed" : "preview");
  }

  // -----------------------------------------------------------------------------------------------
  // 5. Charts
  // -----------------------------------------------------------------------------------------------
  const width = (id) => Math.max(320, el(id).clientWidth || 800);
  function markersPlugin(getMarks) {
    return { hooks: { drawAxes: [(u) => {
      const { ctx } = u, { left, top, width: w, height: h } = u.bbox, marks = getMarks(), px = devicePixelRatio;
      ctx.save();
      for (const span of marks.spans || []) {
        const x0 = Math.max(left, u.valToPos(span.from, "x", true)), x1 = Math.min(left + w, u.valToPos(span.to, "x", true));
        if (x1 <= x0) continue;
        ctx.fillStyle = span.fill;
        ctx.fillRect(x0, top, x1 - x0, h);
        ctx.fillStyle = "#444";
        ctx.font = `${Math.round(12 * px)}px sans-serif`;
        ctx.textAlign = "center";
        ctx.fillText(span.label, (x0 + x1) / 2, top + 16 * px);
      }
      ctx.lineWidth = px;
      ctx.setLineDash([3 * px, 3 * px]);
      for (const line of marks.lines || []) {
        const x = Math.round(u.valToPos(line.at, "x", true));
        if (x < left || x > left + w) continue;
        ctx.strokeStyle = line.colour;
        ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + h); ctx.stroke();
      }
      ctx.restore();
    }] } };
  }
  function chart(id, opts, data) {
    const o = Object.assign({ width: width(id), height: 300, scales: { x: { time: false } },
      cursor: { drag: { x: true, y: false } }, legend: { live: true } }, opts);
    if (charts[id]) charts[id].destroy();
    el(id).textContent = "";
    charts[id] = new uPlot(o, data, el(id));
    return charts[id];
  }
  const line = (label, stroke, extra) => Object.assign({ label, stroke, width: 1.6, spanGaps: true, points: { show: false } }, extra || {});
  const shown = () => PROTOCOLS.map((p) => api.protocols[p]).filter((st) => st.result && st.stage !== "error");
  const tag = (st) => `${st.name}${st.stage === "0d" ? " (0D preview)" : st.stage === "1d-preview" ? " (1D mean-field preview)" : ""}`;
  const sessionTimes = (st) => st.result.manifest.sessions.map((s) => s.time);

  function courseChart() {
    const sts = shown();
    if (!sts.length) return;
    const tables = sts.map((st) => [Array.from(series(st.result, "time")), Array.from(series(st.result, "readouts", "firmness_gain")),
      Array.from(series(st.result, "readouts", "collagen_induction")), Array.from(series(st.result, "readouts", "erythema"))]);
    const data = tables.length === 1 ? tables[0] : uPlot.join(tables);
    const pct = (u, x) => (x === null ? "–" : fmt(x, 3) + " %");
    const s = [{ label: "day", value: (u, x) => fmt(x, 4) }];
    for (const st of sts) {
      const c = COLOURS[st.name];
      s.push(line(`${tag(st)} firmness gain`, c, { value: pct }), line(`${tag(st)} collagen induction`, c, { dash: [8, 4], value: pct }),
        line(`${tag(st)} erythema`, c + "99", { scale: "red", dash: [2, 3], value: (u, x) => fmt(x, 3) }));
    }
    chart("plot-course", { title: "firmness, collagen and redness over the course", series: s,
      scales: { x: { time: false }, red: { range: [0, 1] } },
      axes: [{ label: "day" }, { label: "change from before treatment (%)" }, { scale: "red", side: 1, label: "erythema (0-1)", grid: { show: false } }],
      plugins: [markersPlugin(() => ({ lines: sts.flatMap((st) => sessionTimes(st).map((t) => ({ at: t, colour: COLOURS[st.name] + "99" }))) }))],
    }, data);
  }

  /// [switch to proliferation, end of proliferation] in days after the session (null if not reached).
  function healingPhases(t, M1, M2, Fx) {
    let sw = null;
    for (let i = 0; i < t.length; i++) if (t[i] > 0 && M2[i] > M1[i]) { sw = t[i]; break; }
    let peak = 0;
    for (let i = 1; i < Fx.length; i++) if (Fx[i] > Fx[peak]) peak = i;
    let end = null;
    if (Fx[peak] > 0) for (let i = peak + 1; i < t.length; i++) if (Fx[i] < 0.25 * Fx[peak]) { end = t[i]; break; }
    return [sw, end];
  }

  function waveCharts() {
    const st = api.protocols[el("wave-protocol").value];
    const sel = el("wave-session");
    if (!st.result || st.stage === "error") return;
    const times = sessionTimes(st);
    const keep = sel.value;
    sel.textContent = "";
    times.forEach((t, k) => sel.append(make("option", { value: String(k) }, `${k + 1} (day ${fmt(t, 4)})`)));
    sel.value = keep && Number(keep) < times.length ? keep : "0";
    const k = Number(sel.value), s = times[k], stop = k + 1 < times.length ? times[k + 1] : Infinity;
    const time = series(st.result, "time"), idx = [];
    time.forEach((t, i) => { if (t >= s && t <= s + 42 && t < stop) idx.push(i); });
    const pick = (name) => idx.map((i) => series(st.result, "layers", "dermis", name)[i]);
    const t = idx.map((i) => time[i] - s);
    const Frest = st.result.manifest.pre_treatment.dermis.F;
    const Fx = pick("F").map((f) => f - Frest), M1 = pick("M1"), M2 = pick("M2");
    const [sw, end] = healingPhases(t, M1, M2, Fx), tEnd = last(t);
    const spans = [
      { from: 0, to: sw !== null ? sw : tEnd, fill: "#fde0dd", label: "inflammation" },
      { from: sw !== null ? sw : tEnd, to: end !== null ? end : tEnd, fill: "#e5f5e0", label: "proliferation" },
      { from: end !== null ? end : tEnd, to: tEnd, fill: "#deebf7", label: "remodeling" }];
    const v = (u, x) => fmt(x, 3);
    const title = `protocol ${tag(st)}: the dermis after session ${k + 1} (day ${fmt(s, 4)})`;
    chart("plot-wave", { title: "cells: " + title, height: 320,
      series: [{ label: "days after", value: v }, line("neutrophils", "#d62728", { value: v }), line("M1 macrophages", "#ff7f0e", { value: v }),
        line("M2 macrophages", "#2ca02c", { value: v }), line("fibroblasts above rest", "#1f77b4", { value: v }),
        line("myofibroblasts", "#9467bd", { value: v })],
      axes: [{ label: `days after session ${k + 1}` }, { label: "cells (relative to resting fibroblasts)" }],
      plugins: [markersPlugin(() => ({ spans }))],
    }, [t, pick("N"), M1, M2, Fx, pick("Mf")]);
    chart("plot-signals", { title: "signals: " + title, height: 260,
      series: [{ label: "days after", value: v }, line("pro-inflammatory cytokines", "#d62728", { value: v }),
        line("IL-10", "#2ca02c", { value: v }), line("TGF-β", "#9467bd", { value: v }), line("MMP activity", "#8c564b", { value: v })],
      axes: [{ label: `days after session ${k + 1}` }, { label: "signal (1 = half-maximal)" }],
      plugins: [markersPlugin(() => ({ spans }))],
    }, [t, pick("Cp"), pick("Ca"), pick("T"), pick("P")]);
  }

  /// Profile times of the 1D answers on show, merged.
  const depthShown = () => shown().filter((st) => st.result.manifest.z && series(st.result, "z").length > 1);
  function profileTimes() {
    return [...new Set(depthShown().flatMap((st) => Array.from(series(st.result, "profile_time"))))].sort((a, b) => a - b);
  }
  function profileChart() {
    const sts = depthShown(), times = profileTimes(), slider = el("profile-slider");
    api.profileTimes = times;
    const keepDay = api.profileDay !== undefined ? api.profileDay : 0;
    slider.max = String(Math.max(0, times.length - 1));
    let k = 0;
    times.forEach((t, i) => { if (t <= keepDay + 1e-9) k = i; });
    slider.value = String(k);
    drawProfile();
  }
  function drawProfile() {
    const sts = depthShown(), times = api.profileTimes || [];
    const day = times.length ? times[Number(el("profile-slider").value)] : 0;
    api.profileDay = day;
    el("profile-clock").textContent = times.length ? `day ${fmt(day, 4)}` : "day – (no 1D answer yet)";
    if (!sts.length) { if (charts["plot-profile"]) { charts["plot-profile"].destroy(); delete charts["plot-profile"]; } return; }
    const tables = sts.map((st) => {
      const r = st.result, z = series(r, "z"), pt = series(r, "profile_time"), n = z.length;
      let k = 0;
      pt.forEach((t, i) => { if (t <= day + 1e-9) k = i; });
      const C3 = series(r, "profiles", "C3"), C1 = series(r, "profiles", "C1"), Cx = series(r, "profiles", "Cx");
      const rest = series(r, "tissue", "C_rest");
      return [Array.from(z), Array.from(z, (_, j) => 100 * ((C3[k * n + j] + C1[k * n + j] + Cx[k * n + j]) / rest[j] - 1))];
    });
    const data = tables.length === 1 ? tables[0] : uPlot.join(tables);
    chart("plot-profile", { title: `collagen change from rest on day ${fmt(day, 4)}`, height: 300,
      series: [{ label: "depth (mm)", value: (u, x) => fmt(x, 3) },
        ...sts.map((st) => line(`protocol ${st.name}`, COLOURS[st.name], { value: (u, x) => (x === null ? "–" : fmt(x, 3) + " %") }))],
      axes: [{ label: "depth below the epidermis (mm)" }, { label: "collagen change (%)" }],
    }, data);
  }

  function summary() {
    const box = el("summary");
    box.textContent = "";
    const table = make("table");
    const head = make("tr");
    head.append(make("th", { class: "text" }, ""));
    for (const p of PROTOCOLS) head.append(make("th", {}, `protocol ${tag(api.protocols[p])}`));
    table.append(head);
    const rows = [["firmness gain (%)", "firmness_gain"], ["collagen induction (%)", "collagen_induction"],
      ["elastin change (%)", "elastin_change"], ["R0, skin rise (mm)", "R0"], ["R7, elasticity", "R7"],
      ["scar index (days)", "scar_index"]];
    for (const [label, name] of rows) {
      const tr = make("tr");
      tr.append(make("td", { class: "text" }, label));
      for (const p of PROTOCOLS) {
        const st = api.protocols[p];
        const ok = st.result && st.stage !== "error";
        tr.append(make("td", { "data-readout": name, "data-protocol": p }, ok ? fmt(last(series(st.result, "readouts", name)), 4) : "–"));
      }
      table.append(tr);
    }
    box.append(table);
  }

  function drawAll() {
    summary();
    courseChart();
    waveCharts();
    profileChart();
  }

  // -----------------------------------------------------------------------------------------------
  // 6. Start: the module, the panels, the presets of a first comparison
  // -----------------------------------------------------------------------------------------------
  window.addEventListener("error", (e) => api.errors.push(String(e.message)));
  const script = make("script");
  script.textContent = MODULE_TEXT;
  document.head.append(script);
  createCitsimModule().then((m) => {
    model = m;
    const a = panel("A"), b = panel("B");
    el("wave-protocol").addEventListener("change", waveCharts);
    el("wave-session").addEventListener("change", waveCharts);
    el("profile-slider").addEventListener("input", drawProfile);
    loadPreset(a, PRESETS.some((p) => p.name === "pen_2mm") ? "pen_2mm" : PRESETS[0].name);
    loadPreset(b, PRESETS.some((p) => p.name === "home_roller_0.5mm") ? "home_roller_0.5mm" : PRESETS[0].name);
    let resize = null;
    window.addEventListener("resize", () => { clearTimeout(resize); resize = setTimeout(drawAll, 150); });
    api.ready = true;
  });
})();
