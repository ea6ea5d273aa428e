// labkeeper's live topology page. One lab at a time: its document (GET /api/v1/labs/NAME: spec,
// status, events, cursor), then its events from that cursor (GET /api/v1/events?since&boot, so a
// reconnect or a controller restart loses and repeats nothing), re-reading the document when one
// comes; its interfaces' counters every 2 s for rates. window.labkeeper.model is the page's data
// model, kept for tests: what is drawn is drawn from it.
"use strict";

const model = {
  labs: [],          // [{name, conditions, nodes, links}]
  lab: "",           // the lab shown
  nodes: {},         // name -> {name, kind, image, architecture, emulated, state, mgmtIPv4, mgmtIPv6, lastError,
                     //          conditions, driftCorrections, shown: as drawn (running, repairing, or the state)}
  links: {},         // id -> {id, type, mtu, a, b, state, up, lastError, driftCorrections, impairments, bps, pps,
                     //        shown: "up" | "down" as drawn}
  ifaces: {},        // "node:iface" -> {operUp, rxBytes, txBytes, rxPackets, txPackets, bps, pps}
  events: [],        // the lab's recent events, newest last
  conditions: [],
  repairsLastHour: 0, // the lab's status.repairsLastHour
  seq: 0, boot: "",  // the last event had (the document's cursor at first)
  stale: true,       // no word from the controller for a while
  errors: [],        // what went wrong talking to the controller, newest last
  updates: 0,        // times the model changed (tests wait on it)
  counterResets: 0,  // interfaces whose counters went down between two reads (made again): no rate then
};
window.labkeeper = { model };

const STALE_MS = 10000;  // the stream sends an empty line every 3 s: silence this long is stale
let heard = 0;           // when the stream last said anything
let token = sessionStorage.getItem("labkeeper-token") || "";
let cy = null;
let streamAbort = null;
let prevCounters = {};   // "node:iface" -> {at, counters} when last read (kept while it is gone: back, it was reset)

function headers() {
  return token ? { Authorization: "Bearer " + token } : {};
}

function failed(what) {
  model.errors.push(what);
  if (model.errors.length > 20) model.errors.shift();
}

async function getJson(path) {
  const r = await fetch(path, { headers: headers(), cache: "no-store" });
  if (r.status === 401) {
    document.getElementById("token-form").hidden = false;
    throw new Error("the API asks for its token");
  }
  if (!r.ok) throw new Error(path + ": " + r.status);
  return r.json();
}

async function loadLabs() {
  const doc = await getJson("/api/v1/labs");
  model.labs = doc.labs;
  const nav = document.getElementById("labs");
  nav.replaceChildren();
  for (const l of model.labs) {
    const div = document.createElement("div");
    div.className = "lab" + (l.name === model.lab ? " selected" : "");
    div.textContent = l.name;
    for (const c of l.conditions) {
      const s = document.createElement("div");
      const bad = (c.type === "Ready" && c.status !== "True") || (c.type !== "Ready" && c.status === "True" && c.type !== "Placed");
      s.className = "cond" + (bad ? " bad" : "");
      s.textContent = c.type + " " + c.status + (c.reason ? " (" + c.reason + ")" : "");
      div.appendChild(s);
    }
    div.onclick = () => selectLab(l.name);
    nav.appendChild(div);
  }
  if (!model.lab && model.labs.length) selectLab(new URLSearchParams(location.search).get("lab") || model.labs[0].name);
}

// The lab's document into the model: nodes and links of the spec with their status.
async function loadLab() {
  const doc = await getJson("/api/v1/labs/" + encodeURIComponent(model.lab));
  const status = doc.status || {};
  const nodes = {};
  for (const n of (doc.spec && doc.spec.nodes) || []) nodes[n.name] = { name: n.name, kind: n.kind, image: n.image, state: "missing" };
  for (const n of status.nodes || []) nodes[n.name] = Object.assign(nodes[n.name] || {}, n);
  const links = {};
  const linkState = {};
  for (const l of status.links || []) linkState[l.id] = l;
  for (const l of (doc.spec && doc.spec.links) || []) {
    const s = linkState[l.id] || {};
    links[l.id] = { id: l.id, type: l.type, mtu: l.mtu, a: l.a, b: l.b || null, state: s.state || "unknown", lastError: s.lastError || "", driftCorrections: s.driftCorrections || 0, impairments: s.impairments || [], up: false, bps: null, pps: null };
  }
  model.nodes = nodes;
  model.links = links;
  model.conditions = status.conditions || [];
  model.events = doc.events || [];
  model.repairsLastHour = status.repairsLastHour || 0;  // the controller's count of drift repaired
  if (!model.boot || model.boot !== doc.cursor.boot || model.seq < doc.cursor.seq) {
    model.seq = doc.cursor.seq;
    model.boot = doc.cursor.boot;
  }
  applyInterfaces();
  changed();
}

