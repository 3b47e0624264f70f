// The "try it" form on a model page: POST /demo and show the output, saying plainly when weights are random.
(function () {
  var form = document.getElementById('demo-form');
  if (!form) return;
  var T = window.MODELKG.text, out = document.getElementById('demo-result');
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var body = {model: form.dataset.model, text: form.elements.text.value};
    if (form.elements.task.value) body.task = form.elements.task.value;
    out.textContent = T.asking;
    fetch('/demo', {method: 'POST', headers: {'Content-Type': 'application/json', Accept: 'application/json'}, body: JSON.stringify(body)})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        out.innerHTML = '';
        if (data.error) { var p = document.createElement('p'); p.className = 'error'; p.textContent = data.error.message; out.appendChild(p); return; }
        if (data.weights === 'random') { var w = document.createElement('p'); w.className = 'warn'; w.textContent = T.random_weights; out.appendChild(w); }
        var meta = document.createElement('p'); meta.className = 'why';
        meta.textContent = [data.checkpoint, data.weights, data.task, (data.seconds || 0).toFixed(2) + ' s'].join(' · ');
        out.appendChild(meta);
        var pre = document.createElement('pre'); pre.className = 'demo-output';
        pre.textContent = typeof data.output === 'string' ? data.output : JSON.stringify(data.output, null, 2);
        out.appendChild(pre);
        if (data.note) { var n = document.createElement('p'); n.className = 'why'; n.textContent = data.note; out.appendChild(n); }
      })
      .catch(function (err) { out.textContent = String(err); });
  });
})();
