// hunch's page: plain JavaScript, no build step, nothing fetched but this server's API.
// Text from packs and results is always set with textContent, never parsed as HTML.
//
// It consults as `hunch ask` does: POST /v1/next-question/{pack} names the question
// whose answer could change the advice most (or null: none could), and the advice is
// decided again after every answer. "Show all questions" gives the whole form instead.
// The answers live in the URL fragment (#pack=...&answers=...), which browsers never
// send to a server, so the link reopens them (docs/serve.md, "The page").
"use strict";

const state = {
  pack: null,        // GET /v1/packs/{pack}
  facts: {},         // name -> fact
  inputs: {},        // date input or log name -> its description (pack.dates.inputs)
  computedBy: {},    // fact -> the date inputs it is computed from
  answers: {},       // fact or date input -> value; null is "I don't know"; in asked order
  asOf: "",          // the date dates are counted to (YYYY-MM-DD)
  question: null,    // the next question (from the API), or null when none is left
  left: 0,           // about how many questions are left
  all: false,        // "show all questions"
  result: null,      // the last decision
  sources: {},
  token: sessionStorage.getItem("hunch-token") || "",
  timer: 0,
  seq: 0,
  waiting: 0,
  changed: null,     // the answer that changed since the last result was shown
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

const packPath = (what) => `/v1/${what}/${encodeURIComponent(state.pack.name)}`;
const fmt = (x) => (Math.round(x * 100) / 100).toFixed(2);
const words = (s) => String(s).replace(/_/g, " ");
const show = (v) => (v === true ? "yes" : v === false ? "no" : v === null ? "I don't know" : words(v));
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];
const day = (iso) => {
  const [y, m, d] = String(iso).split("-").map(Number);
  return y && m && d ? `${d} ${MONTHS[m - 1]} ${y}` : String(iso);
};
const weighed = (item) => `${item.strength || "certainty"}, ${fmt(item.certainty)}`;

function todayLocal() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

// The question a fact, a date input or a log asks, for people: errors name it too.
function questionOf(name) {
  const thing = state.facts[name] || state.inputs[name];
  return thing && thing.question ? thing.question : words(name);
}

// --- the fragment: the answers, never sent to a server ---------------------------------

function fragment() {
  const params = new URLSearchParams();
  params.set("pack", state.pack.name);
  params.set("as_of", state.asOf);
  params.set("answers", JSON.stringify(state.answers));
  if (state.all) params.set("all", "1");
  return "#" + params.toString();
}

function keep() {
  const hash = fragment();
  history.replaceState(null, "", hash);
  const link = $("share-link");
  link.href = location.href.split("#")[0] + hash;
}

function restored() {
  const params = new URLSearchParams(location.hash.slice(1));
  let answers = {};
  try {
    const parsed = JSON.parse(params.get("answers") || "{}");
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) answers = parsed;
  } catch (e) { /* a damaged link: start afresh */ }
  return { pack: params.get("pack"), asOf: params.get("as_of"), answers, all: params.get("all") === "1" };
}

// --- choosing a pack ---------------------------------------------------------------

async function start() {
  try {
    const { packs } = await api("/v1/packs");
    const select = $("pack");
    select.replaceChildren(...packs.map((p) => el("option", { value: p.name, text: p.title || p.name })));
    const saved = restored();
    const wanted = saved.pack || new URLSearchParams(location.search).get("pack");
    if (wanted && packs.some((p) => p.name === wanted)) select.value = wanted;
    select.addEventListener("change", () => choose(select.value, {}));
    state.asOf = /^\d{4}-\d{2}-\d{2}$/.test(saved.asOf || "") ? saved.asOf : todayLocal();
    $("as-of").value = state.asOf;
    state.all = saved.all;
    await choose(select.value, select.value === saved.pack ? saved.answers : {});
  } catch (err) {
    showErrors(err);
    pending(false);
  }
}

async function choose(name, answers) {
  state.pack = await api("/v1/packs/" + encodeURIComponent(name));
  state.facts = Object.fromEntries(state.pack.facts.map((f) => [f.name, f]));
  const dates = state.pack.dates || { inputs: [], computed: {} };
  state.inputs = Object.fromEntries(dates.inputs.map((i) => [i.name, i]));
  state.computedBy = Object.fromEntries(Object.entries(dates.computed).map(([f, c]) => [f, c.from]));
  state.answers = Object.fromEntries(Object.entries(answers).filter(([k]) => k in state.facts || k in state.inputs));
  state.result = null;
  state.sources = Object.fromEntries(state.pack.sources.map((s) => [s.id, s]));
  $("pack-description").textContent = state.pack.description;
  $("whynot").replaceChildren(...state.pack.conclusions.map((c) =>
    el("option", { value: c.id, text: `${c.title} (${c.kind})` })));
  clearResult();
  renderAnswered();
  setAll(state.all);
  keep();
  await refresh(true);
}

// --- answering ----------------------------------------------------------------------

