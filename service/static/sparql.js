// The query page: CodeMirror with SPARQL highlighting and prefix completion, results as a sortable table,
// the query kept in the URL, download links, a timeline or lineage view when the columns fit one.
(function () {
  var M = window.MODELKG, T = M.text;
  var textarea = document.getElementById('query'), errorBox = document.getElementById('query-error');
  var results = document.getElementById('results'), views = document.getElementById('views');
  var downloads = document.getElementById('downloads');
  var editor = CodeMirror.fromTextArea(textarea, {mode: 'sparql', lineNumbers: true, viewportMargin: Infinity,
    extraKeys: {'Ctrl-Enter': run, 'Cmd-Enter': run, 'Ctrl-Space': 'autocomplete', 'Tab': false, 'Shift-Tab': false}});
  editor.getWrapperElement().setAttribute('aria-label', 'SPARQL editor');
  editor.getInputField().setAttribute('aria-label', 'SPARQL');

  // Prefix completion: after "prefix:" offer that vocabulary's terms; elsewhere offer the prefixes.
  CodeMirror.registerHelper('hint', 'sparql', function (cm) {
    var cur = cm.getCursor(), line = cm.getLine(cur.line), start = cur.ch;
    while (start > 0 && /[\w:-]/.test(line.charAt(start - 1))) start--;
    var word = line.slice(start, cur.ch), list = [];
    var colon = word.indexOf(':');
    if (colon >= 0) {
      var prefix = word.slice(0, colon), rest = word.slice(colon + 1);
      (M.terms[prefix] || []).forEach(function (t) { if (t.indexOf(rest) === 0) list.push(prefix + ':' + t); });
    } else {
      Object.keys(M.prefixes).forEach(function (p) { if (p.indexOf(word) === 0) list.push(p + ':'); });
    }
    return {list: list, from: CodeMirror.Pos(cur.line, start), to: CodeMirror.Pos(cur.line, cur.ch)};
  });
  editor.on('inputRead', function (cm, change) { if (/[\w:]/.test(change.text[0])) cm.showHint({completeSingle: false, hint: CodeMirror.hint.sparql}); });

  function queryKind(q) {
    var body = q.replace(/#[^\n]*/g, '').replace(/PREFIX\s+\S*\s*<[^>]*>/gi, '').replace(/BASE\s*<[^>]*>/gi, '');
    var m = /\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i.exec(body);
    return m ? m[1].toUpperCase() : 'SELECT';
  }
  function endpointUrl(q, format) { return M.endpoint + '?query=' + encodeURIComponent(q) + (format ? '&format=' + format : ''); }
  function setDownloads(q, kind) {
    var graph = kind === 'CONSTRUCT' || kind === 'DESCRIBE';
    var links = graph ? [['dl-json', 'jsonld'], ['dl-csv', null], ['dl-tsv', null], ['dl-ttl', 'ttl']] : [['dl-json', 'json'], ['dl-csv', 'csv'], ['dl-tsv', 'tsv'], ['dl-ttl', null]];
    links.forEach(function (pair) {
      var a = document.getElementById(pair[0]);
      if (pair[1]) { a.href = endpointUrl(q, pair[1]); a.hidden = false; } else { a.removeAttribute('href'); a.hidden = true; }
    });
    downloads.hidden = false;
  }
  // An error in words, under the editor, with the parser's line and column marked in the query itself.
  var marked = null;
  function clearError() {
    errorBox.hidden = true; errorBox.textContent = '';
    if (marked) { editor.removeLineClass(marked.line, 'background', 'error-line'); if (marked.mark) marked.mark.clear(); marked = null; }
  }
  function showError(message) {
    errorBox.textContent = T.query_error + ': ' + message; errorBox.hidden = false;
    var m = /line (\d+), column (\d+)/i.exec(message);
    if (m) {
      var line = Math.max(0, Math.min(+m[1] - 1, editor.lineCount() - 1)), ch = Math.max(0, +m[2] - 1);
      var text = editor.getLine(line) || '', end = ch;
      while (end < text.length && /\S/.test(text.charAt(end))) end++;
      marked = {line: line, mark: editor.markText(CodeMirror.Pos(line, ch), CodeMirror.Pos(line, Math.max(end, ch + 1)), {className: 'error-mark'})};
      editor.addLineClass(line, 'background', 'error-line');
      editor.setCursor(CodeMirror.Pos(line, ch));
      errorBox.dataset.line = String(line + 1); errorBox.dataset.column = String(ch + 1);
    }
  }
  function cellNode(term) {
    if (!term) return document.createTextNode('');
    if (term.type === 'uri') {
      var a = document.createElement('a'); a.href = modelkgPagePath(term.value); a.textContent = shorten(term.value); a.title = term.value; return a;
    }
    return document.createTextNode(term.value);
  }
  function shorten(iri) {
    var best = null;
    Object.keys(M.prefixes).forEach(function (p) { var ns = M.prefixes[p]; if (iri.indexOf(ns) === 0 && (!best || ns.length > M.prefixes[best].length)) best = p; });
    return best ? best + ':' + iri.slice(M.prefixes[best].length) : iri;
  }
  function table(vars, rows) {
    var t = document.createElement('table'), thead = t.createTHead(), hr = thead.insertRow(), tbody = t.createTBody();
    var order = {col: null, dir: 1};
    vars.forEach(function (v) {
      var th = document.createElement('th'), b = document.createElement('button'); b.textContent = v; b.type = 'button';
      b.addEventListener('click', function () {
        order.dir = order.col === v ? -order.dir : 1; order.col = v;
        rows.sort(function (x, y) {
          var a = x[v] ? x[v].value : '', c = y[v] ? y[v].value : '';
          var na = parseFloat(a), nc = parseFloat(c);
          var r = (!isNaN(na) && !isNaN(nc)) ? na - nc : a.localeCompare(c);
          return r * order.dir;
        });
        th.setAttribute('aria-sort', order.dir > 0 ? 'ascending' : 'descending'); fill();
      });
      th.appendChild(b); hr.appendChild(th);
    });
    function fill() {
      tbody.innerHTML = '';
      rows.forEach(function (row) { var tr = tbody.insertRow(); vars.forEach(function (v) { tr.insertCell().appendChild(cellNode(row[v])); }); });
    }
    fill(); return t;
  }
  function drawViews(vars, rows) {
    views.innerHTML = '';
    if (vars.indexOf('year') >= 0) {
      var h = document.createElement('h2'); h.textContent = T.timeline; views.appendChild(h);
      var ol = document.createElement('ol'); ol.className = 'timeline';
      rows.slice().sort(function (a, b) { return (a.year ? +a.year.value : 0) - (b.year ? +b.year.value : 0); }).forEach(function (r) {
        var li = document.createElement('li'); li.textContent = (r.year ? r.year.value : '?') + ' — ' + vars.filter(function (v) { return v !== 'year' && r[v]; }).map(function (v) { return r[v].value; }).join(' · ');
        ol.appendChild(li);
      });
      views.appendChild(ol);
    }
    var from = vars.indexOf('model') >= 0 ? 'model' : null, to = vars.indexOf('source') >= 0 ? 'source' : null;
    if (from && to && window.cytoscape) {
      var h2 = document.createElement('h2'); h2.textContent = T.lineage_view; views.appendChild(h2);
      var box = document.createElement('div'); box.className = 'graph'; views.appendChild(box);
      var nodes = {}, edges = [];
      rows.forEach(function (r) {
        if (!r[from] || !r[to]) return;
        [r[from], r[to]].forEach(function (t) {
          var iri = t.type === 'uri' ? t.value : null;
          nodes[t.value] = {id: t.value, label: iri ? shorten(iri) : t.value, kind: 'model'};
        });
        edges.push({source: r[from].value, target: r[to].value, label: r.relation ? r.relation.value : ''});
      });
      modelkgDrawGraph(box, {nodes: Object.keys(nodes).map(function (k) { return nodes[k]; }), edges: edges}, null, {layout: 'cose'});
    }
  }
  // Only the latest run may draw: a slow earlier answer (the page's own first query) must not
  // overwrite the one the reader asked for since.
  var latest = null;
  function run() {
    var q = editor.getValue(), kind = queryKind(q);
    if (latest) latest.abort();
    var mine = latest = new AbortController();
    clearError(); results.textContent = T.asking; downloads.hidden = true;
    var url = new URL(window.location.href); url.searchParams.set('query', q); history.replaceState(null, '', url);
    var accept = (kind === 'CONSTRUCT' || kind === 'DESCRIBE') ? 'text/turtle' : 'application/sparql-results+json';
    fetch(M.endpoint, {method: 'POST', headers: {'Content-Type': 'application/sparql-query', Accept: accept}, body: q, signal: mine.signal})
      .then(function (r) {
        var type = r.headers.get('Content-Type') || '';
        if (!r.ok) return r.json().then(function (e) { throw new Error(e.error ? e.error.message : r.statusText); });
        return type.indexOf('json') >= 0 ? r.json() : r.text();
      })
      .then(function (data) {
        if (mine !== latest) return;
        results.innerHTML = ''; setDownloads(q, kind);
        if (typeof data === 'string') { var pre = document.createElement('pre'); pre.textContent = data; results.appendChild(pre); views.innerHTML = ''; return; }
        if (data.boolean !== undefined) { results.textContent = String(data.boolean); return; }
        var vars = data.head.vars, rows = data.results.bindings;
        var count = document.createElement('p'); count.textContent = rows.length + ' ' + T.rows; results.appendChild(count);
        results.appendChild(table(vars, rows)); drawViews(vars, rows);
      })
      .catch(function (e) { if (mine !== latest) return; results.innerHTML = ''; showError(e.message); });
  }
  document.getElementById('query-form').addEventListener('submit', function (e) { e.preventDefault(); run(); });
  document.querySelectorAll('a.example').forEach(function (a) {
    a.addEventListener('click', function (e) { e.preventDefault(); editor.setValue(a.dataset.query); run(); });
  });
  if (editor.getValue().trim()) run();
})();
