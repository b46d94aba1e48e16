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
    for (const k of kids) if (k != null) e.append(k);
    return e;
  };
  const hhmm = t => t ? new Date(t).toLocaleTimeString('vi-VN', {hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Ho_Chi_Minh'}) : '';
  const vnd = n => n.toLocaleString('vi-VN') + ' đ';
  const kg = n => (Math.round(n * 10) / 10).toLocaleString('vi-VN') + ' kg';
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

  let token = '', man = null, etag = '', pending = [], refusals = [], sending = false;

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

  const sketch = stops => {
    const pts = stops.filter(s => s.point).map(s => s.point);
    if (pts.length < 2) return null;
    const xs = pts.map(p => p[0]), ys = pts.map(p => p[1]);
    const k = Math.cos(ys[0] * Math.PI / 180);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const W = 320, H = 120, pad = 10;
    const sc = Math.min((W - 2 * pad) / Math.max((x1 - x0) * k, 1e-6), (H - 2 * pad) / Math.max(y1 - y0, 1e-6));
    const X = p => (pad + (p[0] - x0) * k * sc).toFixed(1), Y = p => (pad + (y1 - p[1]) * sc).toFixed(1);
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('class', 'sketch');
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    const line = document.createElementNS(ns, 'polyline');
    line.setAttribute('points', pts.map(p => X(p) + ',' + Y(p)).join(' '));
    svg.append(line);
    let n = 0;
    for (const s of stops) {
      if (!s.point || s.kind !== 'pickup') continue;
      n++;
      const c = document.createElementNS(ns, 'circle');
      c.setAttribute('cx', X(s.point)); c.setAttribute('cy', Y(s.point)); c.setAttribute('r', 4);
      const t = document.createElementNS(ns, 'text');
      t.setAttribute('x', +X(s.point) + 5); t.setAttribute('y', +Y(s.point) - 4); t.textContent = n;
      svg.append(c, t);
    }
    return svg;
  };

  const stopCard = (st, n) => {
    const status = localStatus(st);
    const queued = pending.some(e => e.stop_id === st.id);
    const cls = 'stop' + (status === 'picked_up' || status === 'done' ? ' done' : status === 'failed' ? ' failed' : status === 'arrived' ? ' here' : '');
    const card = el('article', {class: cls, 'data-stop-id': st.id, 'data-status': status});
    if (st.kind === 'depot') {
      card.append(el('h3', {}, el('span', {text: 'Về bưu cục – bàn giao'}), el('span', {class: 'eta', text: hhmm(st.eta)})),
        el('p', {class: 'state', text: STATE[status] || status}, queued ? el('span', {class: 'queued', text: ' (chờ gửi)'}) : null));
      if (RANK[status] < RANK.done) {
        card.append(el('div', {class: 'actions'}, el('button', {type: 'button', 'data-action': 'handover', text: 'Bàn giao tại bưu cục'})));
      }
      return card;
    }
    const h = st.household || (st.dropoff_point ? {name: st.dropoff_point.name + ' (hộ mang hàng đến)', address: st.dropoff_point.approximate ? 'Vị trí gần đúng: hỏi bưu điện xã' : ''} : {});
    const lat = st.point ? st.point[1] : null, lon = st.point ? st.point[0] : null;
    const links = el('p', {class: 'links'},
      h.phone ? el('a', {href: 'tel:' + h.phone, text: '📞 ' + h.phone}) : null,
      lat != null ? el('a', {href: `geo:${lat},${lon}?q=${lat},${lon}`, text: 'Chỉ đường'}) : null,
      lat != null ? el('a', {href: `https://www.google.com/maps/dir/?api=1&destination=${lat},${lon}`, rel: 'noopener', target: '_blank', text: 'Bản đồ'}) : null);
    const collect = (st.collect || []).map(c => `${c.product} ${kg(c.weight_kg)} (${c.parcels} kiện)`).join('; ');
    const pk = st.packaging || {};
    const pack = [pk.boxes ? pk.boxes + ' thùng' : '', pk.nets ? pk.nets + ' lưới xốp' : '', pk.note || ''].filter(Boolean).join(', ');
    card.append(
      el('h3', {}, el('span', {text: `${n}. ${h.name || 'Hộ'}`}), el('span', {class: 'eta', text: hhmm(st.eta)})),
      el('p', {class: 'muted', text: `Khung giờ ${hhmm(st.window_start)}–${hhmm(st.window_end)}`}),
      el('p', {text: h.address || ''}), links,
      collect ? el('p', {text: 'Lấy: ' + collect}) : null,
      pack ? el('p', {text: 'Bao bì: ' + pack}) : null,
      st.cod_amount ? el('p', {text: 'Thu hộ (COD): ' + vnd(st.cod_amount)}) : null,
      el('p', {class: 'state', text: STATE[status] || status}, queued ? el('span', {class: 'queued', text: ' (chờ gửi)'}) : null));
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

  const render = () => {
    const main = $('#trips');
    main.textContent = '';
    if (!man) {
      main.append(el('p', {class: 'muted', text: token ? 'Chưa có bảng kê (cần mạng lần đầu).' : 'Mở ứng dụng bằng đường link hoặc mã QR của bưu cục.'}));
      return;
    }
    $('#who').textContent = `${man.driver.name} · ${man.date.split('-').reverse().join('/')}`;
    if (!man.routes.length) main.append(el('p', {class: 'muted', text: 'Hôm nay không có chuyến.'}));
    for (const rt of man.routes) {
      const trips = new Map();
      for (const st of rt.stops) {
        if (!trips.has(st.trip)) trips.set(st.trip, []);
        trips.get(st.trip).push(st);
      }
      for (const [trip, stops] of trips) {
        main.append(el('h2', {text: `${rt.vehicle.name || rt.vehicle.code} – chuyến ${trip + 1}`}), sketch(stops));
        let n = 0;
        for (const st of stops) main.append(stopCard(st, st.kind === 'pickup' ? ++n : 0));
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
      if (man && !pending.length) refresh();
    }
  };

  // --- the manifest, by ETag ---
  const stopIDs = m => new Set(m.routes.flatMap(r => r.stops.filter(s => s.kind === 'pickup').map(s => s.id)));
  let incoming = null;
  const refresh = async () => {
    if (!token || !navigator.onLine) return;
    try {
      // No date, no driver id: the server knows the day and the token's driver.
      const r = await api('/v1/me/manifest', {headers: etag ? {'If-None-Match': etag} : {}});
      if (r.status === 304 || !r.ok) return;
      const m = await r.json();
      const tag = r.headers.get('ETag') || '';
      if (!man || man.date !== m.date) {
        man = m; etag = tag;
        await put('manifest', {m, etag});
        render();
        return;
      }
      const was = stopIDs(man), now = stopIDs(m);
      const added = [...now].filter(x => !was.has(x)).length, dropped = [...was].filter(x => !now.has(x)).length;
      if (!added && !dropped) {
        man = m; etag = tag;
        await put('manifest', {m, etag});
        render();
        return;
      }
      incoming = {m, etag: tag};
      $('#changes-text').textContent = `Kế hoạch đã đổi: ${added} điểm mới, ${dropped} điểm bỏ.`;
      $('#changes').hidden = false;
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
    if (b.id === 'resend') { flush(); refresh(); return; }
    if (b.id === 'refusals-clear') { refusals = []; await put('refusals', refusals); renderPending(); return; }
    if (b.id === 'changes-apply' && incoming) {
      man = incoming.m; etag = incoming.etag; incoming = null;
      await put('manifest', {m: man, etag});
      $('#changes').hidden = true;
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
        return queue({stop_id: stop, status: 'failed', reason: val('reason') || 'nobody_home', note: val('note')});
      case 'pickup': {
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
    const saved = await get('manifest');
    if (saved) { man = saved.m; etag = saved.etag; }
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