// Each link's state from its ends' interfaces: up when both (or its one end) are up.
function applyInterfaces() {
  for (const l of Object.values(model.links)) {
    const ends = [l.a, l.b].filter((e) => e && e.node !== "host");
    const seen = ends.map((e) => model.ifaces[e.node + ":" + e.interface]);
    l.up = l.state === "up" && seen.length > 0 && seen.every((i) => i && i.operUp);
    const first = seen.find((i) => i && i.bps !== null && i.bps !== undefined);
    l.bps = first ? first.bps : null;
    l.pps = first ? first.pps : null;
    l.shown = l.up && !shownDown("link/" + l.id) ? "up" : "down";
  }
  for (const n of Object.values(model.nodes)) {
    n.repairing = shownDown("node/" + n.name) || (n.state !== "running" && model.conditions.some((c) => c.type === "Reconciling" && c.status === "True"));
    n.shown = n.state === "running" && !n.repairing ? "running" : n.repairing ? "repairing" : n.state;
  }
}

// Counters into rates: bits and packets per second (sent and received) since the last read; a
// counter that went down was reset (the interface was made again): no rate until the next read.
async function readInterfaces() {
  if (!model.lab) return;
  const doc = await getJson("/api/v1/labs/" + encodeURIComponent(model.lab) + "/interfaces");
  const now = {};
  for (const i of doc.interfaces) {
    const key = i.node + ":" + i.interface;
    const entry = { operUp: i.operUp, adminUp: i.adminUp, mtu: i.mtu, rxBytes: i.rxBytes, txBytes: i.txBytes, rxPackets: i.rxPackets, txPackets: i.txPackets, bps: null, pps: null };
    const before = prevCounters[key];
    const dt = before ? (doc.readAtMillis - before.at) / 1000 : 0;
    if (before && dt > 0) {
      const bytes = i.rxBytes + i.txBytes - (before.rxBytes + before.txBytes);
      const packets = i.rxPackets + i.txPackets - (before.rxPackets + before.txPackets);
      if (bytes >= 0 && packets >= 0) {
        entry.bps = (bytes * 8) / dt;
        entry.pps = packets / dt;
      } else {
        model.counterResets++;
      }
    }
    now[key] = entry;
    prevCounters[key] = { at: doc.readAtMillis, rxBytes: i.rxBytes, txBytes: i.txBytes, rxPackets: i.rxPackets, txPackets: i.txPackets };
  }
  model.ifaces = now;
  applyInterfaces();
  changed();
}

// The lab's events from the model's cursor, until the stream ends; then again, from where it left.
async function follow() {
  for (;;) {
    const lab = model.lab;
    streamAbort = new AbortController();
    try {
      const q = "?lab=" + encodeURIComponent(lab) + "&since=" + model.seq + "&boot=" + model.boot;
      const r = await fetch("/api/v1/events" + q, { headers: headers(), signal: streamAbort.signal });
      if (!r.ok) throw new Error("events: " + r.status);
      heard = Date.now();  // connected: the controller answers
      const reader = r.body.getReader();
      const text = new TextDecoder();
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        heard = Date.now();
        buf += text.decode(value, { stream: true });
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) onEvent(JSON.parse(line));
        }
      }
    } catch (e) {
      if (lab !== model.lab) return;  // another lab was chosen
      failed(String(e));
    }
    if (lab !== model.lab) return;
    await new Promise((ok) => setTimeout(ok, 1000));
  }
}

// A repair is usually over before the page could read the state between (a restarted container
// is started again in a fraction of a second): what was repaired is shown down for a while when
// its event comes (node.shown / link.shown: what is drawn), then as the lab is.
const SHOW_REPAIR_MS = 3000;
const NODE_REPAIRS = /^Container(Started|Recreated|Replaced)$/;
const LINK_REPAIRS = /^(LinkCreated|InterfaceRepaired)$/;
const repaired = {};  // "node/NAME" or "link/ID" -> until when it is shown down
function noteRepair(e) {
  if (!NODE_REPAIRS.test(e.reason) && !LINK_REPAIRS.test(e.reason)) return;  // drift repaired: Warning
  repaired[e.object] = Date.now() + SHOW_REPAIR_MS;
  setTimeout(() => { applyInterfaces(); changed(); }, SHOW_REPAIR_MS + 50);
}
function shownDown(object) {
  return (repaired[object] || 0) > Date.now();
}

