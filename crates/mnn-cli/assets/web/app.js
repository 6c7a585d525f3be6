// The drawing page of `mnn serve`: plain JavaScript, no libraries.
// It draws, sends the drawing to the JSON API (docs/serve.md) and shows the answers.
'use strict';

const SEND_SIDE = 140;   // the drawing is sent as 140×140 greys (0 black .. 255 white)
const QUERY_EVERY_MS = 90; // while drawing, at most one query this often
const DIGITS = 10;
const PEN_SHARE = 1 / 7;  // the pen a drawing is sent with, as a share of the digit's larger side
const MIN_PEN = 1.5;      // and never thinner than this, in SEND_SIDE pixels

const $ = (id) => document.getElementById(id);
const escapeHtml = (text) => String(text).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const pad = $('pad');
const pen = pad.getContext('2d');

let strokes = [];        // [{width, points: [[x, y], ...]}]
let current = null;      // the stroke being drawn
let label = null;        // the digit chosen for Teach / Collect
let lessons = 0;
let model = null;        // what /api/model says of the served network

// ---- drawing ---------------------------------------------------------------

function redraw() {
  pen.fillStyle = '#fff';
  pen.fillRect(0, 0, pad.width, pad.height);
  pen.strokeStyle = pen.fillStyle = '#111';
  pen.lineCap = 'round';
  pen.lineJoin = 'round';
  for (const stroke of strokes) {
    const [first, ...rest] = stroke.points;
    if (rest.length === 0) {
      pen.beginPath();
      pen.arc(first[0], first[1], stroke.width / 2, 0, 2 * Math.PI);
      pen.fill();
      continue;
    }
    pen.lineWidth = stroke.width;
    pen.beginPath();
    pen.moveTo(first[0], first[1]);
    for (const [x, y] of rest) pen.lineTo(x, y);
    pen.stroke();
  }
}

function where(event) {
  const box = pad.getBoundingClientRect();
  return [
    (event.clientX - box.left) * pad.width / box.width,
    (event.clientY - box.top) * pad.height / box.height,
  ];
}

pad.addEventListener('pointerdown', (event) => {
  event.preventDefault();
  pad.setPointerCapture(event.pointerId);
  current = { width: Number($('pen').value), points: [where(event)] };
  strokes.push(current);
  redraw();
  drawingChanged();
});

pad.addEventListener('pointermove', (event) => {
  if (!current) return;
  const moves = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
  for (const move of (moves.length ? moves : [event])) current.points.push(where(move));
  redraw();
  drawingChanged();
});

function endStroke() {
  if (!current) return;
  current = null;
  drawingChanged();
}
pad.addEventListener('pointerup', endStroke);
pad.addEventListener('pointercancel', endStroke);

$('undo').addEventListener('click', () => { strokes.pop(); redraw(); drawingChanged(); });
$('clear').addEventListener('click', () => { strokes = []; redraw(); drawingChanged(); });
document.addEventListener('keydown', (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === 'z') {
    event.preventDefault();
    $('undo').click();
  }
});

/// The drawing as the API takes it: greys as a person sees them, 0 black ink .. 255 white paper.
/// The drawing as the server gets it: the strokes drawn again on a SEND_SIDE square, where they were, with a pen
/// sized to the digit as MNIST's pens were (about a seventh of the digit's height or width, so about 2.5 pixels once
/// the digit is fitted into 20×20), whatever pen the person chose: a tiny digit drawn with a thick pen is not a blob.
function drawing() {
  const small = document.createElement('canvas');
  small.width = small.height = SEND_SIDE;
  const context = small.getContext('2d', { willReadFrequently: true });
  const scale = SEND_SIDE / pad.width;
  const points = strokes.flatMap((stroke) => stroke.points);
  const extent = (axis) => Math.max(...points.map((p) => p[axis])) - Math.min(...points.map((p) => p[axis]));
  const size = points.length === 0 ? 0 : Math.max(extent(0), extent(1)) * scale;
  const width = Math.max(MIN_PEN, size * PEN_SHARE);
  context.fillStyle = '#fff';
  context.fillRect(0, 0, SEND_SIDE, SEND_SIDE);
  context.strokeStyle = context.fillStyle = '#000';
  context.lineCap = context.lineJoin = 'round';
  context.lineWidth = width;
  for (const stroke of strokes) {
    const [first, ...rest] = stroke.points.map(([x, y]) => [x * scale, y * scale]);
    context.beginPath();
    if (rest.length === 0) {
      context.arc(first[0], first[1], width / 2, 0, 2 * Math.PI);
      context.fill();
      continue;
    }
    context.moveTo(first[0], first[1]);
    for (const [x, y] of rest) context.lineTo(x, y);
    context.stroke();
  }
  const rgba = context.getImageData(0, 0, SEND_SIDE, SEND_SIDE).data;
  const pixels = new Array(SEND_SIDE * SEND_SIDE);
  for (let i = 0; i < pixels.length; i++) {
    pixels[i] = Math.round(0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]);
  }
  return { width: SEND_SIDE, height: SEND_SIDE, pixels };
}

