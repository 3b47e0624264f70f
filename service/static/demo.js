// The "try it" form on a model page: POST /demo and show the output, saying plainly when weights are random.
(function () {
  var form = document.getElementById('demo-form');
  if (!form) return;
  var T = window.MODELKG.text, out = document.getElementById('demo-result');
  var samples = JSON.parse(form.dataset.texts || '{}'), button = form.querySelector('button[type=submit]');
  // A new task brings its own sample text, unless the visitor has written their own.
  form.elements.task.addEventListener('change', function () {
    var current = form.elements.text.value, isSample = !current.trim() || Object.keys(samples).some(function (k) { return samples[k] === current; });
    if (isSample && samples[form.elements.task.value]) form.elements.text.value = samples[form.elements.task.value];
  });
  function el(tag, cls, text) { var n = document.createElement(tag); if (cls) n.className = cls; if (text !== undefined) n.textContent = text; return n; }
  function render(data) {
    out.innerHTML = '';
    if (data.weights === 'random') out.appendChild(el('p', 'warn random-weights', T.random_weights));
    var meta = el('p', 'why demo-meta');
    meta.textContent = [data.checkpoint, T['weights_' + data.weights] || data.weights, data.task, (data.seconds || 0).toFixed(2) + ' s'].filter(Boolean).join(' · ');
    out.appendChild(meta);
    out.appendChild(el('pre', 'demo-output', modelkgDemoOutput(data.output)));
    if (data.note) out.appendChild(el('p', 'why demo-note', data.note));
  }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var body = {model: form.dataset.model, text: form.elements.text.value};
    if (form.elements.task.value) body.task = form.elements.task.value;
    out.textContent = T.running; button.disabled = true; out.setAttribute('aria-busy', 'true');
    fetch('/demo', {method: 'POST', headers: {'Content-Type': 'application/json', Accept: 'application/json'}, body: JSON.stringify(body)})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.error) { out.innerHTML = ''; out.appendChild(el('p', 'error', data.error.message)); return; }
        render(data);
      })
      .catch(function (err) { out.innerHTML = ''; out.appendChild(el('p', 'error', String(err))); })
      .then(function () { button.disabled = false; out.removeAttribute('aria-busy'); });
  });
})();
// A demo's output as text: a string as is, fill-mask candidates one a line with their scores, else JSON.
function modelkgDemoOutput(output) {
  if (typeof output === 'string') return output;
  if (Array.isArray(output) && output.length && output[0] && (output[0].sequence !== undefined || output[0].token_str !== undefined)) {
    return output.map(function (c) {
      return (c.sequence || c.token_str || c.token) + (typeof c.score === 'number' ? '   ' + c.score.toFixed(4) : '');
    }).join('\n');
  }
  if (Array.isArray(output) && output.length && output[0] && output[0].generated_text !== undefined) {
    return output.map(function (c) { return c.generated_text; }).join('\n\n');
  }
  return JSON.stringify(output, null, 2);
}
