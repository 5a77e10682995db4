// hunch's page: plain JavaScript, no build step, nothing fetched but this server's API.
// Text from packs and results is always set with textContent, never parsed as HTML.
"use strict";

const state = {
  pack: null,        // GET /v1/packs/{pack}
  answers: {},       // fact -> value (a fact left out is "I don't know")
  result: null,      // the last decision
  sources: {},       // source id -> source (with "where")
  token: sessionStorage.getItem("hunch-token") || "",
  timer: 0,
  seq: 0,
  changedFact: null,
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...kids) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const kid of kids.flat()) {
    if (kid === null || kid === undefined || kid === false) continue;
    node.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return node;
}

// --- the API -------------------------------------------------------------------------

async function api(path, body, contentType) {
  const headers = {};
  if (state.token) headers["Authorization"] = "Bearer " + state.token;
  const init = { headers };
  if (body !== undefined) {
    init.method = "POST";
    headers["Content-Type"] = contentType || "application/json";
    init.body = contentType ? body : JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = await response.json();
  if (response.status === 401) {
    $("token-box").hidden = false;
    $("token").focus();
  }
  if (!response.ok) throw Object.assign(new Error(data.message), { api: data });
  return data;
}

const fmt = (x) => (Math.round(x * 100) / 100).toFixed(2);
const words = (s) => String(s).replace(/_/g, " ");
const show = (v) => (v === true ? "yes" : v === false ? "no" : String(v));

// --- choosing a pack ---------------------------------------------------------------

async function start() {
  try {
    const { packs } = await api("/v1/packs");
    const select = $("pack");
    select.replaceChildren(...packs.map((p) => el("option", { value: p.name, text: p.title || p.name })));
    const wanted = new URLSearchParams(location.search).get("pack");
    if (wanted && packs.some((p) => p.name === wanted)) select.value = wanted;
    select.addEventListener("change", () => choose(select.value));
    await choose(select.value);
  } catch (err) {
    showErrors(err);
  }
}

async function choose(name) {
  state.pack = await api("/v1/packs/" + encodeURIComponent(name));
  state.answers = {};
  state.result = null;
  state.sources = Object.fromEntries(state.pack.sources.map((s) => [s.id, s]));
  $("pack-description").textContent = state.pack.description;
  buildForm();
  const whynot = $("whynot");
  whynot.replaceChildren(...state.pack.conclusions.map((c) =>
    el("option", { value: c.id, text: `${c.title} (${c.kind})` })));
  clearResult();
  evaluateSoon(0);
}

// --- the form: one control per fact, from its schema ----------------------------------

function hintFor(fact) {
  const parts = [];
  if (fact.type === "integer" || fact.type === "number") {
    const what = fact.type === "integer" ? "a whole number" : "a number";
    let range = what;
    if (fact.min !== undefined) range += ` from ${fact.min}`;
    if (fact.max !== undefined) range += ` up to ${fact.max}`;
    parts.push(range + (fact.unit ? ` (${fact.unit})` : ""));
  }
  if (fact.default !== undefined) parts.push(`if you don't know: ${show(fact.default)} is assumed`);
  if (fact.required) parts.push("required");
  return parts.join("; ");
}

function control(fact, prefix) {
  const id = `${prefix}-${fact.name}`;
  const hintId = id + "-hint";
  const errorId = id + "-error";
  const set = el("fieldset", { id: id + "-set", "data-fact": fact.name });
  set.append(el("legend", { id: id + "-q", text: fact.question || words(fact.name) }));
  const hint = hintFor(fact);
  set.append(el("p", { class: "hint", id: hintId, text: hint }));
  const described = `${hintId} ${errorId}`;
  const value = state.answers[fact.name];
  if (fact.type === "enum" || fact.type === "boolean") {
    const options = fact.type === "boolean" ? [true, false] : fact.values;
    const box = el("div", { class: "choices", role: "radiogroup", "aria-labelledby": id + "-q", "aria-describedby": described });
    const choices = fact.required ? options : [...options, null];
    for (const option of choices) {
      const label = option === null ? "I don't know" : fact.type === "boolean" ? show(option) : words(option);
      const input = el("input", {
        type: "radio", name: id, value: option === null ? "" : String(option),
        checked: option === null ? value === undefined : value === option,
        onchange: () => answer(fact, option === null ? undefined : option, false, prefix),
      });
      box.append(el("label", {}, input, label));
    }
    set.append(box);
  } else {
    const numeric = fact.type === "integer" || fact.type === "number";
    const input = el("input", {
      type: numeric ? "number" : "text", id, name: fact.name, "aria-describedby": described,
      "aria-labelledby": id + "-q",
      min: fact.min, max: fact.max, step: fact.type === "integer" ? 1 : numeric ? "any" : null,
      inputmode: fact.type === "integer" ? "numeric" : null,
      value: value === undefined ? "" : String(value),
    });
    // in the main form every keystroke counts (debounced); in "Still unknown" the answer
    // counts when it is complete (Enter or leaving the field), since answering it
    // removes the question from that list
    input.addEventListener(prefix === "f" ? "input" : "change", () => {
      const raw = input.value.trim();
      dunno.checked = raw === "";
      answer(fact, raw === "" ? undefined : numeric && !isNaN(Number(raw)) ? Number(raw) : raw, prefix === "f", prefix);
    });
    const dunno = el("input", {
      type: "checkbox", id: id + "-dunno", checked: value === undefined,
      onchange: () => {
        if (dunno.checked) { input.value = ""; answer(fact, undefined, false, prefix); } else input.focus();
      },
    });
    const row = el("div", { class: "number-row" }, input,
      fact.unit ? el("span", { class: "unit", "aria-hidden": "true", text: fact.unit }) : null);
    if (!fact.required) row.append(el("label", { class: "dunno", for: id + "-dunno" }, dunno, "I don't know"));
    set.append(row);
  }
  set.append(el("p", { class: "error", id: errorId }));
  return set;
}

function buildForm() {
  const form = $("facts");
  form.replaceChildren(...state.pack.facts.map((f) => control(f, "f")));
  form.addEventListener("submit", (e) => e.preventDefault());
}

function answer(fact, value, typing, origin) {
  const before = state.answers[fact.name];
  if (value === undefined) delete state.answers[fact.name];
  else state.answers[fact.name] = value;
  if (before !== value && !(state.changedFact && state.changedFact.fact === fact.name)) {
    state.changedFact = { fact: fact.name, before, after: value };
  } else if (state.changedFact) state.changedFact.after = value;
  state.focusAfter = origin === "u";
  syncControls(fact.name, origin);  // the control being used keeps its focus
  evaluateSoon(typing ? 400 : 0);
}

// Keep the main form and any copy of a control (in "Still unknown") showing the same answer.
function syncControls(name, except) {
  const fact = state.pack.facts.find((f) => f.name === name);
  for (const prefix of ["f", "u"]) {
    if (prefix === except) continue;
    const set = $(`${prefix}-${name}-set`);
    if (!set) continue;
    const fresh = control(fact, prefix);
    set.replaceWith(fresh);
  }
}

// --- evaluating ------------------------------------------------------------------------

// body[data-pending] is "1" from an answer until its result is shown (tests wait on it)
const pending = (on) => { document.body.dataset.pending = on ? "1" : "0"; };

function evaluateSoon(delay) {
  pending(true);
  clearTimeout(state.timer);
  state.timer = setTimeout(evaluateNow, delay);
}

async function evaluateNow() {
  const missing = state.pack.facts.filter((f) => f.required && state.answers[f.name] === undefined);
  if (missing.length) {
    clearResult();
    $("busy").textContent = "Answer first: " + missing.map((f) => f.question || words(f.name)).join(" ");
    pending(false);
    return;
  }
  await decide(() => api(`/v1/decisions/${encodeURIComponent(state.pack.name)}`, { input: state.answers }));
}

async function decide(call) {
  const seq = ++state.seq;
  $("busy").textContent = "Working it out…";
  try {
    const result = await call();
    if (seq !== state.seq) return;  // a newer answer is on its way
    showErrors(null);
    const before = state.result;
    state.result = result;
    render(result, before);
  } catch (err) {
    if (seq === state.seq) showErrors(err);
  } finally {
    if (seq === state.seq) {
      $("busy").textContent = "";
      pending(false);
    }
  }
}

function showErrors(err) {
  const box = $("errors");
  document.querySelectorAll("fieldset.invalid").forEach((f) => f.classList.remove("invalid"));
  document.querySelectorAll("#facts .error").forEach((p) => (p.textContent = ""));
  if (!err) { box.replaceChildren(); return; }
  const problems = (err.api && err.api.errors) || [{ pointer: "", message: err.message }];
  const list = el("ul", {});
  for (const p of problems) {
    const fact = (p.pointer || "").split("/").pop();
    const set = $(`f-${fact}-set`);
    if (set && p.pointer.startsWith("/input/")) {
      set.classList.add("invalid");
      $(`f-${fact}-error`).textContent = p.message;
    }
    const where = p.line ? `line ${p.line}: ` : "";
    list.append(el("li", { text: where + p.message }));
  }
  box.replaceChildren(el("p", { text: "That cannot be used yet:" }), list);
}

// --- the result ------------------------------------------------------------------------

function clearResult() {
  for (const id of ["recommendation", "hypotheses", "actions", "unknowns", "changes", "whynot-tree"]) $(id).replaceChildren();
}

function quote(s) {
  const full = state.sources[s.id] || s;
  const who = [s.author, s.posted, full.where].filter(Boolean).join(", ");
  return el("blockquote", { "data-source": s.id },
    el("p", { text: `“${s.quote}”` }),
    el("cite", { class: "cite" }, "— " + who, s.best_answer ? el("span", { class: "best", text: " · best answer" }) : null));
}

// The sources of the strongest reason in full (as the CLI shows them); the rest folded.
function citations(item) {
  const lead = item.support.length ? item.support[0].cites : [];
  const first = item.sources.filter((s) => !lead.length || lead.includes(s.id));
  const rest = item.sources.filter((s) => !first.includes(s));
  const out = first.map(quote);
  if (rest.length) {
    out.push(el("details", { class: "more" },
      el("summary", { text: `${rest.length} more source${rest.length > 1 ? "s" : ""}` }), rest.map(quote)));
  }
  return out;
}

function rankedItem(item, kind, headingLevel) {
  const titleId = `t-${kind}-${item.id}`;
  const reason = item.support.length ? item.support[0].because : item.oppose.length ? "against: " + item.oppose[0].because : "";
  const how = el("button", {
    type: "button", class: "link how", "aria-expanded": "false", "aria-controls": `how-${item.id}`,
    "aria-describedby": titleId, text: "How? (show the reasoning)",
  });
  const tree = el("div", { id: `how-${item.id}`, class: "tree", hidden: true });
  how.addEventListener("click", () => toggleHow(item.id, how, tree));
  return el(kind === "recommendation" ? "div" : "li", {
    class: kind === "recommendation" ? "recommended" : null, "data-id": item.id, "data-kind": kind,
  },
    el("div", { class: "item-head" },
      el(headingLevel, { class: "item-title", id: titleId, text: (kind === "recommendation" ? "Recommended: " : "") + item.title }),
      el("span", { class: "certainty" },
        el("meter", { min: "0", max: "1", value: String(Math.max(0, item.certainty)), "aria-hidden": "true" }),
        ` certainty ${fmt(item.certainty)}`)),
    kind === "recommendation" && item.explanation ? el("p", { class: "reason", text: item.explanation }) : null,
    reason ? el("p", { class: "reason", text: reason }) : null,
    citations(item), how, tree);
}

function render(result, before) {
  const rec = result.recommendation;
  $("recommendation").replaceChildren(rec ? rankedItem(rec, "recommendation", "h3")
    : el("p", { text: "No action stands out: no rule recommends anything for this situation yet." }));
  $("hypotheses").replaceChildren(...(result.hypotheses.length ? result.hypotheses.map((h) => rankedItem(h, "hypothesis", "h4"))
    : [el("li", { text: "No explanation stands out yet." })]));
  const others = result.actions.filter((a) => !rec || a.id !== rec.id);
  $("actions").replaceChildren(...(others.length ? others.map((a) => rankedItem(a, "action", "h4")) : [el("li", { text: "None." })]));
  renderUnknowns(result);
  renderChanges(before, result);
  if (state.focusAfter) {  // the question answered in "Still unknown" is gone: say what changed
    state.focusAfter = false;
    $("changes").focus();
  }
}

function renderUnknowns(result) {
  const box = $("unknowns");
  if (!result.unknowns.length) {
    box.replaceChildren(el("p", { class: "note", text: "No single unanswered question could change this advice." }));
    return;
  }
  box.replaceChildren(...result.unknowns.map((u) => {
    const fact = state.pack.facts.find((f) => f.name === u.fact);
    const could = u.could_change.map((c) => (c === "top_hypothesis" ? "the likeliest explanation" : "the recommendation")).join(" and ");
    return el("div", { class: "unknown", "data-fact": u.fact },
      el("p", { class: "note", text: `Answering this could change ${could}.` }), control(fact, "u"));
  }));
}

function summaryOf(result) {
  const out = {};
  for (const item of [...result.hypotheses, ...result.actions]) out[item.id] = item;
  return out;
}

function renderChanges(before, after) {
  const box = $("changes");
  const change = state.changedFact;
  state.changedFact = null;
  if (!before || !change) { box.replaceChildren(); return; }
  const was = change.before === undefined ? "I don't know" : show(change.before);
  const now = change.after === undefined ? "I don't know" : show(change.after);
  const lines = [];
  const recBefore = before.recommendation, recAfter = after.recommendation;
  if ((recBefore && recBefore.id) !== (recAfter && recAfter.id)) {
    lines.push(`The recommendation changed: it was “${recBefore ? recBefore.title : "none"}”, now it is “${recAfter ? recAfter.title : "none"}”.`);
  } else lines.push("The recommendation is the same.");
  const topBefore = before.hypotheses[0], topAfter = after.hypotheses[0];
  if ((topBefore && topBefore.id) !== (topAfter && topAfter.id)) {
    lines.push(`The likeliest explanation changed: now “${topAfter ? topAfter.title : "none"}”.`);
  }
  const a = summaryOf(before), b = summaryOf(after);
  const moved = [];
  for (const id of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[id] ? a[id].certainty : 0, y = b[id] ? b[id].certainty : 0;
    if (Math.abs(y - x) >= 0.005) moved.push(el("li", { text: `${(b[id] || a[id]).title}: ${fmt(x)} → ${fmt(y)}` }));
  }
  box.replaceChildren(
    el("p", {}, el("strong", { text: `What changed when “${words(change.fact)}” went from ${was} to ${now}: ` }), lines.join(" ")),
    moved.length ? el("ul", {}, moved) : el("p", { text: "No certainty changed." }));
}

// --- HOW / WHY NOT --------------------------------------------------------------------

async function explainTree(id) {
  const data = await api(`/v1/explain/${encodeURIComponent(state.pack.name)}/${encodeURIComponent(id)}`, { input: state.answers });
  return treeOf(data);
}

async function toggleHow(id, button, tree) {
  const open = button.getAttribute("aria-expanded") === "true";
  if (open) {
    button.setAttribute("aria-expanded", "false");
    button.textContent = "How? (show the reasoning)";
    tree.hidden = true;
    return;
  }
  try {
    tree.replaceChildren(await explainTree(id));
  } catch (err) {
    tree.replaceChildren(el("p", { class: "error", text: err.message }));
  }
  tree.hidden = false;
  button.setAttribute("aria-expanded", "true");
  button.textContent = "Hide the reasoning";
}

function signed(x) { return (x >= 0 ? "+" : "−") + fmt(Math.abs(x)); }

function cites(rule) {
  const names = rule.cites.map((c) => (state.sources[c] ? state.sources[c].author : c));
  return names.length ? ` (said by ${[...new Set(names)].join(", ")})` : "";
}

function ruleNode(node) {
  const against = node.contribution < 0;
  const what = node.effect === "derive" ? "" : `${signed(node.contribution)}: `;
  const li = el("li", { class: against ? "against" : null },
    el("span", { text: `${what}${node.because || node.rule}${cites(node)}` }));
  const kids = el("ul", {});
  for (const fact of node.facts) kids.append(factNode(fact));
  for (const absent of node.absent) kids.append(el("li", { text: `and not ${words(absent.name)} (nothing concluded it)` }));
  if (kids.childNodes.length) li.append(kids);
  return li;
}

function factNode(fact) {
  if (fact.kind === "input") {
    const where = fact.given ? (fact.where === "default" ? " (assumed by default)" : " (your answer)") : " (not answered)";
    return el("li", { class: "input", text: `${words(fact.fact)} = ${fact.given ? show(fact.value) : "unknown"}${where}` });
  }
  const label = fact.kind === "derived" ? `${words(fact.fact)}${fact.value === true ? "" : " = " + show(fact.value)}` : words(fact.id);
  const li = el("li", {}, el("span", { text: `${label}, certainty ${fmt(fact.certainty)}, because:` }));
  li.append(el("ul", {}, fact.rules.map(ruleNode)));
  return li;
}

function checkNode(check) {
  for (const key of ["all", "any"]) {
    if (check[key]) {
      const li = el("li", { class: "status-" + check.status, text: key === "all" ? `all of (${check.status}):` : `any of (${check.status}):` });
      li.append(el("ul", {}, check[key].map(checkNode)));
      return li;
    }
  }
  if (check.not) {
    const li = el("li", { class: "status-" + check.status, text: `not (${check.status}):` });
    li.append(el("ul", {}, checkNode(check.not)));
    return li;
  }
  const seen = check.seen ? ` — ${check.seen}` : "";
  return el("li", { class: "status-" + check.status, text: `${check.test}: ${check.status}${seen}` });
}

function treeOf(x) {
  const root = el("div", {});
  const heading = x.reached ? `How: certainty ${fmt(x.certainty)}${x.rank ? `, ranked ${x.rank}` : ""}`
    : `Why not: “${x.title}” was not concluded (certainty ${fmt(x.certainty)})`;
  root.append(el("p", {}, el("strong", { text: heading })));
  if (x.support.length) root.append(el("p", { text: "For it:" }), el("ul", {}, x.support.map(ruleNode)));
  if (x.oppose.length) root.append(el("p", { text: "Against it:" }), el("ul", {}, x.oppose.map(ruleNode)));
  if (x.not_fired.length) {
    const list = el("ul", {});
    for (const rc of x.not_fired) {
      const li = el("li", {}, el("span", { text: `${rc.because || rc.rule}${cites(rc)}: did not apply (${rc.status}); it would add ${signed(rc.would_add)}` }));
      li.append(el("ul", {}, checkNode(rc.when)));
      list.append(li);
    }
    root.append(el("details", { open: !x.reached }, el("summary", { text: `Rules that did not apply (${x.not_fired.length})` }), list));
  }
  if (x.unknowns.length) {
    root.append(el("p", { text: "Unanswered questions that could change this: " + x.unknowns.map((u) => u.question).join(" ") }));
  }
  return root;
}

async function whyNot() {
  const tree = $("whynot-tree");
  if (!state.result) return;
  try {
    tree.replaceChildren(el("div", { class: "tree" }, await explainTree($("whynot").value)));
  } catch (err) {
    tree.replaceChildren(el("p", { class: "error", text: err.message }));
  }
}

// --- pasting a situation --------------------------------------------------------------

async function paste() {
  const text = $("paste-text").value;
  const name = encodeURIComponent(state.pack.name);
  let call;
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let data;
    try { data = JSON.parse(trimmed); } catch (e) { showErrors(new Error("That is not valid JSON: " + e.message)); return; }
    const input = data && typeof data === "object" && "input" in data ? data.input : data;
    call = () => api(`/v1/decisions/${name}`, { input });
  } else {
    call = () => api(`/v1/decisions/${name}`, text, "application/yaml");
  }
  state.changedFact = null;
  await decide(call);
  if (state.result && state.result.input) {
    state.answers = Object.fromEntries(Object.entries(state.result.input).filter(([, v]) => v !== null));
    buildForm();
  }
}

$("paste-go").addEventListener("click", paste);
$("whynot-go").addEventListener("click", whyNot);
$("token-go").addEventListener("click", () => {
  state.token = $("token").value;
  sessionStorage.setItem("hunch-token", state.token);
  $("token-box").hidden = true;
  start();
});
start();