let reload = null;
function onEvent(e) {
  if (e.reason === "StreamGap") {
    model.seq = e.seq;
    model.boot = e.boot;
  } else {
    if (e.boot === model.boot && e.seq <= model.seq) return;  // had it
    model.seq = e.seq;
    model.boot = e.boot;
    if (e.lab === model.lab && e.reason !== "Reconciled") model.events.push(e);
    if (e.lab === model.lab) noteRepair(e);
  }
  clearTimeout(reload);  // a burst of events is one read of the document
  reload = setTimeout(() => loadLab().catch((err) => failed(String(err))), 150);
}

function selectLab(name) {
  if (streamAbort) streamAbort.abort();
  model.lab = name;
  model.seq = 0;
  model.boot = "";
  prevCounters = {};
  model.ifaces = {};
  document.getElementById("lab-name").textContent = name;
  if (cy) cy.elements().remove();
  // Until the lab's document is read (a lab just added may not be known yet), again every 2 s.
  const first = () => loadLab()
    .then(() => { follow(); readInterfaces().catch((e) => failed(String(e))); })
    .catch((e) => { failed(String(e)); if (model.lab === name) setTimeout(first, 2000); });
  first();
  loadLabs().catch((e) => failed(String(e)));
}

function human(v, unit) {
  if (v === null || v === undefined) return "-";
  const k = ["", "k", "M", "G"];
  let i = 0;
  while (v >= 1000 && i < k.length - 1) { v /= 1000; i++; }
  return v.toFixed(v < 10 && i ? 1 : 0) + " " + k[i] + unit;
}

function nodeColor(n) {
  if (n.shown === "running") return "#2f8132";
  if (n.shown === "repairing") return "#ba2525";
  return n.state === "missing" ? "#9aa5b1" : "#ba2525";
}

function draw() {
  if (!cy) {
    cy = cytoscape({
      container: document.getElementById("graph"),
      style: [
        { selector: "node", style: { label: "data(id)", "background-color": "data(color)", "border-width": "data(border)", "border-style": "dashed", "border-color": "#52606d" } },
        { selector: "edge", style: { "line-color": "data(color)", width: "data(width)", "source-label": "data(aIf)", "target-label": "data(bIf)", "source-text-offset": 24, "target-text-offset": 24, "font-size": 9, "curve-style": "bezier" } },
        { selector: ":selected", style: { "overlay-opacity": 0.2 } },
      ],
    });
    cy.on("tap", "node, edge", (ev) => details(ev.target.data("kind"), ev.target.id()));
    // Hovering shows the same details (a link's rates as they come); leaving goes back to the one clicked.
    cy.on("mouseover", "node, edge", (ev) => { hovered = [ev.target.data("kind"), ev.target.id()]; details(); });
    cy.on("mouseout", "node, edge", () => { hovered = null; details(); });
    window.labkeeper.cy = cy;  // for tests: where things are drawn
    cy.on("dragfree", "node", savePositions);
  }
  const want = new Set();
  for (const n of Object.values(model.nodes)) {
    want.add(n.name);
    const data = { id: n.name, kind: "node", color: nodeColor(n), border: n.emulated ? 3 : 0 };
    const el = cy.getElementById(n.name);
    if (el.length) el.data(data); else cy.add({ group: "nodes", data });
  }
  for (const l of Object.values(model.links)) {
    if (!l.b || !model.nodes[l.a.node] || !model.nodes[l.b.node]) continue;
    want.add(l.id);
    const width = l.bps ? Math.min(12, 2 + Math.log10(1 + l.bps) / 1.2) : 2;
    const data = { id: l.id, kind: "link", source: l.a.node, target: l.b.node, color: l.shown === "up" ? "#2f8132" : "#ba2525", width, aIf: l.a.interface, bIf: l.b.interface };
    const el = cy.getElementById(l.id);
    if (el.length) el.data(data); else cy.add({ group: "edges", data });
  }
  cy.elements().filter((el) => !want.has(el.id())).remove();
  layout();
}