// ---- talking to the network -----------------------------------------------

// Served by `mnn serve`, the page asks the server's JSON API (docs/serve.md). Opened as a static site
// (`cargo xtask web`, docs/web.md), it asks the same routes of mnn's WebAssembly build in a Web Worker.
let tab = null;          // the worker's client, on the static site

async function api(path, body) {
  if (tab) return tab.json(path, body);
  const options = { method: body === undefined ? 'GET' : 'POST' };
  if (body !== undefined) {
    options.headers = { 'Content-Type': 'application/json' };
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const reply = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(reply.error || `HTTP ${response.status}`);
  return reply;
}

/// Shows the PNG the API makes at `path` in `img`.
async function showImage(img, path) {
  if (!tab) { img.src = path; return; }
  try {
    const url = URL.createObjectURL(await tab.png(path));
    img.onload = () => URL.revokeObjectURL(url);
    img.src = url;
  } catch (error) { img.removeAttribute('src'); img.alt = error.message; }
}

/// The API answered in a Web Worker by mnn's WebAssembly build (worker.js), one request at a time.
class Tab {
  constructor(manifest) {
    this.manifest = manifest;
    this.worker = new Worker('worker.js');
    this.waiting = new Map();
    this.next = 0;
    this.worker.onmessage = (event) => {
      const { id, reply, error } = event.data;
      const pending = this.waiting.get(id);
      this.waiting.delete(id);
      if (error) pending.reject(new Error(error)); else pending.resolve(reply);
    };
    this.worker.onerror = (event) => {
      for (const pending of this.waiting.values()) pending.reject(new Error(event.message || 'the worker failed'));
      this.waiting.clear();
    };
  }

  call(message) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...message });
    });
  }

  open() { return this.call({ open: this.manifest }); }
  loadRecords() { return this.call({ records: this.manifest.records }); }

  async request(path, body) {
    const reply = await this.call({ path, body: body === undefined ? null : JSON.stringify(body) });
    if (reply.status >= 400) {
      const refusal = JSON.parse(new TextDecoder().decode(reply.body));
      throw new Error(refusal.error || `HTTP ${reply.status}`);
    }
    return reply;
  }

  async json(path, body) { return JSON.parse(new TextDecoder().decode((await this.request(path, body)).body)); }
  async png(path) { return new Blob([(await this.request(path)).body], { type: 'image/png' }); }
}

// Queries while drawing: one at a time, at most every QUERY_EVERY_MS, and always one
// after the last change, so the answer shown is the answer for what is drawn.
let inFlight = false;
let changed = false;
let timer = null;
let lastSent = 0;

function drawingChanged() {
  changed = true;
  document.body.dataset.busy = '1';
  updateButtons();
  pump();
}

function pump() {
  if (inFlight || timer || !changed) return;
  const wait = lastSent + QUERY_EVERY_MS - performance.now();
  if (wait > 0) {
    timer = setTimeout(() => { timer = null; pump(); }, wait);
    return;
  }
  changed = false;
  if (strokes.length === 0) {
    showNothing();
    settle();
    return;
  }
  inFlight = true;
  lastSent = performance.now();
  api('/api/query', drawing())
    .then(show)
    .catch(showError)
    .finally(() => { inFlight = false; settle(); pump(); });
}

