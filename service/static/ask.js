// The home page's question box: fetch /ask and show the models with their reasons, the evidence facts,
// a demo's output when the question asked for one, and the SPARQL behind the answer.
(function () {
  var T = window.MODELKG.text, lang = window.MODELKG.lang;
  var form = document.getElementById('ask-form'), input = document.getElementById('q'), out = document.getElementById('answer');
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function term(text) {
    // Evidence triples use prefixed names; those of this graph link to their page.
    var m = /^(model|task|objective|category|paper|checkpoint|organization):(.+)$/.exec(text);
    if (m) return el('a', {href: '/' + m[1] + '/' + m[2] + '?lang=' + lang}, text);
    var full = /^<(https:\/\/w3id\.org\/modelkg\/(?:model|task|objective|category|paper|checkpoint|organization|model-type|head)\/[^>]+)>$/.exec(text);
    if (full) return el('a', {href: modelkgPagePath(full[1])}, full[1].slice('https://w3id.org/modelkg/'.length));
    return el('span', {}, text);
  }
  function show(data) {
    out.innerHTML = '';
    out.appendChild(el('p', {'class': 'answer-text'}, data.text || T.no_answer));
    if (data.answers && data.answers.length) {
      var allModels = data.answers.every(function (a) { return /\/model\//.test(a.iri || ''); });
      out.appendChild(el('h2', {}, allModels ? T.answers : T.answers_other));
      var ol = el('ol', {'class': 'answers'});
      data.answers.forEach(function (a) {
        var li = el('li', {'class': 'answer', 'data-iri': a.iri});
        li.appendChild(el('a', {href: modelkgPagePath(a.iri)}, a.label));
        var why = Array.isArray(a.why) ? a.why : (a.why ? [a.why] : []);
        if (why.length) {
          var ul = el('ul', {'class': 'why'});
          why.forEach(function (w) { ul.appendChild(el('li', {}, w)); });
          li.appendChild(ul);
        }
        ol.appendChild(li);
      });
      out.appendChild(ol);
    }
    if (data.demo) {
      var d = data.demo, box = el('section', {'class': 'demo-answer'});
      box.appendChild(el('h2', {}, T.demo_output));
      if (d.error) { box.appendChild(el('p', {'class': 'error'}, d.error.message || String(d.error))); }
      else {
        if (d.weights === 'random') box.appendChild(el('p', {'class': 'warn random-weights'}, T.random_weights));
        box.appendChild(el('p', {'class': 'why demo-meta'}, [d.checkpoint, T['weights_' + d.weights] || d.weights, d.task].filter(Boolean).join(' · ')));
        box.appendChild(el('pre', {'class': 'demo-output'}, typeof modelkgDemoOutput === 'function' ? modelkgDemoOutput(d.output) : JSON.stringify(d.output)));
        if (d.note) box.appendChild(el('p', {'class': 'why demo-note'}, d.note));
        if (d.iri) box.appendChild(el('a', {href: modelkgPagePath(d.iri) + '#try', 'class': 'try-link'}, T.try_it + ': ' + (d.label || d.model)));
      }
      out.appendChild(box);
    }
    if (data.evidence && data.evidence.length) {
      var details = el('details', {'class': 'evidence-facts'});
      details.appendChild(el('summary', {}, T.evidence + ' (' + data.evidence.length + ')'));
      var list = el('ul', {'class': 'triples'});
      data.evidence.forEach(function (t) {
        var li = el('li', {});
        (Array.isArray(t) ? t : [JSON.stringify(t)]).forEach(function (part, i) { if (i) li.appendChild(document.createTextNode(' ')); li.appendChild(term(String(part))); });
        list.appendChild(li);
      });
      details.appendChild(list);
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
    out.textContent = T.asking; out.setAttribute('aria-busy', 'true');
    var url = new URL(window.location.href); url.searchParams.set('q', question); history.replaceState(null, '', url);
    fetch('/ask?q=' + encodeURIComponent(question) + '&lang=' + lang, {headers: {Accept: 'application/json'}})
      .then(function (r) { return r.json(); })
      .then(function (data) { if (data.error) { out.innerHTML = ''; out.appendChild(el('p', {'class': 'error'}, data.error.message)); } else { show(data); } })
      .catch(function (e) { out.textContent = String(e); })
      .then(function () { out.removeAttribute('aria-busy'); });
  }
  form.addEventListener('submit', function (e) { e.preventDefault(); ask(input.value); });
  document.querySelectorAll('a.suggestion').forEach(function (a) {
    a.addEventListener('click', function (e) { e.preventDefault(); input.value = a.dataset.q; ask(a.dataset.q); });
  });
  if (input.value) ask(input.value);
})();