// Record an answer (null: I don't know; undefined: take it back). A date or a log
// replaces the numbers it computes, so the two can never disagree.
function setAnswer(name, value) {
  const before = state.answers[name];
  if (name in state.inputs) {
    for (const [fact, from] of Object.entries(state.computedBy)) {
      if (from.includes(name)) delete state.answers[fact];
    }
  }
  if (value === undefined) delete state.answers[name];
  else {
    delete state.answers[name];  // re-answered: it moves to the end of the asked order
    state.answers[name] = value;
  }
  if (!state.changed || state.changed.name !== name) state.changed = { name, before };
  state.changed.after = value;
  keep();
  renderAnswered();
}

// An answer being typed: the advice follows it (debounced), the question stays.
function typing(name, value) {
  setAnswer(name, value);
  decideSoon(400);
}

// An answer given: the advice and the next question.
function answered(name, value) {
  setAnswer(name, value);
  refresh(true);
}

function back() {
  const names = Object.keys(state.answers);
  if (!names.length) return;
  const last = names[names.length - 1];
  const value = state.answers[last];
  setAnswer(last, undefined);
  state.question = questionFor(last);
  state.previous = value;
  renderStep(true);
  refresh(false);
}

// The question object for a fact or a date input the page asks itself (back, "answer this").
function questionFor(name) {
  if (name in state.inputs) {
    return { name, ask_as: name, question: state.inputs[name].question, required: name === requiredDate(), why: "" };
  }
  const fact = state.facts[name];
  const from = state.computedBy[name] || [];
  const open = from.filter((f) => !(f in state.answers));
  // as Consultation.ask_as (the API's ask_as) decides: the one date still missing, or
  // the log, unless one of the log's numbers was given as a number
  const log = open.length === 1 && state.inputs[open[0]].type === "events" ? open[0] : null;
  const counted = log && Object.entries(state.computedBy).some(([f, c]) => c.length === 1 && c[0] === log && f in state.answers);
  return { ...fact, ask_as: open.length === 1 && !counted ? open[0] : null, why: "" };
}

// The date input a required fact is computed from (the interview's date): it cannot be
// "I don't know" either.
function requiredDate() {
  const required = state.pack.facts.find((f) => f.required && state.computedBy[f.name]);
  return required ? state.computedBy[required.name][0] : null;
}

function requiredMissing() {
  return state.pack.facts.filter((f) => f.required && !(f.name in state.answers)
    && !(state.computedBy[f.name] || []).some((d) => state.answers[d] !== undefined && state.answers[d] !== null));
}

// --- the advice and the next question -----------------------------------------------

// body[data-pending] is "1" from an answer until its result is shown (tests wait on it)
const pending = (on) => { document.body.dataset.pending = on ? "1" : "0"; };

function decideSoon(delay) {
  pending(true);
  clearTimeout(state.timer);
  state.timer = setTimeout(() => refresh(false), delay);
}

async function refresh(advance) {
  clearTimeout(state.timer);
  const seq = ++state.seq;
  pending(true);
  $("busy").textContent = "Working it out…";
  const body = { input: state.answers, as_of: state.asOf };
  try {
    const asking = advance && !state.all ? api(packPath("next-question"), body) : null;
    const deciding = requiredMissing().length ? null : api(packPath("decisions"), body);
    const [next, result] = await Promise.all([asking, deciding]);
    if (seq !== state.seq) return;  // a newer answer is on its way
    showErrors(null);
    if (next) {
      state.question = next.next;
      state.left = next.questions_left;
      state.previous = undefined;
      renderStep(true);
    } else if (!state.all && advance === false && !$("step").childElementCount) renderStep(false);
    const before = state.result;
    if (result) {
      state.result = result;
      render(result, before);
    } else {
      state.result = null;
      clearResult();
    }
    if (!next) followWhy(before, state.result);
  } catch (err) {
    if (seq === state.seq) showErrors(err);
  } finally {
    if (seq === state.seq) {
      $("busy").textContent = "";
      pending(false);
    }
  }
}

// The hint under a question names the recommendation shown when it was asked ("now: …",
// worded by the server from the same answers). An answer still being entered (the log's
// entries, each decided as it is added) moves the advice above it: the hint follows.
function followWhy(before, after) {
  const q = state.question;
  const title = (r) => (r && r.recommendation ? r.recommendation.title : "none yet");
  const was = `(now: ${title(before)})`, now = `(now: ${title(after)})`;
  if (!q || !q.why || was === now || !q.why.includes(was)) return;
  q.why = q.why.replace(was, now);
  const why = $("step-why");
  if (why) why.textContent = q.why;
}

// --- one question at a time ------------------------------------------------------------

