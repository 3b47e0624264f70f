// The home page's question box: fetch /ask and show the models, reasons, evidence and the SPARQL behind them.
(function () {
  var T = window.MODELKG.text, lang = window.MODELKG.lang;
  var form = document.getElementById('ask-form'), input = document.getElementById('q'), out = document.getElementById('answer');
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function show(data) {
    out.innerHTML = '';
    out.appendChild(el('p', {'class': 'answer-text'}, data.text || T.no_answer));
    if (data.answers && data.answers.length) {
      out.appendChild(el('h2', {}, T.answers));
      var ol = el('ol', {'class': 'answers'});
      data.answers.forEach(function (a) {
        var li = el('li', {'class': 'answer'});
        li.appendChild(el('a', {href: modelkgPagePath(a.iri), 'data-iri': a.iri}, a.label));
        if (a.why) li.appendChild(el('div', {'class': 'why'}, Array.isArray(a.why) ? a.why.join('; ') : a.why));
        ol.appendChild(li);
      });
      out.appendChild(ol);
    }
    if (data.demo) {
      out.appendChild(el('h2', {}, T.demo_output));
      if (data.demo.weights === 'random') out.appendChild(el('p', {'class': 'warn'}, T.random_weights));
      out.appendChild(el('pre', {'class': 'demo-output'}, typeof data.demo.output === 'string' ? data.demo.output : JSON.stringify(data.demo.output, null, 2)));
      if (data.demo.note) out.appendChild(el('p', {'class': 'why'}, data.demo.note));
    }
    if (data.evidence && data.evidence.length) {
      var details = el('details', {}); details.appendChild(el('summary', {}, T.evidence + ' (' + data.evidence.length + ')'));
      details.appendChild(el('pre', {}, data.evidence.map(function (t) { return Array.isArray(t) ? t.join('  ') : JSON.stringify(t); }).join('\n')));
      out.appendChild(details);
    }
    if (data.sparql) {
      var sq = el('details', {'class': 'see-sparql'}); sq.appendChild(el('summary', {}, T.see_sparql));
      sq.appendChild(el('pre', {}, data.sparql));
      sq.appendChild(el('a', {href: '/query?lang=' + lang + '&query=' + encodeURIComponent(data.sparql), 'class': 'open-editor'}, T.open_in_editor));
      out.appendChild(sq);
    }
  }
  function ask(question) {
    if (!question.trim()) return;
    out.textContent = T.asking;
    var url = new URL(window.location.href); url.searchParams.set('q', question); history.replaceState(null, '', url);
    fetch('/ask?q=' + encodeURIComponent(question) + '&lang=' + lang, {headers: {Accept: 'application/json'}})
      .then(function (r) { return r.json(); })
      .then(function (data) { if (data.error) { out.textContent = data.error.message; } else { show(data); } })
      .catch(function (e) { out.textContent = String(e); });
  }
  form.addEventListener('submit', function (e) { e.preventDefault(); ask(input.value); });
  if (input.value) ask(input.value);
})();
