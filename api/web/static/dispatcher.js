// thugom dispatcher console: the day of one depot on the commune boundaries,
// a timeline of the vehicles, what needs a decision with its fixes, drag and
// drop with the engine's verdict, and re-plans shown as drafts before they
// are sent. No external tiles, fonts or scripts: everything comes from this
// server. Times are Lạng Sơn's (UTC+7, no daylight saving) and dates
// dd/mm/yyyy whatever the browser's locale.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var SVGNS = "http://www.w3.org/2000/svg";
  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173"];
  var STATUS = {
    planned: ["#ffffff", "Đã xếp"], en_route: ["#cfe8ff", "Xe đang đến"], arrived: ["#4caf50", "Xe đã đến"],
    picked_up: ["#1b5e20", "Đã lấy"], failed: ["#e53935", "Không lấy được"], skipped: ["#9e9e9e", "Bỏ qua"], done: ["#1b5e20", "Đã xong"]
  };
  var PLAN_STATUS = { done: "xong", running: "đang lập", failed: "lỗi", pending: "chờ lập" };
  var VEHICLE_STATUS = { active: "đang hoạt động", broken: "hỏng", off: "nghỉ", lent: "cho bưu cục khác mượn" };
  var VERDICT = { fits: "Vừa", late: "Trễ", over_capacity: "Quá tải", unassigned: "Không xếp được" };
  var params = new URLSearchParams(location.hash.slice(1));
  var token = params.get("token") || localStorage.getItem("thugom.token") || "";
  if (params.get("token")) { localStorage.setItem("thugom.token", token); history.replaceState(null, "", location.pathname + location.search); }
  var qs = new URLSearchParams(location.search);
  var proj = null, view = null, day = null, draft = null, selected = null;
  var T0 = 6, T1 = 20; // the timeline's hours

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
  function post(path, body) { return api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) }); }
  function el(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    for (var k in attrs) { e.setAttribute(k, attrs[k]); }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function h(tag, text, cls, parent) { var e = document.createElement(tag); if (text != null) { e.textContent = text; } if (cls) { e.className = cls; } if (parent) { parent.appendChild(e); } return e; }
  function clear(id) { var e = typeof id === "string" ? $(id) : id; while (e.firstChild) { e.removeChild(e.firstChild); } return e; }
  function each(sel, f) { Array.prototype.forEach.call(document.querySelectorAll(sel), f); }

  // Local time of Lạng Sơn, computed (the browser's zone and locale do not matter).
  function local(iso) { return new Date(new Date(iso).getTime() + 7 * 3600e3); }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function hm(iso) { if (!iso) { return "?"; } var d = local(iso); return pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()); }
  function hours(iso) { var d = local(iso); return d.getUTCHours() + d.getUTCMinutes() / 60 + d.getUTCSeconds() / 3600; }
  function dmy(ymd) { var p = ymd.split("-"); return p[2] + "/" + p[1] + "/" + p[0]; }
  function ymd(s) { var m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s.trim()); return m ? m[3] + "-" + m[2] + "-" + m[1] : (/^\d{4}-\d{2}-\d{2}$/.test(s) ? s : ""); }
  function pct(iso) { return Math.max(0, Math.min(100, (hours(iso) - T0) / (T1 - T0) * 100)); }

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
    each("#stops circle.stop", function (c) { c.setAttribute("r", u); });
    each("#stops circle.unassigned", function (c) { c.setAttribute("r", u * 1.5); });
    each("#vehicles circle", function (c) { c.setAttribute("r", u * 1.3); });
    each("#depots rect", function (d) {
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
  function pickups(rt) { return rt.stops.filter(function (s) { return s.kind === "pickup"; }); }
  function vehicleCode(id) { var v = (day.vehicles || []).filter(function (x) { return x.id === id; })[0]; return v ? v.code : String(id); }

  // Hover and selection link the map and the timeline both ways.
  function highlight(stopID, on) {
    each('[data-stop-id="' + stopID + '"]', function (e) { e.classList.toggle("hl", on); });
  }
  function highlightRoute(vid, on) { each('#routes polyline[data-vehicle-id="' + vid + '"]', function (e) { e.classList.toggle("hl", on); }); }

  function draw(c) {
    var t0 = performance.now();
    // A route whose every pickup was dropped (its vehicle is no longer used)
    // keeps its old line and distance: not drawn.
    c.routes = c.routes.filter(function (rt) { return rt.stops.some(function (s) { return s.kind === "pickup" && s.status !== "skipped"; }); });
    day = c;
    var late = {};
    c.issues.forEach(function (is) { if (is.kind === "late" && is.stop_id) { late[is.stop_id] = is; } });
    c.late = late;
    c.color = {};
    c.routes.forEach(function (rt, i) { c.color[rt.vehicle.id] = colorOf(i); });
    drawMap(c);
    drawTimeline(c);
    drawIssues(c);
    drawCapacity(c);
    drawVehicles(c);
    drawBoard(c);
    if (selected && selected.route) { showRoute(selected.route, true); }
    $("nroutes") && ($("nroutes").textContent = "(" + c.routes.length + ")");
    // Measured to the frame after: drawing, style, layout and paint.
    requestAnimationFrame(function () { setTimeout(function () { $("timeline").setAttribute("data-render-ms", String(Math.round(performance.now() - t0))); }, 0); });
    $("map").setAttribute("data-routes-rendered", String(c.routes.length));
    if (c.plan) { pendingDraft(c); }
    status(c.plan ? "Kế hoạch v" + c.plan.version + " (" + (PLAN_STATUS[c.plan.status] || c.plan.status) + ") — " + dmy(c.plan.date) : "Chưa có kế hoạch cho ngày " + dmy(c.date));
    search();
  }

  function drawMap(c) {
    var gr = clear("routes"), gs = clear("stops"), gd = clear("depots"), gv = clear("vehicles");
    var r = 7;
    if (c.depot && c.depot.point) {
      el("rect", { "class": "depot", "data-x": proj.x(c.depot.point[0]), "data-y": proj.y(c.depot.point[1]), x: proj.x(c.depot.point[0]) - r, y: proj.y(c.depot.point[1]) - r, width: 2 * r, height: 2 * r }, gd);
    }
    c.routes.forEach(function (rt) {
      var col = c.color[rt.vehicle.id];
      var pts = (rt.line && rt.line.length > 1 ? rt.line : rt.stops.filter(function (s) { return s.point; }).map(function (s) { return s.point; }));
      var d = pts.map(function (q) { return proj.x(q[0]).toFixed(2) + "," + proj.y(q[1]).toFixed(2); }).join(" ");
      var pl = el("polyline", { "class": "route", points: d, stroke: col, "data-route": rt.id, "data-vehicle-id": rt.vehicle.id }, gr);
      el("title", {}, pl).textContent = rt.vehicle.name;
      pl.addEventListener("mouseenter", function () { highlightRoute(rt.vehicle.id, true); });
      pl.addEventListener("mouseleave", function () { highlightRoute(rt.vehicle.id, false); });
      pl.addEventListener("click", function () { showRoute(rt); });
      pickups(rt).forEach(function (s) {
        if (!s.point) { return; }
        var st = STATUS[s.status] || ["#fff", s.status];
        var ci = el("circle", { "class": "stop", cx: proj.x(s.point[0]), cy: proj.y(s.point[1]), r: 5, fill: st[0], stroke: col, "data-status": s.status, "data-stop-id": s.id }, gs);
        el("title", {}, ci).textContent = (s.household ? s.household.name : "") + " — " + rt.vehicle.code + " " + hm(s.eta) + " (" + hm(s.window_start) + "–" + hm(s.window_end) + ") " + st[1];
        ci.addEventListener("mouseenter", function () { highlight(s.id, true); });
        ci.addEventListener("mouseleave", function () { highlight(s.id, false); });
        ci.addEventListener("click", function () { selectStop(s, rt); });
        draggable(ci, s, rt);
      });
    });
    c.issues.forEach(function (u) {
      if (u.kind !== "unassigned" || !u.point) { return; }
      var ci = el("circle", { "class": "unassigned", cx: proj.x(u.point[0]), cy: proj.y(u.point[1]), r: 8, "data-order-ring": u.order_id }, gs);
      el("title", {}, ci).textContent = u.household_name + ": " + u.reason;
    });
    c.vehicles.forEach(function (v) {
      if (!v.position) { return; }
      var ci = el("circle", { "class": "veh", cx: proj.x(v.position.point[0]), cy: proj.y(v.position.point[1]), r: 6, fill: c.color[v.id] || "#333", "data-vehicle-pos": v.id }, gv);
      el("title", {}, ci).textContent = v.code + " lúc " + hm(v.position.at) + " — " + v.done + "/" + v.planned + " điểm";
    });
    fitTo(c);
  }

  function fitTo(c) {
    var xs = [], ys = [];
    function add(q) { if (q) { xs.push(proj.x(q[0])); ys.push(proj.y(q[1])); } }
    if (c.depot) { add(c.depot.point); }
    c.routes.forEach(function (rt) { rt.stops.forEach(function (s) { add(s.point); }); });
    c.issues.forEach(function (u) { add(u.point); });
    if (xs.length < 2) { setView([0, 0, proj.w, proj.h]); return; }
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs), y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    var w = Math.max(x1 - x0, 60), hh = Math.max(y1 - y0, 60), m = 0.12;
    setView([x0 - w * m, y0 - hh * m, w * (1 + 2 * m), hh * (1 + 2 * m)]);
  }

  function place(e, iso, isoEnd) {
    var a = pct(iso);
    e.style.left = a + "%";
    if (isoEnd) { e.style.width = Math.max(0, pct(isoEnd) - a) + "%"; }
  }

  function drawTimeline(c) {
    var axis = clear("axis"), tl = clear("timeline");
    for (var hh = T0; hh <= T1; hh += 1) { var s = h("span", pad(hh) + ":00", null, axis); s.style.left = ((hh - T0) / (T1 - T0) * 100) + "%"; }
    var byVeh = {};
    c.routes.forEach(function (rt) { byVeh[rt.vehicle.id] = rt; });
    c.vehicles.forEach(function (v) {
      var rt = byVeh[v.id];
      var row = h("div", null, "tl-row" + (v.status !== "active" ? " broken" : ""), tl);
      row.setAttribute("role", "listitem");
      row.setAttribute("data-vehicle-id", v.id);
      var lab = h("div", null, "tl-label", row);
      h("strong", v.code, null, lab);
      h("span", (v.status !== "active" ? VEHICLE_STATUS[v.status] + " · " : "") + v.done + "/" + v.planned + " điểm" + (rt ? " · " + rt.km.toFixed(0) + " km" : ""), null, lab);
      if (v.driver) { h("span", v.driver.name, "muted", lab); }
      var tr = h("div", null, "tl-track", row);
      if (c.now && c.date === c.now.slice(0, 10)) { var nw = h("div", null, "tl-now", tr); place(nw, c.now); nw.title = "Bây giờ " + hm(c.now); }
      v.trips.forEach(function (t) {
        var m = h("div", null, "tl-ret", tr); place(m, t.return_at); m.title = "Về bưu cục " + hm(t.return_at) + " (chuyến " + (t.trip + 1) + ")";
        if (t.cutoff_at) { var k = h("div", null, "tl-cut", tr); place(k, t.cutoff_at); k.title = "Giờ chốt xe tuyến " + hm(t.cutoff_at); }
      });
      if (v.position) { var p = h("div", "▲ " + hm(v.position.at), "tl-pos", tr); place(p, v.position.at); p.title = "Vị trí cuối từ điện thoại tài xế"; }
      if (!rt) { return; }
      pickups(rt).forEach(function (s) {
        var w = h("div", null, "tl-win", tr); place(w, s.window_start, s.window_end);
        var b = h("button", (s.household ? s.household.name : (s.dropoff_point ? s.dropoff_point.name : "")) + " " + hm(s.eta), "tl-stop" + (c.late[s.id] ? " late" : ""), tr);
        b.type = "button";
        place(b, s.eta, new Date(new Date(s.eta).getTime() + (s.service_s || 300) * 1000).toISOString());
        b.style.background = c.late[s.id] ? "#f8c9c9" : (s.status === "planned" ? c.color[v.id] : (STATUS[s.status] || ["#ccc"])[0]);
        b.setAttribute("data-stop-id", s.id);
        b.setAttribute("data-eta", s.eta);
        b.setAttribute("data-status", s.status);
        b.setAttribute("aria-label", (s.household ? s.household.name : "Điểm " + s.id) + ", xe " + v.code + ", đến " + hm(s.eta) + ", khung " + hm(s.window_start) + "–" + hm(s.window_end) + ", " + s.load_kg + " kg, " + (STATUS[s.status] || ["", s.status])[1] + (c.late[s.id] ? ", trễ " + c.late[s.id].late_min + " phút" : ""));
        b.title = b.getAttribute("aria-label");
        b.addEventListener("mouseenter", function () { highlight(s.id, true); });
        b.addEventListener("mouseleave", function () { highlight(s.id, false); });
        b.addEventListener("focus", function () { highlight(s.id, true); });
        b.addEventListener("blur", function () { highlight(s.id, false); });
        b.addEventListener("click", function () { if (!dragged) { selectStop(s, rt); } });
        draggable(b, s, rt);
      });
      lab.addEventListener("click", function () { showRoute(rt); });
    });
  }

  // A route selected (its line on the map, its row, its name in the list):
  // it stays highlighted on the map and the timeline, and its stop list is
  // brought into view.
  function showRoute(rt, keepScroll) {
    selected = selected || {};
    selected.route = rt;
    var cur = (day.routes || []).filter(function (r) { return r.vehicle.id === rt.vehicle.id; })[0] || rt;
    each("#routes polyline.sel, #timeline .tl-row.sel, #vehiclelist li.sel", function (e) { e.classList.remove("sel"); });
    each('#routes polyline[data-vehicle-id="' + cur.vehicle.id + '"], #timeline .tl-row[data-vehicle-id="' + cur.vehicle.id + '"], #vehiclelist li[data-vehicle-id="' + cur.vehicle.id + '"]',
      function (e) { e.classList.add("sel"); });
    each('#routes polyline[data-vehicle-id="' + cur.vehicle.id + '"]', function (e) { e.parentNode.appendChild(e); }); // drawn on top
    $("routebox").hidden = false;
    $("routebox").setAttribute("data-vehicle-id", cur.vehicle.id);
    $("routetitle").textContent = cur.vehicle.name + (cur.driver ? " · " + cur.driver.name + " " + cur.driver.phone : "");
    var tb = clear(document.querySelector("#stoplist tbody"));
    pickups(cur).forEach(function (s, i) {
      var tr = h("tr", null, day.late[s.id] ? "late" : "", tb);
      tr.setAttribute("data-stop-id", s.id);
      [String(i + 1), hm(s.eta), hm(s.window_start) + "–" + hm(s.window_end), s.household ? s.household.name : "", String(s.load_kg), (STATUS[s.status] || ["", s.status])[1] + (day.late[s.id] ? " · trễ " + day.late[s.id].late_min + "′" : "")]
        .forEach(function (t) { h("td", t, null, tr); });
      tr.addEventListener("mouseenter", function () { highlight(s.id, true); });
      tr.addEventListener("mouseleave", function () { highlight(s.id, false); });
    });
    if (!keepScroll) { $("routebox").scrollIntoView({ block: "nearest" }); }
  }

  // A stop selected (click or Enter): its details and a keyboard way to
  // move it, with the same verdict as a drag.
  function selectStop(s, rt) {
    selected = { stop: s, route: rt };
    showRoute(rt);
    $("stopbox").hidden = false;
    $("stoptitle").textContent = (s.household ? s.household.name : (s.dropoff_point ? s.dropoff_point.name + (s.dropoff_point.approximate ? " (vị trí gần đúng)" : "") : "Điểm " + s.id)) + " — xe " + rt.vehicle.code;
    var info = clear("stopinfo");
    h("div", "Đến " + hm(s.eta) + " · khung " + hm(s.window_start) + "–" + hm(s.window_end) + " · " + s.load_kg + " kg · " + (STATUS[s.status] || ["", s.status])[1], null, info);
    if (s.household) { h("div", s.household.phone + " · " + s.household.address, "muted", info); }
    h("div", "Đơn: " + s.collect.map(function (o) { return o.marketplace_order_id; }).join(", "), "muted", info);
    var waybills = s.collect.map(function (o) { return o.carrier_waybill; }).filter(Boolean);
    if (waybills.length) { h("div", "Mã vận đơn: " + waybills.join(", "), "muted waybill", info); }
    // The parcel's label at the depot hand-over (label.go): the carrier's
    // own, or thugom's with the waybill's barcode, once collected.
    if (s.status === "picked_up" || s.status === "done") {
      s.collect.forEach(function (o) {
        if (!o.carrier_waybill) { return; }
        var a = h("a", "In nhãn " + o.carrier_waybill, "label-link", h("div", null, null, info));
        a.href = "/v1/orders/" + o.order_id + "/label?access_token=" + encodeURIComponent(token);
        a.target = "_blank"; a.rel = "noopener";
        a.setAttribute("data-order-id", o.order_id);
      });
    }
    // The carrier's price of each shipment, where thugom asks it (VNPost).
    s.collect.forEach(function (o) {
      if (!o.carrier_waybill) { return; }
      api("/v1/orders/" + o.order_id + "/price").then(function (p) {
        if (!selected || selected.stop !== s) { return; }
        var d = h("div", p.error ? "Cước " + o.carrier_waybill + ": chưa hỏi được hãng (" + p.error + ")" : "Cước " + o.carrier_waybill + ": " + p.fee.toLocaleString("vi-VN") + " đ (" + p.service + ")", "muted price", info);
        d.setAttribute("data-order-id", o.order_id);
      }).catch(function () {});
    });
    var sel = clear("moveto");
    day.vehicles.forEach(function (v) { if (v.status === "active" && v.id !== rt.vehicle.id) { var o = h("option", v.code, null, sel); o.value = v.id; } });
    $("movebtn").disabled = s.status !== "planned" || !sel.options.length;
  }

  // Drag and drop with pointer events (mouse, pen and touch alike): over a
  // vehicle's row or route the engine's verdict shows; dropping moves the
  // stop there (locked) and re-plans the rest. Over the mark between two
  // stop blocks of a row (or before its first open stop) the drop keeps the
  // stop at that place: right after the block on the left, or first.
  var drag = null, dragged = false, verdicts = {};
  function verdictFor(stopID, vid, after) {
    var key = stopID + ":" + vid + ":" + (after == null ? "" : after);
    if (!verdicts[key]) {
      var body = { date: day.date, stop_id: stopID, vehicle_id: vid };
      if (after != null) { body.after_stop_id = after; }
      verdicts[key] = post("/v1/depots/" + day.depot.id + "/preview", body).then(function (p) { return p; }, function (e) { delete verdicts[key]; throw e; });
    }
    return verdicts[key];
  }
  function stopName(id) {
    var name = "";
    (day.routes || []).forEach(function (rt) { rt.stops.forEach(function (s) { if (s.id === id) { name = s.household ? s.household.name : "Điểm " + id; } }); });
    return name || "Điểm " + id;
  }
  function placeText(after) { return after === 0 ? "đầu tuyến" : "sau điểm " + stopName(after); }
  var SLOT_PX = 9; // how near a place's mark the pointer must be
  // slotAt returns the place under the pointer in a row's track ({after,
  // x}: after a stop id, 0 first) or null (the planner chooses the place).
  function slotAt(row, x, moving) {
    var track = row.querySelector(".tl-track");
    if (!track) { return null; }
    var blocks = Array.prototype.slice.call(track.querySelectorAll(".tl-stop[data-stop-id]"));
    var open = function (b) { return ["planned", "en_route", "arrived"].indexOf(b.getAttribute("data-status")) >= 0; };
    var marks = [], prev = null, firstDone = false;
    blocks.forEach(function (b, i) {
      var id = +b.getAttribute("data-stop-id"), r = b.getBoundingClientRect();
      if (!firstDone && open(b)) {
        firstDone = true;
        var px = prev ? (prev.getBoundingClientRect().right + r.left) / 2 : r.left - 5;
        if (id !== moving) { marks.push({ after: 0, x: px }); }
      }
      var next = blocks[i + 1];
      if (next && open(b) && id !== moving && +next.getAttribute("data-stop-id") !== moving) {
        var nr = next.getBoundingClientRect();
        marks.push({ after: id, x: (r.right + nr.left) / 2 });
      }
      prev = b;
    });
    var best = null;
    marks.forEach(function (m) { if (Math.abs(m.x - x) <= SLOT_PX && (!best || Math.abs(m.x - x) < Math.abs(best.x - x))) { best = m; } });
    return best;
  }
  function showSlot(row, slot) {
    each(".tl-slot", function (e) { e.parentNode.removeChild(e); });
    if (!row || !slot) { return; }
    var track = row.querySelector(".tl-track"), tr = track.getBoundingClientRect();
    var m = h("div", null, "tl-slot", track);
    m.setAttribute("data-after-stop-id", slot.after);
    m.style.cssText = "position:absolute;top:0;bottom:0;width:3px;background:#000;z-index:4;pointer-events:none;left:" + (slot.x - tr.left - 1) + "px";
  }
  function verdictText(p) {
    var v = p.verdict;
    var t = VERDICT[v.verdict] + (v.verdict === "late" ? " " + v.late_min + " phút" : "") + " trên xe " + vehicleCode(v.vehicle_id);
    if (v.after_stop_id != null) { t += ", " + placeText(v.after_stop_id); }
    if (v.reason && v.reason.indexOf("position_infeasible") === 0) { t += " (không phục vụ được ở vị trí này)"; }
    if (v.eta) { t += ", đến " + hm(v.eta); }
    var dkm = (p.distance_m - p.current_distance_m) / 1000;
    t += " · " + (dkm >= 0 ? "+" : "") + dkm.toFixed(1) + " km";
    if (p.late.length) { t += " · " + p.late.length + " điểm trễ"; }
    return t;
  }
  function showVerdict(x, y, text, cls) {
    var v = $("verdict");
    v.hidden = false; v.textContent = text; v.className = cls || "";
    v.style.left = (x + 14) + "px"; v.style.top = (y + 14) + "px";
  }
  function targetAt(x, y) {
    var e = document.elementFromPoint(x, y);
    while (e && e !== document.body) {
      if (e.getAttribute && e.getAttribute("data-vehicle-id") && (e.classList.contains("tl-row") || e.classList.contains("route"))) { return e; }
      e = e.parentNode;
    }
    return null;
  }
  function draggable(node, s, rt) {
    if (s.status !== "planned") { return; }
    node.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) { return; }
      e.stopPropagation(); e.preventDefault();
      drag = { stop: s, route: rt, node: node, x: e.clientX, y: e.clientY, over: null, moved: false };
      dragged = false;
    });
  }
  function dragMove(e) {
    if (!drag) { return; }
    if (!drag.moved && Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) < 5) { return; }
    drag.moved = dragged = true;
    drag.node.classList.add("ghost");
    var t = targetAt(e.clientX, e.clientY);
    each(".drop,.dropbad", function (x) { x.classList.remove("drop", "dropbad"); });
    if (!t) { drag.over = null; drag.after = null; showSlot(null); showVerdict(e.clientX, e.clientY, "Thả vào hàng hoặc tuyến của một xe"); return; }
    var vid = +t.getAttribute("data-vehicle-id");
    var slot = t.classList.contains("tl-row") ? slotAt(t, e.clientX, drag.stop.id) : null;
    var after = slot ? slot.after : null;
    showSlot(t, slot);
    if (drag.over === vid && drag.after === after && drag.asked) { // same target: the verdict shown stands, it follows the pointer
      $("verdict").style.left = (e.clientX + 14) + "px"; $("verdict").style.top = (e.clientY + 14) + "px";
      return;
    }
    drag.over = vid; drag.after = after; drag.asked = false;
    $("verdict").removeAttribute("data-verdict");
    if (vid === drag.route.vehicle.id && after == null) { showVerdict(e.clientX, e.clientY, "Xe hiện tại"); return; }
    var v = day.vehicles.filter(function (x) { return x.id === vid; })[0];
    if (!v || v.status !== "active") { t.classList.add("dropbad"); showVerdict(e.clientX, e.clientY, "Xe " + vehicleCode(vid) + " không hoạt động", "bad"); return; }
    showVerdict(e.clientX, e.clientY, "Đang kiểm tra xe " + v.code + (after != null ? ", " + placeText(after) : "") + "…");
    var x = e.clientX, y = e.clientY, stopID = drag.stop.id;
    drag.asked = true;
    verdictFor(stopID, vid, after).then(function (p) {
      if (!drag || drag.over !== vid || drag.after !== after || drag.stop.id !== stopID) { return; }
      var ok = p.verdict.verdict === "fits";
      t.classList.add(ok ? "drop" : "dropbad");
      showVerdict(x, y, verdictText(p), ok ? "good" : "bad");
      $("verdict").setAttribute("data-verdict", p.verdict.verdict);
      if (after != null) { $("verdict").setAttribute("data-after-stop-id", after); } else { $("verdict").removeAttribute("data-after-stop-id"); }
    }, function (err) { if (drag && drag.over === vid && drag.after === after) { showVerdict(x, y, err.message, "bad"); } });
  }
  function dragEnd() {
    if (!drag) { return; }
    var d = drag;
    drag = null;
    d.node.classList.remove("ghost");
    each(".drop,.dropbad", function (x) { x.classList.remove("drop", "dropbad"); });
    showSlot(null);
    if (!d.moved) { return; }
    setTimeout(function () { dragged = false; }, 0);
    if (d.over && (d.over !== d.route.vehicle.id || d.after != null)) {
      moveStop(d.stop, d.over, d.after);
    } else {
      $("verdict").hidden = true;
    }
  }
  function moveStop(s, vid, after) {
    var v0 = day.plan ? day.plan.version : 0;
    var body = { vehicle_id: vid };
    if (after != null) { body.after_stop_id = after; }
    post("/v1/stops/" + s.id + "/move", body).then(function () {
      status("Đã khóa điểm vào xe " + vehicleCode(vid) + (after != null ? ", " + placeText(after) : "") + ", đang lập lại phần còn lại…");
      setTimeout(function () { $("verdict").hidden = true; }, 4000);
      waitVersion(v0);
    }).catch(function (e) { status(e.message); });
  }

  // Poll until the day's plan version moves past v0.
  function waitVersion(v0, tries) {
    tries = tries || 0;
    setTimeout(function () {
      api(consoleURL()).then(function (c) {
        if ((c.plan ? c.plan.version : 0) > v0 || tries > 30) { draw(c); verdicts = {}; status($("status").textContent + (tries > 30 ? " (chưa có phiên bản mới)" : " — đã cập nhật")); return; }
        waitVersion(v0, tries + 1);
      }).catch(function (e) { status(e.message); });
    }, tries ? 1500 : 500);
  }

  // What the fleet lacks to keep the day's promises (jobs.CapacityAdvice):
  // one line, then the vehicles to borrow and the motorbikes to add.
  function drawCapacity(c) {
    var a = c.capacity, box = clear("capacitybox");
    $("capacity").hidden = !a || !a.orders;
    if (!a || !a.orders) { return; }
    h("div", a.text, null, box);
    var ul = h("ul", null, null, box);
    a.borrow.forEach(function (v) {
      var li = h("li", "Mượn " + v.vehicle_code + " · " + v.depot_name + " · " + v.empty_run_km.toFixed(1) + " km · " + v.capacity_kg + " kg", null, ul);
      li.setAttribute("data-vehicle-id", v.vehicle_id);
    });
    if (a.motorbikes) { h("li", "Thêm " + a.motorbikes + " xe máy", null, ul).setAttribute("data-motorbikes", a.motorbikes); }
  }

  function drawIssues(c) {
    var ul = clear("issues");
    c.issues.forEach(function (is) {
      var li = h("li", null, null, ul);
      li.setAttribute("data-order-id", is.order_id);
      li.setAttribute("data-kind", is.kind);
      h("div", (is.kind === "late" ? "TRỄ " + is.late_min + " phút · " : "") + is.household_name + " · đơn " + (is.marketplace_order_id || is.order_id) + " · " + is.weight_kg + " kg", null, li);
      h("div", is.reason, "reason", li);
      if (is.advice) { h("div", is.advice, "advice", li); }
      is.fixes.forEach(function (f) {
        var b = h("button", f.label, null, li);
        b.type = "button";
        b.setAttribute("data-fix", f.kind);
        if (f.vehicle_id) { b.setAttribute("data-vehicle-id", f.vehicle_id); }
        b.addEventListener("click", function () { applyFix(is, f); });
      });
      li.addEventListener("mouseenter", function () { if (is.stop_id) { highlight(is.stop_id, true); } });
      li.addEventListener("mouseleave", function () { if (is.stop_id) { highlight(is.stop_id, false); } });
    });
    $("nissues").textContent = "(" + c.issues.filter(function (i) { return i.kind === "unassigned"; }).length + " chưa xếp, " + c.issues.filter(function (i) { return i.kind === "late"; }).length + " trễ)";
  }

  // A fix: assigning previews the re-plan with the order locked to the
  // vehicle (cost, what else becomes late) as a draft to publish; calling
  // the household opens the phone.
  function applyFix(is, f) {
    if (f.kind === "widen_window") { status("Gọi " + f.phone + " để hỏi hộ " + is.household_name + " nới khung giờ"); location.href = "tel:" + f.phone; return; }
    if (f.kind === "tomorrow") {
      if (!window.confirm("Hộ " + is.household_name + " đồng ý hẹn sang ngày mai? Hộ sẽ nhận SMS xác nhận.")) { return; }
      var v0 = day.plan ? day.plan.version : 0;
      post("/v1/households/" + is.household_id + "/postpone", {}).then(function () {
        status("Đã hẹn hộ " + is.household_name + " sang ngày mai");
        return api(consoleURL()).then(draw).then(function () { waitVersion(v0); });
      }).catch(function (e) { status(e.message); });
      return;
    }
    if (f.kind === "drop_off") {
      // The dispatcher has called the household, which agreed to bring its produce to the commune's post office.
      if (!window.confirm("Hộ " + is.household_name + " đã đồng ý qua điện thoại? " + f.label + ". Hộ sẽ nhận SMS hẹn giờ mang hàng.")) { return; }
      var v1 = day.plan ? day.plan.version : 0;
      post("/v1/orders/" + is.order_id + "/drop-off", { point_id: f.point_id, date: day.date }).then(function (r) {
        status("Đã hẹn hộ " + is.household_name + " mang hàng đến " + (r.point ? r.point.name : "điểm bưu điện văn hóa xã") + (r.by ? " trước " + hm(r.by) : "") + ", đang lập lại kế hoạch…");
        waitVersion(v1);
      }).catch(function (e) { status(e.message); });
      return;
    }
    if (f.kind === "borrow") {
      status("Đang tính phương án " + f.label.toLowerCase() + "…");
      post("/v1/depots/" + day.depot.id + "/preview", { date: day.date, borrow_vehicle_id: f.vehicle_id }).then(function (p) {
        showDraft(p, f.label, function () { return post("/v1/depots/" + day.depot.id + "/borrow", { vehicle_id: f.vehicle_id, date: day.date }); });
        status("Bản nháp sẵn sàng: xem thay đổi rồi gửi (xe được mượn khi gửi)");
      }).catch(function (e) { status(e.message); });
      return;
    }
    if (f.kind !== "assign") { return; }
    status("Đang tính phương án giao cho xe " + vehicleCode(f.vehicle_id) + "…");
    var body = { date: day.date, locks: [{ order_id: is.order_id, vehicle_id: f.vehicle_id }] };
    if (is.kind === "late" && is.stop_id) { body = { date: day.date, stop_id: is.stop_id, vehicle_id: f.vehicle_id }; }
    post("/v1/depots/" + day.depot.id + "/preview", body).then(function (p) {
      showDraft(p, "giao đơn " + (is.marketplace_order_id || is.order_id) + " cho xe " + vehicleCode(f.vehicle_id), function () {
        if (is.kind === "late" && is.stop_id) { return post("/v1/stops/" + is.stop_id + "/move", { vehicle_id: f.vehicle_id }); }
        return post("/v1/orders/" + is.order_id + "/lock", { vehicle_id: f.vehicle_id }).then(function () { return post("/v1/depots/" + day.depot.id + "/replan", { date: day.date }); });
      });
      status("Bản nháp sẵn sàng: xem thay đổi rồi gửi");
    }).catch(function (e) { status(e.message); });
  }

  // A draft: a preview the console solved (publish applies the action) or
  // a re-plan the publish policy kept (stored: publish and discard are the
  // server's).
  function showDraft(p, title, publish, discard) {
    draft = { preview: p, publish: publish, discard: discard, stored: p.state === "pending" ? p.id : 0 };
    $("draft").hidden = false;
    $("draft").setAttribute("data-draft-id", draft.stored || "");
    $("draft").removeAttribute("data-broken-vehicle-id");
    $("draft-title").textContent = title;
    var sum = p.changes.length + " thay đổi · " + p.sms + " hộ nhận SMS mới";
    if (p.distance_m != null) {
      var dkm = (p.distance_m - p.current_distance_m) / 1000;
      var still = p.unassigned.length, before = day.issues.filter(function (i) { return i.kind === "unassigned"; }).length;
      sum += " · " + (dkm >= 0 ? "+" : "") + dkm.toFixed(1) + " km · chưa xếp " + before + " → " + still +
        " · " + p.late.length + " điểm trễ" + (p.late.length ? " (" + p.late.map(function (l) { return vehicleCode(l.vehicle_id) + " " + l.late_min + "′"; }).slice(0, 6).join(", ") + ")" : "");
    }
    if (draft.stored) { sum += " · lập lúc " + hm(p.created_at) + " từ v" + p.from_version; }
    $("draft-summary").textContent = sum;
    var ul = clear("draft-changes");
    p.lines.forEach(function (t, i) {
      var li = h("li", t, null, ul);
      var c = p.changes[i];
      li.setAttribute("data-change", c.change);
      li.setAttribute("data-stop-id", c.stop_id);
      li.addEventListener("mouseenter", function () { highlight(c.stop_id, true); });
      li.addEventListener("mouseleave", function () { highlight(c.stop_id, false); });
    });
    if (!p.lines.length) { h("li", "Không có điểm nào thay đổi", "muted", ul).setAttribute("data-change", "none"); }
    $("draft").scrollIntoView({ block: "nearest" });
    $("publish").focus();
  }

  // The day's pending draft of an automatic re-plan, kept by the publish
  // policy: shown unless the dispatcher is looking at a draft of their own.
  var CAUSE = { pickup_failed: "lấy hàng không được", vehicle_broken: "xe hỏng", at_risk: "đơn có nguy cơ trễ", orders_imported: "có đơn mới", urgent_order: "đơn gấp" };
  function pendingDraft(c) {
    api("/v1/depots/" + c.depot.id + "/drafts?date=" + c.date + "&state=pending").then(function (x) {
      var p = x.items[0];
      if (draft && !draft.stored) { return; }
      if (!p) { if (draft) { draft = null; $("draft").hidden = true; } return; }
      if (draft && draft.stored === p.id) { return; }
      showDraft(p, "lập lại tự động sau khi " + (CAUSE[p.cause] || p.cause) + " (chờ duyệt)",
        function () { return post("/v1/drafts/" + p.id + "/publish", {}); },
        function () { return post("/v1/drafts/" + p.id + "/discard", {}); });
    }).catch(function () {});
  }

  function drawVehicles(c) {
    var ul = clear("vehiclelist");
    c.vehicles.forEach(function (v) {
      var li = h("li", null, null, ul);
      li.setAttribute("data-vehicle-id", v.id);
      var sw = h("span", null, "sw", li); sw.style.background = c.color[v.id] || "#fff";
      li.appendChild(document.createTextNode(v.name + (v.driver ? " · " + v.driver.name : "") + " — " + VEHICLE_STATUS[v.status] + " · " + v.done + "/" + v.planned + " điểm" +
        (v.position ? " · vị trí lúc " + hm(v.position.at) : " · chưa có vị trí") + " "));
      if (v.status === "active") {
        var b = h("button", "Báo hỏng", null, li); b.type = "button";
        b.setAttribute("data-action", "broken");
        b.addEventListener("click", function () { breakdown(v); });
      } else if (v.status !== "lent") {
        var a = h("button", "Cho hoạt động lại", null, li); a.type = "button";
        a.setAttribute("data-action", "activate");
        a.addEventListener("click", function () { setVehicle(v, "active", "Xe " + v.code + " hoạt động lại"); });
      }
      li.addEventListener("mouseenter", function () { highlightRoute(v.id, true); });
      li.addEventListener("mouseleave", function () { highlightRoute(v.id, false); });
    });
    $("nvehicles").textContent = "(" + c.vehicles.length + ")";
  }
  // A breakdown: the rescue plan first, as a draft; publishing reports the
  // vehicle broken (which re-plans), discarding changes nothing.
  function breakdown(v) {
    if (!day.plan) { setVehicle(v, "broken", "Đã báo xe " + v.code + " hỏng"); return; }
    status("Đang tính kế hoạch cứu hộ khi xe " + v.code + " hỏng…");
    post("/v1/depots/" + day.depot.id + "/preview", { date: day.date, broken_vehicle_id: v.id }).then(function (p) {
      showDraft(p, "xe " + v.code + " hỏng — kế hoạch cứu hộ", function () {
        return api("/v1/vehicles/" + v.id, { method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ status: "broken" }) });
      });
      $("draft").setAttribute("data-broken-vehicle-id", v.id);
      status("Kế hoạch cứu hộ sẵn sàng: xem thay đổi rồi gửi, hoặc bỏ (xe vẫn hoạt động)");
    }).catch(function (e) { status(e.message); });
  }
  function setVehicle(v, st, msg) {
    var v0 = day.plan ? day.plan.version : 0;
    api("/v1/vehicles/" + v.id, { method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ status: st }) })
      .then(function () { status(msg); return api(consoleURL()).then(function (c) { draw(c); if (st === "broken") { waitVersion(v0); } }); })
      .catch(function (e) { status(e.message); });
  }

  function drawBoard(c) {
    var d = clear("board");
    h("div", "Ngày " + dmy(c.date) + " · có nguy cơ trễ: " + c.sla.at_risk + " · trễ: " + c.sla.late, null, d).id = "sla-count";
    var pk = c.pickups || { in_window: 0, early: 0, late: 0 };
    var tm = h("div", "Lấy hàng trong khung giờ: " + pk.in_window + " · sớm hơn khung: " + pk.early + " · muộn hơn khung: " + pk.late, null, d);
    tm.id = "pickup-timing";
    api("/v1/depots/" + c.depot.id + "/report?date=" + c.date).then(function (x) {
      h("div", "Đã lấy " + x.picked_up + "/" + x.orders + " đơn · đúng hạn " + Math.round(x.on_time_share * 100) + "% · không lấy được " + x.failed + " · " + x.km.toFixed(1) + " km · " + x.load_kg.toFixed(0) + " kg · tuổi hàng TB " + x.produce_age_hours.avg.toFixed(1) + " giờ", "muted", d);
      // Delivered to the buyer: on the carrier's word where it told
      // (delivered_at), on thugom's estimate otherwise; each counted.
      var dl = x.delivered;
      if (dl && dl.orders && dl.orders.length) {
        var dv = h("div", "Giao người mua: đúng hẹn " + dl.within_promise + " · trễ " + dl.late + (dl.unknown ? " · chưa rõ " + dl.unknown : "") +
          " — theo hãng báo " + dl.by_carrier + ", theo ước tính " + dl.estimated, "muted", d);
        dv.id = "delivered-count";
      }
    }).catch(function () {});
    drawCarrierFailures(c, d);
    api("/v1/sla?depot_id=" + c.depot.id + "&date=" + c.date).then(drawSLA).catch(function () {});
    // What the last re-plan changed (a breakdown's or a failure's rescue,
    // published by policy, is listed the same way as a draft).
    if (c.plan && c.plan.version > 1) {
      api("/v1/depots/" + c.depot.id + "/plan/changes?date=" + c.date + "&since=" + (c.plan.version - 1)).then(function (x) {
        var det = h("details", null, null, d);
        det.id = "last-changes";
        h("summary", "Lần lập v" + x.to_version + ": " + x.changes.length + " điểm thay đổi so với v" + x.from_version, null, det);
        var ul = h("ul", null, null, det);
        x.changes.slice(0, 40).forEach(function (ch) {
          var v = ch.to || ch.from;
          h("li", "Điểm " + ch.stop_id + ": " + (CHANGE[ch.change] || ch.change) + (v ? " · xe " + vehicleCode(v.vehicle_id) + " " + hm(v.arrive_at) : ""), null, ul);
        });
      }).catch(function () {});
    }
  }
  var CHANGE = { added: "thêm", removed: "bỏ", vehicle: "đổi xe", window: "đổi khung giờ", status: "đổi trạng thái", sequence: "đổi thứ tự", time: "đổi giờ đến" };
  function drawSLA(b) {
    var d = clear("sla");
    var ul = h("ul", null, null, d);
    ul.setAttribute("data-depot-id", day.depot.id);
    (b.late || []).concat(b.at_risk || []).slice(0, 30).forEach(function (it) {
      var li = h("li", null, null, ul);
      li.setAttribute("data-sla-order", it.order_id);
      h("div", (it.late ? "TRỄ " : "Nguy cơ · ") + it.household_name + " (đơn " + it.marketplace_order_id + ")" + (it.handover_deadline ? " — hạn " + hm(it.handover_deadline) : ""), null, li);
      if (it.delivered_at) {
        // Which source the delivery figure is: the carrier's, or thugom's estimate.
        var src = it.delivered_source === "carrier" ? "hãng báo đã giao" : "ước tính giao";
        var dd = h("div", src + " " + hm(it.delivered_at) + " " + dmy(localYMD(it.delivered_at)) + ", hẹn " + hm(it.promised_by) + " " + dmy(localYMD(it.promised_by)), "muted delivered", li);
        dd.setAttribute("data-delivered-source", it.delivered_source);
      }
    });
  }
  function localYMD(iso) { var d = local(iso); return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()); }
  // The carriers' refusals of thugom's messages (a 4xx or their own
  // error), kept for an administrator: not sent again.
  function drawCarrierFailures(c, d) {
    var fs = c.carrier_failures || [];
    if (!fs.length) { return; }
    var det = h("details", null, null, d);
    det.id = "carrier-failures";
    h("summary", "Hãng từ chối " + fs.length + " tin của thugom (cần quản trị xem)", null, det);
    var ul = h("ul", null, null, det);
    fs.forEach(function (f) {
      var li = h("li", "Đơn " + f.order_id + " · " + f.carrier + " · " + f.action + " · " + hm(f.at) + ": " + f.error, null, ul);
      li.setAttribute("data-order-id", f.order_id);
    });
  }

  function legend() {
    var ul = clear("legend");
    Object.keys(STATUS).forEach(function (k) { if (k === "done") { return; } var li = h("li", null, null, ul); var sw = h("span", null, "sw", li); sw.style.background = STATUS[k][0]; li.appendChild(document.createTextNode(STATUS[k][1])); });
    [["ring", "Chưa xếp được (vòng đỏ)"], ["", "Điểm trễ (viền đỏ trên lịch trình)"], ["ret", "Xe về bưu cục"], ["line", "Giờ chốt xe tuyến"]].forEach(function (x) {
      var li = h("li", null, null, ul); var sw = h("span", null, "sw " + x[0], li); if (!x[0]) { sw.style.background = "#f8c9c9"; sw.style.borderColor = "#d00"; } li.appendChild(document.createTextNode(x[1]));
    });
    var li = h("li", null, null, ul); h("span", "▲", null, li).style.color = "#0a7"; li.appendChild(document.createTextNode(" Vị trí cuối của xe"));
  }

  // Search by household name, phone or order id over the day's stops and issues.
  function norm(s) { return String(s || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d"); }
  function search() {
    var q = norm($("search").value.trim()), box = $("searchbox");
    if (!day || q.length < 2) { box.hidden = true; return; }
    var ul = clear("found"), n = 0;
    var qd = q.replace(/\D/g, "");
    function hit(name, phone, orders) {
      if (norm(name).indexOf(q) >= 0) { return true; }
      if (qd.length >= 3 && String(phone || "").replace(/\D/g, "").indexOf(qd.replace(/^0/, "")) >= 0) { return true; }
      return orders.some(function (o) { return norm(o).indexOf(q) >= 0; });
    }
    day.routes.forEach(function (rt) {
      pickups(rt).forEach(function (s) {
        var ids = s.collect.map(function (o) { return o.marketplace_order_id; }).concat(s.collect.map(function (o) { return String(o.order_id); }),
          s.collect.map(function (o) { return o.carrier_waybill || ""; }).filter(Boolean));
        if (!hit(s.household && s.household.name, s.household && s.household.phone, ids) || n >= 50) { return; }
        n++;
        var li = h("li", null, null, ul);
        var b = h("button", (s.household ? s.household.name : "") + " · xe " + rt.vehicle.code + " · " + hm(s.eta), null, li);
        b.type = "button"; b.setAttribute("data-stop-id", s.id);
        b.addEventListener("click", function () { selectStop(s, rt); });
      });
    });
    day.issues.forEach(function (is) {
      if (!hit(is.household_name, is.phone, [is.marketplace_order_id, String(is.order_id)]) || n >= 50) { return; }
      n++;
      h("li", is.household_name + " · " + (is.kind === "late" ? "trễ" : "chưa xếp") + " · " + is.reason, null, ul);
    });
    $("nfound").textContent = "(" + n + ")";
    box.hidden = false;
  }

  function consoleURL() { return "/v1/depots/" + $("depot").value + "/console?date=" + ymd($("date").value); }
  function load() {
    if (!$("depot").value) { return; }
    if (!ymd($("date").value)) { status("Ngày phải theo dạng dd/mm/yyyy"); return; }
    status("Đang tải…");
    draft = null; $("draft").hidden = true; // a draft is of the day it was made on
    api(consoleURL()).then(draw).catch(function (e) { status(e.message); $("map").setAttribute("data-routes-rendered", "0"); });
  }

  function enqueuePlan() {
    post("/v1/depots/" + $("depot").value + "/plans", { date: ymd($("date").value) })
      .then(function () { status("Đã gửi yêu cầu, đang lập kế hoạch…"); waitVersion(day && day.plan ? day.plan.version : 0); })
      .catch(function (e) { status(e.message); });
  }
  // A re-plan is a draft first: its changes, then publish or discard.
  function previewReplan() {
    status("Đang tính bản nháp…");
    post("/v1/depots/" + day.depot.id + "/preview", { date: day.date }).then(function (p) {
      showDraft(p, "lập lại kế hoạch", function () { return post("/v1/depots/" + day.depot.id + "/replan", { date: day.date }); });
      status("Bản nháp sẵn sàng: xem thay đổi rồi gửi");
    }).catch(function (e) { status(e.message); });
  }

  // Wheel zooms around the pointer; drag pans.
  function interact() {
    var svg = $("map"), pan = null;
    svg.addEventListener("wheel", function (e) {
      e.preventDefault();
      var b = svg.getBoundingClientRect(), f = e.deltaY > 0 ? 1.2 : 1 / 1.2;
      var mx = view[0] + (e.clientX - b.left) / b.width * view[2], my = view[1] + (e.clientY - b.top) / b.height * view[3];
      setView([mx - (mx - view[0]) * f, my - (my - view[1]) * f, view[2] * f, view[3] * f]);
    }, { passive: false });
    svg.addEventListener("pointerdown", function (e) { if (!drag) { pan = [e.clientX, e.clientY, view.slice()]; } });
    window.addEventListener("pointerup", function () { pan = null; dragEnd(); });
    window.addEventListener("pointermove", function (e) {
      if (drag) { dragMove(e); return; }
      if (!pan) { return; }
      var b = svg.getBoundingClientRect();
      setView([pan[2][0] - (e.clientX - pan[0]) / b.width * view[2], pan[2][1] - (e.clientY - pan[1]) / b.height * view[3], view[2], view[3]]);
    });
    window.addEventListener("keydown", function (e) { if (e.key === "Escape" && drag) { drag.moved = false; dragEnd(); $("verdict").hidden = true; } });
  }

  function today() { return new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10); }

  function start() {
    legend(); interact();
    $("date").value = dmy(qs.get("date") || today());
    $("tokenform").addEventListener("submit", function (e) { e.preventDefault(); localStorage.setItem("thugom.token", $("token").value); location.reload(); });
    $("pick").addEventListener("submit", function (e) { e.preventDefault(); load(); });
    $("plan").addEventListener("click", enqueuePlan);
    $("replan").addEventListener("click", function () { if (day) { previewReplan(); } });
    $("search").addEventListener("input", search);
    $("publish").addEventListener("click", function () {
      if (!draft) { return; }
      var d = draft, v0 = day.plan ? day.plan.version : 0;
      $("publish").disabled = true;
      d.publish().then(function () {
        draft = null; $("draft").hidden = true; $("publish").disabled = false;
        status("Đã gửi, đang lập phiên bản mới…");
        waitVersion(v0);
      }).catch(function (e) { $("publish").disabled = false; status(e.message); });
    });
    $("discard").addEventListener("click", function () {
      if (!draft) { return; }
      var d = draft;
      (d.discard ? d.discard() : Promise.resolve()).then(function () {
        if (draft === d) { draft = null; $("draft").hidden = true; }
        status("Đã bỏ bản nháp");
      }).catch(function (e) { status(e.message); });
    });
    $("movebtn").addEventListener("click", function () {
      if (!selected || !selected.stop) { return; }
      var vid = +$("moveto").value, s = selected.stop;
      status("Đang kiểm tra…");
      verdictFor(s.id, vid).then(function (p) {
        showDraft(p, "chuyển " + (s.household ? s.household.name : "điểm " + s.id) + " sang xe " + vehicleCode(vid) + " — " + verdictText(p), function () { return post("/v1/stops/" + s.id + "/move", { vehicle_id: vid }); });
        status(verdictText(p));
      }).catch(function (e) { status(e.message); });
    });
    fetch("/v1/communes").then(function (r) { return r.json(); }).then(function (fc) {
      drawCommunes(fc);
      return api("/v1/depots");
    }).then(function (ds) {
      var sel = clear("depot");
      (ds.items || []).forEach(function (d) { var o = h("option", d.name, null, sel); o.value = d.id; });
      if (qs.get("depot")) { sel.value = qs.get("depot"); }
      load();
    }).catch(function (e) { status(e.message); });
  }
  start();
})();