function renderStep(focus) {
  const box = $("step");
  const q = state.question;
  $("back").disabled = !Object.keys(state.answers).length;
  if (!q) {
    box.replaceChildren(el("div", { class: "done" },
      el("h3", { id: "step-q", tabindex: "-1", text: "That is all we need." }),
      el("p", { text: "No other answer could change this advice. “Show all questions” lets you answer the rest anyway." })));
    if (focus) $("step-q").focus();
    return;
  }
  const asked = q.ask_as || q.name;
  const value = state.previous !== undefined ? state.previous : state.answers[asked];
  const set = el("fieldset", { class: "step", id: "step-set", "data-asks": asked });
  set.append(el("legend", { id: "step-q", text: questionOf(asked) }));
  if (q.why) set.append(el("p", { class: "why", id: "step-why", text: q.why }));
  const input = state.inputs[asked];
  if (input && input.type === "events") set.append(logEditor(asked, "s", value));
  else if (input) set.append(dateRow(asked, "s", value, true));
  else {
    const fact = state.facts[asked];
    if (fact.type === "enum" || fact.type === "boolean") set.append(choiceButtons(fact, value));
    else set.append(numberRow(fact, "s", value, true));
  }
  const nav = el("div", { class: "step-buttons" });
  if (input && input.type === "events") {
    // the list on screen: as edited, else as it was before Back took it back
    const shown = () => (Array.isArray(state.answers[asked]) ? state.answers[asked] : Array.isArray(value) ? value : []);
    nav.append(el("button", { type: "button", id: "step-next", onclick: () => answered(asked, shown()), text: "Done: next question" }));
  }
  if (!q.required && asked !== requiredDate()) {
    nav.append(el("button", { type: "button", class: "link", id: "step-dunno", onclick: () => answered(asked, null), text: "I don't know" }));
  }
  set.append(nav, el("p", { class: "error", id: "step-error" }));
  const left = state.left > 1 ? `About ${state.left} questions to go, at most.` : "";
  box.replaceChildren(set, left ? el("p", { class: "note", id: "step-left", text: left }) : "");
  if (focus) {
    const first = set.querySelector("input, button");
    if (first) first.focus();
  }
}

function choiceButtons(fact, value) {
  const options = fact.type === "boolean" ? [true, false] : fact.values;
  return el("div", { class: "choice-buttons", role: "group", "aria-labelledby": "step-q" },
    options.map((option) => el("button", {
      type: "button", class: "choice", "data-value": String(option),
      "aria-pressed": value === option ? "true" : "false",
      onclick: () => answered(fact.name, option), text: show(option),
    })));
}

function hintFor(fact) {
  const parts = [];
  if (fact.type === "integer" || fact.type === "number") {
    let range = fact.type === "integer" ? "a whole number" : "a number";
    if (fact.min !== undefined) range += ` from ${fact.min}`;
    if (fact.max !== undefined) range += ` up to ${fact.max}`;
    parts.push(range + (fact.unit ? ` (${fact.unit})` : ""));
  }
  if (fact.default !== undefined) parts.push(`if you don't know: ${show(fact.default)} is assumed`);
  return parts.join("; ");
}

// A number: every keystroke updates the advice (debounced) without leaving the field;
// typing a value clears "I don't know". In the step, Enter or Next moves on.
function numberRow(fact, prefix, value, step) {
  const id = `${prefix}-${fact.name}`;
  const numeric = fact.type === "integer" || fact.type === "number";
  const box = el("div", {});
  const hint = hintFor(fact);
  if (hint) box.append(el("p", { class: "hint", id: id + "-hint", text: hint }));
  const input = el("input", {
    type: numeric ? "number" : "text", id, name: fact.name, "aria-labelledby": step ? "step-q" : `${id}-q`,
    "aria-describedby": hint ? id + "-hint" : null,
    min: fact.min, max: fact.max, step: fact.type === "integer" ? 1 : numeric ? "any" : null,
    inputmode: fact.type === "integer" ? "numeric" : null,
    value: value === undefined || value === null ? "" : String(value),
  });
  const read = () => {
    const raw = input.value.trim();
    return raw === "" ? undefined : numeric && !isNaN(Number(raw)) ? Number(raw) : raw;
  };
  const row = el("div", { class: "number-row" }, input,
    fact.unit ? el("span", { class: "unit", "aria-hidden": "true", text: fact.unit }) : null);
  let dunno = null;
  if (!step && !fact.required) {
    dunno = el("input", {
      type: "checkbox", id: id + "-dunno", checked: value === null,
      onchange: () => { if (dunno.checked) { input.value = ""; typing(fact.name, null); } else input.focus(); },
    });
    row.append(el("label", { class: "dunno", for: id + "-dunno" }, dunno, "I don't know"));
  }
  input.addEventListener("input", () => {
    if (dunno) dunno.checked = false;  // a value typed is not "I don't know"
    typing(fact.name, read());
  });
  if (step) {
    const next = () => { if (read() !== undefined) answered(fact.name, read()); else input.focus(); };
    input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); next(); } });
    row.append(el("button", { type: "button", id: "step-next", onclick: next, text: "Next" }));
  }
  box.append(row);
  return box;
}

function dateRow(name, prefix, value, step) {
  const id = `${prefix}-${name}`;
  const spec = state.inputs[name];
  const input = el("input", {
    type: "date", id, name, "aria-labelledby": step ? "step-q" : `${id}-q`,
    max: spec.past ? state.asOf : null,
    min: spec.not_before && state.answers[spec.not_before] ? state.answers[spec.not_before] : null,
    value: typeof value === "string" ? value : "",
  });
  const read = () => (input.value ? input.value : undefined);
  input.addEventListener("change", () => typing(name, read()));
  const row = el("div", { class: "number-row" }, input);
  if (step) {
    const next = () => { if (read()) answered(name, read()); else input.focus(); };
    input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); next(); } });
    row.append(el("button", { type: "button", id: "step-next", onclick: next, text: "Next" }));
  } else if (name !== requiredDate()) {
    const dunno = el("input", { type: "checkbox", id: id + "-dunno", checked: value === null,
      onchange: () => { if (dunno.checked) { input.value = ""; typing(name, null); } } });
    input.addEventListener("input", () => { dunno.checked = false; });
    row.append(el("label", { class: "dunno", for: id + "-dunno" }, dunno, "I don't know"));
  }
  return row;
}

