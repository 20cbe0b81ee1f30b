/// The web console served at `/`: one HTML page with its CSS and plain JavaScript
/// embedded in the binary (no CDN, no build step). It polls the admin API and /metrics
/// every 2 s and keeps the last 5 minutes of samples in the browser for its charts.
enum ConsolePage {
    static let html = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Sluice console</title>
    <style>\(ConsoleStyle.css)</style>
    </head>
    <body>
    <header>
      <h1>Sluice</h1>
      <span id="ready" class="badge">…</span>
      <span id="updated" class="muted"></span>
    </header>
    <main>
      <section id="topics-section">
        <h2>Topics</h2>
        <div class="scroll"><table id="topics">
          <thead><tr><th>Topic</th><th class="num wide">Partitions</th><th class="num">Size</th><th class="num">In rec/s</th><th class="num">Out rec/s</th><th>Last 5 min (in)</th></tr></thead>
          <tbody></tbody>
        </table></div>
        <div id="partitions-panel" hidden>
          <h3>Partitions of <span id="partitions-topic"></span></h3>
          <div class="scroll"><table id="partitions">
            <thead><tr><th class="num">Partition</th><th class="num">Log start</th><th class="num">Log end</th><th class="num">Size</th><th></th></tr></thead>
            <tbody></tbody>
          </table></div>
        </div>
      </section>
      <section id="groups-section">
        <h2>Consumer groups</h2>
        <div class="scroll"><table id="groups">
          <thead><tr><th>Group</th><th>State</th><th class="num wide">Members</th><th class="num">Lag</th><th>Lag, last 5 min</th></tr></thead>
          <tbody></tbody>
        </table></div>
      </section>
      <section id="connectors-section">
        <h2>Connectors and services</h2>
        <div class="scroll"><table id="connectors">
          <thead><tr><th>Name</th><th>Plugin</th><th class="wide">Kind</th><th>State</th><th>Position</th><th>Last error</th></tr></thead>
          <tbody></tbody>
        </table></div>
      </section>
      <section id="browser-section">
        <h2>Records</h2>
        <form id="browse">
          <label>Topic <select id="browse-topic"></select></label>
          <label>Partition <input id="browse-partition" type="number" min="0" value="0"></label>
          <label>From <select id="browse-mode"><option value="offset">offset</option><option value="timestamp">timestamp (ms)</option></select></label>
          <input id="browse-from" type="text" inputmode="numeric" placeholder="log start">
          <label>Limit <input id="browse-limit" type="number" min="1" max="500" value="50"></label>
          <button type="submit">Show</button>
        </form>
        <p id="browse-status" class="muted"></p>
        <div class="scroll"><table id="records">
          <thead><tr><th class="num">Offset</th><th>Time</th><th class="wide">Key</th><th>Value</th><th class="wide">Headers</th></tr></thead>
          <tbody></tbody>
        </table></div>
        <button id="browse-next" hidden>Next page</button>
      </section>
    </main>
    <script>\(ConsoleScript.js)</script>
    </body>
    </html>
    """
}
