// The drawing page of `mnn serve`: plain JavaScript, no libraries.
// It draws, sends the drawing to the JSON API (docs/serve.md) and shows the answers.
'use strict';

const SEND_SIDE = 140;   // the drawing is sent as 140×140 greys (0 black .. 255 white)
const QUERY_EVERY_MS = 90; // while drawing, at most one query this often
const DIGITS = 10;

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
function drawing() {
  const small = document.createElement('canvas');
  small.width = small.height = SEND_SIDE;
  const context = small.getContext('2d', { willReadFrequently: true });
  context.imageSmoothingQuality = 'high';
  context.drawImage(pad, 0, 0, SEND_SIDE, SEND_SIDE);
  const rgba = context.getImageData(0, 0, SEND_SIDE, SEND_SIDE).data;
  const pixels = new Array(SEND_SIDE * SEND_SIDE);
  for (let i = 0; i < pixels.length; i++) {
    pixels[i] = Math.round(0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]);
  }
  return { width: SEND_SIDE, height: SEND_SIDE, pixels };
}

// ---- talking to the server ------------------------------------------------

async function api(path, body) {
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
      img.src = `/api/${route}/${d}.png?lessons=${lessons}&t=${Date.now()}`;
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

// ---- start -----------------------------------------------------------------

async function start() {
  redraw();
  showNothing();
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
    $('collect').hidden = !model.can_collect;
    lessons = model.lessons;
    hiddenLayers(sizes.slice(1, -1));
    if (lessons > 0) say(`${lessons} lesson(s) since the served weights.`);
  } catch (error) {
    $('model-info').textContent = `Cannot reach the network: ${error.message}`;
  }
  refreshDreams();
}

start();