// --- the follow-up log: a small list you add to ----------------------------------------

function describeEntry(entry) {
  const parts = [`${day(entry.date)}: ${entry.kind}`];
  if ("answered" in entry) parts.push(entry.answered ? "answered" : "not answered");
  if (entry.callback_promised_for) parts.push(`call-back promised for ${day(entry.callback_promised_for)}`);
  if (entry.called_back) parts.push("they called back");
  return parts.join(", ");
}

// `value`: the entries to show when they are not an answer (yet): Back takes the log back
// and shows it again, as it was, to change and give again.
function logEditor(name, prefix, value) {
  const spec = state.inputs[name];
  const entries = Array.isArray(state.answers[name]) ? state.answers[name] : Array.isArray(value) ? value : [];
  const id = `${prefix}-${name}`;
  const box = el("div", { class: "log", id });
  const list = el("ul", { class: "log-list", id: id + "-list", "aria-label": "Follow-ups so far" });
  entries.forEach((entry, n) => list.append(el("li", {},
    el("span", { text: describeEntry(entry) }),
    el("button", { type: "button", class: "link small", "aria-label": `Remove the follow-up of ${day(entry.date)}`,
      onclick: () => { const kept = entries.filter((_, i) => i !== n); typing(name, kept); rebuild(); }, text: "Remove" }))));
  if (!entries.length) list.append(el("li", { class: "note", text: "None yet." }));
  box.append(list);
  const add = el("fieldset", { class: "log-add" }, el("legend", { text: "Add a follow-up" }));
  const fields = {};
  for (const f of spec.fields) {
    const fid = `${id}-${f.name}`;
    const label = { date: "Date", kind: "Call or email", answered: "They answered",
      callback_promised_for: "They promised to call back by", called_back: "They did call back" }[f.name] || words(f.name);
    if (f.type === "date") {
      const min = f.not_before && typeof state.answers[f.not_before] === "string" ? state.answers[f.not_before] : null;
      fields[f.name] = el("input", { type: "date", id: fid, min, max: f.name === "date" ? state.asOf : null });
      add.append(el("label", { for: fid, text: label + (f.required ? "" : " (if any)") }), fields[f.name]);
    } else if (f.type === "enum") {
      fields[f.name] = el("select", { id: fid }, f.values.map((v) => el("option", { value: v, text: words(v) })));
      add.append(el("label", { for: fid, text: label }), fields[f.name]);
    } else if (f.type === "boolean") {
      fields[f.name] = el("input", { type: "checkbox", id: fid, checked: f.default === true });
      add.append(el("label", { class: "dunno", for: fid }, fields[f.name], label));
    }
  }
  const error = el("p", { class: "error", id: id + "-error" });
  add.append(el("button", { type: "button", id: id + "-add", onclick: () => {
    const entry = {};
    for (const f of spec.fields) {
      const input = fields[f.name];
      if (!input) continue;
      if (f.type === "boolean") entry[f.name] = input.checked;
      else if (input.value) entry[f.name] = input.value;
    }
    if (!entry.date) { error.textContent = "Give the follow-up's date."; fields.date.focus(); return; }
    typing(name, [...entries, entry].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)));
    rebuild(id + "-date");
  }, text: "Add it to the list" }), error);
  box.append(add);
  return box;

  function rebuild(focusId) {
    const fresh = logEditor(name, prefix);
    box.replaceWith(fresh);
    const target = focusId ? $(focusId) : fresh.querySelector("button");
    if (target) target.focus();
  }
}

// --- "show all questions": the whole form ------------------------------------------------

function setAll(on) {
  state.all = on;
  $("show-all").setAttribute("aria-pressed", on ? "true" : "false");
  $("show-all").textContent = on ? "One question at a time" : "Show all questions";
  $("facts").hidden = !on;
  $("step").hidden = on;
  $("back").hidden = on;
  if (on) buildForm();
  if (state.pack) keep();
}

// Each fact once, in the pack's order; a fact computed from dates is asked as its dates
// (each date input once, where the first fact it computes stands).
function formItems() {
  const items = [];
  const seen = new Set();
  for (const fact of state.pack.facts) {
    const from = state.computedBy[fact.name];
    if (!from) { items.push({ fact }); continue; }
    for (const name of from) if (!seen.has(name)) { seen.add(name); items.push({ input: name }); }
  }
  return items;
}

function buildForm() {
  const form = $("facts");
  form.replaceChildren(...formItems().map((item) => {
    const name = item.fact ? item.fact.name : item.input;
    const id = `f-${name}`;
    const set = el("fieldset", { id: id + "-set", "data-fact": name });
    set.append(el("legend", { id: id + "-q", text: questionOf(name) }));
    const value = state.answers[name];
    if (item.input && state.inputs[name].type === "events") set.append(logEditor(name, "f"));
    else if (item.input) set.append(dateRow(name, "f", value, false));
    else if (item.fact.type === "enum" || item.fact.type === "boolean") set.append(radios(item.fact, value));
    else set.append(numberRow(item.fact, "f", value, false));
    set.append(el("p", { class: "error", id: id + "-error" }));
    return set;
  }));
  form.onsubmit = (e) => e.preventDefault();
}

