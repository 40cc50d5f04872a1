// asnkit SkyView: exposure footprints on a canvas (an anywidget ES module, no dependencies).
//
// Pan, zoom, hover and the drawing of selections happen here, without the kernel. A box,
// lasso, click or legend entry is sent to Python as geometry ({event, ...plane coords,
// shift, alt}); Python decides which exposures it takes and sets `selected`, whose
// exposures come back here as indices (`_selection`) and are drawn. Hover uses the same rule as Python's click (even-odd point in
// polygon, nearest centre, last on ties), so the tooltip names what a click toggles.

const DASH = 7; // px of each colour in the striped outline of an exposure in several groups
const FILL_ALPHA = 0.2; // opacity of a footprint's fill (shared by identical stacked footprints)
const MARGIN = { left: 54, right: 10, top: 10, bottom: 40 };
const MAX_PANELS = 36;
const LEGEND_BESIDE_MIN = 600; // px of width below which the legend goes under the plot
const TOOLS = [
  ["pan", "pan", "drag to move the view, wheel to zoom"],
  ["box", "box", "drag a box: takes the footprints whose centre is inside (Shift adds, Alt removes)"],
  ["lasso", "lasso", "draw around footprints: takes those whose centre is inside (Shift adds, Alt removes)"],
];

function floats(view) {
  if (!view || !view.byteLength) return new Float32Array(0);
  return new Float32Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}
function ints(view) {
  if (!view || !view.byteLength) return new Int32Array(0);
  return new Int32Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}
function bytes(view) {
  if (!view || !view.byteLength) return null;
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}
function rgba(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}
// long labels (DMS product names) keep their start and their distinctive end
function shorten(label, max = 30) {
  if (label.length <= max) return label;
  const head = Math.ceil((max - 1) * 0.45), tail = max - 1 - head;
  return `${label.slice(0, head)}\u2026${tail > 0 ? label.slice(-tail) : ""}`;
}
function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

// ------------------------------------------------------------------ geometry (static data)
function decodeGeometry(raw) {
  const xy = floats(raw.xy);
  const ringStart = ints(raw.ring_start);
  const ringExp = ints(raw.ring_exposure);
  const centres = floats(raw.centres);
  const n = raw.filenames.length;
  const firstRing = new Int32Array(n + 1).fill(-1);
  for (let r = ringExp.length - 1; r >= 0; r--) firstRing[ringExp[r]] = r;
  const bbox = new Float64Array(4 * n).fill(NaN);
  for (let r = 0; r < ringExp.length; r++) {
    const e = ringExp[r];
    for (let v = ringStart[r]; v < ringStart[r + 1]; v++) {
      const x = xy[2 * v], y = xy[2 * v + 1];
      if (!(bbox[4 * e] <= x)) bbox[4 * e] = x;
      if (!(bbox[4 * e + 1] >= x)) bbox[4 * e + 1] = x;
      if (!(bbox[4 * e + 2] <= y)) bbox[4 * e + 2] = y;
      if (!(bbox[4 * e + 3] >= y)) bbox[4 * e + 3] = y;
    }
  }
  const g = {
    n, xy, ringStart, ringExp, centres, bbox, firstRing, stack: ints(raw.stack),
    filenames: raw.filenames, info: raw.info, plane: raw.plane, target: raw.target,
    extent: raw.extent, title: raw.title,
  };
  g.grid = buildGrid(g);
  return g;
}

function buildGrid(g) {
  const [x0, x1, y0, y1] = g.extent;
  const side = Math.max(1, Math.ceil(Math.sqrt(g.n)));
  const w = Math.max(x1 - x0, 1e-9) / side, h = Math.max(y1 - y0, 1e-9) / side;
  const cells = new Map();
  for (let e = 0; e < g.n; e++) {
    if (!(g.bbox[4 * e] <= g.bbox[4 * e + 1])) continue;
    const i0 = Math.max(0, Math.floor((g.bbox[4 * e] - x0) / w));
    const i1 = Math.min(side - 1, Math.floor((g.bbox[4 * e + 1] - x0) / w));
    const j0 = Math.max(0, Math.floor((g.bbox[4 * e + 2] - y0) / h));
    const j1 = Math.min(side - 1, Math.floor((g.bbox[4 * e + 3] - y0) / h));
    for (let i = i0; i <= i1; i++) {
      for (let j = j0; j <= j1; j++) {
        const key = i * side + j;
        let list = cells.get(key);
        if (!list) cells.set(key, (list = []));
        list.push(e);
      }
    }
  }
  return { x0, y0, w, h, side, cells };
}

// even-odd rule, the same arithmetic as asnkit.sky.geometry
function ringContains(g, r, x, y) {
  let inside = false;
  const start = g.ringStart[r], end = g.ringStart[r + 1];
  for (let v = start; v < end; v++) {
    const w = v + 1 < end ? v + 1 : start;
    const x1 = g.xy[2 * v], y1 = g.xy[2 * v + 1], x2 = g.xy[2 * w], y2 = g.xy[2 * w + 1];
    if ((y1 > y) !== (y2 > y) && x < x1 + ((y - y1) * (x2 - x1)) / (y2 - y1)) inside = !inside;
  }
  return end - start >= 3 && inside;
}

function exposureContains(g, e, x, y) {
  for (let r = g.firstRing[e]; r >= 0 && r < g.ringExp.length && g.ringExp[r] === e; r++) {
    if (ringContains(g, r, x, y)) return true;
  }
  return false;
}