function settle() {
  if (!inFlight && !changed && !timer) document.body.dataset.busy = '0';
}

// ---- showing the answers ----------------------------------------------------

const bars = [];
for (let d = 0; d < DIGITS; d++) {
  const item = document.createElement('li');
  item.dataset.digit = d;
  item.innerHTML = `<span class="digit">${d}</span><span class="track"><span class="fill"></span></span><span class="value">–</span>`;
  $('bars').appendChild(item);
  bars.push(item);

  const choice = document.createElement('label');
  choice.innerHTML = `<input type="radio" name="label" value="${d}"><span>${d}</span>`;
  choice.querySelector('input').addEventListener('change', () => { label = d; updateButtons(); });
  $('labels').appendChild(choice);

  for (const [row, what] of [['dreams', 'by backquery'], ['ascents', 'by gradient ascent']]) {
    const figure = document.createElement('figure');
    figure.innerHTML = `<img alt="what the network imagines for ${d}, ${what}" width="76" height="76"><figcaption>${d}</figcaption>`;
    $(row).appendChild(figure);
  }
}

function refreshDreams() {
  const backwards = !model || model.can_backquery;
  $('dreams').hidden = !backwards;
  $('no-backquery').hidden = backwards;
  const rows = backwards ? [['dreams', 'backquery'], ['ascents', 'imagine']] : [['ascents', 'imagine']];
  for (const [row, route] of rows) {
    document.querySelectorAll(`#${row} img`).forEach((img, d) => {
      showImage(img, `/api/${route}/${d}.png?lessons=${lessons}&t=${Date.now()}`);
    });
  }
}