function radios(fact, value) {
  const id = `f-${fact.name}`;
  const options = fact.type === "boolean" ? [true, false] : fact.values;
  const box = el("div", { class: "choices", role: "radiogroup", "aria-labelledby": id + "-q" });
  for (const option of fact.required ? options : [...options, null]) {
    const input = el("input", {
      type: "radio", name: id, value: option === null ? "" : String(option),
      checked: option === null ? value === null || value === undefined : value === option,
      onchange: () => typing(fact.name, option),
    });
    box.append(el("label", {}, input, show(option)));
  }
  return box;
}

// --- errors: they name the question, not the fact --------------------------------------

function plain(name, message) {
  // "unreturned_calls: must be at most 100, got 500 (asked as: ...)" -> "must be at most 100, got 500"
  return String(message).replace(new RegExp(`^${name}(\\[\\d+\\])?(\\.\\w+)?: `), "").replace(/ \(asked as: .*\)$/, "");
}

function showErrors(err) {
  const box = $("errors");
  document.querySelectorAll("fieldset.invalid").forEach((f) => f.classList.remove("invalid"));
  document.querySelectorAll("#facts .error, #step-error").forEach((p) => (p.textContent = ""));
  if (!err) { box.replaceChildren(); return; }
  const problems = (err.api && err.api.errors) || [{ pointer: "", message: err.message }];
  const list = el("ul", {});
  for (const p of problems) {
    const path = (p.pointer || "").split("/");
    const name = path[1] === "input" ? path[2] : "";
    let text = p.message;
    if (name) {
      const where = path.length > 3 ? ` (follow-up ${Number(path[3]) + 1})` : "";
      text = `“${questionOf(name)}”${where}: ${plain(name, p.message)}`;
      const set = $(`f-${name}-set`);
      if (set) { set.classList.add("invalid"); $(`f-${name}-error`).textContent = plain(name, p.message); }
      const step = $("step-set");
      if (step && step.dataset.asks === name) $("step-error").textContent = plain(name, p.message);
    } else if (p.line) text = `line ${p.line}: ${p.message}`;
    list.append(el("li", { text }));
  }
  box.replaceChildren(el("p", { text: "That cannot be used yet:" }), list);
}

// --- your answers (also what a print shows) --------------------------------------------

function answerText(name, value) {
  if (value === null) return "I don't know";
  if (Array.isArray(value)) return value.length ? value.map(describeEntry).join("; ") : "none";
  if (name in state.inputs) return day(value);
  const fact = state.facts[name];
  return show(value) + (fact && fact.unit && typeof value === "number" ? ` ${fact.unit}` : "");
}

function renderAnswered() {
  const list = $("answered");
  const names = Object.keys(state.answers);
  $("answered-box").hidden = !names.length;
  list.replaceChildren(...names.flatMap((name) => [
    el("dt", { text: questionOf(name) }), el("dd", { text: answerText(name, state.answers[name]) })]));
}

// --- the result ------------------------------------------------------------------------

function clearResult() {
  for (const id of ["recommendation", "hypotheses", "actions", "against", "unknowns", "changes", "whynot-tree", "plan", "contradictions"]) $(id).replaceChildren();
  $("draft-box").hidden = true;
  $("plan-box").hidden = true;
  $("against-box").hidden = true;
  $("summary-body").replaceChildren(el("p", { class: "note", text: "It appears after your first answer." }));
}

function quote(s) {
  const full = state.sources[s.id] || s;
  const who = [s.author, s.posted, full.where].filter(Boolean).join(", ");
  return el("blockquote", { "data-source": s.id },
    el("p", { text: `“${s.quote}”` }),
    el("cite", { class: "cite" }, "— " + who, s.best_answer ? el("span", { class: "best", text: " · best answer" }) : null));
}

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
  const reason = item.support.length ? item.support[0].because : item.oppose.length ? "Against it: " + item.oppose[0].because : "";
  const how = el("button", {
    type: "button", class: "link how", "aria-expanded": "false", "aria-controls": `how-${kind}-${item.id}`,
    "aria-describedby": titleId, text: item.certainty > 0 ? "How? (show the reasoning)" : "Why not? (show the reasoning)",
  });
  const tree = el("div", { id: `how-${kind}-${item.id}`, class: "tree", hidden: true });
  how.addEventListener("click", () => toggleHow(item.id, how, tree));
  const recommended = kind === "recommendation";
  return el(recommended ? "div" : "li", { class: recommended ? "recommended" : null, "data-id": item.id, "data-kind": kind },
    el("div", { class: "item-head" },
      el(headingLevel, { class: "item-title", id: titleId, text: (recommended ? "Recommended: " : kind === "also" ? "Also: " : "") + item.title }),
      el("span", { class: "certainty" },
        el("meter", { min: "0", max: "1", value: String(Math.max(0, item.certainty)), "aria-hidden": "true" }),
        " " + weighed(item))),
    recommended && item.explanation ? el("p", { class: "reason", text: item.explanation }) : null,
    reason ? el("p", { class: "reason", text: reason }) : null,
    citations(item), how, tree);
}

