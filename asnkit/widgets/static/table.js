// asnkit ExposureTable: a sortable table of exposures with a checkbox and a role per row
// (an anywidget ES module, no dependencies). Ticking, sorting and choosing roles happen here;
// `selected` (file names) and `roles` (file name -> role) sync with Python.

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}
function natural(a, b) {
  const na = Number(a), nb = Number(b);
  if (a !== "" && b !== "" && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: "base" });
}

function render({ model, el: root }) {
  const wrap = el("div", "asnkit-table");
  const head = el("div", "asnkit-table-head");
  const count = el("span", "asnkit-table-count");
  const all = el("button", "asnkit-table-all", "choose all shown");
  all.title = "tick every exposure the filters show";
  const none = el("button", "asnkit-table-none", "clear");
  none.title = "untick every exposure";
  const onlyLabel = el("label", "asnkit-table-only");
  const only = el("input");
  only.type = "checkbox";
  onlyLabel.append(only, document.createTextNode(" chosen only"));
  head.append(count, all, none, onlyLabel);
  const scroller = el("div", "asnkit-table-scroll");
  const table = el("table");
  const thead = el("thead");
  const tbody = el("tbody");
  table.append(thead, tbody);
  scroller.append(table);
  const note = el("div", "asnkit-table-note");
  wrap.append(head, scroller, note);
  root.append(wrap);

  const state = { rows: null, order: [], sortKey: "", descending: false, lastClicked: -1 };
  root.__asnkitTable = { model, state };

  function chosenSet() { return new Set(model.get("selected")); }
  function shownMask() {
    const view = model.get("_shown");
    if (!view || !view.byteLength) return null;
    return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
  }

  function sortRows() {
    const rows = state.rows;
    if (!rows) { state.order = []; return; }
    const n = rows.filenames.length;
    const order = Array.from({ length: n }, (_, i) => i);
    const key = state.sortKey;
    if (key) {
      const chosen = chosenSet();
      const value = key === "_chosen"
        ? (i) => (chosen.has(rows.filenames[i]) ? 0 : 1)
        : key === "_role" ? (i) => roleOf(i) : (i) => rows.values[key][i];
      order.sort((a, b) => {
        const c = key === "_chosen" ? value(a) - value(b) : natural(value(a), value(b));
        return (state.descending ? -c : c) || a - b;
      });
    }
    state.order = order;
  }

  function roleOf(i) {
    const name = state.rows.filenames[i];
    return model.get("roles")[name] || `${state.rows.auto_roles[i]} (auto)`;
  }

  function fillHead() {
    thead.textContent = "";
    const tr = el("tr");
    // the role right after the exposure: in sight without scrolling sideways
    const [first, ...rest] = state.rows.columns;
    const cols = [["_chosen", "\u2714"], first, ["_role", "role"], ...rest];
    for (const [key, label] of cols) {
      const th = el("th", null, label);
      th.dataset.key = key;
      th.title = "sort by this column (click again: reverse)";
      if (state.sortKey === key) th.append(el("span", "asnkit-table-arrow", state.descending ? " \u25bc" : " \u25b2"));
      th.addEventListener("click", () => {
        if (state.sortKey === key) state.descending = !state.descending;
        else { state.sortKey = key; state.descending = false; }
        refresh(true);
      });
      tr.append(th);
    }
    thead.append(tr);
  }

  function fillBody() {
    const rows = state.rows;
    tbody.textContent = "";
    if (!rows) return;
    const chosen = chosenSet();
    const shown = shownMask();
    const onlyChosen = only.checked;
    const cap = model.get("max_rows");
    const options = model.get("role_options");
    let listed = 0, hidden = 0, offered = 0;
    const frag = document.createDocumentFragment();
    for (const i of state.order) {
      const name = rows.filenames[i];
      const isChosen = chosen.has(name);
      const visible = (!shown || shown[i] === 1 || isChosen) && (!onlyChosen || isChosen);
      if (!visible) continue;
      offered++;
      if (listed >= cap) { hidden++; continue; }
      listed++;
      const tr = el("tr", isChosen ? "asnkit-chosen" : "");
      tr.dataset.filename = name;
      tr.dataset.index = i;
      const td0 = el("td");
      const box = el("input");
      box.type = "checkbox";
      box.checked = isChosen;
      box.title = "choose this exposure (Shift: every row from the last one ticked)";
      td0.append(box);
      tr.append(td0);
      const [[firstKey], ...others] = rows.columns;
      tr.append(el("td", null, rows.values[firstKey][i]));
      const tdRole = el("td", "asnkit-table-role");
      if (isChosen) {
        const select = el("select");
        const given = model.get("roles")[name] || "auto";
        for (const role of options) {
          const o = el("option", null, role === "auto" ? `${rows.auto_roles[i]} (auto)` : role);
          o.value = role;
          select.append(o);
        }
        select.value = given;
        tdRole.append(select);
      } else tdRole.append(el("span", "asnkit-table-auto", rows.auto_roles[i]));
      tr.append(tdRole);
      for (const [key] of others) tr.append(el("td", null, rows.values[key][i]));
      frag.append(tr);
    }
    tbody.append(frag);
    count.textContent = `${chosen.size} chosen \u00b7 ${offered} listed`;
    note.textContent = hidden ? `${hidden} more rows not listed: narrow the filters or sort` : "";
  }

  function refresh(resort) {
    if (resort) sortRows();
    if (state.rows) fillHead();
    fillBody();
  }

  function setChosen(names, value) {
    const chosen = model.get("selected");
    let next;
    if (value) {
      const have = new Set(chosen);
      next = chosen.concat(names.filter((n) => !have.has(n)));
    } else {
      const gone = new Set(names);
      next = chosen.filter((n) => !gone.has(n));
    }
    model.set("selected", next);
    model.save_changes();
  }

  tbody.addEventListener("click", (ev) => {
    const box = ev.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox") return;
    const tr = box.closest("tr");
    const position = [...tbody.children].indexOf(tr);
    let names = [tr.dataset.filename];
    if (ev.shiftKey && state.lastClicked >= 0) {
      const [a, b] = [Math.min(position, state.lastClicked), Math.max(position, state.lastClicked)];
      names = [...tbody.children].slice(a, b + 1).map((row) => row.dataset.filename);
    }
    state.lastClicked = position;
    setChosen(names, box.checked);
  });
  tbody.addEventListener("change", (ev) => {
    const select = ev.target;
    if (!(select instanceof HTMLSelectElement)) return;
    const name = select.closest("tr").dataset.filename;
    const roles = { ...model.get("roles") };
    if (select.value === "auto") delete roles[name];
    else roles[name] = select.value;
    model.set("roles", roles);
    model.save_changes();
  });
  all.addEventListener("click", () => {
    const shown = shownMask();
    const names = state.rows.filenames.filter((_, i) => !shown || shown[i] === 1);
    setChosen(names, true);
  });
  none.addEventListener("click", () => { model.set("selected", []); model.save_changes(); });
  only.addEventListener("change", () => fillBody());

  function load() {
    const rows = model.get("_rows");
    state.rows = rows && rows.filenames ? rows : null;
    refresh(true);
  }
  function resize() { scroller.style.maxHeight = `${model.get("height")}px`; }
  model.on("change:_rows", load);
  model.on("change:selected change:roles change:_shown change:max_rows change:role_options", () =>
    refresh(state.sortKey === "_chosen" || state.sortKey === "_role"));
  model.on("change:height", resize);
  resize();
  load();
}

export default { render };
