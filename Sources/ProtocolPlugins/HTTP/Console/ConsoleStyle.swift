/// The console's stylesheet: a single column on phones, wider tables on laptops.
enum ConsoleStyle {
    static let css = """
    :root { --fg:#1d2430; --muted:#6b7686; --line:#dde3ea; --accent:#1565c0; --bad:#c62828; --ok:#2e7d32; --bg:#f7f9fb; }
    * { box-sizing: border-box; }
    body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
    header { display:flex; gap:12px; align-items:center; padding:10px 16px; background:#fff; border-bottom:1px solid var(--line); position:sticky; top:0; }
    h1 { font-size:18px; margin:0; }
    h2 { font-size:15px; margin:0 0 8px; }
    h3 { font-size:14px; margin:12px 0 6px; }
    main { display:grid; gap:16px; padding:16px; grid-template-columns: 1fr; max-width:1400px; margin:0 auto; }
    @media (min-width: 1000px) { main { grid-template-columns: 1fr 1fr; } #browser-section { grid-column: 1 / -1; } }
    section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px; min-width:0; }
    .scroll { overflow-x:auto; }
    table { border-collapse:collapse; width:100%; }
    th, td { text-align:left; padding:4px 8px; border-bottom:1px solid var(--line); white-space:nowrap; vertical-align:top; }
    th { color:var(--muted); font-weight:600; font-size:12px; }
    td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; }
    tr.clickable { cursor:pointer; } tr.clickable:hover, tr.selected { background:#eef4fc; }
    td.value { white-space:pre-wrap; word-break:break-all; min-width:14ch; max-width:60ch; font-family: ui-monospace, Menlo, monospace; font-size:12px; }
    .badge { padding:2px 8px; border-radius:10px; font-size:12px; background:var(--line); }
    .badge.ok { background:#e3f3e4; color:var(--ok); } .badge.bad { background:#fde7e7; color:var(--bad); }
    .muted { color:var(--muted); font-size:12px; }
    .lag-high { color:var(--bad); font-weight:600; }
    .marker { color:var(--bad); font-style:italic; }
    svg.spark { width:140px; height:28px; display:block; } svg.spark polyline { fill:none; stroke:var(--accent); stroke-width:1.5; }
    svg.lagchart polyline { stroke:var(--bad); }
    form { display:flex; flex-wrap:wrap; gap:8px; align-items:center; margin-bottom:8px; }
    input, select, button { font:inherit; padding:4px 6px; }
    input[type=number] { width:6em; }
    button { background:var(--accent); color:#fff; border:0; border-radius:4px; padding:5px 12px; cursor:pointer; }
    @media (max-width: 600px) { main { padding:8px; gap:8px; } th, td { padding:3px 5px; } svg.spark { width:90px; } .wide { display:none; } }
    """
}
