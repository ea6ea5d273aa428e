// The live topology page in a real browser (Debian's chromium, headless, driven by
// playwright-core) against a real controller and a real lab (#19). It starts the controller on a
// lab of its own, and checks on the page's data model (window.labkeeper.model), never on pixels:
//   1. the nodes and links on the page are the API's;
//   2. `docker stop` of a node turns it not running, and the repair turns it running again; the
//      repair is counted (the node's drift counter, the header's repairs in the last hour) and
//      shown in the node's side panel with its Ready condition;
//   3. `ip link del` of a link's end inside a node turns the link down, the repair up again (and
//      counted on the link);
//   4. a ping flood across a link shows a rate on it; its end deleted and made again, the reset
//      counters give no rate for a read, never a negative one;
//   5. the controller restarted: the page goes on (a new run, read again) without a reload;
//   6. a lab of 500 nodes is drawn whole, a link's declared impairments in its side panel;
//   7. off loopback (a second controller on an address of a veth pair the test makes, with a
//      token), the page asks for the token and, given it, shows the labs live;
// and, with LK_UI_EMULATED_IMAGE (an image of another architecture), a node of it is marked;
// and after all: no console error, no request to anything but the controller. A screenshot of each
// step goes to ARTIFACTS. Everything it made (the lab, its controller, its files) is removed at the
// end, also on failure. Exit 0 when every check held; each failure is printed.
// Usage: node tests/ui/page_test.js LABKEEPER_BIN PORT ARTIFACTS IMAGE [LAB] [NET]
// (LAB, default lkpage, and NET, the first two octets' /16 it takes two /24s of, default 198.18,
// for a run beside another.)
"use strict";
const { chromium } = require("playwright-core");
const { spawn, execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const [bin, port, artifacts, image, labArg, netArg] = process.argv.slice(2);
const base = `http://127.0.0.1:${port}`;
const lab = labArg || "lkpage";
const net = netArg || "198.18";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lkpage-"));
// An image of another architecture (run under emulation), for a node the page marks; none: no such node.
const emulated = process.env.LK_UI_EMULATED_IMAGE || "";
// 7. The page off loopback: a second controller listening on an address of a veth pair the test
// makes on the host (`${lab}-t0`, ${net}.46.1/30), with a token.
const tokIf = `${lab}-t0`;
const tokBase = `http://${net}.46.1:${Number(port) + 1}`;
let tokCtl = null;
const failures = [];
let ctl = null;

function check(ok, what) {
  if (!ok) failures.push(what);
  console.log((ok ? "ok   " : "FAIL ") + what);
}

function startController() {
  ctl = spawn(bin, ["run", "--dir", `${dir}/labs`, "--state-dir", `${dir}/state`, "--listen", `127.0.0.1:${port}`, "--no-host-names"],
    { stdio: ["ignore", fs.openSync(`${dir}/controller.log`, "a"), fs.openSync(`${dir}/controller.log`, "a")] });
}

function stopController() {
  if (!ctl) return Promise.resolve();
  const c = ctl;
  ctl = null;
  return new Promise((done) => { c.on("exit", done); c.kill("SIGTERM"); });
}

function sh(cmd, args) {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

async function api(p) {
  const r = await fetch(base + p);
  if (!r.ok) throw new Error(`${p}: ${r.status}`);
  return r.json();
}

// Waits (generously: containers start and repairs come when the engine says) for `ok` on the model.
async function until(page, what, ok, seconds = 120, arg = null) {
  try {
    await page.waitForFunction(ok, arg, { timeout: seconds * 1000, polling: 200 });
    return true;
  } catch (e) {
    const m = await page.evaluate(() => JSON.stringify(window.labkeeper && window.labkeeper.model)).catch(() => "?");
    console.log(`  (waiting for ${what}: ${String(e).split("\n")[0]}; model ${m.slice(0, 2000)})`);
    return false;
  }
}

// Where a node (its centre) or a link (its middle) is drawn, in the page's coordinates.
async function onScreen(page, id) {
  return page.evaluate((id) => {
    const box = document.getElementById("graph").getBoundingClientRect();
    const el = window.labkeeper.cy.getElementById(id);
    const p = el.isNode() ? el.renderedPosition() : el.renderedMidpoint();
    return { x: box.left + p.x, y: box.top + p.y };
  }, id);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`) }).catch(() => {});
}

function pidOf(node) {
  return sh("docker", ["inspect", "-f", "{{.State.Pid}}", `clab-${lab}-${node}`]).trim();
}

async function run(page) {
  await page.goto(base + "/");
  check(await until(page, "the lab on the page", () => {
    const m = window.labkeeper.model;
    return !m.stale && Object.keys(m.links).length === 2 && Object.values(m.links).every((l) => l.up) &&
      Object.values(m.nodes).every((n) => n.state === "running");
  }), "1. the page shows the lab live: every node running, every link up");
  const doc = await api(`/api/v1/labs/${lab}`);
  const model = await page.evaluate(() => window.labkeeper.model);
  check(JSON.stringify(Object.keys(model.nodes).sort()) === JSON.stringify(doc.spec.nodes.map((n) => n.name).sort()),
    "1. the page's nodes are the API's");
  check(JSON.stringify(Object.keys(model.links).sort()) === JSON.stringify(doc.spec.links.map((l) => l.id).sort()),
    "1. the page's links are the API's");
  if (emulated)
    check(await page.evaluate(() => {
      const m = window.labkeeper.model, cy = window.labkeeper.cy;
      return m.nodes.e.emulated === true && cy.getElementById("e").data("border") > 0 &&
        ["a", "b", "c"].every((n) => !m.nodes[n].emulated && cy.getElementById(n).data("border") === 0);
    }), "1. the emulated node (another architecture's image) is marked, and only it");
  await shot(page, "1-lab");

  const updates = await page.evaluate(() => window.labkeeper.model.updates);
  sh("docker", ["stop", "-t", "1", `clab-${lab}-a`]);
  check(await until(page, "node a down", () => window.labkeeper.model.nodes.a.shown !== "running"),
    "2. a stopped node turns red on the page (down, or repaired just now)");
  await shot(page, "2-node-stopped");
  check(await until(page, "node a repaired", () => window.labkeeper.model.nodes.a.shown === "running" &&
    Object.values(window.labkeeper.model.links).every((l) => l.shown === "up")), "2. ... and green again after the repair");
  check(await until(page, "node a's repair counted", () => window.labkeeper.model.nodes.a.driftCorrections >= 1 &&
    window.labkeeper.model.repairsLastHour >= 1 &&
    (window.labkeeper.model.nodes.a.conditions || []).some((c) => c.type === "Ready" && c.status === "True")),
    "2. the repair is counted: the node's drift counter, the header's repairs in the last hour; its Ready condition");
  // Clicking the node shows its side panel: its conditions and drift counter.
  const nodeAt = await onScreen(page, "a");
  await page.mouse.click(nodeAt.x, nodeAt.y);
  check(await until(page, "node a's side panel", () => {
    const t = document.getElementById("details").textContent;
    return t.includes("drift repaired") && /Ready\s*True \(Running\)/.test(t) && t.includes("linux");
  }, 20), "2. the node's side panel shows its kind, image, conditions and drift counter");
  await page.mouse.move(0, 0);
  await shot(page, "2-node-repaired");

  sh("nsenter", ["-t", pidOf("c"), "-n", "/sbin/ip", "link", "del", "eth1"]);
  check(await until(page, "link b--c down", () => window.labkeeper.model.links["b:eth2--c:eth1"].shown === "down"),
    "3. a deleted link end turns the link red (down, or repaired just now)");
  await shot(page, "3-link-deleted");
  check(await until(page, "link b--c repaired", () => window.labkeeper.model.links["b:eth2--c:eth1"].shown === "up"),
    "3. ... and green again after the repair");
  check(await until(page, "link b--c's repair counted", () => window.labkeeper.model.links["b:eth2--c:eth1"].driftCorrections >= 1),
    "3. the link's drift counter counts the repair");
  check(await page.evaluate((u) => window.labkeeper.model.updates > u, updates), "2-3. without a reload");

  sh("docker", ["exec", `clab-${lab}-a`, "ip", "addr", "add", `${net}.45.1/24`, "dev", "eth1"]);
  sh("docker", ["exec", `clab-${lab}-b`, "ip", "addr", "add", `${net}.45.2/24`, "dev", "eth1"]);
  spawn("docker", ["exec", `clab-${lab}-a`, "ping", "-A", "-c", "50000", "-s", "1000", "-w", "90", `${net}.45.2`], { stdio: "ignore" });
  check(await until(page, "a rate on a--b", () => (window.labkeeper.model.links["a:eth1--b:eth1"].bps || 0) > 100000, 60),
    "4. a ping flood shows a rate on its link");
  // Hovering the link shows its rates in the side panel.
  const at = await onScreen(page, "a:eth1--b:eth1");
  await page.mouse.move(at.x, at.y);
  check(await until(page, "the link's details on hover", () => /bit\/s/.test(document.getElementById("details").textContent) &&
    document.getElementById("details").textContent.includes("a:eth1--b:eth1"), 20), "4. hovering the link shows its rates");
  await shot(page, "4-traffic");
  // The link's end deleted under the flood and made again by the repair: its counters start
  // again from zero; the page takes that as a reset (no rate for that read), never a negative rate.
  const resets = await page.evaluate(() => window.labkeeper.model.counterResets);
  sh("nsenter", ["-t", pidOf("a"), "-n", "/sbin/ip", "link", "del", "eth1"]);
  check(await until(page, "a counter reset", (before) => window.labkeeper.model.counterResets > before &&
    window.labkeeper.model.links["a:eth1--b:eth1"].shown === "up" &&
    Object.values(window.labkeeper.model.ifaces).every((i) => i.bps === null || i.bps >= 0), 120, resets),
  "4. counters reset by a link made again give no rate for that read, and no negative one");

  const boot = await page.evaluate(() => window.labkeeper.model.boot);
  await stopController();
  check(await until(page, "stale", () => window.labkeeper.model.stale, 60), "5. the badge turns stale when the controller stops");
  await shot(page, "5-stale");
  startController();
  check(await until(page, "live again", () => {
    const m = window.labkeeper.model;
    return !m.stale && m.boot !== "" && Object.values(m.links).every((l) => l.up);
  }, 180), "5. the page goes on after the controller restarted, without a reload");
  check(await page.evaluate((b) => window.labkeeper.model.boot !== b, boot), "5. ... following the new run");
  await shot(page, "5-restarted");
  await bigLab(page);
}

// 7. Off loopback, the page asks for the API's token, and with it shows the controller's labs.
async function tokenPrompt(browser) {
  sh("/sbin/ip", ["link", "add", tokIf, "type", "veth", "peer", "name", `${lab}-t1`]);
  sh("/sbin/ip", ["addr", "add", `${net}.46.1/30`, "dev", tokIf]);
  sh("/sbin/ip", ["link", "set", tokIf, "up"]);
  sh("/sbin/ip", ["link", "set", `${lab}-t1`, "up"]);
  const token = require("crypto").randomBytes(16).toString("hex");
  fs.writeFileSync(`${dir}/token`, token + "\n", { mode: 0o600 });
  fs.mkdirSync(`${dir}/toklabs`, { recursive: true });
  fs.writeFileSync(`${dir}/toklabs/tok.lab.yml`, `apiVersion: labkeeper.dev/v1alpha1\nkind: Lab\nmetadata: {name: ${lab}tok}\n` +
    `spec:\n  suspend: true\n  prune: false\n  topology:\n    defaults: {kind: linux, image: ${image}}\n` +
    `    nodes:\n      x: {}\n      y: {}\n    links:\n      - endpoints: ["x:eth1", "y:eth1"]\n`);
  tokCtl = spawn(bin, ["run", "--dir", `${dir}/toklabs`, "--state-dir", `${dir}/tokstate`, "--listen", tokBase.slice(7),
    "--token-file", `${dir}/token`, "--no-host-names"],
    { stdio: ["ignore", fs.openSync(`${dir}/controller.log`, "a"), fs.openSync(`${dir}/controller.log`, "a")] });
  let asked = 0;
  for (let i = 0; i < 600 && asked !== 401; i++) {  // listening (generously: 60 s)
    asked = await fetch(`${tokBase}/api/v1/labs`).then((r) => r.status).catch(() => 0);
    if (asked !== 401) await new Promise((ok) => setTimeout(ok, 100));
  }
  check(asked === 401, "7. off loopback, the API's reads ask for the token");
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });  // nothing kept
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  const elsewhere = [];
  page.on("request", (r) => { if (!r.url().startsWith(tokBase + "/") && !r.url().startsWith("data:")) elsewhere.push(r.url()); });
  await page.goto(tokBase + "/");
  check(await until(page, "the token prompt", () => !document.getElementById("token-form").hidden &&
    window.labkeeper.model.labs.length === 0, 60), "7. the page asks for the token and shows nothing without it");
  await shot(page, "7-token-asked");
  await page.fill("#token", token);
  await page.press("#token", "Enter");
  check(await until(page, "the labs with the token", () => document.getElementById("token-form").hidden &&
    window.labkeeper.model.labs.some((l) => l.name.endsWith("tok")) && Object.keys(window.labkeeper.model.nodes).length === 2 &&
    Object.keys(window.labkeeper.model.links).length === 1 && !window.labkeeper.model.stale, 60),
  "7. ... and with it, shows the controller's labs, live");
  await shot(page, "7-token-given");
  const unexpected = errors.filter((e) => !/status of 401 \(Unauthorized\)$/.test(e));
  check(unexpected.length === 0, "7. no console error but the 401s that asked for the token" +
    (unexpected.length ? ": " + unexpected.join(" | ") : ""));
  check(elsewhere.length === 0, "7. no request to anything but that controller" + (elsewhere.length ? ": " + elsewhere.join(" ") : ""));
  await context.close();
}

function stopTokenController() {
  if (tokCtl) tokCtl.kill("SIGTERM");
  tokCtl = null;
  try { sh("/sbin/ip", ["link", "del", tokIf]); } catch (e) { /* never made, or gone */ }
}

// 6. A lab of 500 nodes (a chain, suspended: its file read and observed, nothing made) is drawn
// whole; the time it took is printed, bounded only generously (the machine is shared).
async function bigLab(page) {
  const n = 500;
  let text = `apiVersion: labkeeper.dev/v1alpha1\nkind: Lab\nmetadata: {name: ${lab}big}\nspec:\n  suspend: true\n  prune: false\n` +
    `  mgmt: {network: ${lab}big-mgmt}\n  topology:\n    defaults: {kind: linux, image: ${image}}\n    nodes:\n`;
  for (let i = 0; i < n; i++) text += `      n${i}: {}\n`;
  text += "    links:\n";
  for (let i = 0; i + 1 < n; i++) text += `      - endpoints: ["n${i}:eth1", "n${i + 1}:eth2"]\n`;
  text += "  impairments:\n    - {link: \"n0:eth1--n1:eth2\", delay: 50ms, loss: 1}\n";  // declared, shown
  fs.writeFileSync(`${dir}/labs/big.lab.yml`, text);
  for (let i = 0; i < 600; i++) {  // the controller has read the file (generously: 60 s)
    if ((await fetch(`${base}/api/v1/labs/${lab}big`)).ok) break;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  const started = Date.now();
  await page.goto(`${base}/?lab=${lab}big`);
  const drawn = await until(page, "the 500-node lab drawn", () => window.labkeeper.cy &&
    Object.keys(window.labkeeper.model.nodes).length === 500 && window.labkeeper.cy.nodes().length === 500 &&
    window.labkeeper.cy.edges().length === 499, 300);
  check(drawn, "6. a lab of 500 nodes is drawn whole");
  await page.evaluate(() => window.labkeeper.details("link", "n0:eth1--n1:eth2"));
  check(await until(page, "the link's impairments", () => {
    const l = window.labkeeper.model.links["n0:eth1--n1:eth2"];
    return l.impairments.length === 2 && l.impairments[0].declared === "delay 50ms loss 1%" &&
      document.getElementById("details").textContent.includes("impaired n0:eth1delay 50ms loss 1%");
  }, 30), "6. a link's declared impairments are in the model and its side panel");
  if (drawn) console.log(`     (500 nodes and 499 links on the page ${((Date.now() - started) / 1000).toFixed(1)} s after it was opened)`);
  await shot(page, "6-500-nodes");
}

(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  fs.mkdirSync(`${dir}/labs`, { recursive: true });
  fs.writeFileSync(`${dir}/labs/ui.clab.yml`, `name: ${lab}
mgmt: {network: ${lab}-mgmt, ipv4-subnet: ${net}.44.0/24}
topology:
  defaults: {kind: linux, image: ${image}}
  nodes:
    a: {}
    b: {}
    c: {}${emulated ? `\n    e: {image: ${emulated}}` : ""}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
    - endpoints: ["b:eth2", "c:eth1"]
`);
  startController();
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
  const errors = [];
  const elsewhere = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => { if (!r.url().startsWith(base + "/") && !r.url().startsWith("data:")) elsewhere.push(r.url()); });
    await run(page);
    await tokenPrompt(browser);
  } catch (e) {
    failures.push(String(e));
    console.log("FAIL " + e);
  } finally {
    await browser.close().catch(() => {});
    await stopController();
    stopTokenController();
    for (const l of [lab, `${lab}big`, `${lab}tok`])  // the big one made nothing (suspended): to be sure
      try { sh(bin, ["destroy", "--lab", l, "--no-host-names"]); } catch (e) { failures.push("destroy: " + e); }
    fs.copyFileSync(`${dir}/controller.log`, path.join(artifacts, "controller.log"));
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // Chromium's own lines for requests that could not be made, which the page retries: while the
  // controller was stopped (refused, reset) and when the host's interfaces changed under the
  // browser, as this test makes them change (chromium aborts requests in flight then:
  // ERR_NETWORK_CHANGED). Anything else, a script's error above all, is an error.
  const unexpected = errors.filter((e) => !/^Failed to load resource: net::ERR_(CONNECTION_REFUSED|CONNECTION_RESET|EMPTY_RESPONSE|NETWORK_CHANGED)$/.test(e) && !/^TypeError: Failed to fetch$/.test(e));
  check(unexpected.length === 0, "no console error" + (unexpected.length ? ": " + unexpected.join(" | ") : ""));
  check(elsewhere.length === 0, "no request to anything but the controller" + (elsewhere.length ? ": " + elsewhere.join(" ") : ""));
  console.log(failures.length ? `page: ${failures.length} failures` : "page: every check held");
  process.exit(failures.length ? 1 : 0);
})();
