// Live sync service status: the server pushes every status change (server-sent events); each
// element marked data-sync-status-id shows the new status without a reload.
(function () {
  if (!window.EventSource) { return; }
  function connect() {
    var events = new EventSource('/events/sync-status');
    events.addEventListener('status', function (message) {
      var change = JSON.parse(message.data);
      document.querySelectorAll('[data-sync-status-id="' + change.id + '"]').forEach(function (badge) {
        badge.classList.remove('status-online', 'status-offline', 'status-degraded');
        badge.classList.add('status-' + change.status);
        badge.textContent = change.status;
      });
      if (change.status !== 'offline') {
        // a service comes online or reports itself degraded by heartbeating: its last heartbeat is now
        document.querySelectorAll('[data-sync-heartbeat-id="' + change.id + '"]').forEach(function (cell) {
          cell.textContent = 'just now';
        });
      }
      document.body.dataset.lastStatusEvent = change.id + ':' + change.status;
    });
    events.onopen = function () { document.body.dataset.liveStatus = 'connected'; };
    events.onerror = function () {
      document.body.dataset.liveStatus = 'reconnecting';
    };
  }
  // after the page has loaded, so a long-lived stream never holds up its load
  if (document.readyState === 'complete') { connect(); } else { window.addEventListener('load', connect); }
})();

// Live agent statuses: a page marked data-agents-live asks the agents API the same query again
// every 10 s (an agent's status follows from its polls and the time, not from events) and updates
// its badges, versions, times and summary counts in place.
(function () {
  var root = document.querySelector('[data-agents-live]');
  if (!root || !window.fetch) { return; }
  var uid = root.getAttribute('data-agent-uid');
  function label(value) { return String(value).replace(/_/g, ' '); }
  function ago(iso) {
    var s = Math.round((Date.now() - Date.parse(iso)) / 1000);
    if (s < 5) { return 'just now'; }
    if (s < 60) { return s + ' s ago'; }
    if (s < 3600) { return Math.floor(s / 60) + ' min ago'; }
    if (s < 86400) { return Math.floor(s / 3600) + ' h ago'; }
    return Math.floor(s / 86400) + ' d ago';
  }
  function show(container, item, abbreviate) {
    container.querySelectorAll('[data-field]').forEach(function (el) {
      var field = el.getAttribute('data-field');
      var value = item[field];
      if (field === 'liveness' || field === 'config_status') {
        el.className = el.className.replace(/\bstatus-\S+/g, '').trim() + ' status-' + value;
        el.textContent = label(value);
      } else if (field === 'last_poll_at') {
        if (value) { el.setAttribute('datetime', value); el.textContent = ago(value); }
      } else if (value === null || value === undefined) {
        el.textContent = field === 'desired_config_version' && abbreviate ? '?' : '—';
      } else {
        var text = String(value);
        el.textContent = abbreviate && text.length > 15 ? text.substring(0, 12) + '...' : text;
        if (el.tagName === 'CODE') { el.title = text; }
      }
    });
  }
  function json(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); });
  }
  function refresh() {
    var summaryApi = root.getAttribute('data-summary-api');
    var work = [json(root.getAttribute('data-agents-live')).then(function (page) {
      page.items.forEach(function (item) {
        if (uid) {
          if (item.agent_uid === uid) { show(document.querySelector('main'), item, false); }
          return;
        }
        document.querySelectorAll('tr[data-agent]').forEach(function (row) {
          if (row.getAttribute('data-agent') === item.agent_uid) { show(row, item, true); }
        });
      });
    })];
    if (summaryApi) {
      work.push(json(summaryApi).then(function (summary) {
        var counts = Object.assign({}, summary.by_liveness, summary.by_config_status);
        document.querySelectorAll('[data-summary]').forEach(function (el) {
          var key = el.getAttribute('data-summary');
          if (key === 'converged') { el.textContent = Math.round(summary.converged * 100) + ' %'; }
          else if (key === 'agents') { el.textContent = summary.agents + ' agents'; }
          else if (key in counts) { el.textContent = counts[key]; }
        });
      }));
    }
    Promise.all(work).then(function () {
      document.body.dataset.agentsRefreshed = String(Number(document.body.dataset.agentsRefreshed || 0) + 1);
    }, function () { document.body.dataset.agentsRefreshFailed = String(Date.now()); });
  }
  setInterval(refresh, Number(root.getAttribute('data-refresh-ms')) || 10000);
})();

// The devices' summary cards: counting a whole tenant takes a while at a million devices, so the
// page is served without it and asks the API once it has loaded.
(function () {
  var root = document.querySelector('[data-device-summary]');
  if (!root || !window.fetch) { return; }
  fetch(root.getAttribute('data-device-summary'), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
    .then(function (summary) {
      var values = Object.assign({}, summary, summary.by_availability);
      document.querySelectorAll('[data-summary]').forEach(function (el) {
        var key = el.getAttribute('data-summary');
        if (key === 'counted_at') { el.textContent = new Date(summary.counted_at).toISOString().replace('T', ' ').substring(0, 19) + ' UTC'; }
        else if (key in values) { el.textContent = String(values[key]); }
      });
      document.body.dataset.deviceSummary = 'loaded';
    }, function () { document.body.dataset.deviceSummary = 'failed'; });
})();

// Live availability on a device's page: the device API asked again every 10 s; the badge and each
// agent's observation update in place (an agent that starts sweeping the device shows on reload).
(function () {
  var root = document.querySelector('[data-device-live]');
  if (!root || !window.fetch) { return; }
  function badge(el, state) {
    el.className = el.className.replace(/\bstatus-\S+/g, '').trim() + ' status-' + state;
    el.textContent = state;
  }
  function refresh() {
    fetch(root.getAttribute('data-device-live'), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (device) {
        root.querySelectorAll('[data-field=availability]').forEach(function (el) { badge(el, device.availability); });
        device.observations.forEach(function (o) {
          document.querySelectorAll('tr[data-observation]').forEach(function (row) {
            if (row.getAttribute('data-observation') !== o.agent_uid + ' ' + o.ip) { return; }
            row.querySelectorAll('[data-field=state]').forEach(function (el) { badge(el, o.state); });
            row.querySelectorAll('[data-field=observed_at]').forEach(function (el) {
              el.setAttribute('datetime', o.observed_at); el.textContent = 'just now';
            });
          });
        });
        document.body.dataset.deviceRefreshed = String(Number(document.body.dataset.deviceRefreshed || 0) + 1);
      }, function () { document.body.dataset.deviceRefreshFailed = String(Date.now()); });
  }
  setInterval(refresh, Number(root.getAttribute('data-refresh-ms')) || 10000);
})();

// Forms that ask before they act (data-confirm): no inline handlers, which the CSP forbids.
document.addEventListener('submit', function (event) {
  var question = event.target.getAttribute && event.target.getAttribute('data-confirm');
  if (question && !window.confirm(question)) { event.preventDefault(); }
});