let laidOut = "";
function layout() {
  if (laidOut === model.lab + ":" + cy.nodes().length) return;
  laidOut = model.lab + ":" + cy.nodes().length;
  const saved = JSON.parse(localStorage.getItem("labkeeper-positions-" + model.lab) || "{}");
  const all = cy.nodes().every((n) => saved[n.id()]);
  if (all) {
    cy.nodes().forEach((n) => n.position(saved[n.id()]));
    cy.fit(undefined, 30);
    return;
  }
  cy.layout({ name: "fcose", animate: false, randomize: true, nodeRepulsion: 8000, idealEdgeLength: 90 }).run();
  savePositions();
}

function savePositions() {
  const pos = {};
  cy.nodes().forEach((n) => { pos[n.id()] = n.position(); });
  localStorage.setItem("labkeeper-positions-" + model.lab, JSON.stringify(pos));
}

let clicked = null;  // [kind, id] clicked last
let hovered = null;  // [kind, id] under the pointer
function details(kind, id) {
  clicked = kind ? [kind, id] : clicked;
  const shown = hovered || clicked;
  if (!shown) return;
  const rows = [];
  if (shown[0] === "node" && model.nodes[shown[1]]) {
    const n = model.nodes[shown[1]];
    rows.push(["node", n.name], ["kind", n.kind], ["image", n.image], ["architecture", n.architecture || ""], ["emulated", String(!!n.emulated)], ["state", n.state], ["mgmt IPv4", n.mgmtIPv4 || ""], ["mgmt IPv6", n.mgmtIPv6 || ""], ["last error", n.lastError || ""]);
    for (const c of n.conditions || []) rows.push([c.type, c.status + " (" + c.reason + ")" + (c.message ? ": " + c.message : "")]);
    rows.push(["drift repaired", String(n.driftCorrections || 0)]);
  } else if (shown[0] === "link" && model.links[shown[1]]) {
    const l = model.links[shown[1]];
    rows.push(["link", l.id], ["type", l.type], ["a", l.a.node + ":" + l.a.interface], ["b", l.b ? l.b.node + ":" + l.b.interface : ""], ["MTU", String(l.mtu)], ["state", l.up ? "up" : "down (" + l.state + ")"], ["traffic", human(l.bps, "bit/s") + ", " + human(l.pps, "packets/s")], ["last error", l.lastError], ["drift repaired", String(l.driftCorrections)]);
    // Its ends' impairments (docs/impairments.md), and why one is not made.
    for (const i of l.impairments) rows.push(["impaired " + i.end, i.declared + (i.problem ? " (not made: " + i.problem + ")" : "")]);
  }
  const t = document.createElement("table");
  for (const [k, v] of rows) {
    const tr = t.insertRow();
    tr.insertCell().textContent = k;
    tr.insertCell().textContent = v;
  }
  document.getElementById("details").replaceChildren(t);
}

window.labkeeper.details = (kind, id) => details(kind, id);  // for tests: the side panel of an object

function render() {
  const nodes = Object.values(model.nodes);
  const links = Object.values(model.links);
  document.getElementById("counts").textContent =
    nodes.filter((n) => n.state === "running").length + "/" + nodes.length + " nodes running, " +
    links.filter((l) => l.up).length + "/" + links.length + " links up, " + model.repairsLastHour + " repairs in the last hour";
  const ol = document.getElementById("events");
  ol.replaceChildren();
  for (const e of model.events.slice(-30).reverse()) {
    const li = document.createElement("li");
    li.className = e.type;
    li.textContent = e.time + " " + e.reason + " " + e.object + ": " + e.message;
    ol.appendChild(li);
  }
  draw();
  details();
}

function changed() {
  model.updates++;
  render();
}

function watchStale() {
  const stale = Date.now() - heard > STALE_MS;
  if (stale !== model.stale) {
    model.stale = stale;
    model.updates++;
  }
  const b = document.getElementById("badge");
  b.textContent = stale ? "stale" : "live";
  b.className = "badge " + (stale ? "stale" : "live");
}

document.getElementById("token-form").onsubmit = (ev) => {
  ev.preventDefault();
  token = document.getElementById("token").value;
  sessionStorage.setItem("labkeeper-token", token);
  document.getElementById("token-form").hidden = true;
  loadLabs().catch((e) => failed(String(e)));
};

if (window.cytoscapeFcose) cytoscape.use(cytoscapeFcose);
setInterval(watchStale, 1000);
setInterval(() => readInterfaces().catch((e) => failed(String(e))), 2000);
setInterval(() => loadLabs().catch((e) => failed(String(e))), 15000);
loadLabs().catch((e) => failed(String(e)));