function render(result, before) {
  const rec = result.recommendation;
  // side matters (`also`, docs/time.md): another question's answer, shown with the advice
  const also = result.also || [];
  renderSummary(result);
  $("recommendation").replaceChildren(rec ? rankedItem(rec, "recommendation", "h3")
    : el("p", { text: "No action stands out: no rule recommends anything for this situation yet." }),
  ...(also.length ? [el("ul", { class: "also", id: "also" }, also.map((a) => rankedItem(a, "also", "h4")))] : []));
  renderDraft(rec);
  renderPlan(result);
  // nothing negative under "most likely": what the sources weigh against is listed apart
  const likely = result.hypotheses.filter((h) => h.certainty > 0);
  const shown = new Set([rec, ...also].filter(Boolean).map((a) => a.id));
  const others = result.actions.filter((a) => a.certainty > 0 && !shown.has(a.id));
  const against = [...result.hypotheses, ...result.actions].filter((x) => x.certainty <= 0 && x.strength !== "no net support");
  $("hypotheses").replaceChildren(...(likely.length ? likely.map((h) => rankedItem(h, "hypothesis", "h4"))
    : [el("li", { text: "No explanation stands out yet." })]));
  $("actions").replaceChildren(...(others.length ? others.map((a) => rankedItem(a, "action", "h4")) : [el("li", { text: "None." })]));
  $("against-box").hidden = !against.length;
  $("against").replaceChildren(...against.map((x) => rankedItem(x, "against", "h4")));
  renderContradictions(result);
  renderUnknowns(result);
  renderChanges(before, result);
}

function renderSummary(result) {
  const rec = result.recommendation;
  const top = result.hypotheses.find((h) => h.certainty > 0);
  $("summary-body").replaceChildren(
    el("p", { class: "sum-rec" }, el("strong", { text: rec ? rec.title : "No action stands out yet." }),
      rec ? el("span", { class: "certainty", text: ` (${weighed(rec)})` }) : null),
    ...(result.also || []).map((a) => el("p", { class: "sum-also" }, "Also: ", a.title)),
    top ? el("p", { class: "sum-top" }, "Likeliest: ", top.title, el("span", { class: "certainty", text: ` (${weighed(top)})` })) : null,
    el("p", { class: "sum-more" }, el("a", { href: "#result", text: "Details, sources and reasons" })));
}

// The notice that answers disagree (`contradictions`, docs/certainty.md): each one in the
// pack's words, with the answers it names as their questions; shown above the advice
// and in the summary, since everything concluded from those answers is less certain.
function renderContradictions(result) {
  const found = result.contradictions || [];
  const box = $("contradictions");
  if (!found.length) { box.replaceChildren(); return; }
  const doubt = found[0].certainty_of_answers;
  box.replaceChildren(el("div", { class: "notice", role: "note", "aria-labelledby": "contra-h" },
    el("h3", { id: "contra-h", text: "Your answers disagree" }),
    el("ul", {}, found.map((c) => el("li", {}, c.says + " ",
      el("span", { class: "note", text: "(" + Object.entries(c.answers).map(([name, value]) =>
        `${questionOf(name)} ${answerText(name, value)}`).join("; ") + ")" })))),
    el("p", { text: `Each answer named counts only ${doubt} instead of 1, so everything concluded from it is less certain: check these answers.` })));
  $("summary-body").prepend(el("p", { class: "sum-warn", text: "Some of your answers disagree: see below." }));
}

function renderDraft(rec) {
  const draft = rec && rec.draft;
  $("draft-box").hidden = !draft;
  if (!draft) return;
  $("draft-kind").textContent = { email: "An email you could send:", call: "What you could say on the phone:", message: "A message you could send:" }[draft.kind] || "What you could send:";
  // the pack wraps its drafts for a terminal; a page wraps them itself (paragraphs kept)
  $("draft").textContent = draft.text.replace(/([^\n])\n(?=[^\n])/g, "$1 ");
  $("copy-status").textContent = "";
}

// A plan step's certainty in the words of the decision's scale (certainty_scale.strength_words)
function strengthOf(certainty, result) {
  const scale = (result.certainty_scale && result.certainty_scale.strength_words) || {};
  const size = Math.round(Math.abs(certainty) * 100) / 100;
  const word = Object.entries(scale).sort((a, b) => b[1] - a[1]).find(([, floor]) => size >= floor && size > 0);
  if (!word) return "no net support";
  return `${word[0]} ${certainty > 0 ? "support" : "evidence against"}`;
}

function renderPlan(result) {
  const steps = result.next || [];
  $("plan-box").hidden = !steps.length;
  $("plan").replaceChildren(...steps.map((s, n) => el("li", { class: n === 0 ? "now" : null },
    el("span", { class: "when", text: n === 0 ? "Now" : `${s.if_no_answer ? "If no answer by" : "From"} ${day(s.from)}` }),
    el("span", { class: "what" }, el("strong", { text: s.title || "No action stands out" }),
      s.certainty !== undefined ? ` (${strengthOf(s.certainty, result)}, ${fmt(s.certainty)})` : ""),
    s.reason ? el("span", { class: "why-step", text: s.reason }) : null,
    (s.done || []).length ? el("span", { class: "done-step", text: doneText(s.done) }) : null)));
}

