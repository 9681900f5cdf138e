// The network view's own script: draws the picture the server composed (positions included),
// draws the labels where they fit, and, in the exploration view, asks this server for the
// picture of a new state when the reader changes it. No request goes anywhere else.
(function () {
  "use strict";
  var data = persecutionGraphData;
  var page = persecutionGraphPage;
  var explore = !page.frozen && !!page.entity;
  var FACE = "system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', Arial, sans-serif";
  var NODE_PX = 13, CENTER_PX = 15, LINK_PX = 12;
  var DEFAULT_LIMIT = 2000;
  var container = document.getElementById("network");
  var nodes = new vis.DataSet();
  var edges = new vis.DataSet();
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, {
    physics: {enabled: false},
    layout: {improvedLayout: false},
    interaction: {hover: true, tooltipDelay: 150, keyboard: {enabled: true, bindToWindow: false}},
    nodes: {labelHighlightBold: false},
    edges: {smooth: false, color: {color: "#8a8a8a", highlight: "#222222", hover: "#222222"},
            arrows: {to: {scaleFactor: 0.55}}, hoverWidth: 0.5, selectionWidth: 1}
  });
  var state = parseState(data.state);
  var widths = {};
  var started = performance.now();

  // -- the state, as the server writes it (viz/explore.py ViewState.query) --------------------

  function parseState(query) {
    var given = new URLSearchParams(query || "");
    function list(name) { return (given.get(name) || "").split(",").filter(Boolean); }
    return {
      depth: parseInt(given.get("depth") || "1", 10),
      hide_links: list("hide_links"), hide_kinds: list("hide_kinds"),
      expand: list("expand"), open: list("open"),
      from: given.get("from") || "", to: given.get("to") || "",
      undated: given.get("undated") !== "0",
      limit: parseInt(given.get("limit") || String(DEFAULT_LIMIT), 10)
    };
  }

  function stateQuery(s) {
    var parts = [];
    if (s.depth !== 1) parts.push("depth=" + s.depth);
    ["hide_links", "hide_kinds", "expand", "open"].forEach(function (name) {
      if (s[name].length) parts.push(name + "=" + s[name].map(encodeURIComponent).join(","));
    });
    if (s.from) parts.push("from=" + encodeURIComponent(s.from));
    if (s.to) parts.push("to=" + encodeURIComponent(s.to));
    if (!s.undated) parts.push("undated=0");
    if (s.limit !== DEFAULT_LIMIT) parts.push("limit=" + s.limit);
    return parts.join("&");
  }

  function withQuery(path, query, extra) {
    var all = [query, extra].filter(Boolean).join("&");
    return path + (all ? "?" + all : "");
  }

  // -- drawing ---------------------------------------------------------------------------------

  function show(picture) {
    data = picture;
    // A tooltip left from before the new picture would describe what is no longer there.
    var handler = network.interactionHandler;
    if (handler && handler.popup) handler.popup.hide();
    nodes.clear();
    edges.clear();
    nodes.add(picture.nodes);
    edges.add(picture.edges);
    fit();
    document.getElementById("title").textContent = picture.title;
    document.getElementById("note").textContent = picture.note;
    document.getElementById("cut").textContent = picture.cut;
    document.getElementById("drawn").textContent =
      picture.footer + ". Hover a node or a link for its dates and sources; drag to move, scroll to zoom.";
    container.setAttribute("aria-label", "Network of " + picture.title + ": " + picture.nodes.length +
      " entities, " + picture.edges.length + " links");
    document.body.dataset.nodes = String(picture.nodes.length);
    document.body.dataset.edges = String(picture.edges.length);
    renderKey();
    renderLinks();
    renderSources();
    updateAddresses();
    details(null);
  }

  function fit() {
    var all = nodes.get();
    if (!all.length) return;
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    all.forEach(function (n) {
      minX = Math.min(minX, n.x - n.size); maxX = Math.max(maxX, n.x + n.size);
      minY = Math.min(minY, n.y - n.size); maxY = Math.max(maxY, n.y + n.size);
    });
    var width = container.clientWidth, height = container.clientHeight;
    var roomX = Math.min(150, width / 5), roomY = 34;
    var scale = Math.min((width - 2 * roomX) / Math.max(maxX - minX, 1),
                         (height - 2 * roomY) / Math.max(maxY - minY, 1), 1.5);
    network.moveTo({position: {x: (minX + maxX) / 2, y: (minY + maxY) / 2}, scale: Math.max(scale, 0.05), animation: false});
  }

  // -- labels where they fit (the same rules as viz/layout.py place_labels) ---------------------

  function measure(ctx, text, px, bold) {
    var font = (bold ? "bold " : "") + px + "px " + FACE;
    var id = font + "|" + text;
    if (!(id in widths)) { ctx.font = font; widths[id] = ctx.measureText(text).width + 1; }
    return widths[id];
  }

  function labelHeight(px) { return Math.ceil(px * 1.25); }

  function compare(a, b) {
    for (var i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i] === undefined) return -1;
      if (b[i] === undefined) return 1;
      if (a[i] < b[i]) return -1;
      if (a[i] > b[i]) return 1;
    }
    return 0;
  }

  function overlaps(a, b) {
    var pad = 1;
    return a.left < b.left + b.width + pad && b.left < a.left + a.width + pad &&
           a.top < b.top + b.height + pad && b.top < a.top + a.height + pad;
  }

  function hitsDisc(box, m) {
    var nx = Math.min(Math.max(m.x, box.left), box.left + box.width);
    var ny = Math.min(Math.max(m.y, box.top), box.top + box.height);
    var r = m.r + 1;
    return (nx - m.x) * (nx - m.x) + (ny - m.y) * (ny - m.y) < r * r;
  }

  function places(m, width, cx, cy) {
    var h = labelHeight(m.px);
    var right = {left: m.x + m.r + 3, top: m.y - h / 2, width: width, height: h};
    var left = {left: m.x - m.r - 3 - width, top: m.y - h / 2, width: width, height: h};
    var below = {left: m.x - width / 2, top: m.y + m.r + 2, width: width, height: h};
    var above = {left: m.x - width / 2, top: m.y - m.r - 2 - h, width: width, height: h};
    var d = m.r * 0.7;
    var corners = [  // the four corners, for crowded places
      {left: m.x + d + 2, top: m.y - d - h, width: width, height: h},
      {left: m.x + d + 2, top: m.y + d, width: width, height: h},
      {left: m.x - d - 2 - width, top: m.y - d - h, width: width, height: h},
      {left: m.x - d - 2 - width, top: m.y + d, width: width, height: h}
    ];
    var dx = m.x - cx, dy = m.y - cy;
    if (Math.abs(dx) < 1e-6 && Math.abs(dy) < 1e-6) return [below, above, right, left].concat(corners);
    var side = dx >= 0 ? [right, left] : [left, right];
    var upright = dy >= 0 ? [below, above] : [above, below];
    var outer = corners[(dx >= 0 ? 0 : 2) + (dy >= 0 ? 1 : 0)];
    var order = Math.abs(dx) >= Math.abs(dy) * 0.7 ? [side[0], outer, upright[0], upright[1], side[1]]
                                                    : [upright[0], outer, side[0], side[1], upright[1]];
    return order.concat(corners.filter(function (c) { return c !== outer; }));
  }

  function marksAndLines(scale) {
    var positions = network.getPositions();
    var marks = [], lines = [], at = {};
    nodes.forEach(function (n) {
      var p = network.canvasToDOM(positions[n.id]);
      var rank = n.id === data.center ? [0] : n.members ? [2, n.hop, -n.members, n.id]
                                                         : [3, n.hop, -n.degree, n.text, n.id];
      var mark = {id: n.id, x: p.x, y: p.y, r: n.size * scale, text: n.text,
                  px: n.id === data.center ? CENTER_PX : NODE_PX, bold: n.id === data.center, rank: rank};
      at[n.id] = mark;
      marks.push(mark);
    });
    edges.forEach(function (e) {
      var a = at[e.from], b = at[e.to];
      if (!a || !b) return;
      var touches = (e.from === data.center || e.to === data.center) ? 0 : 1;
      lines.push({id: e.id, x1: a.x, y1: a.y, x2: b.x, y2: b.y, text: e.text, px: LINK_PX,
                  rank: [touches, e.near, e.type, e.id]});
    });
    return {marks: marks, lines: lines};
  }

  // Boxes and discs filed by the cells of a grid they touch: a label looks only at its neighbours.
  function Grid(size) { this.size = size; this.cells = new Map(); }
  Grid.prototype.each = function (box, visit) {
    var s = this.size;
    for (var gx = Math.floor(box.left / s); gx <= Math.floor((box.left + box.width) / s); gx++) {
      for (var gy = Math.floor(box.top / s); gy <= Math.floor((box.top + box.height) / s); gy++) visit(gx + ":" + gy);
    }
  };
  Grid.prototype.add = function (box, item) {
    var cells = this.cells;
    this.each(box, function (key) { if (!cells.has(key)) cells.set(key, []); cells.get(key).push(item); });
  };
  Grid.prototype.any = function (box, test) {
    var cells = this.cells, found = false;
    this.each(box, function (key) {
      if (!found && cells.has(key)) found = cells.get(key).some(test);
    });
    return found;
  };

  function placeLabels(ctx, marks, lines, width, height) {
    var placed = [];
    var labelled = new Grid(64), discs = new Grid(64);
    var inFrame = marks.filter(function (m) {
      return m.x + m.r >= 0 && m.y + m.r >= 0 && m.x - m.r <= width && m.y - m.r <= height;
    });
    inFrame.forEach(function (m) { discs.add({left: m.x - m.r - 1, top: m.y - m.r - 1, width: 2 * m.r + 2, height: 2 * m.r + 2}, m); });
    var ordered = inFrame.sort(function (a, b) { return compare(a.rank, b.rank); });
    var first = ordered[0];
    var cx = first && first.rank[0] === 0 ? first.x : width / 2;
    var cy = first && first.rank[0] === 0 ? first.y : height / 2;
    function free(box, own, overNodes) {
      if (box.left < 2 || box.top < 2 || box.left + box.width > width - 2 || box.top + box.height > height - 2) return false;
      if (labelled.any(box, function (other) { return overlaps(box, other); })) return false;
      return overNodes || !discs.any(box, function (m) { return m.id !== own && hitsDisc(box, m); });
    }
    function take(box, label) {
      var drawn = Object.assign(box, label);
      placed.push(drawn);
      labelled.add({left: box.left - 1, top: box.top - 1, width: box.width + 2, height: box.height + 2}, drawn);
    }
    ordered.forEach(function (m) {
      if (!m.text) return;
      var candidates = places(m, measure(ctx, m.text, m.px, m.bold), cx, cy);
      // The centre's label is always drawn: over other nodes if nowhere else.
      var passes = m.rank[0] === 0 ? [false, true] : [false];
      for (var pass = 0; pass < passes.length; pass++) {
        for (var i = 0; i < candidates.length; i++) {
          if (free(candidates[i], m.id, passes[pass])) {
            take(candidates[i], {text: m.text, px: m.px, bold: m.bold, of: "node", id: m.id});
            return;
          }
        }
      }
    });
    lines.slice().sort(function (a, b) { return compare(a.rank, b.rank); }).forEach(function (l) {
      if (!l.text) return;
      var w = measure(ctx, l.text, l.px, false), h = labelHeight(l.px);
      var spots = [0.5, 0.38, 0.62];
      for (var i = 0; i < spots.length; i++) {
        var x = l.x1 + (l.x2 - l.x1) * spots[i], y = l.y1 + (l.y2 - l.y1) * spots[i];
        var box = {left: x - w / 2, top: y - h / 2, width: w, height: h};
        if (free(box, null)) {
          take(box, {text: l.text, px: l.px, bold: false, of: "edge", id: l.id});
          return;
        }
      }
    });
    return placed;
  }

  network.on("afterDrawing", function (ctx) {
    var canvas = container.querySelector("canvas");
    var ratio = canvas.width / canvas.clientWidth;
    var scale = network.getScale();
    var began = performance.now();
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    var drawn = marksAndLines(scale);
    var labels = placeLabels(ctx, drawn.marks, drawn.lines, canvas.clientWidth, canvas.clientHeight);
    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    labels.forEach(function (label) {
      ctx.font = (label.bold ? "bold " : "") + label.px + "px " + FACE;
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(255,255,255,0.92)";
      ctx.strokeText(label.text, label.left, label.top + label.height / 2);
      ctx.fillStyle = label.of === "node" ? "#111111" : "#555555";
      ctx.fillText(label.text, label.left, label.top + label.height / 2);
    });
    ctx.restore();
    window.persecutionGraphLabels = labels;
    // Which view these labels were drawn for (a test compares it with the view now).
    var at = network.getViewPosition();
    window.persecutionGraphLabelled = {scale: scale, x: at.x, y: at.y, width: canvas.clientWidth, height: canvas.clientHeight};
    document.body.dataset.labels = String(labels.length);
    document.body.dataset.labelMs = String(Math.round(performance.now() - began));
    document.body.dataset.drawn = String(nodes.length);
    // Drawn in place at once (the positions come with the picture): the time to the first frame.
    if (!document.body.dataset.settledMs) document.body.dataset.settledMs = String(Math.round(performance.now() - started));
  });

  // -- key, filters and details ----------------------------------------------------------------

  function element(tag, attrs, text) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function swatch(shape, color) {
    var s = element("span", {"class": "swatch " + shape});
    if (color) s.style.background = color;
    return s;
  }

  function entry(list, box, parts, off) {
    var li = element("li", off ? {"class": "off"} : {});
    var label = element("label");
    if (box) label.appendChild(box);
    parts.forEach(function (p) { label.appendChild(typeof p === "string" ? document.createTextNode(p) : p); });
    li.appendChild(label);
    list.appendChild(li);
  }

  function checkbox(name, value, checked) {
    var box = element("input", {type: "checkbox"});
    box.dataset[name] = value;
    box.checked = checked;
    if (!explore) box.hidden = true;
    box.addEventListener("change", function () {
      var field = name === "kind" ? "hide_kinds" : "hide_links";
      var hidden = state[field].filter(function (v) { return v !== value; });
      if (!box.checked) hidden.push(value);
      change({[field]: hidden});
    });
    return box;
  }

  function renderKey() {
    var list = document.getElementById("kinds");
    list.textContent = "";
    data.kinds.forEach(function (k) {
      if (!explore && !k.drawn) return;  // a picture's key: what it draws; the explorer's filters: every kind
      entry(list, checkbox("kind", k.name, state.hide_kinds.indexOf(k.name) < 0),
            [" ", swatch(k.shape, k.color), k.name + " ", element("span", {"class": "count"}, String(k.drawn))], !k.drawn);
    });
    if (data.has_groups) entry(list, null, [swatch("group"), "group of ties: " + (explore ? "click to open" : "opens in the page")]);
    entry(list, null, [swatch("dashed"), "more links than drawn" + (explore ? ": click to draw" : "")]);
  }

  function renderLinks() {
    var list = document.getElementById("links");
    list.textContent = "";
    var category = null;
    data.links.forEach(function (l) {
      if (explore && l.category !== category) {
        category = l.category;
        list.appendChild(element("li", {"class": "count"}, category));
      }
      entry(list, checkbox("link", l.type, state.hide_links.indexOf(l.type) < 0),
            [" " + l.label + " ", element("span", {"class": "count"}, String(l.drawn))], !l.drawn);
    });
  }

  function renderSources() {
    var list = document.getElementById("sources");
    if (!list || !data.sources) return;
    list.textContent = "";
    data.sources.forEach(function (source) {
      var li = element("li");
      li.appendChild(element("b", {}, source.id));
      var words = [source.title, source.publisher, source.date, source.url].filter(Boolean);
      if (words.length) li.appendChild(document.createTextNode(": " + words.join(", ")));
      list.appendChild(li);
    });
    var summary = document.querySelector("#cited summary");
    if (summary) summary.textContent = "Sources (" + data.sources.length + ")";
  }

  function details(node) {
    var box = document.getElementById("details");
    box.textContent = "";
    if (!node) return;
    box.appendChild(element("b", {}, node.text));
    box.appendChild(document.createTextNode("\n" + node.title.split("\n").slice(1).join("\n")));
    if (page.frozen || node.members) return;
    var links = element("div");
    links.appendChild(element("a", {href: "/entity/" + encodeURIComponent(node.id), target: "_top"}, "Open its page"));
    links.appendChild(document.createTextNode(" · "));
    var around = parseState(explore ? stateQuery(state) : "");
    around.expand = []; around.open = [];
    links.appendChild(element("a", {href: withQuery("/views/network/" + encodeURIComponent(node.id), stateQuery(around))},
                              "Explore from here"));
    box.appendChild(links);
  }

  // -- exploring: a new state, drawn by the server -------------------------------------------

  function updateAddresses() {
    if (!explore) return;
    var query = data.state;
    document.getElementById("png").href = withQuery(page.base, query, "format=png");
    document.getElementById("svg").href = withQuery(page.base, query, "format=svg");
    document.getElementById("snapshot").href = withQuery(page.base, query, "snapshot=true");
    document.getElementById("fullpage").href = withQuery(page.base, query);
    var code = document.querySelector("#embed code");
    if (code && page.embed) {
      code.textContent = '<iframe src="' + withQuery(page.embed, query) + '" width="900" height="600" title="' +
        data.title.replace(/"/g, "&quot;") + '"></iframe>';
    }
    document.getElementById("depth").value = String(state.depth);
    document.getElementById("from").value = state.from;
    document.getElementById("to").value = state.to;
    document.getElementById("undated").checked = state.undated;
  }

  function load(query, remember) {
    var busy = document.getElementById("busy");
    busy.textContent = "drawing…";
    document.body.dataset.busy = "1";
    return fetch(withQuery(page.base + "/data", query), {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error((body.error && body.error.detail) || response.statusText);
          return body;
        });
      })
      .then(function (picture) {
        state = parseState(picture.state);
        show(picture);
        if (remember) history.pushState({state: picture.state}, "", withQuery(page.base, picture.state));
        busy.textContent = "";
      })
      .catch(function (error) {
        busy.textContent = "";
        document.getElementById("cut").textContent = "Could not draw that: " + error.message;
      })
      .finally(function () { delete document.body.dataset.busy; });
  }

  function change(changes) {
    var next = Object.assign({}, state, changes);
    return load(stateQuery(next), true);
  }

  network.on("click", function (params) {
    if (!params.nodes.length) { details(null); return; }
    var node = nodes.get(params.nodes[0]);
    details(node);
    if (!explore) return;
    if (node.members) {
      change({open: state.open.concat([node.id])});
    } else if (node.links > node.degree && node.id !== data.center && state.expand.indexOf(node.id) < 0 &&
               node.id !== "perpetrator-not-stated") {
      change({expand: state.expand.concat([node.id])});
    }
  });

  if (explore) {
    document.getElementById("controls").addEventListener("submit", function (event) {
      event.preventDefault();
      change({depth: parseInt(document.getElementById("depth").value, 10),
              from: document.getElementById("from").value.trim(), to: document.getElementById("to").value.trim(),
              undated: document.getElementById("undated").checked});
    });
    document.getElementById("depth").addEventListener("change", function (event) {
      change({depth: parseInt(event.target.value, 10)});
    });
    document.getElementById("reset").addEventListener("click", function () { load("", true); });
    window.addEventListener("popstate", function () { load(location.search.slice(1), false); });
  }
  window.addEventListener("resize", function () { fit(); });

  show(data);
  window.persecutionGraphNetwork = network;
  window.persecutionGraphFont = FACE;
  window.persecutionGraphState = function () { return data.state; };
})();
