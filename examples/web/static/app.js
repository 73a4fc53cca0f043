'use strict';
// The demo page. The token lives in this closure only.
(function () {
  let gateway = '';
  let token = '';

  const $ = (id) => document.getElementById(id);

  function log(text, cls) {
    const li = document.createElement('li');
    li.textContent = new Date().toISOString().slice(11, 19) + ' ' + text;
    if (cls) li.className = cls;
    $('log').prepend(li);
  }

  // call fetches path on the gateway and never throws: a response becomes
  // {status, body}; a request the browser refused (CORS, or the network)
  // becomes {error, blocked: true}.
  async function call(method, path, body, withToken) {
    const headers = {};
    if (withToken && token) headers['Authorization'] = 'Bearer ' + token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      const resp = await fetch(gateway + path, {
        method, headers, mode: 'cors', credentials: 'omit',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await resp.text();
      let parsed = text;
      try { parsed = text ? JSON.parse(text) : null; } catch (e) { /* not JSON */ }
      const cls = resp.ok ? 'ok' : 'err';
      log(method + ' ' + path + ' -> ' + resp.status + ' ' + (text.length > 200 ? text.slice(0, 200) + '...' : text), cls);
      return { status: resp.status, body: parsed, allowOrigin: resp.headers.get('Access-Control-Allow-Origin') };
    } catch (e) {
      log(method + ' ' + path + ' -> BLOCKED by the browser: ' + e.message +
        ' (the response had no CORS headers for this origin, or the preflight was refused)', 'blocked');
      return { error: String(e.message || e), blocked: true };
    }
  }

  async function login(username, password) {
    const r = await call('POST', '/auth/login', { username, password }, false);
    if (r.status === 200 && r.body && r.body.accessToken) {
      token = r.body.accessToken;
      $('who').textContent = 'Signed in as ' + username + '.';
    }
    return { status: r.status, error: r.error, blocked: r.blocked, signedIn: !!token };
  }

  function render(notes) {
    const ul = $('notes');
    ul.replaceChildren();
    for (const n of notes || []) {
      const li = document.createElement('li');
      li.textContent = n.text + ' ';
      const del = document.createElement('button');
      del.textContent = 'delete';
      del.addEventListener('click', () => deleteNote(n.id).then(listNotes));
      li.append(del);
      ul.append(li);
    }
  }

  async function listNotes() {
    const r = await call('GET', '/notes', undefined, true);
    if (r.status === 200 && r.body) render(r.body.notes);
    return r;
  }
  const createNote = (text) => call('POST', '/notes', { text }, true);
  const deleteNote = (id) => call('DELETE', '/notes/' + encodeURIComponent(id), undefined, true);

  window.demo = {
    ready: fetch('/config.json').then((r) => r.json()).then((c) => {
      gateway = c.gateway;
      $('gateway').textContent = gateway;
      $('origin').textContent = location.origin;
      return true;
    }),
    login, listNotes, createNote, deleteNote,
    setToken: (t) => { token = t; },
    call: (method, path, withToken) => call(method, path, undefined, withToken),
  };

  document.addEventListener('DOMContentLoaded', () => {
    $('login').addEventListener('submit', (e) => {
      e.preventDefault();
      login($('username').value, $('password').value).then(() => { $('password').value = ''; });
    });
    $('create').addEventListener('submit', (e) => {
      e.preventDefault();
      createNote($('text').value).then(listNotes);
    });
    $('list').addEventListener('click', listNotes);
    $('anon').addEventListener('click', () => call('GET', '/notes', undefined, false));
  });
})();
