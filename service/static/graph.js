// Draw nodes and edges with Cytoscape; clicking a node opens its page (the IRI's path on this server).
function modelkgPagePath(iri) {
  var base = 'https://w3id.org/modelkg/';
  return iri.indexOf(base) === 0 ? '/' + iri.slice(base.length) + '?lang=' + window.MODELKG.lang : iri;
}
function modelkgDrawGraph(container, data, focus) {
  if (!container || !window.cytoscape || !data) return null;
  var colours = {model: '#2f5bd3', task: '#1b8a5a', objective: '#a05a00', category: '#7a3fb0', paper: '#666', checkpoint: '#999'};
  var elements = data.nodes.map(function (n) {
    return {data: {id: n.id, label: n.label, kind: n.kind, colour: colours[n.kind] || '#444', focus: n.id === focus ? 1 : 0}};
  }).concat(data.edges.map(function (e, i) {
    return {data: {id: 'e' + i, source: e.source, target: e.target, label: e.label}};
  }));
  var cy = cytoscape({
    container: container, elements: elements, wheelSensitivity: 0.2,
    style: [
      {selector: 'node', style: {'label': 'data(label)', 'background-color': 'data(colour)', 'font-size': 10, 'text-wrap': 'ellipsis', 'text-max-width': 110, 'width': 16, 'height': 16}},
      {selector: 'node[focus = 1]', style: {'width': 26, 'height': 26, 'border-width': 3, 'border-color': '#ffb020'}},
      {selector: 'edge', style: {'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'width': 1.5, 'line-color': '#b8bfcc', 'target-arrow-color': '#b8bfcc', 'label': 'data(label)', 'font-size': 8, 'color': '#667'}}
    ],
    layout: {name: 'cose', animate: false, randomize: false, nodeRepulsion: 9000, idealEdgeLength: 90}
  });
  cy.on('tap', 'node', function (evt) { window.location.href = modelkgPagePath(evt.target.id()); });
  // Keyboard users get the same links as a list under the drawing.
  var list = document.createElement('ul'); list.className = 'graph-links visually-hidden';
  data.nodes.forEach(function (n) {
    var li = document.createElement('li'); var a = document.createElement('a');
    a.href = modelkgPagePath(n.id); a.textContent = n.label; a.dataset.iri = n.id; li.appendChild(a); list.appendChild(li);
  });
  container.insertAdjacentElement('afterend', list);
  container.modelkgGraph = cy;
  return cy;
}
function modelkgFilters() {
  var task = document.getElementById('filter-task'), objective = document.getElementById('filter-objective');
  var multi = document.getElementById('filter-multilingual');
  function apply() {
    document.querySelectorAll('.model-card').forEach(function (card) {
      var ok = (!task.value || card.dataset.tasks.split(' ').indexOf(task.value) >= 0) &&
               (!objective.value || card.dataset.objectives.split(' ').indexOf(objective.value) >= 0) &&
               (!multi.checked || card.dataset.multilingual === 'true');
      card.hidden = !ok;
    });
  }
  [task, objective, multi].forEach(function (el) { el.addEventListener('change', apply); });
}
