// thugom dispatcher map: the day of one depot on the commune boundaries.
// No external tiles, fonts or scripts: everything comes from this server.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var SVGNS = "http://www.w3.org/2000/svg";
  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173"];
  var STATUS = {
    planned: ["#ffffff", "Đã xếp"], en_route: ["#cfe8ff", "Xe đang đến"], arrived: ["#4caf50", "Xe đã đến"],
    picked_up: ["#1b5e20", "Đã lấy"], failed: ["#e53935", "Không lấy được"], skipped: ["#9e9e9e", "Bỏ qua"]
  };
  var params = new URLSearchParams(location.hash.slice(1));
  var token = params.get("token") || localStorage.getItem("thugom.token") || "";
  if (params.get("token")) { localStorage.setItem("thugom.token", token); history.replaceState(null, "", location.pathname + location.search); }
  var qs = new URLSearchParams(location.search);
  var proj = null, view = null;

  function status(t) { $("status").textContent = t; }
  function api(path, opts) {
    opts = opts || {};
    opts.headers = Object.assign({ "Authorization": "Bearer " + token, "Accept": "application/json" }, opts.headers || {});
    return fetch(path, opts).then(function (r) {
      if (r.status === 401) { $("login").hidden = false; throw new Error("Cần API token"); }
      return r.json().then(function (b) {
        if (!r.ok) { throw new Error(b.detail || b.title || r.statusText); }
        return b;
      });
    });
  }
  function el(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    for (var k in attrs) { e.setAttribute(k, attrs[k]); }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function h(tag, text, cls) { var e = document.createElement(tag); if (text != null) { e.textContent = text; } if (cls) { e.className = cls; } return e; }
  function clear(id) { var e = $(id); while (e.firstChild) { e.removeChild(e.firstChild); } return e; }

  // Equirectangular projection scaled by cos(latitude): good enough for a
  // province 200 km across. x grows east, y grows south.
  function makeProj(bbox) {
    var k = Math.cos((bbox[1] + bbox[3]) / 2 * Math.PI / 180);
    return { x: function (lon) { return (lon - bbox[0]) * k * 1000; }, y: function (lat) { return (bbox[3] - lat) * 1000; },
      w: (bbox[2] - bbox[0]) * k * 1000, h: (bbox[3] - bbox[1]) * 1000 };
  }
  function pathOf(rings) {
    var d = "";
    rings.forEach(function (ring) {
      ring.forEach(function (p, i) { d += (i ? "L" : "M") + proj.x(p[0]).toFixed(2) + " " + proj.y(p[1]).toFixed(2); });
      d += "Z";
    });
    return d;
  }
  // Markers keep their size on screen whatever the zoom.
  function setView(v) {
    view = v;
    $("map").setAttribute("viewBox", v.join(" "));
    var u = v[2] / 120;
    Array.prototype.forEach.call(document.querySelectorAll("#stops circle.stop"), function (c) { c.setAttribute("r", u); });
    Array.prototype.forEach.call(document.querySelectorAll("#stops circle.unassigned"), function (c) { c.setAttribute("r", u * 1.5); });
    Array.prototype.forEach.call(document.querySelectorAll("#depots rect"), function (d) {
      var cx = +d.getAttribute("data-x"), cy = +d.getAttribute("data-y");
      d.setAttribute("x", cx - u * 1.4); d.setAttribute("y", cy - u * 1.4); d.setAttribute("width", u * 2.8); d.setAttribute("height", u * 2.8);
    });
  }

  function drawCommunes(fc) {
    var g = clear("communes");
    proj = makeProj(fc.bbox);
    fc.features.forEach(function (f) {
      var polys = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
      var p = el("path", { "class": "commune", d: polys.map(pathOf).join("") }, g);
      el("title", {}, p).textContent = f.properties.name;
    });
    setView([0, 0, proj.w, proj.h]);
    g.setAttribute("data-count", fc.features.length);
    if (fc.attribution) { $("attribution").textContent = fc.attribution; }
  }

  function colorOf(i) { return PALETTE[i % PALETTE.length]; }

  function drawPlan(p) {
    var gr = clear("routes"), gs = clear("stops"), gd = clear("depots"), list = clear("routelist"), ul = clear("unassigned");
    var r = 7;
    if (p.depot && p.depot.point) {
      el("rect", { "class": "depot", "data-x": proj.x(p.depot.point[0]), "data-y": proj.y(p.depot.point[1]), x: proj.x(p.depot.point[0]) - r, y: proj.y(p.depot.point[1]) - r, width: 2 * r, height: 2 * r }, gd);
    }
    (p.routes || []).forEach(function (rt, i) {
      var c = colorOf(i);
      var pts = (rt.line && rt.line.length > 1 ? rt.line : rt.stops.filter(function (s) { return s.point; }).map(function (s) { return s.point; }));
      var d = pts.map(function (q) { return proj.x(q[0]).toFixed(2) + "," + proj.y(q[1]).toFixed(2); }).join(" ");
      var pl = el("polyline", { "class": "route", points: d, stroke: c, "data-route": rt.id }, gr);
      el("title", {}, pl).textContent = rt.vehicle.name;
      rt.stops.forEach(function (s) {
        if (!s.point || s.kind !== "pickup") { return; }
        var st = STATUS[s.status] || ["#fff", s.status];
        var ci = el("circle", { "class": "stop", cx: proj.x(s.point[0]), cy: proj.y(s.point[1]), r: 5, fill: st[0], "data-status": s.status }, gs);
        ci.addEventListener("click", function () { moveStop(s, p.routes); });
        el("title", {}, ci).textContent = "#" + s.seq + " " + (s.household ? s.household.name : "") + " — " + st[1] + " " + hm(s.window_start) + "–" + hm(s.window_end);
      });
      var li = h("li");
      var sw = h("span", null, "sw"); sw.style.background = c; li.appendChild(sw);
      li.appendChild(document.createTextNode(rt.vehicle.name + (rt.driver ? " · " + rt.driver.name : "") + " — " + rt.stops.filter(function (s) { return s.kind === "pickup"; }).length + " điểm, " + (rt.km || 0).toFixed(1) + " km "));
      var broken = h("button", "Báo hỏng");
      broken.title = "Xe hỏng: chuyển các điểm chưa lấy sang xe khác";
      broken.addEventListener("click", function () {
        if (!window.confirm("Báo xe " + rt.vehicle.code + " hỏng và lập lại kế hoạch?")) { return; }
        api("/v1/vehicles/" + rt.vehicle.id, { method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ status: "broken" }) })
          .then(function () { status("Đã báo hỏng, đang lập lại kế hoạch…"); setTimeout(load, 4000); })
          .catch(function (e) { status(e.message); });
      });
      li.appendChild(broken);
      list.appendChild(li);
    });
    (p.unassigned || []).forEach(function (u) {
      if (u.point) {
        var ci = el("circle", { "class": "unassigned", cx: proj.x(u.point[0]), cy: proj.y(u.point[1]), r: 8 }, gs);
        el("title", {}, ci).textContent = u.household_name + ": " + u.reason;
      }
      var li = h("li");
      li.appendChild(h("div", u.household_name + " (đơn " + u.order_id + ")"));
      li.appendChild(h("div", u.reason, "reason"));
      if (u.fix) { li.appendChild(h("div", "Cách sửa: " + u.fix, "fix")); }
      ul.appendChild(li);
    });
    fitTo(p);
    $("nroutes").textContent = "(" + (p.routes || []).length + ")";
    $("nunassigned").textContent = "(" + (p.unassigned || []).length + ")";
    $("map").setAttribute("data-routes-rendered", String((p.routes || []).length));
    status(p.plan ? "Kế hoạch v" + p.plan.version + " (" + p.plan.status + ") — " + p.plan.date : "Chưa có kế hoạch cho ngày " + p.date);
  }
  // Zoom to the day's points (depot, stops, unassigned) with a margin.
  function fitTo(p) {
    var xs = [], ys = [];
    function add(q) { if (q) { xs.push(proj.x(q[0])); ys.push(proj.y(q[1])); } }
    if (p.depot) { add(p.depot.point); }
    (p.routes || []).forEach(function (rt) { rt.stops.forEach(function (s) { add(s.point); }); });
    (p.unassigned || []).forEach(function (u) { add(u.point); });
    if (xs.length < 2) { setView([0, 0, proj.w, proj.h]); return; }
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs), y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    var w = Math.max(x1 - x0, 60), hh = Math.max(y1 - y0, 60), m = 0.12;
    setView([x0 - w * m, y0 - hh * m, w * (1 + 2 * m), hh * (1 + 2 * m)]);
  }

  function hm(iso) { if (!iso) { return "?"; } var d = new Date(iso); return d.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh" }); }

  // Click a stop to move it to another vehicle: its orders are locked there
  // and the day is re-planned around them.
  function moveStop(s, routes) {
    var codes = routes.map(function (r) { return r.vehicle.code; });
    var code = window.prompt("Chuyển điểm #" + s.seq + " (" + (s.household ? s.household.name : "") + ") sang xe: " + codes.join(", "));
    if (!code) { return; }
    var rt = routes.filter(function (r) { return r.vehicle.code === code.trim(); })[0];
    if (!rt) { status("Không có xe " + code); return; }
    api("/v1/stops/" + s.id + "/move", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ vehicle_id: rt.vehicle.id }) })
      .then(function () { status("Đã khóa vào xe " + code + ", đang lập lại kế hoạch…"); setTimeout(load, 3000); })
      .catch(function (e) { status(e.message); });
  }

  function legend() {
    var ul = clear("legend");
    Object.keys(STATUS).forEach(function (k) { var li = h("li"); var sw = h("span", null, "sw"); sw.style.background = STATUS[k][0]; sw.style.border = "1px solid #444"; li.appendChild(sw); li.appendChild(document.createTextNode(STATUS[k][1])); ul.appendChild(li); });
  }

  function drawSLA(b) {
    var d = clear("sla");
    d.appendChild(h("div", "Có nguy cơ trễ: " + (b.at_risk || []).length + " · Trễ: " + (b.late || []).length));
    var ul = h("ul");
    (b.late || []).concat(b.at_risk || []).slice(0, 30).forEach(function (it) {
      var li = h("li");
      li.appendChild(h("div", (it.late ? "TRỄ " : "") + it.household_name + " (đơn " + it.order_id + ")" + (it.handover_deadline ? " — hạn " + hm(it.handover_deadline) : "")));
      if (it.reason) { li.appendChild(h("div", it.reason, "reason")); }
      ul.appendChild(li);
    });
    d.appendChild(ul);
  }

  // Where each driver was last seen (their phone's positions, issue 12).
  function drawDrivers(out) {
    var g = $("drivers");
    if (!g) { g = el("g", { id: "drivers" }, $("map")); }
    while (g.firstChild) { g.removeChild(g.firstChild); }
    if (!proj) { return; }
    var u = view ? view[2] / 100 : 6;
    (out.drivers || []).forEach(function (p) {
      var c = el("circle", { "class": "driver", cx: proj.x(p.lon), cy: proj.y(p.lat), r: u, fill: "#ffca28", stroke: "#333", "data-driver": p.driver_id }, g);
      el("title", {}, c).textContent = "Tài xế " + p.driver_id + " — thấy lúc " + hm(p.at);
    });
  }

  function load() {
    var depot = $("depot").value, date = $("date").value;
    if (!depot) { return; }
    status("Đang tải…");
    api("/v1/depots/" + depot + "/drivers/last-seen").then(drawDrivers).catch(function () {});
    api("/v1/depots/" + depot + "/plan?date=" + date).then(drawPlan).catch(function (e) { status(e.message); $("map").setAttribute("data-routes-rendered", "0"); });
    api("/v1/sla?depot=" + depot + "&date=" + date).then(drawSLA).catch(function () {});
  }

  function enqueue(kind) {
    var depot = $("depot").value, date = $("date").value;
    api("/v1/depots/" + depot + "/" + kind, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ date: date }) })
      .then(function () { status("Đã gửi yêu cầu, đang lập kế hoạch…"); setTimeout(load, 3000); })
      .catch(function (e) { status(e.message); });
  }

  // Wheel zooms around the pointer; drag pans.
  function interact() {
    var svg = $("map"), drag = null;
    svg.addEventListener("wheel", function (e) {
      e.preventDefault();
      var b = svg.getBoundingClientRect(), f = e.deltaY > 0 ? 1.2 : 1 / 1.2;
      var mx = view[0] + (e.clientX - b.left) / b.width * view[2], my = view[1] + (e.clientY - b.top) / b.height * view[3];
      setView([mx - (mx - view[0]) * f, my - (my - view[1]) * f, view[2] * f, view[3] * f]);
    }, { passive: false });
    svg.addEventListener("mousedown", function (e) { drag = [e.clientX, e.clientY, view.slice()]; });
    window.addEventListener("mouseup", function () { drag = null; });
    window.addEventListener("mousemove", function (e) {
      if (!drag) { return; }
      var b = svg.getBoundingClientRect();
      setView([drag[2][0] - (e.clientX - drag[0]) / b.width * view[2], drag[2][1] - (e.clientY - drag[1]) / b.height * view[3], view[2], view[3]]);
    });
  }

  function today() { return new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10); }

  function start() {
    legend(); interact();
    $("date").value = qs.get("date") || today();
    $("tokenform").addEventListener("submit", function (e) { e.preventDefault(); localStorage.setItem("thugom.token", $("token").value); location.reload(); });
    $("pick").addEventListener("submit", function (e) { e.preventDefault(); load(); });
    $("plan").addEventListener("click", function () { enqueue("plans"); });
    $("replan").addEventListener("click", function () { enqueue("replan"); });
    fetch("/v1/communes").then(function (r) { return r.json(); }).then(function (fc) {
      drawCommunes(fc);
      return api("/v1/depots");
    }).then(function (ds) {
      var sel = clear("depot");
      (ds.items || []).forEach(function (d) { var o = h("option", d.name); o.value = d.id; sel.appendChild(o); });
      if (qs.get("depot")) { sel.value = qs.get("depot"); }
      load();
    }).catch(function (e) { status(e.message); });
  }
  start();
})();