/// A 28×28 image of ink levels (0 paper .. 255 ink) drawn dark on white, as the book shows digits.
function paintDigit(canvas, ink) {
  const context = canvas.getContext('2d');
  const image = context.createImageData(28, 28);
  for (let i = 0; i < 28 * 28; i++) {
    const grey = 255 - ink[i];
    image.data.set([grey, grey, grey, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
}

/// One heat map per hidden layer: the first is the page's own #hidden, the others are made as needed.
function hiddenLayers(sizes) {
  const box = $('hidden-layers');
  box.querySelectorAll('.extra').forEach((e) => e.remove());
  const activation = model ? model.activation : 'sigmoid';
  const darker = activation === 'sigmoid' ? 'Darker is nearer 1.' : 'Darker is higher (each layer scaled to its own largest signal).';
  box.querySelector('h3').textContent = sizes.length === 1 ? 'The hidden layer' : `Hidden layer 1 of ${sizes.length} (${sizes[0]} nodes)`;
  box.querySelector('p').textContent = `Each square is one hidden node: the ${activation} of its weighted inputs. ${darker}`;
  sizes.slice(1).forEach((nodes, i) => {
    const title = document.createElement('h3');
    title.className = 'extra';
    title.textContent = `Hidden layer ${i + 2} of ${sizes.length} (${nodes} nodes)`;
    const canvas = document.createElement('canvas');
    canvas.className = 'heat extra';
    canvas.id = `hidden-${i + 2}`;
    canvas.setAttribute('aria-label', `hidden layer ${i + 2} activations`);
    box.append(title, canvas);
  });
  sizes.forEach((nodes, i) => paintHidden(new Array(nodes).fill(0), i));
}

/// The hidden signals of layer `layer` (0: the first) as a heat map, nearly square, from pale (0) to deep blue.
function paintHidden(signals, layer = 0) {
  const canvas = layer === 0 ? $('hidden') : $(`hidden-${layer + 1}`);
  if (!canvas) return;
  // Sigmoid signals are 0..1 already; tanh's magnitude and ReLU's are scaled to the largest.
  const largest = Math.max(1e-6, ...signals.map(Math.abs));
  const values = model && model.activation !== 'sigmoid' ? signals.map((v) => Math.abs(v) / largest) : signals;
  canvas.dataset.nodes = values.length;
  const columns = Math.ceil(Math.sqrt(values.length * 1.1));
  const rows = Math.ceil(values.length / columns);
  const cell = 10;
  canvas.width = columns * cell;
  canvas.height = rows * cell;
  const context = canvas.getContext('2d');
  context.fillStyle = '#f2f4f8';
  context.fillRect(0, 0, canvas.width, canvas.height);
  values.forEach((v, i) => {
    const mix = (a, b) => Math.round(a + (b - a) * v);
    context.fillStyle = `rgb(${mix(247, 8)}, ${mix(251, 48)}, ${mix(255, 107)})`;
    context.fillRect((i % columns) * cell, Math.floor(i / columns) * cell, cell - 1, cell - 1);
  });
}

function show(reply) {
  const outputs = reply.outputs;
  $('answer').textContent = reply.label;
  const sorted = [...outputs].sort((a, b) => b - a);
  $('verdict-note').textContent = sorted[0] > 0.5 && sorted[1] < 0.2
    ? `The network says ${reply.label}, and is fairly sure.`
    : `The network says ${reply.label}, but it is unsure.`;
  bars.forEach((item, d) => {
    item.classList.toggle('winner', d === reply.label);
    item.querySelector('.fill').style.width = `${(outputs[d] * 100).toFixed(1)}%`;
    item.querySelector('.value').textContent = outputs[d].toFixed(3);
    item.dataset.value = outputs[d];
  });
  paintDigit($('seen'), reply.input);
  paintDigit($('raw'), reply.raw.input);
  $('seen-label').textContent = reply.label;
  $('raw-label').textContent = reply.raw.label;
  (reply.hidden_layers || [reply.hidden]).forEach((signals, layer) => paintHidden(signals, layer));
  document.body.dataset.answers = Number(document.body.dataset.answers) + 1;
}

function showNothing() {
  $('answer').textContent = '?';
  $('verdict-note').textContent = 'Draw a digit on the left.';
  bars.forEach((item) => {
    item.classList.remove('winner');
    item.querySelector('.fill').style.width = '0';
    item.querySelector('.value').textContent = '–';
  });
  for (const id of ['seen', 'raw']) paintDigit($(id), new Array(784).fill(0));
  $('seen-label').textContent = $('raw-label').textContent = '–';
}

function say(text, error = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', error);
}

function showError(error) { say(error.message, true); }

function updateButtons() {
  const ready = strokes.length > 0 && label !== null;
  $('teach').disabled = !ready;
  $('collect').disabled = !ready;
}

// ---- teaching ----------------------------------------------------------------

$('teach').addEventListener('click', async () => {
  try {
    const reply = await api('/api/teach', { ...drawing(), label });
    lessons = reply.lessons;
    show(reply);
    // The network's targets: the book's 0.99 for the label and 0.01 for the others (0 and 1 for cross-entropy).
    const [off, on] = model ? model.targets : [0.01, 0.99];
    const error = (outputs) => outputs.reduce((sum, o, d) => sum + ((d === label ? on : off) - o) ** 2, 0);
    const before = reply.before.outputs[label], after = reply.outputs[label];
    say(`Taught once as ${label}: output ${label} went from ${before.toFixed(5)} to ${after.toFixed(5)}, and the ` +
        `squared error over all ten outputs from ${error(reply.before.outputs).toFixed(5)} to ` +
        `${error(reply.outputs).toFixed(5)}. ${lessons} lesson${lessons === 1 ? '' : 's'} since the served weights.`);
    refreshDreams();
  } catch (error) { showError(error); }
});

$('reset').addEventListener('click', async () => {
  try {
    const reply = await api('/api/reset', {});
    lessons = reply.lessons;
    say('Reset: back to the served weights, every lesson forgotten.');
    refreshDreams();
    drawingChanged();
  } catch (error) { showError(error); }
});

$('save').addEventListener('click', async () => {
  try {
    const reply = await api('/api/save', {});
    say(`Saved the network with its ${reply.lessons} lesson(s) to ${reply.saved}.`);
  } catch (error) { showError(error); }
});

$('collect').addEventListener('click', async () => {
  try {
    const reply = await api('/api/collect', { ...drawing(), label });
    say(`Kept the drawing as ${reply.saved}; \`mnn query\` reads it.`);
  } catch (error) { showError(error); }
});

// ---- watch it learn ----------------------------------------------------------

// The networks to choose from: mnn's named recipes (`mnn train --recipe list`), as the server lists them; the
// server checks every field against its limits.
let recipes = {};
const FIELDS = ['hidden', 'activation', 'loss', 'lr', 'decay', 'epochs', 'augment', 'batch', 'seed'];
let run = null;            // the run as the server last described it

function choose(name) {
  const recipe = recipes[name];
  if (!recipe) return;
  const s = recipe.settings;
  const values = { hidden: s.hidden.join(','), activation: s.activation, loss: s.loss, lr: String(s.lr),
    decay: String(s.lr_decay), epochs: String(s.epochs), augment: s.augment, batch: String(s.batch),
    seed: String(s.seed) };
  for (const field of FIELDS) $(`t-${field}`).value = values[field];
  $('t-bias').checked = s.bias;
  $('t-preset').value = name;
}

async function loadRecipes() {
  try {
    const list = await api('/api/train/recipes');
    const select = $('t-preset');
    for (const recipe of list.reverse()) {
      recipes[recipe.name] = recipe;
      const option = document.createElement('option');
      option.value = recipe.name;
      option.textContent = `${recipe.name}: ${recipe.summary}`;
      option.title = recipe.figures;
      select.prepend(option);
    }
    choose('book');
  } catch (error) { trainSay(`Cannot list the recipes: ${error.message}`, true); }
}

$('t-preset').addEventListener('change', () => choose($('t-preset').value));
for (const field of [...FIELDS, 'bias', 'limit']) {
  $(`t-${field}`).addEventListener('input', () => { $('t-preset').value = 'custom'; });
}

/// The form as the start request: empty fields are left to the server's defaults.
function trainRequest() {
  const number = (id) => { const v = $(id).value.trim(); return v === '' ? undefined : Number(v); };
  const hidden = $('t-hidden').value.split(',').map((v) => v.trim()).filter((v) => v !== '').map(Number);
  return {
    hidden, activation: $('t-activation').value, loss: $('t-loss').value, bias: $('t-bias').checked,
    lr: number('t-lr'), lr_decay: number('t-decay'), epochs: number('t-epochs'),
    augment: $('t-augment').value.trim(), batch: number('t-batch'), limit: number('t-limit'), seed: number('t-seed'),
  };
}

function trainButtons() {
  const status = run ? run.status : 'idle';
  const active = ['running', 'paused', 'stopping'].includes(status);
  $('t-start').disabled = active;
  $('t-pause').disabled = !(status === 'running' || status === 'paused');
  $('t-pause').textContent = status === 'paused' ? 'Resume' : 'Pause';
  $('t-stop').disabled = !(status === 'running' || status === 'paused');
  const served = run ? run.served_epoch : null;
  $('t-continue').disabled = active || !run || served === null || served >= run.epochs;
}

function trainSay(text, error = false) {
  $('t-status').textContent = text;
  $('t-status').classList.toggle('error', error);
}

function describeRun() {
  if (!run || run.status === 'idle') return 'No run yet.';
  const last = run.epoch_ends[run.epoch_ends.length - 1];
  const accuracy = last ? ` Test accuracy after epoch ${last.epoch}: ${(100 * last.accuracy).toFixed(2)}%.` : '';
  const words = {
    running: 'Training', paused: 'Paused', stopping: 'Stopping when this epoch ends', stopped: 'Stopped',
    finished: 'Finished', failed: 'Failed',
  };
  const epochs = `${run.epochs} epoch${run.epochs === 1 ? '' : 's'}`;
  return `${words[run.status] || run.status}: ${run.description}, ${epochs} on ${run.records.toLocaleString('en')} ` +
    `records (${run.message}).${accuracy}`;
}

/// The learning curve: the training error within epochs (left axis), the test accuracy at epoch ends (right).
function drawCurve() {
  const canvas = $('t-curve');
  const context = canvas.getContext('2d');
  const [width, height, left, right, top, bottom] = [canvas.width, canvas.height, 46, 46, 12, 26];
  context.clearRect(0, 0, width, height);
  context.font = '11px system-ui, sans-serif';
  context.strokeStyle = '#dde2ea';
  context.strokeRect(left, top, width - left - right, height - top - bottom);
  if (!run || run.status === 'idle') return;
  const epochs = Math.max(1, run.epochs);
  const x = (at) => left + (width - left - right) * at / epochs;
  const points = run.curve;
  const highest = Math.max(1e-6, ...points.map((p) => p.mean_error));
  const yError = (e) => top + (height - top - bottom) * (1 - e / highest);
  const yAccuracy = (a) => top + (height - top - bottom) * (1 - a);
  context.fillStyle = '#5b6472';
  context.textAlign = 'center';
  for (let e = 0; e <= epochs; e += Math.max(1, Math.ceil(epochs / 10))) context.fillText(String(e), x(e), height - 10);
  context.fillText('epochs', width / 2, height - 1);
  context.textAlign = 'right';
  context.fillText(highest.toPrecision(2), left - 4, top + 8);
  context.fillText('0', left - 4, height - bottom);
  context.textAlign = 'left';
  context.fillText('100%', width - right + 4, top + 8);
  context.fillText('0%', width - right + 4, height - bottom);
  context.strokeStyle = '#d9534f';
  context.lineWidth = 1.5;
  context.beginPath();
  points.forEach((p, i) => (i === 0 ? context.moveTo(x(p.at), yError(p.mean_error)) : context.lineTo(x(p.at), yError(p.mean_error))));
  context.stroke();
  context.fillStyle = '#2f6fdb';
  for (const end of run.epoch_ends) {
    context.beginPath();
    context.arc(x(end.epoch), yAccuracy(end.accuracy), 4, 0, 2 * Math.PI);
    context.fill();
    context.fillText(`${(100 * end.accuracy).toFixed(1)}%`, Math.min(x(end.epoch) + 5, width - right - 36), yAccuracy(end.accuracy) + 14);
  }
  canvas.dataset.points = points.length;
}

function showConfusion(end) {
  const table = $('t-confusion');
  if (!end) { table.innerHTML = ''; $('t-confusion-epoch').textContent = ''; return; }
  $('t-confusion-epoch').textContent = `after epoch ${end.epoch} (rows: the digit, columns: the answer)`;
  let html = '<tr><th></th>' + [...Array(DIGITS).keys()].map((d) => `<th>${d}</th>`).join('') + '</tr>';
  end.confusion.forEach((row, truth) => {
    html += `<tr><th>${truth}</th>` + row.map((n, answer) => `<td class="${truth === answer ? 'right' : ''}">${n}</td>`).join('') + '</tr>';
  });
  table.innerHTML = html;
}

function showKept() {
  const box = $('t-kept');
  box.innerHTML = '';
  if (!run || run.status === 'idle') return;
  const active = ['running', 'paused', 'stopping'].includes(run.status);
  const kept = [{ epoch: 0 }, ...run.epoch_ends];
  for (const end of kept) {
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.epoch = end.epoch;
    button.textContent = end.epoch === 0 ? 'start' : `epoch ${end.epoch} · ${(100 * end.accuracy).toFixed(1)}%`;
    button.title = active ? 'Stop the run to go back to this epoch' : `Answer with the network of epoch ${end.epoch}`;
    button.disabled = active;
    button.classList.toggle('served', run.served_epoch === end.epoch);
    button.addEventListener('click', () => trainAction('/api/train/rewind', { epoch: end.epoch }));
    box.appendChild(button);
  }
}

/// The served network changed: its header, its answers, its pictures.
async function servedChanged() {
  await loadModel();
  drawingChanged();
  refreshDreams();
  if (!tab) $('t-weights').src = `/api/weights.png?top=12&t=${Date.now()}`;
}

function showRun(view) {
  run = view;
  drawCurve();
  showConfusion(run.epoch_ends[run.epoch_ends.length - 1]);
  showKept();
  trainButtons();
  trainSay(describeRun(), run.status === 'failed');
  if (!run.speed) $('t-speed').textContent = '';
}

function showSpeed(speed) {
  const left = speed.seconds_left < 90 ? `${speed.seconds_left.toFixed(0)} s` : `${(speed.seconds_left / 60).toFixed(1)} min`;
  $('t-speed').textContent = `Epoch ${speed.epoch}: ${speed.samples.toLocaleString('en')} of ` +
    `${speed.samples_per_epoch.toLocaleString('en')} samples, ${Math.round(speed.samples_per_second).toLocaleString('en')} samples/s, about ${left} left.`;
}

async function trainAction(path, body = {}) {
  if (tab) return tabAction(path, body);
  try {
    showRun(await api(path, body));
    if (path === '/api/train/rewind') await servedChanged();
  } catch (error) { trainSay(error.message, true); }
}

// ---- watch it learn, in the tab ----------------------------------------------

// On the static site the page drives the run itself: it asks the worker to train a part of an epoch at a
// time (POST /api/train/step, about STEP_MS of work each), and between parts it draws, pauses or stops.
const STEP_MS = 150;
let stepSamples = 64;      // samples per step, adjusted to take about STEP_MS

async function tabAction(path, body) {
  try {
    if (path === '/api/train/start') {
      const described = await api(path, body);
      run = { ...described, status: 'running', message: `in this tab, on ${tab.manifest.records.about}`,
        data: 'bundled', curve: [], epoch_ends: [], speed: null, served_epoch: 0 };
      showRun(run);
      tabTrain();
    } else if (path === '/api/train/pause') {
      run.status = 'paused'; showRun(run);
    } else if (path === '/api/train/resume') {
      run.status = 'running'; showRun(run); tabTrain();
    } else if (path === '/api/train/stop') {
      run.status = 'stopped'; showRun(run);
    } else if (path === '/api/train/rewind') {
      await api(path, body);
      run.served_epoch = body.epoch; showRun(run);
      await servedChanged();
    } else if (path === '/api/train/continue') {
      const epoch = run.served_epoch;
      await api(path, { epoch });
      run.epoch_ends = run.epoch_ends.filter((end) => end.epoch <= epoch);
      run.curve = run.curve.filter((point) => point.at <= epoch);
      run.status = 'running'; showRun(run);
      tabTrain();
    }
  } catch (error) { trainSay(error.message, true); }
}

let tabTraining = false;
async function tabTrain() {
  if (tabTraining) return;
  tabTraining = true;
  let epochStarted = performance.now();
  try {
    while (run && run.status === 'running') {
      const started = performance.now();
      const step = await api('/api/train/step', { samples: stepSamples });
      const took = Math.max(1, performance.now() - started);
      stepSamples = Math.max(16, Math.min(20000, Math.round(stepSamples * STEP_MS / took)));
      run.curve.push(step.point);
      const done = step.end ? step.samples_per_epoch : step.samples;
      const perSecond = 1000 * done / Math.max(1, performance.now() - epochStarted);
      const left = (run.epochs - step.epoch) * step.samples_per_epoch + step.samples_per_epoch - done;
      run.speed = { epoch: step.epoch, samples: done, samples_per_epoch: step.samples_per_epoch,
        samples_per_second: perSecond, seconds_left: left / Math.max(1, perSecond) };
      showSpeed(run.speed);
      drawCurve();
      if (step.end) {
        const trained = performance.now();
        const score = await api('/api/train/score', {});
        const scored = performance.now();
        run.epoch_ends.push({ ...step.end, ...score, seconds: (scored - epochStarted) / 1000,
          train_seconds: (trained - epochStarted) / 1000, score_seconds: (scored - trained) / 1000 });
        run.served_epoch = step.end.epoch;
        epochStarted = performance.now();
        if (step.end.epoch >= run.epochs) run.status = 'finished';
        showRun(run);
        await servedChanged();
      }
    }
  } catch (error) {
    run.status = 'failed';
    run.message = error.message;
    showRun(run);
  } finally { tabTraining = false; }
}

$('t-start').addEventListener('click', () => trainAction('/api/train/start', trainRequest()));
$('t-pause').addEventListener('click', () => trainAction(run && run.status === 'paused' ? '/api/train/resume' : '/api/train/pause'));
$('t-stop').addEventListener('click', () => trainAction('/api/train/stop'));
$('t-continue').addEventListener('click', () => trainAction('/api/train/continue'));

/// The run's events, pushed by the server (Server-Sent Events; the browser reconnects by itself).
function watchTraining() {
  const events = new EventSource('/api/train/events');
  events.onmessage = (message) => {
    const watch = JSON.parse(message.data);
    const canvas = $('t-curve');
    canvas.dataset.updates = Number(canvas.dataset.updates) + 1;
    if (watch.kind === 'run') {
      showRun(watch);
    } else if (watch.kind === 'progress' && run) {
      run.curve.push(watch.point);
      run.speed = watch.speed;
      drawCurve();
      showSpeed(watch.speed);
    } else if (watch.kind === 'epoch' && run) {
      run.epoch_ends.push(watch);
      run.served_epoch = watch.epoch;
      showRun(run);
      servedChanged();
    }
  };
}

// ---- start -----------------------------------------------------------------

async function loadModel() {
  try {
    model = await api('/api/model');
    const sizes = model.layers;
    const accuracy = model.test_accuracy === null
      ? 'test accuracy unknown'
      : `<b>${(100 * model.test_accuracy).toFixed(2)}%</b> of the MNIST test digits right`;
    const kind = escapeHtml(model.network.split(', ').slice(1).join(', '));
    $('model-info').innerHTML =
      `A <b>${sizes.join('-')}</b> network (${kind}), learning rate ${model.learning_rate}, ${accuracy}; ${escapeHtml(model.source)}.`;
    $('outputs-explain').textContent = model.output === 'softmax'
      ? 'The ten output nodes, a softmax: between 0 and 1, adding up to 1. The largest one is the network\'s answer.'
      : 'The ten output nodes, each a sigmoid between 0 and 1. The largest one is the network\'s answer.';
    $('teach-rule').innerHTML = model.network === `${sizes.join('-')}, sigmoid`
      ? 'the book\'s <code>train</code>'
      : `the network's own <code>train</code> step (${kind})`;
    $('save').hidden = !model.can_save;
    document.body.dataset.simd = model.simd || '';
    $('collect').hidden = !model.can_collect;
    lessons = model.lessons;
    hiddenLayers(sizes.slice(1, -1));
    if (lessons > 0) say(`${lessons} lesson(s) since the served weights.`);
  } catch (error) {
    $('model-info').textContent = `Cannot reach the network: ${error.message}`;
  }
}

/// web.json beside the page says where its network is: `mnn serve` answers {"api": "server"}; the static site's
/// (docs/web.md) names the WebAssembly modules and the files they load.
async function openTab() {
  let manifest = null;
  try {
    const response = await fetch('web.json', { cache: 'no-store' });
    if (response.ok) manifest = await response.json();
  } catch (error) { manifest = null; }
  if (!manifest || manifest.api === 'server') return;
  // ?simd=exact: the module with the exact fused multiply-add even where relaxed SIMD's fuses (docs/web.md).
  manifest.exact = new URLSearchParams(location.search).get('simd') === 'exact';
  tab = new Tab(manifest);
  document.body.dataset.mode = 'static';
  for (const id of ['t-weights', 't-weights-title', 't-limit-field']) $(id).hidden = true;
  trainSay(`No run yet. It trains here in the tab, on ${manifest.records.about}.`);
  await tab.open();
}

async function start() {
  redraw();
  showNothing();
  await openTab();
  await loadModel();
  refreshDreams();
  if (!tab) $('t-weights').src = '/api/weights.png?top=12';
  drawCurve();
  await loadRecipes();
  if (tab) {
    $('t-start').disabled = true;
    tab.loadRecords()
      .then(() => { trainButtons(); document.body.dataset.records = 'loaded'; })
      .catch((error) => trainSay(`Cannot load the training records: ${error.message}`, true));
  } else {
    watchTraining();
  }
}

start();
