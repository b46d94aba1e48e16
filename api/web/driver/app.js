// thugom's driver app: the day's stops offline, every action queued in an
// IndexedDB outbox and sent when the network returns. Plain JS, no build.
'use strict';
(() => {
  const $ = s => document.querySelector(s);
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
    }
    return add(e, ...kids);
  };
  // add appends what is there: Node.append(null) would print "null".
  const add = (parent, ...kids) => {
    for (const k of kids) if (k != null && k !== false && k !== '') parent.append(k);
    return parent;
  };
  const hhmm = t => t ? new Date(t).toLocaleTimeString('vi-VN', {hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Ho_Chi_Minh'}) : '';
  const vnd = n => n.toLocaleString('vi-VN') + ' đ';
  const kg = n => (Math.round(n * 10) / 10).toLocaleString('vi-VN') + ' kg';
  // Icons drawn inline (SVG): a cheap phone's fonts have no emoji.
  const NS = 'http://www.w3.org/2000/svg';
  const ICON = {
    phone: 'M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z',
    pin: 'M12 2a7 7 0 0 0-7 7c0 5.25 7 13 7 13s7-7.75 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z',
  };
  const icon = name => {
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('class', 'icon'); svg.setAttribute('viewBox', '0 0 24 24'); svg.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS(NS, 'path');
    path.setAttribute('d', ICON[name]);
    svg.append(path);
    return svg;
  };
  // A pickup this far outside its window is confirmed by the driver first.
  const FAR_MS = 2 * 3600e3;
  const FAIL = {not_ready: 'Hàng chưa sẵn sàng', nobody_home: 'Không có người ở nhà', quality_rejected: 'Hàng không đạt', unreachable: 'Không tới được'};
  const STATE = {planned: 'Chưa tới', en_route: 'Đang đi', arrived: 'Đã tới', picked_up: 'Đã lấy hàng', failed: 'Không lấy được', done: 'Đã bàn giao', skipped: 'Đã bỏ'};
  const RANK = {planned: 0, en_route: 1, arrived: 2, picked_up: 3, failed: 3, done: 4, skipped: 5};

  // --- storage: IndexedDB, one "kv" store and the "outbox" ---
  let dbp;
  const db = () => dbp || (dbp = new Promise((ok, ko) => {
    const r = indexedDB.open('thugom-driver', 1);
    r.onupgradeneeded = () => {
      r.result.createObjectStore('kv');
      r.result.createObjectStore('outbox', {keyPath: 'id'});
    };
    r.onsuccess = () => ok(r.result);
    r.onerror = () => ko(r.error);
  }));
  const tx = async (store, mode, fn) => {
    const d = await db();
    return new Promise((ok, ko) => {
      const t = d.transaction(store, mode);
      const req = fn(t.objectStore(store));
      t.oncomplete = () => ok(req && req.result);
      t.onerror = () => ko(t.error);
    });
  };
  const get = k => tx('kv', 'readonly', s => s.get(k));
  const put = (k, v) => tx('kv', 'readwrite', s => s.put(v, k));
  const outbox = () => tx('outbox', 'readonly', s => s.getAll());

  // manifests: the days the app switches between (today and the next
  // working day), each {m, etag}; work: the server's working day, its days
  // and the ETag of the dateless answer; shown: the day on screen.
  let token = '', manifests = {}, work = {date: '', days: [], etag: ''}, shown = '', pending = [], refusals = [], sending = false;
  let todayRef = null; // {date: the server's today, phone: the phone's day then}
  let open = null; // the stop the driver tapped open (default: the next one)
  const current = () => (manifests[shown] || manifests[work.date] || {}).m || null;

  // --- days, as the driver reads them ---
  const WD = ['chủ nhật', 'thứ hai', 'thứ ba', 'thứ tư', 'thứ năm', 'thứ sáu', 'thứ bảy'];
  const phoneDay = () => new Intl.DateTimeFormat('en-CA', {timeZone: 'Asia/Ho_Chi_Minh'}).format(new Date());
  const utc = d => { const [y, m, dd] = d.split('-').map(Number); return Date.UTC(y, m - 1, dd); };
  const iso = t => new Date(t).toISOString().slice(0, 10);
  // today: the server's (its clock is the business clock), moved on by the
  // days the phone has lived since, offline included.
  const today = () => todayRef ? iso(utc(todayRef.date) + utc(phoneDay()) - utc(todayRef.phone)) : phoneDay();
  const longDay = d => WD[new Date(utc(d)).getUTCDay()] + ' ' + d.slice(8, 10) + '/' + d.slice(5, 7);
  const dayLabel = d => {
    const diff = Math.round((utc(d) - utc(today())) / 864e5);
    const long = longDay(d);
    if (diff === 0) return 'Hôm nay';
    if (diff === 1) return 'Ngày mai, ' + long;
    if (diff === -1) return 'Hôm qua, ' + long;
    return long[0].toUpperCase() + long.slice(1);
  };

  const setNet = () => {
    const n = $('#net');
    n.textContent = navigator.onLine ? 'có mạng' : 'mất sóng';
    n.classList.toggle('off', !navigator.onLine);
  };

  const api = async (path, opts = {}) => {
    opts.headers = Object.assign({'Authorization': 'Bearer ' + token}, opts.headers || {});
    return fetch(path, opts);
  };

  // --- the list ---
  const localStatus = st => {
    let s = st.status;
    for (const e of pending) if (e.stop_id === st.id && RANK[e.status] > RANK[s]) s = e.status;
    return s;
  };

  // sketch draws the trip small with its pickups numbered as in the list;
  // each number goes where it overlaps no other number nor dot (tried
  // around the dot, farther out with a leader line); one that fits nowhere
  // is left off (counted in data-unlabelled) rather than drawn over another.
  const sketch = stops => {
    const pts = stops.filter(s => s.point).map(s => s.point);
    if (pts.length < 2) return null;
    const xs = pts.map(p => p[0]), ys = pts.map(p => p[1]);
    const k = Math.cos(ys[0] * Math.PI / 180);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const W = 360, H = 220, pad = 16;
    const sc = Math.min((W - 2 * pad) / Math.max((x1 - x0) * k, 1e-6), (H - 2 * pad) / Math.max(y1 - y0, 1e-6));
    const X = p => pad + (p[0] - x0) * k * sc, Y = p => pad + (y1 - p[1]) * sc;
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('class', 'sketch');
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    const line = document.createElementNS(NS, 'polyline');
    line.setAttribute('points', pts.map(p => X(p).toFixed(1) + ',' + Y(p).toFixed(1)).join(' '));
    svg.append(line);
    const dots = [], boxes = [];
    let n = 0;
    for (const s of stops) if (s.point && s.kind === 'pickup') dots.push({x: X(s.point), y: Y(s.point), n: ++n});
    const hit = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    const free = b => b.x >= 0 && b.y >= 0 && b.x + b.w <= W && b.y + b.h <= H && !boxes.some(o => hit(b, o)) &&
      !dots.some(d => hit(b, {x: d.x - 4, y: d.y - 4, w: 8, h: 8}));
    let unlabelled = 0;
    for (const d of dots) {
      const c = document.createElementNS(NS, 'circle');
      c.setAttribute('cx', d.x.toFixed(1)); c.setAttribute('cy', d.y.toFixed(1)); c.setAttribute('r', 4);
      svg.append(c);
    }
    for (const d of dots) {
      const w = 7 * String(d.n).length + 3, h = 13;
      let at = null;
      for (const r of [8, 14, 22, 32, 44]) {
        for (let a = 0; a < 12 && !at; a++) {
          const t = -Math.PI / 4 + a * Math.PI / 6;
          const b = {x: d.x + r * Math.cos(t) - w / 2, y: d.y - r * Math.sin(t) - h / 2, w, h};
          if (free(b)) at = b;
        }
        if (at) break;
      }
      if (!at) { unlabelled++; continue; }
      boxes.push(at);
      const cx = at.x + w / 2, cy = at.y + h / 2;
      if (Math.hypot(cx - d.x, cy - d.y) > 12) {
        const l = document.createElementNS(NS, 'line');
        l.setAttribute('class', 'leader');
        l.setAttribute('x1', d.x.toFixed(1)); l.setAttribute('y1', d.y.toFixed(1)); l.setAttribute('x2', cx.toFixed(1)); l.setAttribute('y2', cy.toFixed(1));
        svg.append(l);
      }
      const t = document.createElementNS(NS, 'text');
      t.setAttribute('x', cx.toFixed(1)); t.setAttribute('y', (at.y + h - 2.5).toFixed(1)); t.setAttribute('text-anchor', 'middle');
      t.dataset.box = [at.x, at.y, w, h].map(v => v.toFixed(1)).join(' ');
      t.textContent = d.n;
      svg.append(t);
    }
    svg.dataset.unlabelled = String(unlabelled);
    return svg;
  };

  const stateLine = (status, queued) => el('p', {class: 'state', text: STATE[status] || status}, queued ? el('span', {class: 'queued', text: ' (chờ gửi)'}) : null);
  const window_ = st => st.window_start && st.window_end ? `${hhmm(st.window_start)}–${hhmm(st.window_end)}` : '';
  // farFromWindow: how far the phone's now is outside the stop's window, in
  // words, when more than FAR_MS; '' otherwise.
  const farFromWindow = st => {
    if (!st.window_start || !st.window_end) return '';
    const now = Date.now(), a = Date.parse(st.window_start), b = Date.parse(st.window_end);
    const mins = m => m >= 120 ? `${Math.floor(m / 60)} giờ ${m % 60 ? (m % 60) + ' phút' : ''}`.trim() : `${m} phút`;
    if (now < a - FAR_MS) return `sớm ${mins(Math.round((a - now) / 60000))} so với khung giờ`;
    if (now > b + FAR_MS) return `muộn ${mins(Math.round((now - b) / 60000))} so với khung giờ`;
    return '';
  };

  const stopCard = (st, n, expanded) => {
    const status = localStatus(st);
    const queued = pending.some(e => e.stop_id === st.id);
    const cls = 'stop' + (status === 'picked_up' || status === 'done' ? ' done' : status === 'failed' ? ' failed' : status === 'arrived' ? ' here' : '');
    const card = el('article', {class: cls + (expanded ? ' open' : ' line'), 'data-stop-id': st.id, 'data-status': status, 'data-open': String(expanded)});
    if (st.kind === 'depot') {
      card.append(el('h3', {}, el('span', {text: 'Về bưu cục – bàn giao'}), el('span', {class: 'eta', text: hhmm(st.eta)})), stateLine(status, queued));
      if (RANK[status] < RANK.done) {
        card.append(el('div', {class: 'actions'}, el('button', {type: 'button', 'data-action': 'handover', text: 'Bàn giao tại bưu cục'})));
      }
      return card;
    }
    const h = st.household || (st.dropoff_point ? {name: st.dropoff_point.name + ' (hộ mang hàng đến)', address: st.dropoff_point.approximate ? 'Vị trí gần đúng: hỏi bưu điện xã' : ''} : {});
    const name = `${n}. ${h.name || 'Hộ'}`;
    if (!expanded) {
      // One line until tapped: number, name, time, state.
      card.append(el('button', {type: 'button', class: 'row', 'data-expand': st.id},
        el('span', {class: 'name', text: name}), el('span', {class: 'eta', text: hhmm(st.eta)}),
        el('span', {class: 'state', text: (STATE[status] || status) + (queued ? ' (chờ gửi)' : '')})));
      return card;
    }
    const lat = st.point ? st.point[1] : null, lon = st.point ? st.point[0] : null;
    const links = el('p', {class: 'links'},
      h.phone ? el('a', {href: 'tel:' + h.phone}, icon('phone'), ' ' + h.phone) : null,
      lat != null ? el('a', {href: `geo:${lat},${lon}?q=${lat},${lon}`}, icon('pin'), ' Chỉ đường') : null,
      lat != null ? el('a', {href: `https://www.google.com/maps/dir/?api=1&destination=${lat},${lon}`, rel: 'noopener', target: '_blank', text: 'Bản đồ'}) : null);
    const collect = (st.collect || []).map(c => [c.product, c.weight_kg != null ? kg(c.weight_kg) : '', c.parcels != null ? `(${c.parcels} kiện)` : ''].filter(Boolean).join(' ')).join('; ');
    // The carrier's waybill numbers, once its shipments are created (after the pickup, or at intake).
    const waybills = (st.collect || []).map(c => c.carrier_waybill).filter(Boolean).join(', ');
    const pk = st.packaging || {};
    const pack = [pk.boxes ? pk.boxes + ' thùng' : '', pk.nets ? pk.nets + ' lưới xốp' : '', pk.note || ''].filter(Boolean).join(', ');
    const win = window_(st);
    add(card,
      el('h3', {}, el('span', {text: name}), el('span', {class: 'eta', text: hhmm(st.eta)})),
      win ? el('p', {class: 'muted', text: 'Khung giờ ' + win}) : null,
      h.address ? el('p', {text: h.address}) : null, links,
      collect ? el('p', {text: 'Lấy: ' + collect}) : null,
      waybills ? el('p', {class: 'waybill', text: 'Mã vận đơn: ' + waybills}) : null,
      pack ? el('p', {text: 'Bao bì: ' + pack}) : null,
      st.cod_amount ? el('p', {text: 'Thu hộ (COD): ' + vnd(st.cod_amount)}) : null,
      stateLine(status, queued));
    if (RANK[status] < RANK.picked_up) {
      const sel = el('select', {name: 'reason'});
      for (const [k, v] of Object.entries(FAIL)) sel.append(el('option', {value: k, text: v, selected: k === 'nobody_home' ? '' : null}));
      card.append(el('div', {class: 'form'},
        el('label', {text: 'Số kiện'}), el('input', {name: 'parcels', type: 'number', min: 0, max: 1000, value: st.parcels || 0, inputmode: 'numeric'}),
        el('label', {text: 'Số kg'}), el('input', {name: 'weight_kg', type: 'number', min: 0, max: 5000, step: '0.1', value: Math.round((st.load_kg || 0) * 10) / 10, inputmode: 'decimal'}),
        el('label', {text: 'Ảnh'}), el('input', {name: 'photo', type: 'file', accept: 'image/*', capture: 'environment'}),
        el('label', {text: 'Ghi chú'}), el('input', {name: 'note', type: 'text', maxlength: 500}),
        el('label', {text: 'Lý do'}), sel));
      card.append(el('div', {class: 'actions'},
          RANK[status] < RANK.arrived ? el('button', {type: 'button', 'data-action': 'arrived', text: 'Đã tới'}) : null,
          el('button', {type: 'button', 'data-action': 'pickup', text: 'Đã lấy hàng'}),
          el('button', {type: 'button', 'data-action': 'fail', text: 'Không lấy được'})));
    }
    return card;
  };

  // confirmFar asks, in the card (what the driver typed stays), whether a
  // pickup far outside its window really happened now.
  const confirmFar = (card, st, far) => {
    const actions = card.querySelector('.actions');
    actions.hidden = true;
    card.append(el('div', {class: 'confirm', role: 'alertdialog'},
      el('p', {text: `Bây giờ là ${hhmm(new Date())}, ${far} (${window_(st)}). Đúng là đã lấy hàng?`}),
      el('div', {class: 'actions'},
        el('button', {type: 'button', 'data-action': 'pickup-confirm', text: 'Đúng, đã lấy hàng'}),
        el('button', {type: 'button', 'data-action': 'pickup-cancel', text: 'Không'}))));
  };

  const renderDays = () => {
    const nav = $('#days');
    nav.textContent = '';
    const days = work.days.filter(d => manifests[d]);
    nav.hidden = days.length < 2;
    for (const d of days) {
      nav.append(el('button', {type: 'button', 'data-day': d, 'aria-pressed': String(d === shown), text: dayLabel(d)}));
    }
  };

  const render = () => {
    const main = $('#trips');
    main.textContent = '';
    const man = current();
    renderDays();
    if (!man) {
      main.append(el('p', {class: 'muted', text: token ? 'Chưa có bảng kê (cần mạng lần đầu).' : 'Mở ứng dụng bằng đường link hoặc mã QR của bưu cục.'}));
      return;
    }
    const label = dayLabel(man.date);
    $('#who').textContent = man.driver.name;
    $('#day').textContent = label === 'Hôm nay' ? 'Hôm nay, ' + longDay(man.date) : label;
    $('#day').dataset.date = man.date;
    if (!man.routes.length) main.append(el('p', {class: 'muted', text: `${label}: không có chuyến.`}));
    // Open: the stop the driver tapped, else the next pickup still to do.
    const pickups = man.routes.flatMap(rt => rt.stops.filter(st => st.kind === 'pickup'));
    const next = pickups.find(st => RANK[localStatus(st)] < RANK.picked_up);
    const openID = pickups.some(st => st.id === open) ? open : next ? next.id : null;
    for (const rt of man.routes) {
      const trips = new Map();
      for (const st of rt.stops) {
        if (!trips.has(st.trip)) trips.set(st.trip, []);
        trips.get(st.trip).push(st);
      }
      for (const [trip, stops] of trips) {
        add(main, el('h2', {text: `${rt.vehicle.name || rt.vehicle.code} – chuyến ${trip + 1}`}), sketch(stops));
        let n = 0;
        for (const st of stops) main.append(stopCard(st, st.kind === 'pickup' ? ++n : 0, st.id === openID));
      }
    }
    main.dataset.rendered = String(Date.now());
  };

  const renderPending = () => {
    $('#pending-count').textContent = String(pending.length);
    const r = $('#refusals');
    r.hidden = !refusals.length;
    r.textContent = '';
    if (refusals.length) {
      r.append(el('strong', {text: `Máy chủ từ chối ${refusals.length} thao tác:`}));
      const ul = el('ul');
      for (const f of refusals.slice(-10)) ul.append(el('li', {'data-refused': f.id, text: `điểm ${f.stop_id}: ${f.detail}`}));
      r.append(ul, el('button', {type: 'button', id: 'refusals-clear', text: 'Đã hiểu'}));
    }
  };

  // --- the outbox ---
  const nextSeq = async () => {
    const s = ((await get('seq')) || 0) + 1;
    await put('seq', s);
    return s;
  };
  const newID = () => (crypto.randomUUID ? crypto.randomUUID() : Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, '0')).join(''));

  // compress shrinks a photo on the phone to a JPEG of at most 200 KB.
  const compress = async file => {
    const img = await createImageBitmap(file);
    let w = img.width, h = img.height;
    const s = Math.min(1, 1280 / Math.max(w, h));
    w = Math.round(w * s); h = Math.round(h * s);
    for (let q = 0.8; ; q -= 0.15) {
      const c = document.createElement('canvas');
      c.width = w; c.height = h;
      c.getContext('2d').drawImage(img, 0, 0, w, h);
      const blob = await new Promise(ok => c.toBlob(ok, 'image/jpeg', Math.max(q, 0.2)));
      if (blob.size <= 200 * 1024 || (q <= 0.2 && w < 400)) {
        const buf = new Uint8Array(await blob.arrayBuffer());
        let bin = '';
        for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode.apply(null, buf.subarray(i, i + 0x8000));
        return btoa(bin);
      }
      if (q <= 0.2) { w = Math.round(w * 0.7); h = Math.round(h * 0.7); q = 0.95; }
    }
  };

  const queue = async ev => {
    ev.id = newID();
    ev.seq = await nextSeq();
    ev.happened_at = new Date().toISOString();
    await tx('outbox', 'readwrite', s => s.put(ev));
    pending = await outbox();
    renderPending();
    render();
    flush();
  };

  const flush = async () => {
    if (sending || !token) return;
    pending = await outbox();
    renderPending();
    if (!pending.length || !navigator.onLine) return;
    sending = true;
    try {
      pending.sort((a, b) => a.seq - b.seq);
      // Chunks of at most 20 events or about 2 MB.
      for (let i = 0; i < pending.length;) {
        const chunk = [];
        let size = 0;
        while (i < pending.length && chunk.length < 20 && (size === 0 || size + (pending[i].photo || '').length < 2e6)) {
          size += (pending[i].photo || '').length + 300;
          chunk.push(pending[i++]);
        }
        // Each event's id is its idempotency key: a batch resent after a
        // lost answer is answered as the first time, event by event.
        const r = await api('/v1/me/events', {method: 'POST', headers: {'Content-Type': 'application/json'},
          body: JSON.stringify({sent_at: new Date().toISOString(), events: chunk})});
        if (r.status === 401) { $('#synced').textContent = 'Mã truy cập không còn hiệu lực'; break; }
        if (!r.ok) {
          const p = await r.json().catch(() => ({}));
          if (r.status >= 500) break;
          for (const e of chunk) refusals.push({id: e.id, stop_id: e.stop_id, detail: p.detail || ('lỗi ' + r.status)});
          await tx('outbox', 'readwrite', s => { for (const e of chunk) s.delete(e.id); });
          continue;
        }
        const out = await r.json();
        await tx('outbox', 'readwrite', s => {
          for (const res of out.results) {
            if (res.status !== 200) {
              const e = chunk.find(x => x.id === res.id) || {};
              refusals.push({id: res.id, stop_id: e.stop_id, detail: (res.problem && res.problem.detail) || ('lỗi ' + res.status)});
            }
            s.delete(res.id);
          }
        });
        if (out.clock_skew_flagged) $('#synced').textContent = `Đồng hồ máy lệch ${Math.round(out.clock_skew_s / 60)} phút`;
        else $('#synced').textContent = 'đã gửi ' + hhmm(out.received_at);
      }
      await put('refusals', refusals);
    } catch (e) {
      // Offline or the server unreachable: the outbox keeps everything.
    } finally {
      sending = false;
      pending = await outbox();
      renderPending();
      if (current() && !pending.length) refresh();
    }
  };

  // --- the manifests, by ETag ---
  // The dateless answer is the working day with the days to switch between;
  // the other day is fetched by its date. Both are kept for offline use.
  const stopIDs = m => new Set(m.routes.flatMap(r => r.stops.filter(s => s.kind === 'pickup').map(s => s.id)));
  let incoming = null;
  const keep = async () => {
    for (const d of Object.keys(manifests)) if (!work.days.includes(d)) delete manifests[d];
    await put('manifests', manifests);
    await put('work', work);
  };
  // take stores a day's manifest; a changed list of the day on screen is
  // announced before it replaces what the driver is working from.
  const take = async (date, m, tag) => {
    const had = manifests[date];
    if (date === shown && had) {
      const was = stopIDs(had.m), now = stopIDs(m);
      const added = [...now].filter(x => !was.has(x)).length, dropped = [...was].filter(x => !now.has(x)).length;
      if (added || dropped) {
        incoming = {date, m, etag: tag};
        $('#changes-text').textContent = `Kế hoạch đã đổi: ${added} điểm mới, ${dropped} điểm bỏ.`;
        $('#changes').hidden = false;
        return false;
      }
    }
    manifests[date] = {m, etag: tag};
    return true;
  };
  // refresh draws again only what changed: a redraw would drop what the
  // driver is typing into a card.
  const refresh = async () => {
    if (!token || !navigator.onLine) return;
    let changed = false;
    try {
      // No date, no driver id: the server knows the working day and the token's driver.
      const r = await api('/v1/me/manifest', {headers: work.etag && manifests[work.date] ? {'If-None-Match': work.etag} : {}});
      if (!r.ok && r.status !== 304) return;
      if (r.status !== 304) {
        const m = await r.json();
        const days = m.days && m.days.length ? m.days : [m.date];
        todayRef = {date: days[0], phone: phoneDay()};
        await put('today', todayRef);
        // The working day moved (tomorrow's plan published, today done): show it.
        if (m.date !== work.date || !work.days.includes(shown)) { shown = m.date; await put('shown', shown); }
        changed = String(work.days) !== String(days);
        work = {date: m.date, days, etag: r.headers.get('ETag') || ''};
        changed = await take(m.date, m, '') || changed;
      }
      for (const d of work.days) {
        if (d === work.date) continue;
        const had = manifests[d];
        const rd = await api('/v1/me/manifest?date=' + d, {headers: had && had.etag ? {'If-None-Match': had.etag} : {}});
        if (rd.ok && rd.status !== 304) changed = await take(d, await rd.json(), rd.headers.get('ETag') || '') || changed;
      }
      await keep();
      if (changed) render();
    } catch (e) { /* offline */ }
  };

  // --- positions, every 5 minutes while open and online ---
  const sendPosition = () => {
    if (!navigator.onLine || !navigator.geolocation || !token || document.hidden) return;
    navigator.geolocation.getCurrentPosition(p => {
      api('/v1/me/positions', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({positions: [
        {at: new Date(p.timestamp).toISOString(), lon: p.coords.longitude, lat: p.coords.latitude, accuracy_m: p.coords.accuracy}]})}).catch(() => {});
    }, () => {}, {enableHighAccuracy: false, maximumAge: 120000, timeout: 30000});
  };

  // --- the buttons ---
  document.addEventListener('click', async ev => {
    const b = ev.target.closest('button');
    if (!b) return;
    if (b.dataset.expand) { open = +b.dataset.expand; render(); return; }
    if (b.id === 'resend') { flush(); refresh(); return; }
    if (b.id === 'refusals-clear') { refusals = []; await put('refusals', refusals); renderPending(); return; }
    if (b.id === 'changes-apply' && incoming) {
      manifests[incoming.date] = {m: incoming.m, etag: incoming.etag}; incoming = null;
      await keep();
      $('#changes').hidden = true;
      render();
      return;
    }
    if (b.dataset.day) {
      shown = b.dataset.day; open = null;
      await put('shown', shown);
      render();
      return;
    }
    const card = b.closest('[data-stop-id]');
    if (!card) return;
    const stop = +card.dataset.stopId;
    const val = n => { const i = card.querySelector(`[name=${n}]`); return i ? i.value : ''; };
    switch (b.dataset.action) {
      case 'arrived':
        return queue({stop_id: stop, status: 'arrived'});
      case 'handover':
        return queue({stop_id: stop, status: 'done'});
      case 'fail':
        open = null;
        return queue({stop_id: stop, status: 'failed', reason: val('reason') || 'nobody_home', note: val('note')});
      case 'pickup-cancel':
        card.querySelector('.confirm').remove();
        card.querySelector('.actions').hidden = false;
        return;
      case 'pickup':
      case 'pickup-confirm': {
        const st = (current() || {routes: []}).routes.flatMap(r => r.stops).find(x => x.id === stop);
        const far = st && b.dataset.action === 'pickup' ? farFromWindow(st) : '';
        if (far) return confirmFar(card, st, far);
        open = null;
        const e = {stop_id: stop, status: 'picked_up', note: val('note')};
        const p = parseInt(val('parcels'), 10), w = parseFloat(val('weight_kg'));
        if (p >= 0) e.parcels = p;
        if (w >= 0) e.weight_kg = w;
        const f = card.querySelector('[name=photo]');
        if (f && f.files && f.files[0]) {
          try { e.photo = await compress(f.files[0]); } catch (err) { /* no photo then */ }
        }
        return queue(e);
      }
    }
  });

  // --- start ---
  const start = async () => {
    const m = /token=([^&]+)/.exec(location.hash);
    if (m) {
      token = decodeURIComponent(m[1]);
      localStorage.setItem('thugom.token', token);
      history.replaceState(null, '', location.pathname + location.search);
    } else {
      token = localStorage.getItem('thugom.token') || '';
    }
    setNet();
    window.addEventListener('online', () => { setNet(); flush(); refresh(); });
    window.addEventListener('offline', setNet);
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
    if ('serviceWorker' in navigator) {
      navigator.serviceWorker.register('sw.js', {scope: './'}).catch(() => {});
      navigator.serviceWorker.ready.then(() => { document.body.dataset.sw = 'ready'; });
    }
    manifests = (await get('manifests')) || {};
    work = (await get('work')) || work;
    todayRef = (await get('today')) || null;
    shown = (await get('shown')) || work.date;
    if (!work.days.includes(shown)) shown = work.date;
    refusals = (await get('refusals')) || [];
    pending = await outbox();
    renderPending();
    render();
    document.body.dataset.ready = '1';
    await refresh();
    flush();
    setInterval(() => { flush(); refresh(); }, 60000);
    sendPosition();
    setInterval(sendPosition, 5 * 60000);
  };
  start();
})();