// the exposure under (x, y): containing it, allowed, nearest centre, last on ties (as pick())
function hitTest(g, x, y, allowed) {
  const grid = g.grid;
  const i = Math.floor((x - grid.x0) / grid.w), j = Math.floor((y - grid.y0) / grid.h);
  if (i < 0 || j < 0 || i >= grid.side || j >= grid.side) return -1;
  const list = grid.cells.get(i * grid.side + j) || [];
  let best = -1, bestD = Infinity;
  for (const e of list) {
    if (!allowed(e)) continue;
    if (x < g.bbox[4 * e] || x > g.bbox[4 * e + 1] || y < g.bbox[4 * e + 2] || y > g.bbox[4 * e + 3]) continue;
    if (!exposureContains(g, e, x, y)) continue;
    const dx = g.centres[2 * e] - x, dy = g.centres[2 * e + 1] - y;
    const d = dx * dx + dy * dy;
    if (d < bestD || (d === bestD && e > best)) { best = e; bestD = d; }
  }
  return best;
}

// Many rings in one Path2D make Chromium slow down quadratically (10,000 rings: a second);
// a Paths object keeps them in chunks of CHUNK rings.
const CHUNK = 200;
class Paths {
  constructor() { this.list = []; this.rings = CHUNK; }
  current() {
    if (this.rings >= CHUNK) { this.list.push(new Path2D()); this.rings = 0; }
    this.rings += 1;
    return this.list[this.list.length - 1];
  }
  fill(ctx) { for (const p of this.list) ctx.fill(p); }
  stroke(ctx) { for (const p of this.list) ctx.stroke(p); }
}

function addRings(paths, g, e) {
  if (paths instanceof Paths) {
    for (let r = g.firstRing[e]; r >= 0 && r < g.ringExp.length && g.ringExp[r] === e; r++) {
      addRing(paths.current(), g, r);
    }
    return;
  }
  for (let r = g.firstRing[e]; r >= 0 && r < g.ringExp.length && g.ringExp[r] === e; r++) addRing(paths, g, r);
}

function addRing(path, g, r) {
  const start = g.ringStart[r], end = g.ringStart[r + 1];
  path.moveTo(g.xy[2 * start], g.xy[2 * start + 1]);
  for (let v = start + 1; v < end; v++) path.lineTo(g.xy[2 * v], g.xy[2 * v + 1]);
  path.closePath();
}


// ------------------------------------------------------------------ colours (per colouring)
function decodeColors(raw, g) {
  const itemExp = ints(raw.item_exposure), itemGroup = ints(raw.item_group);
  const groups = raw.groups || [];
  const itemStart = new Int32Array(g.n + 1);
  for (let k = 0; k < itemExp.length; k++) itemStart[itemExp[k] + 1]++;
  for (let e = 0; e < g.n; e++) itemStart[e + 1] += itemStart[e];
  return { how: raw.how || "", groups, itemExp, itemGroup, itemStart };
}

// Path2D batches. An exposure's first item (its smallest group) is filled in that group's
// colour; its other groups are hatched over it in their own colours (rank 1 "/", 2 "\\"...),
// so colours never blend; every item is outlined, dashed in turn when an exposure has several.
function buildBatches(g, c, shown, only) {
  const batches = new Map();
  const batch = (key, fields) => {
    let b = batches.get(key);
    if (!b) batches.set(key, (b = { ...fields, path: new Paths() }));
    return b;
  };
  for (let e = 0; e < g.n; e++) {
    if (!shown(e)) continue;
    const a = c.itemStart[e], b = c.itemStart[e + 1];
    const k = only === undefined ? b - a : 1;
    const stack = Math.max(1, g.stack[e] || 1);
    for (let t = a; t < b; t++) {
      const group = c.itemGroup[t];
      if (only !== undefined && group !== only) continue;
      const i = only === undefined ? t - a : 0;
      const kind = i === 0 ? "fill" : "hatch";
      addRings(batch(`${kind}|${group}|${i === 0 ? stack : i}`, { kind, group, stack, i }).path, g, e);
      addRings(batch(`line|${group}|${k}|${i}`, { kind: "line", group, k, i, stack }).path, g, e);
    }
  }
  const order = { fill: 0, hatch: 1, line: 2 };
  return [...batches.values()].sort((x, y) => order[x.kind] - order[y.kind]);
}

const HATCH = 9; // px between hatch lines
const patterns = new Map();
function hatchPattern(ctx, color, rank) {
  const key = `${color}|${rank}`;
  let pattern = patterns.get(key);
  if (pattern) return pattern;
  const tile = document.createElement("canvas");
  tile.width = tile.height = HATCH;
  const t = tile.getContext("2d");
  t.strokeStyle = rgba(color, 0.9);
  t.lineWidth = 1.2;
  t.beginPath();
  const dir = (rank - 1) % 4;
  if (dir === 0) { t.moveTo(0, HATCH); t.lineTo(HATCH, 0); t.moveTo(-1, 1); t.lineTo(1, -1); t.moveTo(HATCH - 1, HATCH + 1); t.lineTo(HATCH + 1, HATCH - 1); }
  else if (dir === 1) { t.moveTo(0, 0); t.lineTo(HATCH, HATCH); t.moveTo(HATCH - 1, -1); t.lineTo(HATCH + 1, 1); t.moveTo(-1, HATCH - 1); t.lineTo(1, HATCH + 1); }
  else if (dir === 2) { t.moveTo(HATCH / 2, 0); t.lineTo(HATCH / 2, HATCH); }
  else { t.moveTo(0, HATCH / 2); t.lineTo(HATCH, HATCH / 2); }
  t.stroke();
  pattern = ctx.createPattern(tile, "repeat");
  patterns.set(key, pattern);
  return pattern;
}

