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

// Forms that ask before they act (data-confirm): no inline handlers, which the CSP forbids.
document.addEventListener('submit', function (event) {
  var question = event.target.getAttribute && event.target.getAttribute('data-confirm');
  if (question && !window.confirm(question)) { event.preventDefault(); }
});
