/// The console's JavaScript (plain, no libraries). Polls every 2 s; keeps 150 samples
/// (5 minutes) of records/s per topic and lag per group in the page for its charts.
enum ConsoleScript {
    static let js = #"""
    (function () {
      'use strict';
      var REFRESH_MS = 2000, HISTORY = 150;
      var state = { selectedTopic: null, prev: null, rates: {}, lag: {}, topics: [] };

      function $(selector) { return document.querySelector(selector); }
      function el(tag, attrs, children) {
        var node = document.createElement(tag);
        Object.keys(attrs || {}).forEach(function (k) {
          if (k === 'text') node.textContent = attrs[k];
          else if (k === 'className') node.className = attrs[k];
          else node.setAttribute(k, attrs[k]);
        });
        (children || []).forEach(function (c) { if (c) node.appendChild(c); });
        return node;
      }
      function td(text, className) { return el('td', { text: String(text), className: className || '' }); }
      function fmtBytes(n) {
        var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'], i = 0;
        while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
        return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
      }
      function fmtRate(r) { return r >= 100 ? Math.round(r).toString() : r.toFixed(1); }
      function push(list, value) { list.push(value); if (list.length > HISTORY) list.shift(); }

      function sparkline(values, className) {
        var w = 140, h = 28, svgNS = 'http://www.w3.org/2000/svg';
        var svg = document.createElementNS(svgNS, 'svg');
        svg.setAttribute('class', 'spark ' + (className || ''));
        svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
        svg.setAttribute('preserveAspectRatio', 'none');
        var max = Math.max.apply(null, values.concat([1]));
        var step = w / Math.max(HISTORY - 1, 1), offset = w - (values.length - 1) * step;
        var points = values.map(function (v, i) {
          return (offset + i * step).toFixed(1) + ',' + (h - 2 - (v / max) * (h - 4)).toFixed(1);
        }).join(' ');
        var line = document.createElementNS(svgNS, 'polyline');
        line.setAttribute('points', points);
        svg.appendChild(line);
        var title = document.createElementNS(svgNS, 'title');
        title.textContent = 'max ' + fmtRate(max);
        svg.appendChild(title);
        return svg;
      }

      // Sums sluice_{produced,fetched}_records_total per topic from the exposition text.
      function parseMetrics(text) {
        var out = { produced: {}, fetched: {} };
        var sample = /^sluice_(produced|fetched)_records_total\{([^}]*)\}\s+(\S+)/;
        var topicLabel = /topic="((?:[^"\\]|\\.)*)"/;
        text.split('\n').forEach(function (line) {
          var m = sample.exec(line);
          if (!m) return;
          var t = topicLabel.exec(m[2]);
          if (!t) return;
          var topic = t[1].replace(/\\(.)/g, function (_, c) { return c === 'n' ? '\n' : c; });
          out[m[1]][topic] = (out[m[1]][topic] || 0) + parseFloat(m[3]);
        });
        return out;
      }

      function updateRates(totals) {
        var now = Date.now();
        if (state.prev) {
          var dt = (now - state.prev.time) / 1000;
          state.topics.forEach(function (t) {
            var r = state.rates[t.name] || (state.rates[t.name] = { in: [], out: [] });
            var dIn = (totals.produced[t.name] || 0) - (state.prev.produced[t.name] || 0);
            var dOut = (totals.fetched[t.name] || 0) - (state.prev.fetched[t.name] || 0);
            push(r.in, Math.max(0, dIn / dt));
            push(r.out, Math.max(0, dOut / dt));
          });
        }
        state.prev = { time: now, produced: totals.produced, fetched: totals.fetched };
      }

      function renderTopics(topics) {
        var body = $('#topics tbody');
        body.replaceChildren();
        if (!topics.length) body.appendChild(el('tr', {}, [el('td', { text: 'No topics yet.', colspan: '6', className: 'muted' })]));
        topics.forEach(function (t) {
          var r = state.rates[t.name] || { in: [], out: [] };
          var size = t.partitions.reduce(function (s, p) { return s + p.sizeBytes; }, 0);
          var row = el('tr', { 'data-topic': t.name, className: 'clickable' + (t.name === state.selectedTopic ? ' selected' : '') }, [
            td(t.name), td(t.partitions.length, 'num wide'), td(fmtBytes(size), 'num'),
            td(fmtRate(r.in.length ? r.in[r.in.length - 1] : 0), 'num rate-in'),
            td(fmtRate(r.out.length ? r.out[r.out.length - 1] : 0), 'num rate-out'),
            el('td', {}, [sparkline(r.in)])
          ]);
          row.addEventListener('click', function () { selectTopic(t.name, true); });
          body.appendChild(row);
        });
        var select = $('#browse-topic'), current = select.value;
        select.replaceChildren();
        topics.forEach(function (t) { select.appendChild(el('option', { value: t.name, text: t.name })); });
        if (current) select.value = current;
        renderPartitions();
      }

      function renderPartitions() {
        var topic = state.topics.find(function (t) { return t.name === state.selectedTopic; });
        $('#partitions-panel').hidden = !topic;
        if (!topic) return;
        $('#partitions-topic').textContent = topic.name;
        var body = $('#partitions tbody');
        body.replaceChildren();
        topic.partitions.forEach(function (p) {
          var button = el('button', { type: 'button', text: 'Records' });
          button.addEventListener('click', function () { browse(topic.name, p.partition, '', 'offset'); });
          body.appendChild(el('tr', { 'data-partition': String(p.partition) }, [
            td(p.partition, 'num'), td(p.logStartOffset, 'num'), td(p.logEndOffset, 'num'), td(fmtBytes(p.sizeBytes), 'num'),
            el('td', {}, [button])
          ]));
        });
      }

      function selectTopic(name, showRecords) {
        state.selectedTopic = name;
        document.querySelectorAll('#topics tr.selected').forEach(function (r) { r.classList.remove('selected'); });
        var row = document.querySelector('#topics tr[data-topic="' + CSS.escape(name) + '"]');
        if (row) row.classList.add('selected');
        renderPartitions();
        if (showRecords) browse(name, 0, '', 'offset');
      }

      function renderGroups(groups) {
        var body = $('#groups tbody');
        body.replaceChildren();
        if (!groups.length) body.appendChild(el('tr', {}, [el('td', { text: 'No consumer groups yet.', colspan: '5', className: 'muted' })]));
        groups.forEach(function (g) {
          var lag = g.offsets.reduce(function (s, o) { return s + (o.lag || 0); }, 0);
          var history = state.lag[g.group] || (state.lag[g.group] = []);
          push(history, lag);
          body.appendChild(el('tr', { 'data-group': g.group }, [
            td(g.group), td(g.state), td(g.members.length, 'num wide'), td(lag, 'num lag' + (lag > 0 ? ' lag-high' : '')),
            el('td', {}, [sparkline(history, 'lagchart')])
          ]));
          g.offsets.forEach(function (o) {
            body.appendChild(el('tr', { 'data-group-partition': g.group + '/' + o.topic + '/' + o.partition, className: 'muted' }, [
              td('  ' + o.topic + ' [' + o.partition + ']'), td('committed ' + o.committed),
              td('end ' + (o.logEndOffset === null ? '–' : o.logEndOffset), 'wide'), td(o.lag === null ? '–' : o.lag, 'num partition-lag'), td('')
            ]));
          });
        });
      }

      function renderConnectors(services) {
        var body = $('#connectors tbody');
        body.replaceChildren();
        services.forEach(function (c) {
          var position = Object.keys(c.position).sort().map(function (k) { return k + '=' + c.position[k]; }).join(' ');
          body.appendChild(el('tr', { 'data-connector': c.name }, [
            td(c.name), td(c.plugin), td(c.kind, 'wide'), td(c.state, c.state === 'running' ? '' : 'lag-high'), td(position || '–'), td(c.lastError || '')
          ]));
        });
      }

      function renderReady(response, body) {
        var badge = $('#ready');
        badge.className = 'badge ' + (response.ok ? 'ok' : 'bad');
        badge.textContent = response.ok ? 'ready' : ('not ready: ' + (body.notReady || []).join(', '));
      }

      function getJSON(path) { return fetch(path, { cache: 'no-store' }).then(function (r) { return r.json().then(function (b) { return [r, b]; }); }); }

      function refresh() {
        Promise.all([
          getJSON('/api/topics'), getJSON('/api/groups'), getJSON('/api/connectors'), getJSON('/readyz'),
          fetch('/metrics', { cache: 'no-store' }).then(function (r) { return r.text(); })
        ]).then(function (results) {
          state.topics = results[0][1];
          updateRates(parseMetrics(results[4]));
          renderTopics(state.topics);
          renderGroups(results[1][1]);
          renderConnectors(results[2][1]);
          renderReady(results[3][0], results[3][1]);
          $('#updated').textContent = 'updated ' + new Date().toLocaleTimeString();
        }).catch(function (error) {
          var badge = $('#ready');
          badge.className = 'badge bad';
          badge.textContent = 'server unreachable';
          $('#updated').textContent = String(error);
        }).finally(function () { setTimeout(refresh, REFRESH_MS); });
      }

      function showBytes(b) {
        if (!b) return '∅';
        var text = b.encoding === 'base64' ? 'base64:' + b.data : b.data;
        return b.truncated ? text + ' … (' + b.size + ' bytes, truncated)' : text;
      }

      function browse(topic, partition, from, mode) {
        $('#browse-topic').value = topic;
        $('#browse-partition').value = partition;
        $('#browse-mode').value = mode;
        $('#browse-from').value = from;
        var limit = $('#browse-limit').value || '50';
        var url = '/api/topics/' + encodeURIComponent(topic) + '/partitions/' + encodeURIComponent(partition) + '/records?limit=' + encodeURIComponent(limit);
        if (from !== '') url += '&' + mode + '=' + encodeURIComponent(from);
        $('#browse-status').textContent = 'loading ' + topic + ' [' + partition + ']…';
        getJSON(url).then(function (result) {
          var response = result[0], page = result[1], body = $('#records tbody');
          body.replaceChildren();
          if (!response.ok) { $('#browse-status').textContent = 'error ' + response.status + ': ' + page.error; $('#browse-next').hidden = true; return; }
          page.records.forEach(function (r) {
            var headers = r.headers.map(function (h) { return h.key + '=' + showBytes(h.value); }).join(', ');
            if (r.undecodable) {
              body.appendChild(el('tr', { 'data-offset': String(r.offset) }, [
                td(r.offset + '–' + r.lastOffset, 'num'), td(new Date(r.timestamp).toISOString()), td('', 'wide'), td(r.undecodable, 'value marker'), td('', 'wide')
              ]));
            } else {
              body.appendChild(el('tr', { 'data-offset': String(r.offset) }, [
                td(r.offset, 'num'), td(new Date(r.timestamp).toISOString()), td(showBytes(r.key), 'value wide'), td(showBytes(r.value), 'value'), td(headers, 'value wide')
              ]));
            }
          });
          $('#browse-status').textContent = topic + ' [' + partition + ']: ' + page.records.length + ' records from the log [' +
            page.logStartOffset + ', ' + page.logEndOffset + '); next offset ' + page.nextOffset;
          var next = $('#browse-next');
          next.hidden = page.nextOffset >= page.logEndOffset;
          next.onclick = function () { browse(topic, partition, String(page.nextOffset), 'offset'); };
        }).catch(function (error) { $('#browse-status').textContent = 'error: ' + error; });
      }

      $('#browse').addEventListener('submit', function (event) {
        event.preventDefault();
        browse($('#browse-topic').value, $('#browse-partition').value || '0', $('#browse-from').value.trim(), $('#browse-mode').value);
      });
      refresh();
    })();
    """#
}
