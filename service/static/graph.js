// Draw nodes and edges with Cytoscape; clicking a node (or pressing Enter on its link in the list under the
// drawing) opens its page, the IRI's path on this server. Every drawing is kept on window.modelkgGraphs.
var MODELKG_BASE = 'https://w3id.org/modelkg/';
function modelkgPagePath(iri) {
  return iri.indexOf(MODELKG_BASE) === 0 ? '/' + iri.slice(MODELKG_BASE.length) + '?lang=' + window.MODELKG.lang : iri;
}
window.modelkgGraphs = [];
// options: {layout: 'concentric' | 'cose', edgeLabels: bool, listLabel: text of the list of nodes}
function modelkgDrawGraph(container, data, focus, options) {
  if (!container || !window.cytoscape || !data || !data.nodes.length) return null;
  options = options || {};
  var colours = {model: '#2f5bd3', task: '#1b8a5a', objective: '#a05a00', category: '#7a3fb0', paper: '#666', checkpoint: '#999'};
  var rings = {model: 2, category: 1, objective: 1, task: 1, paper: 1};
  var elements = data.nodes.map(function (n) {
    // "BERT（基于Transformer的双向编码器表示）" is drawn as "BERT"; the page and the list keep the whole label.
    var short = String(n.label).replace(/\s*[（(][^（()）]*[）)]\s*$/, '') || n.label;
    return {data: {id: n.id, label: short, kind: n.kind, colour: colours[n.kind] || '#444', focus: n.id === focus ? 1 : 0,
                   link: n.id.indexOf(MODELKG_BASE) === 0 ? 1 : 0}};
  }).concat(data.edges.map(function (e, i) {
    return {data: {id: 'e' + i, source: e.source, target: e.target, label: options.edgeLabels === false ? '' : e.label}};
  }));
  var layout = options.layout === 'cose'
    ? {name: 'cose', animate: false, randomize: false, nodeRepulsion: function () { return 60000; }, idealEdgeLength: function () { return 40; },
       nodeOverlap: 20, gravity: 0.6, numIter: 1500, padding: 12}
    : {name: 'concentric', animate: false, padding: 16, minNodeSpacing: 28, avoidOverlap: true,
       concentric: function (n) { return n.data('focus') ? 10 : (rings[n.data('kind')] || 0); }, levelWidth: function () { return 1; }};
  var cy = cytoscape({
    container: container, elements: elements, layout: layout, minZoom: 0.2, maxZoom: 3,
    style: [
      {selector: 'node', style: {'label': 'data(label)', 'background-color': 'data(colour)', 'font-size': 11, 'text-wrap': 'ellipsis',
                                 'text-max-width': 120, 'width': 16, 'height': 16, 'text-valign': 'bottom', 'text-margin-y': 3, 'color': '#1d2330'}},
      {selector: 'node[focus = 1]', style: {'width': 28, 'height': 28, 'border-width': 3, 'border-color': '#ffb020', 'font-weight': 'bold'}},
      {selector: 'edge', style: {'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'width': 1.4, 'line-color': '#b8bfcc',
                                 'target-arrow-color': '#b8bfcc', 'label': 'data(label)', 'font-size': 8, 'color': '#667', 'text-rotation': 'autorotate'}},
      {selector: 'node:active, node.hover', style: {'overlay-opacity': 0.15, 'overlay-color': '#2f5bd3'}}
    ]
  });
  // A small neighbourhood is not blown up to fill the box.
  if (cy.zoom() > 1.25) { cy.zoom(1.25); cy.center(); }
  cy.on('tap', 'node[link = 1]', function (evt) { window.location.href = modelkgPagePath(evt.target.id()); });
  cy.on('mouseover', 'node[link = 1]', function (evt) { evt.target.addClass('hover'); container.style.cursor = 'pointer'; });
  cy.on('mouseout', 'node', function (evt) { evt.target.removeClass('hover'); container.style.cursor = ''; });
  // Keyboard users get the same links as a list under the drawing; it shows itself when it takes focus.
  var list = document.createElement('ul'); list.className = 'graph-links';
  if (options.listLabel) list.setAttribute('aria-label', options.listLabel);
  data.nodes.forEach(function (n) {
    if (n.id.indexOf(MODELKG_BASE) !== 0) return;
    var li = document.createElement('li'); var a = document.createElement('a');
    a.href = modelkgPagePath(n.id); a.textContent = n.label; a.dataset.iri = n.id; li.appendChild(a); list.appendChild(li);
  });
  container.insertAdjacentElement('afterend', list);
  container.modelkgGraph = cy;
  container.dataset.nodes = String(cy.nodes().length);
  window.modelkgGraphs.push(cy);
  return cy;
}
function modelkgFilters() {
  var task = document.getElementById('filter-task'), objective = document.getElementById('filter-objective');
  var multi = document.getElementById('filter-multilingual'), count = document.getElementById('filter-count');
  function apply() {
    var shown = 0;
    document.querySelectorAll('.model-card').forEach(function (card) {
      var ok = (!task.value || card.dataset.tasks.split(' ').indexOf(task.value) >= 0) &&
               (!objective.value || card.dataset.objectives.split(' ').indexOf(objective.value) >= 0) &&
               (!multi.checked || card.dataset.multilingual === 'true');
      card.hidden = !ok; if (ok) shown++;
    });
    document.querySelectorAll('section.category').forEach(function (section) {
      section.hidden = !section.querySelector('.model-card:not([hidden])');
    });
    if (count) count.textContent = String(shown);
    var url = new URL(window.location.href);
    [['task', task.value], ['objective', objective.value], ['multilingual', multi.checked ? 'true' : '']].forEach(function (p) {
      if (p[1]) url.searchParams.set(p[0], p[1]); else url.searchParams.delete(p[0]);
    });
    history.replaceState(null, '', url);
  }
  [task, objective, multi].forEach(function (el) { el.addEventListener('change', apply); });
  apply();
}
