// citsim report page: builds the plots and tables from the embedded run data (uPlot).
// window.citsimReport exposes the charts and a `ready` flag for the browser test.
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("citsim-data").textContent);
  const RUNS = DATA.runs;
  const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
  const colour = (i) => COLOURS[i % COLOURS.length];
  const charts = {};
  const state = { ready: false, charts: charts };
  window.citsimReport = state;

  // ---------------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------------
  const el = (id) => document.getElementById(id);
  function make(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  const fmt = (v, d) => (v === null || v === undefined || !isFinite(v) ? "–" : Number(v).toPrecision(d || 4).replace(/\.?0+(e|$)/, "$1"));
  const fixed = (v, d) => (v === null || v === undefined || !isFinite(v) ? "–" : Number(v).toFixed(d));
  const last = (a) => a[a.length - 1];
  const sessionTimes = (run) => (run.sessions.find((c) => c.name === "time") || { values: [] }).values;
  const param = (run, name) => {
    const p = run.parameters.find((q) => q[0] === name);
    return p ? (p[2] !== null ? p[2] : p[1]) : undefined;
  };
  const width = (id) => Math.max(320, el(id).clientWidth || 800);

  /// Dotted session lines (per run colour) and, optionally, shaded spans with labels.
  function markersPlugin(getMarks) {
    return {
      hooks: {
        drawAxes: [(u) => {
          const { ctx } = u;
          const { left, top, width: w, height: h } = u.bbox;
          const marks = getMarks();
          ctx.save();
          for (const span of marks.spans || []) {
            const x0 = Math.max(left, u.valToPos(span.from, "x", true));
            const x1 = Math.min(left + w, u.valToPos(span.to, "x", true));
            if (x1 <= x0) continue;
            ctx.fillStyle = span.fill;
            ctx.fillRect(x0, top, x1 - x0, h);
            ctx.fillStyle = "#444";
            ctx.font = `${Math.round(12 * devicePixelRatio)}px sans-serif`;
            ctx.textAlign = "center";
            ctx.fillText(span.label, (x0 + x1) / 2, top + 16 * devicePixelRatio);
          }
          ctx.lineWidth = devicePixelRatio;
          ctx.setLineDash([3 * devicePixelRatio, 3 * devicePixelRatio]);
          for (const line of marks.lines || []) {
            const x = Math.round(u.valToPos(line.at, "x", true));
            if (x < left || x > left + w) continue;
            ctx.strokeStyle = line.colour;
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + h);
            ctx.stroke();
          }
          ctx.restore();
        }],
      },
    };
  }
  const sessionLines = () => RUNS.flatMap((r, i) => sessionTimes(r).map((t) => ({ at: t, colour: RUNS.length > 1 ? colour(i) + "99" : "#888" })));

  /// One uPlot chart over a shared x; tables = [[xs, ys...], ...] are joined on x.
  function chart(id, opts, tables) {
    const data = tables.length === 1 ? tables[0] : uPlot.join(tables);
    const o = Object.assign({
      width: width(id), height: 300,
      scales: { x: { time: false } },
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
    }, opts);
    if (charts[id]) charts[id].destroy();
    el(id).textContent = "";
    charts[id] = new uPlot(o, data, el(id));
    return charts[id];
  }
  const line = (label, stroke, extra) => Object.assign({ label, stroke, width: 1.6, spanGaps: true, points: { show: false } }, extra || {});

  // ---------------------------------------------------------------------------------------------
  // 1. Header, summary, sessions
  // ---------------------------------------------------------------------------------------------
  function header() {
    const box = el("runs");
    RUNS.forEach((r, i) => {
      const p = make("p");
      const sw = make("span", { class: "swatch", style: `background:${colour(i)}` });
      p.append(sw, make("b", {}, r.label), document.createTextNode(
        ` — ${r.path} (${r.level}, ${sessionTimes(r).length} sessions, day 0 to ${fmt(last(r.time), 4)}; ` +
        `${r.version}, written ${r.created})`));
      box.append(p);
      for (const w of (r.warnings || "").split("\n").filter((s) => s.trim()))
        box.append(make("div", { class: "warning" }, `${r.label}: ${w}`));
    });
    el("generator").textContent = `Written by ${DATA.generator}. Plots: uPlot (MIT licence).`;
  }

  function summary() {
    const t = make("table");
    const head = make("tr");
    for (const h of ["run", "sessions", "at day", "firmness gain", "collagen", "elastin", "R0 before → after (mm)", "R7", "scar index (d; higher is more scar-like)"])
      head.append(make("th", { class: h === "run" ? "text" : "" }, h));
    t.append(head);
    RUNS.forEach((r, i) => {
      const ro = (n) => last(r.readouts[n].values);
      const tr = make("tr");
      const name = make("td", { class: "text" });
      name.append(make("span", { class: "swatch", style: `background:${colour(i)}` }), document.createTextNode(r.label));
      tr.append(name,
        make("td", {}, String(sessionTimes(r).length)), make("td", {}, fmt(last(r.time), 4)),
        make("td", {}, `${fixed(ro("firmness_gain"), 1)} %`), make("td", {}, `${fixed(ro("collagen_induction"), 1)} %`),
        make("td", {}, `${fixed(ro("elastin_change"), 1)} %`),
        make("td", {}, `${fixed(r.pre_treatment_R0, 3)} → ${fixed(ro("R0"), 3)}`),
        make("td", {}, fixed(ro("R7"), 3)), make("td", {}, fixed(ro("scar_index"), 1)));
      t.append(tr);
    });
    el("summary").append(t);
  }

  function sessionTables() {
    const box = el("sessions");
    const shown = ["time", "device", "needle_length", "density", "passes", "sharpness", "sterility", "d_eff", "d_derm",
      "reached_plexus", "phi_papillary", "phi_reticular", "phi_ch_dermis"];
    RUNS.forEach((r, i) => {
      const cols = shown.map((n) => r.sessions.find((c) => c.name === n)).filter((c) => c);
      const h = make("h3");
      h.append(make("span", { class: "swatch", style: `background:${colour(i)}` }), document.createTextNode(r.label));
      box.append(h);
      if (!sessionTimes(r).length) { box.append(make("p", { class: "note" }, "No sessions: untreated skin.")); return; }
      const t = make("table");
      const head = make("tr");
      head.append(make("th", {}, "#"));
      for (const c of cols) head.append(make("th", { title: c.long_name }, c.units && c.units !== "1" ? `${c.name} (${c.units})` : c.name));
      t.append(head);
      sessionTimes(r).forEach((_, k) => {
        const tr = make("tr");
        tr.append(make("td", {}, String(k + 1)));
        for (const c of cols) {
          const v = c.values[k];
          tr.append(make("td", { class: typeof v === "string" ? "text" : "" },
            typeof v === "string" ? v : c.name === "reached_plexus" ? (v ? "yes" : "no") : fmt(v, 4)));
        }
        t.append(tr);
      });
      box.append(t);
    });
    box.append(make("p", { class: "note" }, "d_eff: how deep the needles reach below the skin surface; d_derm: how far into the dermis. " +
      "phi: share of the tissue injured (around the channels) in the papillary and reticular dermis; phi_ch: share destroyed (the channels). " +
      "reached_plexus: the needles reached the small vessels under the surface (pinpoint bleeding)."));
  }

  // ---------------------------------------------------------------------------------------------
  // 2. The course: firmness, matrix, Cutometer
  // ---------------------------------------------------------------------------------------------
  function courseCharts() {
    const plugin = markersPlugin(() => ({ lines: sessionLines() }));
    chart("plot-firmness", {
      title: "Firmness gain (%): how much less the skin rises into the Cutometer than before treatment",
      series: [{ label: "day", value: (u, v) => fmt(v, 4) }, ...RUNS.map((r, i) => line(r.label, colour(i), { value: (u, v) => (v === null ? "–" : `${fixed(v, 2)} %`) }))],
      axes: [{ label: "day" }, { label: "firmness gain (%)" }],
      plugins: [plugin],
    }, RUNS.map((r) => [r.time, r.readouts.firmness_gain.values]));

    const matrixSeries = [{ label: "day", value: (u, v) => fmt(v, 4) }];
    const tables = [];
    RUNS.forEach((r, i) => {
      matrixSeries.push(line(`${r.label}: collagen`, colour(i), { value: (u, v) => (v === null ? "–" : `${fixed(v, 2)} %`) }));
      matrixSeries.push(line(`${r.label}: elastin`, colour(i), { dash: [6, 4], width: 1.2, value: (u, v) => (v === null ? "–" : `${fixed(v, 2)} %`) }));
      tables.push([r.time, r.readouts.collagen_induction.values, r.readouts.elastin_change.values]);
    });
    chart("plot-matrix", {
      title: "Dermal collagen (solid) and elastin (dashed): change from before treatment (%)",
      series: matrixSeries, axes: [{ label: "day" }, { label: "change (%)" }], plugins: [plugin],
    }, tables);
    cutometerChart();
  }

  function cutometerChart() {
    const name = el("cutometer-select").value;
    const first = RUNS[0].readouts[name];
    const unit = first && first.units && first.units !== "1" ? ` (${first.units})` : "";
    chart("plot-cutometer", {
      title: `${first ? first.long_name : name}${unit}`,
      series: [{ label: "day", value: (u, v) => fmt(v, 4) }, ...RUNS.map((r, i) => line(r.label, colour(i), { value: (u, v) => fmt(v, 4) }))],
      axes: [{ label: "day" }, { label: name + unit }],
      plugins: [markersPlugin(() => ({ lines: sessionLines() }))],
    }, RUNS.map((r) => [r.time, r.readouts[name].values]));
  }

  // ---------------------------------------------------------------------------------------------
  // 3. One session's healing wave, with phases read off the run
  // ---------------------------------------------------------------------------------------------
  function restingDermisFibroblasts(run) {
    const zr = param(run, "z_reticular");
    const F = run.tissue.F_rest.values;
    const inside = run.z.map((z, i) => [z, F[i]]).filter(([z]) => zr === undefined || z < zr);
    return inside.reduce((s, [, f]) => s + f, 0) / Math.max(1, inside.length);
  }

  /// [switch, end of proliferation] in days after the session (null if not reached).
  function healingPhases(t, M1, M2, Fx) {
    let sw = null;
    for (let i = 0; i < t.length; i++) if (t[i] > 0 && M2[i] > M1[i]) { sw = t[i]; break; }
    let peak = 0;
    for (let i = 1; i < Fx.length; i++) if (Fx[i] > Fx[peak]) peak = i;
    let end = null;
    if (Fx[peak] > 0) for (let i = peak + 1; i < t.length; i++) if (Fx[i] < 0.25 * Fx[peak]) { end = t[i]; break; }
    return [sw, end];
  }

  function waveChart() {
    const run = RUNS[Number(el("wave-run").value)];
    const sessions = sessionTimes(run);
    const k = Number(el("wave-session").value);
    if (!sessions.length) {
      el("plot-wave").textContent = "This run has no sessions.";
      if (charts["plot-wave"]) { charts["plot-wave"].destroy(); delete charts["plot-wave"]; }
      return;
    }
    // Six weeks after the session, or until the next one starts a new wave.
    const s = sessions[k], stop = k + 1 < sessions.length ? sessions[k + 1] : Infinity;
    const idx = [];
    run.time.forEach((t, i) => { if (t >= s && t <= s + 42 && t < stop) idx.push(i); });
    const pick = (name) => idx.map((i) => run.dermis[name].values[i]);
    const t = idx.map((i) => run.time[i] - s);
    const Frest = restingDermisFibroblasts(run);
    const Fx = pick("F").map((f) => f - Frest);
    const M1 = pick("M1"), M2 = pick("M2");
    const [sw, end] = healingPhases(t, M1, M2, Fx);
    const tEnd = last(t);
    const spans = [
      { from: 0, to: sw !== null ? sw : tEnd, fill: "#fde0dd", label: "inflammation" },
      { from: sw !== null ? sw : tEnd, to: end !== null ? end : tEnd, fill: "#e5f5e0", label: "proliferation" },
      { from: end !== null ? end : tEnd, to: tEnd, fill: "#deebf7", label: "remodeling" },
    ];
    const v = (u, x) => fmt(x, 3);
    chart("plot-wave", {
      title: `${run.label}: the dermis after session ${k + 1} (day ${fmt(s, 4)})`,
      height: 340,
      scales: { x: { time: false }, share: { range: [0, 1] } },
      series: [{ label: "days after", value: (u, x) => fmt(x, 3) },
        line("neutrophils", "#d62728", { value: v }), line("M1 macrophages", "#ff7f0e", { value: v }),
        line("M2 macrophages", "#2ca02c", { value: v }), line("fibroblasts above rest", "#1f77b4", { value: v }),
        line("myofibroblasts", "#9467bd", { value: v }),
        line("type III share", "#e377c2", { scale: "share", dash: [6, 4], value: (u, x) => fixed(x, 3) })],
      axes: [{ label: `days after session ${k + 1}` }, { label: "cells (relative to resting fibroblasts)" },
        { scale: "share", side: 1, label: "type III share", grid: { show: false } }],
      plugins: [markersPlugin(() => ({ spans }))],
    }, [[t, pick("N"), M1, M2, Fx, pick("Mf"), pick("type3_share")]]);
  }

  function waveControls() {
    const runSel = el("wave-run");
    RUNS.forEach((r, i) => runSel.append(make("option", { value: String(i) }, r.label)));
    const fillSessions = () => {
      const sel = el("wave-session");
      sel.textContent = "";
      sessionTimes(RUNS[Number(runSel.value)]).forEach((t, k) => sel.append(make("option", { value: String(k) }, `${k + 1} (day ${fmt(t, 4)})`)));
    };
    fillSessions();
    runSel.addEventListener("change", () => { fillSessions(); waveChart(); });
    el("wave-session").addEventListener("change", waveChart);
  }

  // ---------------------------------------------------------------------------------------------
  // 4. Depth profile with a time slider
  // ---------------------------------------------------------------------------------------------
  const PROFILE_CHOICES = [
    ["gain", "collagen change from rest (%)"], ["collagen", "all collagen (mg/cm³)"],
    ["C3", "collagen III"], ["C1", "collagen I, new"], ["Cx", "collagen I, cross-linked"], ["E", "elastin"],
    ["F", "fibroblasts"], ["Mf", "myofibroblasts"], ["M1", "M1 macrophages"], ["M2", "M2 macrophages"]];
  const depthRuns = RUNS.map((r, i) => [r, i]).filter(([r]) => r.z.length > 1 && r.profile_time.length > 0);
  const profileTimes = [...new Set(depthRuns.flatMap(([r]) => r.profile_time))].sort((a, b) => a - b);

  /// Index of the last profile of `run` at or before day t (its first if none).
  function profileIndex(run, t) {
    let k = 0;
    run.profile_time.forEach((pt, i) => { if (pt <= t + 1e-9) k = i; });
    return k;
  }

  function profileValues(run, what, k) {
    const P = run.profiles;
    if (what === "gain" || what === "collagen") {
      const total = run.z.map((_, j) => P.C3.values[k][j] + P.C1.values[k][j] + P.Cx.values[k][j]);
      if (what === "collagen") return total;
      const rest = run.tissue.C_rest.values;
      return total.map((c, j) => 100 * (c / rest[j] - 1));
    }
    return P[what].values[k];
  }

  function profileChart() {
    if (!depthRuns.length) {
      el("plot-profile").textContent = "";
      el("profile-note").textContent = "The runs are 0D (one point, no depth): run the 1D model to see depth profiles.";
      return;
    }
    const what = el("profile-species").value;
    const i = Number(el("profile-slider").value);
    const t = profileTimes[i];
    const done = (r) => sessionTimes(r).filter((s) => s <= t + 1e-9).length;
    el("profile-clock").textContent = `day ${fmt(t, 4)} · ` + depthRuns.map(([r]) =>
      `${depthRuns.length > 1 ? r.label + ": " : ""}${done(r)} of ${sessionTimes(r).length} sessions done`).join(" · ");
    const series = [{ label: "depth (mm)", value: (u, v) => fmt(v, 3) }];
    const tables = [];
    for (const [r, ci] of depthRuns) {
      const k = profileIndex(r, t);
      const lab = Math.abs(r.profile_time[k] - t) > 1e-9 ? `${r.label} (day ${fmt(r.profile_time[k], 4)})` : r.label;
      const cols = [r.z, profileValues(r, what, k)];
      series.push(line(lab, colour(ci), { value: (u, v) => fmt(v, 4) }));
      if (what === "collagen") {
        cols.push(r.tissue.C_rest.values);
        series.push(line(`${r.label}: at rest`, colour(ci), { dash: [4, 4], width: 1, value: (u, v) => fmt(v, 4) }));
      }
      tables.push(cols);
    }
    const r0 = depthRuns[0][0];
    const label = (PROFILE_CHOICES.find((c) => c[0] === what) || [what, what])[1];
    const units = r0.profiles[what] ? r0.profiles[what].units : "";
    const layerLines = ["z_papillary", "z_reticular"].map((n) => param(r0, n)).filter((z) => z !== undefined).map((z) => ({ at: z, colour: "#999" }));
    const c = charts["plot-profile"];
    // Keep the chart and its zoom while sliding; rebuild only when the series change.
    if (c && c._what === what) {
      c.setData(tables.length === 1 ? tables[0] : uPlot.join(tables), false);
      c.series.forEach((s, j) => { if (j > 0) s.label = series[j].label; });
      c.redraw(true, true);
      return;
    }
    const fixedRange = profileRange(what);
    const u = chart("plot-profile", {
      title: `${label}${units && units !== "1" && what !== "gain" ? ` (${units})` : ""} by depth`,
      height: 320,
      scales: { x: { time: false }, y: { range: fixedRange } },
      series, axes: [{ label: "depth below the epidermis (mm) — deeper to the right" }, { label }],
      plugins: [markersPlugin(() => ({ lines: layerLines }))],
    }, tables);
    u._what = what;
    el("profile-note").textContent = depthRuns.length < RUNS.length ? "0D runs have no depth profile and are not shown here." : "";
  }

  /// A y range that holds the quantity at every time, so the picture moves while the axis stays.
  function profileRange(what) {
    let lo = Infinity, hi = -Infinity;
    for (const [r] of depthRuns)
      for (let k = 0; k < r.profile_time.length; k++)
        for (const v of profileValues(r, what, k)) if (isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    if (what === "collagen") for (const [r] of depthRuns) for (const v of r.tissue.C_rest.values) hi = Math.max(hi, v);
    if (!isFinite(lo)) return [0, 1];
    lo = Math.min(lo, 0);
    const pad = 0.05 * (hi - lo || 1);
    return [lo - (lo < 0 ? pad : 0), hi + pad];
  }

  function profileControls() {
    const sel = el("profile-species");
    for (const [v, l] of PROFILE_CHOICES) sel.append(make("option", { value: v }, l));
    const slider = el("profile-slider");
    slider.max = String(Math.max(0, profileTimes.length - 1));
    slider.value = "0";
    slider.addEventListener("input", profileChart);
    sel.addEventListener("change", profileChart);
    let timer = null;
    el("profile-play").addEventListener("click", () => {
      if (timer) { clearInterval(timer); timer = null; el("profile-play").textContent = "Play"; return; }
      el("profile-play").textContent = "Pause";
      if (Number(slider.value) >= Number(slider.max)) slider.value = "0";
      timer = setInterval(() => {
        if (Number(slider.value) >= Number(slider.max)) { clearInterval(timer); timer = null; el("profile-play").textContent = "Play"; return; }
        slider.value = String(Number(slider.value) + 1);
        profileChart();
      }, 120);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // 5. Parameters and configs
  // ---------------------------------------------------------------------------------------------
  function parameterTable() {
    const names = [];
    const byRun = RUNS.map((r) => new Map(r.parameters.map((p) => [p[0], p])));
    for (const r of RUNS) for (const p of r.parameters) if (!names.includes(p[0])) names.push(p[0]);
    const t = make("table");
    const head = make("tr");
    head.append(make("th", { class: "text" }, "parameter"), make("th", { class: "text" }, "unit"));
    for (const r of RUNS) head.append(make("th", {}, RUNS.length > 1 ? r.label : "value"), make("th", {}, "effective"));
    t.append(head);
    const rows = [];
    for (const n of names) {
      const tr = make("tr");
      const ps = byRun.map((m) => m.get(n));
      const unit = (ps.find((p) => p) || [])[3] || "";
      tr.append(make("td", { class: "text" }, n), make("td", { class: "text" }, unit));
      const used = ps.map((p) => (p ? (p[2] !== null ? p[2] : p[1]) : null));
      for (const p of ps) tr.append(make("td", {}, p ? fmt(p[1], 6) : "–"), make("td", {}, p && p[2] !== null ? fmt(p[2], 6) : ""));
      const differs = RUNS.length > 1 && used.some((v) => v !== used[0]);
      if (differs) tr.classList.add("differs");
      tr.dataset.name = n.toLowerCase();
      tr.dataset.differs = differs ? "1" : "0";
      rows.push(tr);
      t.append(tr);
    }
    el("parameters").append(t);
    const apply = () => {
      const q = el("parameter-filter").value.trim().toLowerCase();
      const only = el("parameter-differ").checked;
      for (const tr of rows) tr.style.display = (!q || tr.dataset.name.includes(q)) && (!only || tr.dataset.differs === "1") ? "" : "none";
    };
    el("parameter-filter").addEventListener("input", apply);
    el("parameter-differ").addEventListener("change", apply);
    for (const r of RUNS) {
      el("configs").append(make("h3", {}, `${r.label} (${r.config_path || r.path})`), make("pre", {}, r.config));
    }
  }

  // ---------------------------------------------------------------------------------------------
  function resizeAll() {
    for (const [id, c] of Object.entries(charts)) c.setSize({ width: width(id), height: c.height });
  }

  header();
  summary();
  sessionTables();
  courseCharts();
  el("cutometer-select").addEventListener("change", cutometerChart);
  waveControls();
  waveChart();
  profileControls();
  profileChart();
  parameterTable();
  window.addEventListener("resize", resizeAll);
  state.profileTimes = profileTimes;
  state.ready = true;
})();