// The follow-ups of a plan step (`done`, docs/time.md): logged ones, and those the plan
// assumes done and unanswered
function doneText(done) {
  const one = (d) => `${d.kind || d.log} on ${day(d.date)}`;
  const logged = done.filter((d) => !d.assumed).map(one), assumed = done.filter((d) => d.assumed).map(one);
  return [logged.length ? `Logged: ${logged.join("; ")}.` : "",
    assumed.length ? `Assumed done, and not answered: ${assumed.join("; ")}.` : ""].filter(Boolean).join(" ");
}

function renderUnknowns(result) {
  const box = $("unknowns");
  const open = (result.unknowns || []).filter((u) => !(u.fact in state.answers));
  if (!open.length) {
    box.replaceChildren(el("p", { class: "note", text: "No single unanswered question could change this advice." }));
    return;
  }
  box.replaceChildren(el("ul", { class: "unknown-list" }, open.map((u) => {
    const could = u.could_change.map((c) => (c === "top_hypothesis" ? "the likeliest explanation" : "the recommendation")).join(" and ");
    const q = questionFor(u.fact);
    return el("li", { "data-fact": u.fact }, el("span", { text: `${questionOf(q.ask_as || u.fact)} ` }),
      el("span", { class: "note", text: `(could change ${could}) ` }),
      el("button", { type: "button", class: "link small", onclick: () => answerThis(u.fact), text: "Answer this" }));
  })));
}

function answerThis(fact) {
  if (state.all) setAll(false);
  state.question = questionFor(fact);
  renderStep(true);
  $("consult").scrollIntoView();
}

function summaryOf(result) {
  const out = {};
  for (const item of [...result.hypotheses, ...result.actions]) out[item.id] = item;
  return out;
}

function renderChanges(before, after) {
  const box = $("changes");
  const change = state.changed;
  state.changed = null;
  if (!before || !change) { box.replaceChildren(); return; }
  const lines = [];
  const recBefore = before.recommendation, recAfter = after.recommendation;
  if ((recBefore && recBefore.id) !== (recAfter && recAfter.id)) {
    lines.push(`The recommendation changed: it was “${recBefore ? recBefore.title : "none"}”, now it is “${recAfter ? recAfter.title : "none"}”.`);
  } else lines.push("The recommendation is the same.");
  const a = summaryOf(before), b = summaryOf(after);
  const moved = [];
  for (const id of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[id] ? a[id].certainty : 0, y = b[id] ? b[id].certainty : 0;
    if (Math.abs(y - x) >= 0.005) moved.push(el("li", { text: `${(b[id] || a[id]).title}: ${fmt(x)} → ${fmt(y)}` }));
  }
  const was = change.before === undefined ? "not answered" : answerText(change.name, change.before);
  const now = change.after === undefined ? "not answered" : answerText(change.name, change.after);
  box.replaceChildren(
    el("p", {}, el("strong", { text: `After “${questionOf(change.name)}” went from ${was} to ${now}: ` }), lines.join(" ")),
    ...(moved.length ? [el("details", {}, el("summary", { text: `${moved.length} certainties moved` }), el("ul", {}, moved))] : []));
}

// --- HOW / WHY NOT, in sentences ----------------------------------------------------------