function niceStep(span) {
  const raw = span / 6, p = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}
function unitFor(extentArcsec) {
  if (extentArcsec < 120) return ["arcsec", "\u2033", 1];
  if (extentArcsec < 7200) return ["arcmin", "\u2032", 60];
  return ["deg", "\u00b0", 3600];
}
function fmt(value, step) {
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return (Math.abs(value) < step / 1e6 ? 0 : value).toFixed(Math.min(digits, 6));
}

// ------------------------------------------------------------------ the view
function render({ model, el: root }) {
  const t0 = performance.now();
  const wrap = el("div", "asnkit-sky");
  const bar = el("div", "asnkit-sky-bar");
  const body = el("div", "asnkit-sky-body");
  const stage = el("div", "asnkit-sky-stage");
  const base = el("canvas", "asnkit-sky-base");
  const over = el("canvas", "asnkit-sky-over");
  const tip = el("div", "asnkit-sky-tip");
  const legend = el("div", "asnkit-sky-legend");
  const status = el("span", "asnkit-sky-status");
  stage.append(base, over, tip);
  body.append(stage, legend);
  wrap.append(bar, body);
  root.append(wrap);

  const toolButtons = {};
  for (const [tool, label, help] of TOOLS) {
    const b = el("button", "asnkit-sky-tool", label);
    b.title = help;
    b.dataset.tool = tool;
    b.addEventListener("click", () => { model.set("tool", tool); model.save_changes(); });
    toolButtons[tool] = b;
    bar.append(b);
  }
  const reset = el("button", "asnkit-sky-reset", "\u27f2 reset view");
  reset.title = "show all footprints";
  const clear = el("button", "asnkit-sky-clear", "\u2715 clear selection");
  const colorLabel = el("label", "asnkit-sky-colorby", "colour by ");
  const colorSelect = el("select");
  colorLabel.append(colorSelect);
  const panelsLabel = el("label", "asnkit-sky-panels");
  const panelsBox = el("input");
  panelsBox.type = "checkbox";
  panelsLabel.append(panelsBox, document.createTextNode(" one panel per group"));
  bar.append(reset, clear, colorLabel, panelsLabel, status);

  const state = {
    g: null, c: null, batches: [], panelBatches: new Map(), context: null,
    selected: new Set(), selectedPath: null, panelSelected: new Map(), shown: null, view: null,
    hover: -1, hoverPanel: null, drag: null, legendHover: -1, width: 0, height: 0,
    frame: 0, seq: 0, pending: new Map(), wheelAt: null,
  };
  const stats = {
    renderStart: t0, firstDraw: null, frames: [], roundTrips: [], hoverFrames: [], overlayFrames: [], moveFrames: [], zoomLatency: [], selectionLoad: [],
  };
  // for tests and benchmarks: the view's state, timings and plane <-> page coordinates
  const api = {
    model, state, stats, toClient, toPlane, viewports, redraw: () => draw(3), flush: false,
  };
  root.__asnkitSky = api;
  wrap.__asnkitSky = api;

  const isShown = (e) => !state.shown || state.shown[e] === 1;

  function loadGeometry() {
    const raw = model.get("_geometry");
    state.g = raw && raw.filenames ? decodeGeometry(raw) : null;
    state.view = null;
    loadColors();
  }
  function loadColors() {
    const raw = model.get("_colors");
    state.c = state.g && raw && raw.groups ? decodeColors(raw, state.g) : null;
    state.shown = bytes(model.get("_selectable"));
    rebuild();
  }
  function rebuild() {
    const { g, c } = state;
    state.panelBatches = new Map();
    state.panelSelected = new Map();
    state.batches = g && c ? buildBatches(g, c, isShown) : [];
    state.context = null;
    loadSelection();
    fillLegend();
  }
  function loadSelection() {
    const g = state.g, began = performance.now();
    // Python sends the selection as exposure indices (int32), not as 10,000 file names
    state.selected = new Set(g ? ints(model.get("_selection")).filter((e) => e >= 0 && e < g.n) : []);
    const path = new Paths();
    for (const e of state.selected) addRings(path, g, e);
    state.selectedPath = path;
    state.panelSelected = new Map();
    updateStatus();
    stats.selectionLoad.push(performance.now() - began);
  }
  function updateStatus() {
    const g = state.g;
    if (!g) { status.textContent = "no footprints"; return; }
    let shown = 0;
    for (let e = 0; e < g.n; e++) if (isShown(e)) shown++;
    const chosen = state.selected.size;
    status.textContent = `${chosen} selected \u00b7 ${shown} footprint${shown === 1 ? "" : "s"} shown`;
  }

  // ---------------------------------------------------------------- viewports & transforms
  function panelGroups() {
    const c = state.c;
    if (!model.get("panels") || !c) return null;
    return c.groups.map((grp, i) => i).filter((i) => c.groups[i].label !== "(no association)").slice(0, MAX_PANELS);
  }
  function viewports() {
    const W = state.width, H = state.height;
    const groups = panelGroups();
    if (!groups || !groups.length) {
      return [{ x: MARGIN.left, y: MARGIN.top, w: W - MARGIN.left - MARGIN.right, h: H - MARGIN.top - MARGIN.bottom, group: undefined }];
    }
    const n = groups.length, cols = Math.ceil(Math.sqrt((n * W) / Math.max(H, 1)));
    const rows = Math.ceil(n / cols), cw = W / cols, ch = H / rows;
    return groups.map((group, k) => ({
      x: (k % cols) * cw + 4, y: Math.floor(k / cols) * ch + 18, w: cw - 8, h: ch - 22, group,
    }));
  }
  function fitScale(vp) {
    const [x0, x1, y0, y1] = state.g.extent;
    return 0.92 * Math.min(vp.w / Math.max(x1 - x0, 1e-9), vp.h / Math.max(y1 - y0, 1e-9));
  }
  function resetView() {
    const [x0, x1, y0, y1] = state.g.extent;
    state.view = { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, zoom: 1 };
  }
  const flip = () => (state.g && state.g.plane === "sky" ? -1 : 1);
  function scaleOf(vp) { return fitScale(vp) * state.view.zoom; }
  function toLocal(vp, x, y) {
    const s = scaleOf(vp);
    return [vp.x + vp.w / 2 + flip() * (x - state.view.cx) * s, vp.y + vp.h / 2 - (y - state.view.cy) * s];
  }
  function fromLocal(vp, sx, sy) {
    const s = scaleOf(vp);
    return [state.view.cx + (flip() * (sx - vp.x - vp.w / 2)) / s, state.view.cy - (sy - vp.y - vp.h / 2) / s];
  }
  function toClient(x, y, panel = 0) {
    const rect = over.getBoundingClientRect();
    const [sx, sy] = toLocal(viewports()[panel], x, y);
    return { x: rect.left + sx, y: rect.top + sy };
  }
  function toPlane(clientX, clientY) {
    const rect = over.getBoundingClientRect();
    const sx = clientX - rect.left, sy = clientY - rect.top;
    const vps = viewports();
    const k = vps.findIndex((vp) => sx >= vp.x && sx <= vp.x + vp.w && sy >= vp.y && sy <= vp.y + vp.h);
    const vp = vps[k < 0 ? 0 : k];
    const [x, y] = fromLocal(vp, sx, sy);
    return { x, y, panel: k, vp };
  }
  function setPlaneTransform(ctx, vp) {
    const s = scaleOf(vp), dpr = window.devicePixelRatio || 1, f = flip();
    ctx.setTransform(dpr * f * s, 0, 0, -dpr * s,
      dpr * (vp.x + vp.w / 2 - f * state.view.cx * s), dpr * (vp.y + vp.h / 2 + state.view.cy * s));
    return s;
  }

  // ---------------------------------------------------------------- drawing
  function sizeCanvases() {
    // too narrow for the legend beside the plot: a few compact lines of entries below it
    wrap.classList.toggle("asnkit-sky-legend-below", body.clientWidth < LEGEND_BESIDE_MIN);
    const W = Math.max(200, Math.floor(stage.clientWidth));
    const H = model.get("height");
    const dpr = window.devicePixelRatio || 1;
    if (W === state.width && H === state.height && base.width === Math.round(W * dpr)) return;
    state.width = W; state.height = H;
    for (const c of [base, over]) {
      c.width = Math.round(W * dpr); c.height = Math.round(H * dpr);
      c.style.width = `${W}px`; c.style.height = `${H}px`;
    }
    stage.style.height = `${H}px`;
    // beside the plot the legend may be as tall as it; below it, the stylesheet's few lines
    legend.style.maxHeight = wrap.classList.contains("asnkit-sky-legend-below") ? "" : `${H}px`;
  }

  function drawBatches(ctx, batches, s, dim) {
    const groups = state.c.groups;
    // hatches stay in screen space whatever the zoom
    const screen = ctx.getTransform().invertSelf();
    for (const b of batches) {
      const color = groups[b.group].color;
      if (b.kind === "fill") {
        ctx.fillStyle = rgba(color, (1 - Math.pow(1 - FILL_ALPHA, 1 / b.stack)) * dim);
        b.path.fill(ctx);
      } else if (b.kind === "hatch") {
        const pattern = hatchPattern(ctx, color, b.i);
        pattern.setTransform(screen);
        ctx.globalAlpha = dim;
        ctx.fillStyle = pattern;
        b.path.fill(ctx);
        ctx.globalAlpha = 1;
      } else {
        ctx.lineWidth = 1.1 / s;
        ctx.strokeStyle = rgba(color, Math.max(0.85 / b.stack, 0.35) * dim);
        if (b.k > 1) {
          ctx.setLineDash([DASH / s, ((b.k - 1) * DASH) / s]);
          ctx.lineDashOffset = (-b.i * DASH) / s;
        } else ctx.setLineDash([]);
        b.path.stroke(ctx);
      }
    }
    ctx.setLineDash([]);
  }

  function contextPath() {
    if (!state.context) {
      const path = new Paths();
      for (let e = 0; e < state.g.n; e++) if (isShown(e)) addRings(path, state.g, e);
      state.context = path;
    }
    return state.context;
  }

  function drawBase() {
    const { g, c } = state;
    const ctx = base.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, base.width, base.height);
    if (!g || !c) return;
    const dim = state.selected.size ? 0.45 : 1;
    const vps = viewports();
    for (const vp of vps) {
      ctx.save();
      const dpr = window.devicePixelRatio || 1;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.beginPath(); ctx.rect(vp.x, vp.y, vp.w, vp.h); ctx.clip();
      const s = setPlaneTransform(ctx, vp);
      if (vp.group === undefined) drawBatches(ctx, state.batches, s, dim);
      else {
        ctx.lineWidth = 0.8 / s;
        ctx.strokeStyle = "rgba(120,120,120,0.35)";
        contextPath().stroke(ctx);
        let batches = state.panelBatches.get(vp.group);
        if (!batches) state.panelBatches.set(vp.group, (batches = buildBatches(g, c, isShown, vp.group)));
        drawBatches(ctx, batches, s, dim);
      }
      if (state.selected.size) {
        // a panel highlights the selected exposures among its own group's only
        const chosen = vp.group === undefined ? state.selectedPath : panelSelection(vp.group);
        ctx.lineWidth = (state.selected.size > 60 ? 1.4 : 2.2) / s;
        ctx.strokeStyle = "rgba(0,0,0,0.9)";
        ctx.fillStyle = "rgba(255,214,0,0.18)";
        chosen.fill(ctx);
        chosen.stroke(ctx);
      }
      drawTarget(ctx, vp);
      ctx.restore();
      if (vp.group !== undefined) drawPanelFrame(ctx, vp);
    }
    if (vps.length === 1 && vps[0].group === undefined) drawAxes(ctx, vps[0]);
  }

  function panelSelection(group) {
    let path = state.panelSelected.get(group);
    if (!path) {
      const { g, c } = state;
      path = new Paths();
      for (const e of state.selected) {
        for (let t = c.itemStart[e]; t < c.itemStart[e + 1]; t++) {
          if (c.itemGroup[t] === group) { addRings(path, g, e); break; }
        }
      }
      state.panelSelected.set(group, path);
    }
    return path;
  }

  function drawTarget(ctx, vp) {
    const t = state.g.target;
    if (!t) return;
    const dpr = window.devicePixelRatio || 1;
    const [sx, sy] = toLocal(vp, t[0], t[1]);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.beginPath();
    for (let k = 0; k < 10; k++) {
      const r = k % 2 ? 3.2 : 8, a = -Math.PI / 2 + (k * Math.PI) / 5;
      ctx.lineTo(sx + r * Math.cos(a), sy + r * Math.sin(a));
    }
    ctx.closePath();
    ctx.fillStyle = "#ffc107"; ctx.strokeStyle = "#000"; ctx.lineWidth = 1;
    ctx.fill(); ctx.stroke();
    if (t[2] && vp.group === undefined) { // small multiples: the star alone, no name over the panel
      ctx.font = "11px sans-serif"; ctx.fillStyle = "#333";
      // right of the star, or left of it when the name would run out of the plot
      const width = ctx.measureText(t[2]).width;
      const right = sx + 9 + width <= vp.x + vp.w - 2 || sx - 9 - width < vp.x;
      ctx.fillText(t[2], right ? sx + 9 : sx - 9 - width, sy - 6);
    }
  }

  function drawPanelFrame(ctx, vp) {
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.strokeStyle = "#bbb"; ctx.lineWidth = 1;
    ctx.strokeRect(vp.x + 0.5, vp.y + 0.5, vp.w - 1, vp.h - 1);
    const grp = state.c.groups[vp.group];
    ctx.fillStyle = grp.color; ctx.fillRect(vp.x, vp.y - 14, 10, 10);
    ctx.fillStyle = "#222"; ctx.font = "11px sans-serif";
    const name = grp.short || grp.label;
    let max = name.length, label = `${name} (${grp.count})`;
    while (max > 8 && ctx.measureText(label).width > vp.w - 16) {
      max -= 2;
      label = `${shorten(name, max)} (${grp.count})`;
    }
    // a panel too narrow even for the shortened name: the title stops at its edge
    ctx.save();
    ctx.beginPath(); ctx.rect(vp.x + 12, vp.y - 16, Math.max(0, vp.w - 12), 16); ctx.clip();
    ctx.fillText(label, vp.x + 14, vp.y - 5);
    ctx.restore();
  }

  function drawAxes(ctx, vp) {
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.strokeStyle = "#888"; ctx.lineWidth = 1;
    ctx.strokeRect(vp.x + 0.5, vp.y + 0.5, vp.w - 1, vp.h - 1);
    ctx.font = "11px sans-serif"; ctx.fillStyle = "#333";
    if (state.g.plane !== "sky") {
      ctx.fillText("schematic layout of observations, tiles and dither positions (not sky positions)", vp.x + 4, vp.y + vp.h + 26);
      return;
    }
    const [ax, ay] = fromLocal(vp, vp.x, vp.y);
    const [bx, by] = fromLocal(vp, vp.x + vp.w, vp.y + vp.h);
    const [uname, usym, per] = unitFor(Math.max(Math.abs(bx - ax), Math.abs(ay - by)));
    const lo = (a, b) => Math.min(a, b) / per, hi = (a, b) => Math.max(a, b) / per;
    const step = niceStep(Math.max(hi(ax, bx) - lo(ax, bx), hi(ay, by) - lo(ay, by)));
    ctx.textAlign = "center";
    for (let v = Math.ceil(lo(ax, bx) / step) * step; v <= hi(ax, bx); v += step) {
      const [sx] = toLocal(vp, v * per, 0);
      ctx.beginPath(); ctx.moveTo(sx, vp.y + vp.h); ctx.lineTo(sx, vp.y + vp.h + 4); ctx.stroke();
      ctx.fillText(`${fmt(v, step)}${usym}`, sx, vp.y + vp.h + 15);
    }
    ctx.textAlign = "right";
    for (let v = Math.ceil(lo(ay, by) / step) * step; v <= hi(ay, by); v += step) {
      const [, sy] = toLocal(vp, 0, v * per);
      ctx.beginPath(); ctx.moveTo(vp.x - 4, sy); ctx.lineTo(vp.x, sy); ctx.stroke();
      ctx.fillText(`${fmt(v, step)}${usym}`, vp.x - 6, sy + 4);
    }
    ctx.textAlign = "center";
    ctx.fillText(`\u0394RA [${uname}]  (east \u2190)`, vp.x + vp.w / 2, vp.y + vp.h + 31);
    ctx.save();
    ctx.translate(12, vp.y + vp.h / 2); ctx.rotate(-Math.PI / 2);
    ctx.fillText(`\u0394Dec [${uname}]  (north \u2191)`, 0, 0);
    ctx.restore();
    ctx.textAlign = "left";
    // compass: north up, east left
    const cx = vp.x + vp.w - 22, cy = vp.y + 30;
    ctx.strokeStyle = "#555"; ctx.fillStyle = "#555";
    ctx.beginPath(); ctx.moveTo(cx, cy); ctx.lineTo(cx, cy - 18); ctx.moveTo(cx, cy); ctx.lineTo(cx - 18, cy); ctx.stroke();
    ctx.fillText("N", cx - 3, cy - 20); ctx.fillText("E", cx - 29, cy + 4);
  }

  function drawOverlay() {
    const ctx = over.getContext("2d");
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, over.width, over.height);
    const { g } = state;
    if (!g) return;
    const vps = viewports();
    const outline = (e, vp, color, width) => {
      const path = new Path2D();
      addRings(path, g, e);
      ctx.save();
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.beginPath(); ctx.rect(vp.x, vp.y, vp.w, vp.h); ctx.clip();
      const s = setPlaneTransform(ctx, vp);
      ctx.lineWidth = width / s; ctx.strokeStyle = color;
      ctx.stroke(path);
      ctx.restore();
    };
    if (state.hover >= 0) outline(state.hover, state.hoverPanel || vps[0], "#d81b60", 2.5);
    if (state.legendHover >= 0 && state.c) {
      const c = state.c;
      for (let e = 0; e < g.n; e++) {
        if (!isShown(e)) continue;
        for (let t = c.itemStart[e]; t < c.itemStart[e + 1]; t++) {
          if (c.itemGroup[t] === state.legendHover) for (const vp of vps) outline(e, vp, "#000", 1.6);
        }
      }
    }
    const d = state.drag;
    if (d && (d.tool === "box" || d.tool === "lasso") && d.moved) {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.strokeStyle = d.alt ? "#c62828" : "#1565c0";
      ctx.fillStyle = d.alt ? "rgba(198,40,40,0.08)" : "rgba(21,101,192,0.08)";
      ctx.setLineDash([5, 3]); ctx.lineWidth = 1.2;
      ctx.beginPath();
      if (d.tool === "box") ctx.rect(d.sx0, d.sy0, d.sx - d.sx0, d.sy - d.sy0);
      else { d.screen.forEach(([x, y], k) => (k ? ctx.lineTo(x, y) : ctx.moveTo(x, y))); ctx.closePath(); }
      ctx.fill("evenodd"); ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  // While the view moves (wheel, pan) each frame reuses the last full drawing, scaled and
  // shifted (a few ms); the full drawing follows once the gesture pauses (SETTLE_MS).
  const snapshot = document.createElement("canvas");
  let snap = null;
  function takeSnapshot() {
    snapshot.width = base.width; snapshot.height = base.height;
    snapshot.getContext("2d").drawImage(base, 0, 0);
    snap = { ...state.view, width: state.width, height: state.height, panels: viewports().length };
  }
  function drawMoved() {
    const vps = viewports();
    if (!snap || snap.width !== state.width || snap.height !== state.height || snap.panels !== vps.length) {
      drawBase();
      return;
    }
    const ctx = base.getContext("2d"), dpr = window.devicePixelRatio || 1, f = flip();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, base.width, base.height);
    const r = state.view.zoom / snap.zoom;
    for (const vp of vps) {
      const s = scaleOf(vp), mx = vp.x + vp.w / 2, my = vp.y + vp.h / 2;
      ctx.save();
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.beginPath(); ctx.rect(vp.x, vp.y, vp.w, vp.h); ctx.clip();
      ctx.translate(mx + f * (snap.cx - state.view.cx) * s, my - (snap.cy - state.view.cy) * s);
      ctx.scale(r, r);
      ctx.translate(-mx, -my);
      ctx.drawImage(snapshot, 0, 0, snapshot.width, snapshot.height, 0, 0, state.width, state.height);
      ctx.restore();
      if (vp.group !== undefined) drawPanelFrame(ctx, vp);
    }
    if (vps.length === 1 && vps[0].group === undefined) drawAxes(ctx, vps[0]);
  }

  const OVERLAY = 1, MOVE = 2, FULL = 3;
  function draw(level) {
    if (!state.g) { drawBase(); drawOverlay(); updateStatus(); return; }
    const start = performance.now();
    sizeCanvases();
    if (!state.view) resetView();
    if (level === FULL) { drawBase(); takeSnapshot(); } else if (level === MOVE) drawMoved();
    drawOverlay();
    if (api.flush) base.getContext("2d").getImageData(0, 0, 1, 1); // benchmarks: raster now
    const end = performance.now(), ms = end - start;
    if (state.wheelAt !== null) { stats.zoomLatency.push(end - state.wheelAt); state.wheelAt = null; }
    if (level === FULL) {
      stats.frames.push(ms);
      if (stats.firstDraw === null) stats.firstDraw = performance.now() - stats.renderStart;
    } else if (level === MOVE) stats.moveFrames.push(ms);
    else stats.overlayFrames.push(ms);
    for (const list of Object.values(stats)) if (Array.isArray(list) && list.length > 400) list.splice(0, 200);
  }
  let scheduled = 0;
  function schedule(full) {
    const want = full === true ? FULL : full === false ? OVERLAY : full;
    if (scheduled >= want) return;
    const first = scheduled === 0;
    scheduled = want;
    if (first) requestAnimationFrame(() => { const level = scheduled; scheduled = 0; draw(level); });
  }
  const SETTLE_MS = 150;
  let settle = 0;
  function moved() {
    schedule(MOVE);
    clearTimeout(settle);
    settle = setTimeout(() => schedule(FULL), SETTLE_MS);
  }

  // ---------------------------------------------------------------- legend & tooltip
  function fillLegend() {
    legend.textContent = "";
    const c = state.c;
    if (!c) return;
    if (c.how) legend.append(el("div", "asnkit-sky-legend-title", c.how));
    c.groups.forEach((grp, i) => {
      const row = el("div", "asnkit-sky-legend-entry");
      row.dataset.group = grp.label;
      row.title = `${grp.label}: click selects its ${grp.count} exposure(s); Shift adds, Alt removes`;
      const sw = el("span", "asnkit-sky-swatch");
      sw.style.background = rgba(grp.color, 0.35); sw.style.borderColor = grp.color;
      row.append(sw, el("span", "asnkit-sky-legend-label", shorten(grp.short || grp.label)), el("span", "asnkit-sky-legend-count", ` ${grp.count}`));
      row.addEventListener("click", (ev) => send({ event: "legend", group: grp.label, shift: ev.shiftKey, alt: ev.altKey }));
      row.addEventListener("mouseenter", () => { state.legendHover = i; schedule(false); });
      row.addEventListener("mouseleave", () => { state.legendHover = -1; schedule(false); });
      legend.append(row);
    });
  }

  function showTip(e, sx, sy) {
    const g = state.g, info = g.info || { fields: [], values: [] };
    tip.textContent = "";
    tip.append(el("div", "asnkit-sky-tip-name", g.filenames[e]));
    info.fields.forEach((field, k) => {
      const value = info.values[k][e];
      if (value !== "" && value !== null && value !== undefined) {
        const line = el("div", "asnkit-sky-tip-line");
        line.append(el("span", "asnkit-sky-tip-key", `${field}: `), document.createTextNode(value));
        tip.append(line);
      }
    });
    const c = state.c;
    // the groups it is coloured by, unless the lines above already say them (dither, tile)
    if (c && c.how && c.how !== "dither" && c.how !== "tile") {
      const labels = [];
      for (let t = c.itemStart[e]; t < c.itemStart[e + 1]; t++) labels.push(c.groups[c.itemGroup[t]].label);
      const line = el("div", "asnkit-sky-tip-line");
      line.append(el("span", "asnkit-sky-tip-key", `${c.how}: `), document.createTextNode(labels.join(", ")));
      tip.append(line);
    }
    if (state.selected.has(e)) tip.append(el("div", "asnkit-sky-tip-sel", "\u2714 selected"));
    tip.style.display = "block";
    const left = sx + 14 + tip.offsetWidth > state.width ? sx - tip.offsetWidth - 10 : sx + 14;
    tip.style.left = `${Math.max(0, left)}px`;
    tip.style.top = `${Math.max(0, Math.min(sy + 12, state.height - tip.offsetHeight))}px`;
  }

  // ---------------------------------------------------------------- talking to Python
  function send(message) {
    state.seq += 1;
    message.seq = state.seq;
    state.pending.set(state.seq, performance.now());
    model.send(message);
  }
  model.on("change:_ack", () => {
    const seq = model.get("_ack"), began = state.pending.get(seq);
    if (began !== undefined) {
      state.pending.delete(seq);
      requestAnimationFrame(() => stats.roundTrips.push(performance.now() - began));
    }
  });

  // ---------------------------------------------------------------- mouse
  function allowedIn(vp) {
    const c = state.c;
    return (e) => {
      if (!isShown(e)) return false;
      if (vp.group === undefined || !c) return true;
      for (let t = c.itemStart[e]; t < c.itemStart[e + 1]; t++) if (c.itemGroup[t] === vp.group) return true;
      return false;
    };
  }
  const groupLabel = (vp) => (vp.group === undefined ? null : state.c.groups[vp.group].label);

  over.addEventListener("pointerdown", (ev) => {
    if (!state.g || ev.button !== 0) return;
    const rect = over.getBoundingClientRect();
    const p = toPlane(ev.clientX, ev.clientY);
    const sx = ev.clientX - rect.left, sy = ev.clientY - rect.top;
    state.drag = {
      tool: model.get("tool"), sx0: sx, sy0: sy, sx, sy, x0: p.x, y0: p.y, vp: p.vp,
      view: { ...state.view }, moved: false, screen: [[sx, sy]], plane: [[p.x, p.y]],
      shift: ev.shiftKey, alt: ev.altKey,
    };
    over.setPointerCapture(ev.pointerId);
    state.hover = -1; tip.style.display = "none";
  });
  over.addEventListener("pointermove", (ev) => {
    if (!state.g) return;
    const rect = over.getBoundingClientRect();
    const sx = ev.clientX - rect.left, sy = ev.clientY - rect.top;
    const d = state.drag;
    if (d) {
      d.sx = sx; d.sy = sy;
      d.shift = d.shift || ev.shiftKey; d.alt = d.alt || ev.altKey;
      if (Math.abs(sx - d.sx0) + Math.abs(sy - d.sy0) > 3) d.moved = true;
      if (d.tool === "pan") {
        const s = scaleOf(d.vp);
        state.view.cx = d.view.cx - (flip() * (sx - d.sx0)) / s;
        state.view.cy = d.view.cy + (sy - d.sy0) / s;
        moved();
      } else {
        if (d.tool === "lasso") {
          const last = d.screen[d.screen.length - 1];
          if (Math.abs(sx - last[0]) + Math.abs(sy - last[1]) >= 2) {
            const [x, y] = fromLocal(d.vp, sx, sy);
            d.screen.push([sx, sy]); d.plane.push([x, y]);
          }
        }
        schedule(false);
      }
      return;
    }
    const p = toPlane(ev.clientX, ev.clientY);
    const start = performance.now();
    const hit = p.panel < 0 && viewports().length > 1 ? -1 : hitTest(state.g, p.x, p.y, allowedIn(p.vp));
    if (hit !== state.hover) {
      state.hover = hit; state.hoverPanel = p.vp;
      drawOverlay();
      if (api.flush) over.getContext("2d").getImageData(0, 0, 1, 1);
    }
    if (hit >= 0) showTip(hit, sx, sy); else tip.style.display = "none";
    stats.hoverFrames.push(performance.now() - start); // hit test, highlight and tooltip
  });
  over.addEventListener("pointerleave", () => {
    if (state.drag) return;
    state.hover = -1; tip.style.display = "none"; schedule(false);
  });
  over.addEventListener("pointerup", (ev) => {
    const d = state.drag;
    state.drag = null;
    if (!d) return;
    const shift = d.shift || ev.shiftKey, alt = d.alt || ev.altKey;
    const group = groupLabel(d.vp);
    if (!d.moved) {
      send({ event: "click", x: d.x0, y: d.y0, shift, alt, group });
    } else if (d.tool === "box") {
      const [x1, y1] = fromLocal(d.vp, d.sx, d.sy);
      send({ event: "box", a: [d.x0, d.y0], b: [x1, y1], shift, alt, group });
    } else if (d.tool === "lasso" && d.plane.length >= 3) {
      send({ event: "lasso", points: d.plane, shift, alt, group });
    }
    schedule(false);
  });
  over.addEventListener("wheel", (ev) => {
    if (!state.g) return;
    ev.preventDefault();
    const p = toPlane(ev.clientX, ev.clientY);
    const factor = Math.exp(-ev.deltaY * (ev.deltaMode === 1 ? 0.05 : 0.0015));
    const zoom = Math.min(Math.max(state.view.zoom * factor, 0.05), 5000);
    const rect = over.getBoundingClientRect();
    const sx = ev.clientX - rect.left, sy = ev.clientY - rect.top;
    state.view.zoom = zoom;
    // keep the plane point under the pointer where it is
    const [nx, ny] = fromLocal(p.vp, sx, sy);
    state.view.cx += p.x - nx; state.view.cy += p.y - ny;
    state.hover = -1; tip.style.display = "none";
    if (state.wheelAt === null) state.wheelAt = ev.timeStamp;
    moved();
  }, { passive: false });

  reset.addEventListener("click", () => { if (state.g) { resetView(); schedule(true); } });
  clear.addEventListener("click", () => send({ event: "clear", shift: false, alt: false, group: null }));
  colorSelect.addEventListener("change", () => { model.set("color_by", colorSelect.value); model.save_changes(); });
  panelsBox.addEventListener("change", () => { model.set("panels", panelsBox.checked); model.save_changes(); });

  function syncControls() {
    const tool = model.get("tool");
    for (const [name, b] of Object.entries(toolButtons)) b.classList.toggle("asnkit-active", name === tool);
    over.dataset.tool = tool;
    colorSelect.textContent = "";
    for (const [label, value] of model.get("color_options")) {
      const o = el("option", null, label); o.value = value; colorSelect.append(o);
    }
    colorSelect.value = model.get("color_by");
    panelsBox.checked = model.get("panels");
    wrap.classList.toggle("asnkit-sky-nolegend", !model.get("legend"));
  }

  model.on("change:_geometry", () => { loadGeometry(); schedule(true); });
  model.on("change:_colors", () => { loadColors(); schedule(true); });
  model.on("change:_selectable", () => { state.shown = bytes(model.get("_selectable")); rebuild(); schedule(true); });
  model.on("change:_selection", () => { loadSelection(); schedule(true); });
  model.on("change:tool change:color_options change:color_by change:legend", syncControls);
  model.on("change:panels", () => { syncControls(); state.view = null; schedule(true); });
  model.on("change:height", () => schedule(true));

  syncControls();
  loadGeometry();
  const observer = new ResizeObserver(() => schedule(true));
  observer.observe(stage);
  schedule(true);
  return () => observer.disconnect();
}

export default { render };
