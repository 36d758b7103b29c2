// Groupflow sandbox page. Plain JS, no build step. It renders the neutral chat and card model
// (src/domain/chat.ts, card.ts) and talks to /sandbox/api. Every piece of user text is escaped
// before any markup is added.
'use strict';

(function () {
  const API = '/sandbox/api';
  const $ = (sel) => document.querySelector(sel);
  // A frame of the side-by-side view (/sandbox/split) names its group and identity in the URL
  // and leaves the remembered ones alone.
  const QUERY = new URLSearchParams(location.search);
  const EMBED = QUERY.get('embed') === '1';
  if (EMBED) document.documentElement.classList.add('embed');
  /** Groups drawn as another platform's, to show linked groups across Feishu and DingTalk. */
  const LOOK = { feishu: '飞书', dingtalk: '钉钉' };

  const S = {
    bot: { id: 'sandbox:bot', name: '协作助手' },
    users: [],
    chats: [],
    timezone: 'Asia/Shanghai',
    me: QUERY.get('as') || localStorage.getItem('gf.me') || '',
    chatId: QUERY.get('chat') || localStorage.getItem('gf.chat') || '',
    since: 0,
    msgs: new Map(), // id → message
    toasts: new Map(), // message id → {ok, text}
    openForm: null, // {msgId, index}
    replyTo: null,
    unread: new Set(),
    fetching: null,
    fetchAgain: false,
    mode: 'connecting',
    scrollNext: false,
  };

  // ── small helpers ──────────────────────────────────────────────────────────────────────────
  const { esc } = window.GFText;
  function el(tag, cls, html) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (html !== undefined) e.innerHTML = html;
    return e;
  }
  async function api(method, path, body) {
    const res = await fetch(API + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try {
      data = await res.json();
    } catch (_) {
      data = null;
    }
    if (!res.ok) throw new Error((data && data.message) || `HTTP ${res.status}`);
    return data;
  }
  function userName(id) {
    if (id === S.bot.id) return S.bot.name;
    const u = S.users.find((x) => x.id === id);
    return u ? u.name : id;
  }
  const COLORS = ['#3370ff', '#2ea043', '#f08a00', '#d83931', '#7f3bf5', '#00a3a3', '#c2410c', '#db2777'];
  function colorOf(id) {
    let h = 0;
    for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return COLORS[h % COLORS.length];
  }
  function avatar(id, cls) {
    const a = el('div', 'avatar' + (cls ? ' ' + cls : ''));
    if (id === null) {
      a.classList.add('bot');
      a.textContent = '协';
    } else {
      a.textContent = Array.from(userName(id))[0] || '?';
      a.dataset.color = colorOf(id);
    }
    paintAvatar(a);
    return a;
  }
  // CSP forbids inline style attributes, but CSSOM assignments are fine.
  function paintAvatar(a) {
    if (a.dataset.color) a.style.background = a.dataset.color;
  }
  function fmtTime(ms) {
    try {
      return new Intl.DateTimeFormat('zh-CN', { timeZone: S.timezone, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
    } catch (_) {
      return new Date(ms).toLocaleString();
    }
  }

  // ── rich text (richtext.js) with this page's mentions ─────────────────────────────────────────
  function mention(id, names) {
    const name = (names && names.get(id)) || userName(id);
    return `<span class="mention${id === S.me ? ' me' : ''}" data-user="${esc(id)}">@${esc(name)}</span>`;
  }
  const { inline, markdown, plain } = window.GFText.make(mention);
  function namesOf(list) {
    return new Map((list || []).map((m) => [m.id, m.name]));
  }

  // ── cards ──────────────────────────────────────────────────────────────────────────────────
  /** A chart as stacked CSS bars, one per label, each series a segment with its number. */
  function renderChart(c) {
    const box = el('figure', 'chart');
    box.dataset.chart = c.title;
    box.appendChild(el('figcaption', '', esc(c.title)));
    const series = c.series || [];
    const totals = (c.labels || []).map((_, i) => series.reduce((s, x) => s + (Number(x.values[i]) || 0), 0));
    const max = Math.max(1, ...totals);
    (c.labels || []).forEach((label, i) => {
      const row = el('div', 'chart-row');
      row.appendChild(el('span', 'chart-label', esc(label)));
      const bar = el('span', 'chart-bar');
      series.forEach((s, k) => {
        const v = Number(s.values[i]) || 0;
        const seg = el('span', 'chart-seg s' + k, v ? esc(String(v)) : '');
        seg.style.width = (v / max) * 100 + '%';
        seg.title = s.name + ' ' + v;
        bar.appendChild(seg);
      });
      row.appendChild(bar);
      box.appendChild(row);
    });
    box.appendChild(el('div', 'chart-legend', series.map((s, k) => '<span class="chart-key s' + k + '"></span>' + esc(s.name)).join(' ')));
    return box;
  }

  function renderCard(m) {
    const card = m.body.card;
    const names = namesOf(card.mentions);
    const color = ['blue', 'green', 'orange', 'red', 'grey', 'purple'].includes(card.header.color) ? card.header.color : 'blue';
    const root = el('div', 'card c-' + color);
    root.dataset.title = card.header.title;
    const head = el('div', 'card-head');
    head.appendChild(el('div', 'card-title', inline(card.header.title, names)));
    if (card.header.tag) head.appendChild(el('span', 'card-tag', esc(card.header.tag)));
    root.appendChild(head);
    const body = el('div', 'card-body rt');
    if (card.fields && card.fields.length) {
      const dl = el('dl', 'fields');
      for (const f of card.fields) {
        const wide = String(f.value).length > 28 || String(f.value).includes('\n');
        const d = el('div', 'field' + (wide ? ' wide' : ''));
        d.appendChild(el('dt', '', esc(f.label)));
        d.appendChild(el('dd', '', plain(f.value, names)));
        dl.appendChild(d);
      }
      body.appendChild(dl);
    }
    for (const p of card.markdown || []) body.appendChild(el('div', 'md rt', markdown(p, names)));
    for (const c of card.charts || []) body.appendChild(renderChart(c));
    const buttons = card.buttons || [];
    if (buttons.length) {
      const row = el('div', 'actions');
      buttons.forEach((b, i) => {
        const btn = el('button', 'btn ' + (b.style === 'primary' ? 'primary' : b.style === 'danger' ? 'danger' : 'default'));
        btn.type = 'button';
        btn.textContent = b.label;
        btn.dataset.action = b.action;
        if (b.for) btn.title = '仅限 ' + userName(b.for) + ' 操作 / only ' + userName(b.for);
        btn.addEventListener('click', () => onButton(m, i, btn));
        row.appendChild(btn);
      });
      const fors = [...new Set(buttons.map((b) => b.for).filter(Boolean))];
      if (fors.length === 1) {
        const mine = fors[0] === S.me;
        row.appendChild(
          el('span', 'for-note' + (mine ? ' turn' : ''), mine ? '轮到你操作 <span class="en">your turn</span>' : `仅限 ${mention(fors[0], names)} 操作`),
        );
      }
      body.appendChild(row);
    }
    if (S.openForm && S.openForm.msgId === m.id && buttons[S.openForm.index]) body.appendChild(renderForm(m, buttons[S.openForm.index]));
    root.appendChild(body);
    return root;
  }

  /** A form field: people of the group, a date and time, one of the options, or text. */
  function formInput(input) {
    const kind = input.kind || (input.name === 'reason' ? 'multiline' : 'text');
    if (kind === 'people' || kind === 'select') {
      const f = document.createElement('select');
      f.multiple = !!input.multiple;
      const options = kind === 'people' ? S.users.map((u) => ({ value: u.id, label: u.name })) : input.options || [];
      if (!f.multiple && !options.some((o) => o.value === '')) f.appendChild(new Option(kind === 'people' ? '请选择 / choose' : '—', ''));
      for (const o of options) f.appendChild(new Option(o.label, o.value));
      return f;
    }
    const f = document.createElement(kind === 'multiline' ? 'textarea' : 'input');
    if (kind === 'multiline') f.rows = 2;
    if (kind === 'date') f.type = 'datetime-local';
    f.placeholder = input.placeholder || '';
    f.maxLength = 2000;
    return f;
  }

  function inputValue(input, f) {
    if (f.multiple) return Array.from(f.selectedOptions).map((o) => o.value).join(',');
    return f.value.trim();
  }

  function renderForm(m, b) {
    const form = el('form', 'card-form');
    form.noValidate = true;
    form.appendChild(el('div', 'form-title', esc(b.label) + ' <span class="en">fill in and submit</span>'));
    const fields = [];
    for (const input of b.inputs || []) {
      const label = el('label', '', '<span>' + esc(input.label) + (input.required ? ' <span class="req">*</span>' : '') + '</span>');
      const f = formInput(input);
      f.name = input.name;
      f.required = !!input.required;
      label.appendChild(f);
      form.appendChild(label);
      fields.push({ input, f });
    }
    const err = el('div', 'form-error');
    form.appendChild(err);
    const btns = el('div', 'form-buttons');
    const cancel = el('button', 'btn small', '取消 <span class="en">Cancel</span>');
    cancel.type = 'button';
    cancel.addEventListener('click', () => {
      S.openForm = null;
      rerender(m.id);
    });
    const submit = el('button', 'btn small ' + (b.style === 'danger' ? 'danger' : 'primary'), '提交 <span class="en">Submit</span>');
    submit.type = 'submit';
    btns.append(cancel, submit);
    form.appendChild(btns);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const values = {};
      const missing = [];
      for (const { input, f } of fields) {
        const v = inputValue(input, f);
        f.classList.toggle('invalid', input.required && !v);
        if (input.required && !v) missing.push(input.label.split(' / ')[0]);
        if (v) values[input.name] = v;
      }
      if (missing.length) {
        err.textContent = '请填写：' + missing.join('、') + ' / required';
        return;
      }
      submit.disabled = true;
      void act(m, b, values).finally(() => (submit.disabled = false));
    });
    setTimeout(() => fields[0] && fields[0].f.focus(), 0);
    return form;
  }

  function onButton(m, index, btn) {
    const b = m.body.card.buttons[index];
    if (b.inputs && b.inputs.length) {
      const same = S.openForm && S.openForm.msgId === m.id && S.openForm.index === index;
      S.openForm = same ? null : { msgId: m.id, index };
      rerender(m.id);
      return;
    }
    btn.disabled = true;
    void act(m, b, {}).finally(() => (btn.disabled = false));
  }

  async function act(m, b, form) {
    try {
      const r = await api('POST', '/actions', {
        chatId: m.chatId,
        userId: S.me,
        messageId: m.id,
        itemId: b.itemId,
        action: b.action,
        version: b.version,
        for: b.for,
        form,
      });
      S.toasts.set(m.id, { ok: r.ok, text: r.toast || (r.ok ? '已完成' : '未能完成') });
      if (r.ok) S.openForm = null;
    } catch (e) {
      S.toasts.set(m.id, { ok: false, text: e.message });
    }
    rerender(m.id);
    void fetchMessages();
  }

  // ── messages ───────────────────────────────────────────────────────────────────────────────
  function renderMessage(m) {
    const bot = m.senderId === null;
    const root = el('div', 'msg' + (bot ? ' bot' : '') + (m.senderId === S.me ? ' mine' : ''));
    root.dataset.id = String(m.id);
    root.dataset.type = m.body.type;
    const only = m.body.onlyFor;
    if (only && only !== S.me) {
      // Feishu shows such a reply to its person only; the sandbox says it is there.
      root.className = 'msg bot whisper-other';
      root.appendChild(el('div', 'whisper-note', '一条仅 ' + esc(userName(only)) + ' 可见的回复（切换为 ' + esc(userName(only)) + ' 查看）'));
      return root;
    }
    root.appendChild(avatar(m.senderId));
    const main = el('div', 'msg-main');
    const meta = el('div', 'meta');
    meta.appendChild(el('span', 'who', esc(bot ? S.bot.name : userName(m.senderId))));
    if (bot) meta.appendChild(el('span', 'badge-bot', '机器人'));
    if (only) meta.appendChild(el('span', 'badge-only', '仅你可见'));
    meta.appendChild(el('time', '', esc(fmtTime(m.createdAt))));
    const rb = el('button', 'link-btn reply-btn', '回复');
    rb.type = 'button';
    rb.addEventListener('click', () => setReply(m));
    meta.appendChild(rb);
    main.appendChild(meta);
    if (m.replyTo) {
      const q = S.msgs.get(m.replyTo);
      if (q) main.appendChild(el('div', 'quote', '回复 ' + esc(q.senderId === null ? S.bot.name : userName(q.senderId)) + '：' + esc(summary(q))));
    }
    if (m.body.type === 'card') main.appendChild(renderCard(m));
    else {
      const names = namesOf(m.body.mentions);
      main.appendChild(el('div', 'bubble rt', bot ? markdown(m.body.text, names) : plain(m.body.text, names)));
    }
    const t = S.toasts.get(m.id);
    // Toasts may name people as <@id> tokens (e.g. "仅限 @张三 操作"): render them as mentions.
    if (t) main.appendChild(el('div', 'toast ' + (t.ok ? 'ok' : 'err'), (t.ok ? '✓ ' : '✕ ') + plain(t.text, null)));
    root.appendChild(main);
    return root;
  }

  function summary(m) {
    if (m.body.type === 'card') return m.body.card.summary || m.body.card.header.title;
    return m.body.text.replace(/<@([^<>\s]+)>/g, (_, id) => '@' + userName(id)).slice(0, 60);
  }

  function rerender(id) {
    const m = S.msgs.get(id);
    const old = document.querySelector(`.msg[data-id="${id}"]`);
    if (!m || !old) return;
    old.replaceWith(renderMessage(m));
  }

  function upsert(m) {
    const box = $('#messages');
    const known = S.msgs.get(m.id);
    S.msgs.set(m.id, m);
    const node = renderMessage(m);
    const old = box.querySelector(`.msg[data-id="${m.id}"]`);
    if (old) {
      old.replaceWith(node);
      if (known && known.rev !== m.rev && m.body.type === 'card') {
        const c = node.querySelector('.card');
        if (c) c.classList.add('flash');
      }
      return;
    }
    const empty = box.querySelector('.empty');
    if (empty) empty.remove();
    const after = [...box.querySelectorAll('.msg')].find((e) => Number(e.dataset.id) > m.id);
    box.insertBefore(node, after || null);
  }

  async function fetchMessages() {
    if (!S.chatId) return;
    if (S.fetching) {
      S.fetchAgain = true;
      return S.fetching;
    }
    S.fetching = (async () => {
      do {
        S.fetchAgain = false;
        const chatId = S.chatId;
        const box = $('#messages');
        const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 120;
        const initial = S.since === 0;
        let grew = false;
        try {
          const r = await api('GET', `/messages?chatId=${encodeURIComponent(chatId)}&since=${S.since}`);
          if (chatId !== S.chatId) continue;
          for (const m of r.messages) {
            if (!S.msgs.has(m.id)) grew = true;
            upsert(m);
            S.since = Math.max(S.since, m.rev);
          }
          if (!S.msgs.size) showEmpty();
        } catch (e) {
          setError('#send-error', e.message);
        }
        if (grew && (nearBottom || initial || S.scrollNext)) box.scrollTop = box.scrollHeight;
        S.scrollNext = false;
      } while (S.fetchAgain);
    })().finally(() => (S.fetching = null));
    return S.fetching;
  }

  function showEmpty() {
    const box = $('#messages');
    if (box.querySelector('.empty')) return;
    const e = el(
      'div',
      'empty',
      '<div>这个群还没有消息。以左侧选择的身份发言，试试下面的命令：</div><div class="en">No messages yet. Speak as the identity on the left; try one of these:</div>',
    );
    const ex = el('div', 'examples');
    const names = S.users.filter((u) => u.id !== S.me).slice(0, 2).map((u) => '@' + u.name);
    for (const cmd of ['/帮助', `/需求 接口联调 协作:${names.join(' ') || '@李四'} 截止:周五 优先级:高 标准:联调通过`, '/查看 #1']) {
      const b = el('button', 'example');
      b.type = 'button';
      b.textContent = cmd;
      b.addEventListener('click', () => {
        $('#input').value = cmd;
        $('#input').focus();
      });
      ex.appendChild(b);
    }
    e.appendChild(ex);
    box.appendChild(e);
  }

  // ── sidebar ────────────────────────────────────────────────────────────────────────────────
  function renderSide() {
    const sel = $('#identity');
    sel.innerHTML = '';
    for (const u of S.users) {
      const o = document.createElement('option');
      o.value = u.id;
      o.textContent = u.name;
      sel.appendChild(o);
    }
    sel.value = S.me;
    const av = $('#me-avatar');
    av.textContent = Array.from(userName(S.me))[0] || '?';
    av.dataset.color = colorOf(S.me);
    paintAvatar(av);
    const list = $('#chats');
    list.innerHTML = '';
    for (const c of S.chats) {
      const li = el('li', c.id === S.chatId ? 'active' : '');
      li.dataset.id = c.id;
      li.appendChild(el('span', 'chat-name', esc(c.name)));
      if (LOOK[c.look]) li.appendChild(el('span', `look look-${c.look}`, LOOK[c.look]));
      if (S.unread.has(c.id)) li.appendChild(el('span', 'dot'));
      li.title = c.id;
      li.addEventListener('click', () => openChat(c.id));
      list.appendChild(li);
    }
    const chat = S.chats.find((c) => c.id === S.chatId);
    $('#chat-title').textContent = chat ? chat.name : '';
    if (chat && LOOK[chat.look]) $('#chat-title').appendChild(el('span', `look look-${chat.look}`, LOOK[chat.look]));
    document.body.dataset.look = (chat && chat.look) || '';
    document.title = (chat ? chat.name + ' · ' : '') + '协作助手沙盒';
    $('#input').placeholder = `以「${userName(S.me)}」的身份发言，例如：/需求 接口联调 协作:@李四 截止:周五`;
  }

  function openChat(id) {
    if (!S.chats.some((c) => c.id === id)) return;
    S.chatId = id;
    if (!EMBED) localStorage.setItem('gf.chat', id);
    S.unread.delete(id);
    S.since = 0;
    S.msgs.clear();
    S.toasts.clear();
    S.openForm = null;
    setReply(null);
    $('#messages').innerHTML = '';
    renderSide();
    void fetchMessages();
  }

  function setMe(id) {
    S.me = id;
    if (!EMBED) localStorage.setItem('gf.me', id);
    renderSide();
    for (const m of S.msgs.values()) rerender(m.id);
  }

  function setReply(m) {
    S.replyTo = m ? m.id : null;
    $('#reply-bar').hidden = !m;
    if (m) {
      $('#reply-text').textContent = '回复 ' + (m.senderId === null ? S.bot.name : userName(m.senderId)) + '：' + summary(m);
      $('#input').focus();
    }
  }

  function setError(sel, text) {
    $(sel).textContent = text || '';
  }

  async function loadState() {
    const st = await api('GET', '/state');
    S.bot = st.bot;
    S.users = st.users;
    S.chats = st.chats;
    S.timezone = st.timezone || S.timezone;
    if (!S.users.some((u) => u.id === S.me)) S.me = (S.users[0] && S.users[0].id) || '';
    if (!S.chats.some((c) => c.id === S.chatId)) S.chatId = (S.chats[0] && S.chats[0].id) || '';
    renderSide();
  }

  // ── sending ────────────────────────────────────────────────────────────────────────────────
  async function send() {
    const input = $('#input');
    const text = input.value.trim();
    if (!text || !S.chatId || !S.me) return;
    const btn = $('#send');
    btn.disabled = true;
    setError('#send-error', '');
    try {
      await api('POST', '/messages', { chatId: S.chatId, userId: S.me, text, replyTo: S.replyTo || undefined });
      input.value = '';
      setReply(null);
      S.scrollNext = true;
      await fetchMessages();
    } catch (e) {
      setError('#send-error', e.message);
    } finally {
      btn.disabled = false;
      input.focus();
    }
  }

  // ── live updates: SSE, falling back to polling ─────────────────────────────────────────────
  let pollTimer = null;
  function setMode(mode) {
    S.mode = mode;
    const c = $('#conn');
    c.className = 'conn ' + (mode === 'live' ? 'live' : mode === 'poll' ? 'poll' : '');
    c.textContent = mode === 'live' ? '实时 Live' : mode === 'poll' ? '轮询 Polling' : '连接中 Connecting';
  }
  function startPolling() {
    if (pollTimer) return;
    setMode('poll');
    pollTimer = setInterval(() => {
      void fetchMessages();
    }, 1500);
  }
  function connect() {
    if (!('EventSource' in window)) return startPolling();
    let failures = 0;
    const es = new EventSource(API + '/events');
    es.addEventListener('open', () => {
      failures = 0;
      setMode('live');
      if (pollTimer) clearInterval(pollTimer);
      pollTimer = null;
      void fetchMessages(); // catch up on anything missed while disconnected
    });
    es.addEventListener('message', (e) => {
      const d = JSON.parse(e.data);
      if (d.chatId === S.chatId) void fetchMessages();
      else if (!S.unread.has(d.chatId)) {
        S.unread.add(d.chatId);
        renderSide();
      }
    });
    es.addEventListener('state', () => void loadState().catch(() => {}));
    es.addEventListener('error', () => {
      failures++;
      if (es.readyState === EventSource.CLOSED || failures >= 3) {
        es.close();
        startPolling();
      }
    });
  }

  // ── wiring ─────────────────────────────────────────────────────────────────────────────────
  function wire() {
    $('#identity').addEventListener('change', (e) => setMe(e.target.value));
    $('#send').addEventListener('click', () => void send());
    $('#input').addEventListener('keydown', (e) => {
      // Enter sends; Shift+Enter is a newline; never send in the middle of an IME composition.
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        void send();
      }
    });
    $('#reply-cancel').addEventListener('click', () => setReply(null));
    $('#add-user').addEventListener('submit', async (e) => {
      e.preventDefault();
      const name = $('#new-user').value.trim();
      if (!name) return;
      try {
        const u = await api('POST', '/users', { name });
        $('#new-user').value = '';
        setError('#add-user-error', '');
        await loadState();
        setMe(u.id);
      } catch (err) {
        setError('#add-user-error', err.message);
      }
    });
    $('#add-chat').addEventListener('submit', async (e) => {
      e.preventDefault();
      const name = $('#new-chat').value.trim();
      if (!name) return;
      try {
        const c = await api('POST', '/chats', { name });
        $('#new-chat').value = '';
        setError('#add-chat-error', '');
        await loadState();
        openChat(c.id);
      } catch (err) {
        setError('#add-chat-error', err.message);
      }
    });
  }

  async function start() {
    wire();
    setMode('connecting');
    try {
      await loadState();
    } catch (e) {
      setError('#send-error', '无法连接沙盒服务 / cannot reach the sandbox: ' + e.message);
      return;
    }
    openChat(S.chatId);
    connect();
  }

  void start();
})();
