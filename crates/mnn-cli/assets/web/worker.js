// The static page's network: mnn's WebAssembly build (crates/mnn-web), in a Web Worker so the page stays
// responsive while it trains. The page posts {id, open | records | path+body}; the worker answers {id, reply}
// or {id, error}. The module's exports are plain functions over bytes in its memory (crates/mnn-web/src/wasm.rs).
'use strict';

let mnn = null;   // the module's exports

/// `bytes` copied into a buffer of the module's: [pointer, length].
function put(bytes) {
  const pointer = mnn.mnn_alloc(bytes.length);
  new Uint8Array(mnn.memory.buffer, pointer, bytes.length).set(bytes);
  return [pointer, bytes.length];
}

/// Calls `work` with `inputs` copied into the module, frees them, and returns the status and the reply.
function call(inputs, work) {
  const buffers = inputs.map(put);
  try {
    const status = work(...buffers.flat());
    const body = new Uint8Array(mnn.memory.buffer, mnn.mnn_reply_ptr(), mnn.mnn_reply_len()).slice();
    return { status, png: mnn.mnn_reply_is_png() === 1, body };
  } finally {
    for (const [pointer, length] of buffers) mnn.mnn_free(pointer, length);
  }
}

function refused(reply) {
  const refusal = JSON.parse(new TextDecoder().decode(reply.body));
  return new Error(refusal.error || `status ${reply.status}`);
}

async function bytesOf(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/// A gzip file, decompressed (the bundled MNIST records are IDX files, gzipped as MNIST is published).
async function gunzipped(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  const stream = response.body.pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/// The module built with relaxed SIMD, if this browser runs it and its `relaxed_madd` fuses on this machine (then
/// its answers are the exact module's, faster); else null.
async function relaxedModule(url) {
  try {
    const bytes = await bytesOf(url);
    if (!WebAssembly.validate(bytes)) return null;
    const { instance } = await WebAssembly.instantiate(bytes, {});
    // (1 + 2^-23)(1 - 2^-23) - 1 is -2^-46 fused, and 0 when the product is rounded first.
    const fused = instance.exports.mnn_kernel_mul_add(1 + 2 ** -23, 1 - 2 ** -23, -1) === -(2 ** -46);
    return fused ? instance : null;
  } catch (error) {
    return null;
  }
}

async function open(manifest) {
  let model = bytesOf(manifest.model);
  let instance = manifest.wasm_relaxed && !manifest.exact ? await relaxedModule(manifest.wasm_relaxed) : null;
  if (!instance) instance = (await WebAssembly.instantiate(await bytesOf(manifest.wasm), {})).instance;
  mnn = instance.exports;
  model = await model;
  const reply = call([model, new TextEncoder().encode(manifest.model_source)], mnn.mnn_open);
  if (reply.status !== 200) throw refused(reply);
  return { status: 200, body: new Uint8Array() };
}

async function records(files) {
  const parts = await Promise.all(
    [files.train_images, files.train_labels, files.test_images, files.test_labels].map(gunzipped));
  const reply = call(parts, mnn.mnn_load_records);
  if (reply.status !== 200) throw refused(reply);
  return { status: 200, body: new Uint8Array() };
}

function request(path, body) {
  const method = body === null ? 0 : 1;
  const inputs = [new TextEncoder().encode(path), new TextEncoder().encode(body === null ? '' : body)];
  return call(inputs, (path, pathLength, body, bodyLength) => mnn.mnn_request(method, path, pathLength, body, bodyLength));
}

// One message at a time, in order: a request waits for the ones before it.
let queue = Promise.resolve();
onmessage = (event) => {
  const { id, open: manifest, records: files, path, body } = event.data;
  queue = queue.then(async () => {
    try {
      let reply;
      if (manifest) reply = await open(manifest);
      else if (files) reply = await records(files);
      else reply = request(path, body);
      postMessage({ id, reply }, [reply.body.buffer]);
    } catch (error) {
      postMessage({ id, error: error.message || String(error) });
    }
  });
};