async function explainTree(id) {
  const data = await api(`${packPath("explain")}/${encodeURIComponent(id)}`, { input: state.answers, as_of: state.asOf });
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

function cites(rule) {
  const names = rule.cites.map((c) => (state.sources[c] ? state.sources[c].author : c));
  return names.length ? ` (said by ${[...new Set(names)].join(", ")})` : "";
}

function ruleNode(node) {
  const against = node.contribution < 0;
  const weight = node.effect === "derive" ? "" : against ? ` It takes away ${fmt(-node.contribution)}.` : ` It adds ${fmt(node.contribution)}.`;
  const li = el("li", { class: against ? "against" : null },
    el("span", { text: `${node.because || words(node.rule)}${cites(node)}${weight}` }));
  const kids = el("ul", {});
  for (const fact of node.facts || []) kids.append(factNode(fact));
  for (const absent of node.absent || []) kids.append(el("li", { text: `and “${words(absent.name)}” was not concluded` }));
  if (kids.childNodes.length) li.append(kids);
  return li;
}

function factNode(fact) {
  if (fact.kind === "input") {
    const where = fact.given ? (fact.where === "default" ? ", assumed when not answered" : ", your answer") : ", not answered";
    const said = fact.given ? answerText(fact.fact, fact.value) : "unknown";
    return el("li", { class: "input", text: `${questionOf(fact.fact)} ${said}${where}.` });
  }
  const label = fact.kind === "derived" ? `“${words(fact.fact)}”${fact.value === true ? "" : " is " + show(fact.value)}` : `“${words(fact.id)}”`;
  const li = el("li", {}, el("span", { text: `${label} holds (certainty ${fmt(fact.certainty)}), because:` }));
  li.append(el("ul", {}, fact.rules.map(ruleNode)));
  return li;
}

const OPS = [[" <= ", " is at most "], [" >= ", " is at least "], [" < ", " is less than "],
  [" > ", " is more than "], [" == ", " is "], [" != ", " is not "], [" is not given", " is not known"],
  [" is given", " is known"]];

// "days_since_interview <= promised_decision_days" -> "days since interview is at most promised decision days"
function sayTest(test) {
  let text = String(test);
  for (const [op, said] of OPS) text = text.split(op).join(said);
  return words(text);
}

function saySeen(seen) {
  if (!seen) return "";
  if (seen === "not derived") return " (nothing concluded it)";
  if (seen === "not given") return " (not answered)";
  return ` (here: ${String(seen).split(" vs ").map(words).join(" and ")})`;
}

const HOLDS = { passed: "holds", failed: "does not hold", unknown: "is not known yet" };

function checkNode(check, negated) {
  const status = check.status;
  for (const key of ["all", "any"]) {
    if (check[key]) {
      const lead = key === "all"
        ? { passed: "All of these hold:", failed: "Not all of these hold:", unknown: "Not yet known whether all of these hold:" }[status]
        : { passed: "At least one of these holds:", failed: "None of these holds:", unknown: "Not yet known whether one of these holds:" }[status];
      const li = el("li", { class: "status-" + status, text: lead });
      li.append(el("ul", {}, check[key].map((c) => checkNode(c, false))));
      return li;
    }
  }
  if (check.not) {
    const inner = check.not;
    const li = el("li", { class: "status-" + status,
      text: { passed: "It is needed that this is not so, and it is not:", failed: "It is needed that this is not so, but it is:", unknown: "It is needed that this is not so; not known yet:" }[status] });
    li.append(el("ul", {}, checkNode(inner, true)));
    return li;
  }
  const sentence = `${sayTest(check.test)}: ${HOLDS[status] || status}${saySeen(check.seen)}.`;
  return el("li", { class: "status-" + status, text: sentence.charAt(0).toUpperCase() + sentence.slice(1) });
}

function treeOf(x) {
  const root = el("div", {});
  const heading = x.reached ? `How: “${x.title}”, ${x.strength || "certainty"} ${fmt(x.certainty)}${x.rank ? `, ranked ${x.rank}` : ""}`
    : `Why not: “${x.title}” was not concluded (certainty ${fmt(x.certainty)}).`;
  root.append(el("p", {}, el("strong", { text: heading })));
  if (x.support.length) root.append(el("p", { text: "For it:" }), el("ul", {}, x.support.map(ruleNode)));
  if (x.oppose.length) root.append(el("p", { text: "Against it:" }), el("ul", {}, x.oppose.map(ruleNode)));
  if (x.not_fired.length) {
    const list = el("ul", {});
    for (const rc of x.not_fired) {
      const would = rc.would_add >= 0 ? `it would have added ${fmt(rc.would_add)}` : `it would have taken away ${fmt(-rc.would_add)}`;
      const said = (rc.because || words(rc.rule)).replace(/\.$/, "");
      const li = el("li", {}, el("span", { text: `${said}${cites(rc)}: this did not apply, so ${would}. What it needs:` }));
      li.append(el("ul", {}, checkNode(rc.when, false)));
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

// --- copying, printing, pasting -------------------------------------------------------------

async function copyText(text, status) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    // no clipboard permission (an older browser, a headless one): copy a selection
    const area = el("textarea", { class: "offscreen", "aria-hidden": "true", tabindex: "-1" });
    area.value = text;
    document.body.append(area);
    area.select();
    const done = document.execCommand("copy");
    area.remove();
    if (!done) { status.textContent = "Copying is not allowed here: select the text and copy it."; return; }
  }
  status.textContent = "Copied.";
}

async function paste() {
  const text = $("paste-text").value;
  const trimmed = text.trim();
  let call;
  if (trimmed.startsWith("{")) {
    let data;
    try { data = JSON.parse(trimmed); } catch (e) { showErrors(new Error("That is not valid JSON: " + e.message)); return; }
    const input = data && typeof data === "object" && "input" in data ? data.input : data;
    call = api(packPath("decisions"), { input, as_of: state.asOf });
  } else {
    call = api(packPath("decisions"), text, "application/yaml");
  }
  pending(true);
  try {
    const result = await call;
    showErrors(null);
    state.answers = Object.fromEntries(Object.entries(result.input || {}).filter(([k]) => k in state.facts || k in state.inputs));
    keep();
    renderAnswered();
    if (state.all) buildForm();
    await refresh(true);
  } catch (err) {
    showErrors(err);
    pending(false);
  }
}

$("paste-go").addEventListener("click", paste);
$("whynot-go").addEventListener("click", whyNot);
$("back").addEventListener("click", back);
$("show-all").addEventListener("click", () => { setAll(!state.all); if (!state.all) refresh(true); });
$("copy-draft").addEventListener("click", () => copyText($("draft").textContent, $("copy-status")));
$("copy-link").addEventListener("click", () => copyText($("share-link").href, $("link-status")));
$("print").addEventListener("click", () => window.print());
$("as-of").addEventListener("change", () => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test($("as-of").value)) return;
  state.asOf = $("as-of").value;
  keep();
  if (state.all) buildForm();
  refresh(!state.all);
});
$("token-go").addEventListener("click", () => {
  state.token = $("token").value;
  sessionStorage.setItem("hunch-token", state.token);
  $("token-box").hidden = true;
  start();
});
window.addEventListener("hashchange", () => {
  if (location.hash !== fragment()) start();  // a link to other answers, opened here
});
start();
