// The one stylesheet of every page (login, simulator, console). Kept in code so that nothing is built at start.
export const STYLESHEET = `
:root { --fg:#1d2433; --muted:#5b6478; --bg:#f4f6fb; --card:#fff; --line:#dfe3ec; --accent:#3b5bdb; --accent-fg:#fff;
  --danger:#c92a2a; --ok:#2b8a3e; --warn:#e67700; --radius:10px; --mono:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
  font-family: system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif; color:var(--fg); background:var(--bg); }
* { box-sizing:border-box; }
body { margin:0; line-height:1.5; }
body.card-layout { min-height:100vh; display:flex; align-items:flex-start; justify-content:center; padding:48px 16px; }
.card { width:100%; max-width:420px; background:var(--card); border:1px solid var(--line); border-radius:var(--radius); padding:28px; box-shadow:0 2px 10px rgba(20,30,60,.06); }
.wide-main { max-width:1200px; margin:0 auto; padding:20px 24px 48px; }
.page-header { display:flex; gap:10px; align-items:baseline; justify-content:space-between; margin-bottom:12px; font-size:14px; color:var(--muted); }
.brand { font-weight:600; color:var(--fg); } .brand em { font-style:normal; color:var(--accent); }
.subtitle { background:#fff3bf; color:#5c3c00; border-radius:999px; padding:2px 10px; font-size:12px; font-weight:600; }
h1 { font-size:22px; margin:0 0 16px; } h2 { font-size:17px; margin:24px 0 8px; } h3 { font-size:15px; margin:16px 0 6px; }
p { margin:0 0 12px; } .muted { color:var(--muted); font-size:14px; }
form { margin:0 0 12px; } label { display:block; font-weight:500; font-size:14px; margin:12px 0 4px; }
input[type=text],input[type=email],input[type=password],input[type=search],input[type=number],select,textarea {
  width:100%; padding:9px 11px; border:1px solid var(--line); border-radius:8px; font:inherit; background:#fff; color:inherit; }
input:focus,select:focus,textarea:focus,button:focus,a:focus { outline:2px solid var(--accent); outline-offset:1px; }
textarea { font-family:var(--mono); font-size:13px; min-height:90px; }
button,.button { display:inline-block; margin-top:14px; padding:9px 16px; border:1px solid var(--accent); border-radius:8px; background:var(--accent);
  color:var(--accent-fg); font:inherit; font-weight:600; cursor:pointer; text-decoration:none; }
button.secondary,.button.secondary { background:#fff; color:var(--accent); }
button.danger { background:var(--danger); border-color:var(--danger); }
button.block { width:100%; }
.choices { display:flex; flex-direction:column; gap:8px; } .choices button { margin:0; width:100%; text-align:left; }
.alert { border-radius:8px; padding:10px 12px; margin:0 0 12px; font-size:14px; border:1px solid var(--line); }
.alert.error { background:#fff5f5; border-color:#ffc9c9; color:var(--danger); } .alert.info { background:#edf2ff; border-color:#bac8ff; }
.alert.ok { background:#ebfbee; border-color:#b2f2bb; color:var(--ok); }
a { color:var(--accent); }
code,pre,.mono { font-family:var(--mono); font-size:13px; } pre { background:#f1f3f5; padding:12px; border-radius:8px; overflow:auto; white-space:pre-wrap; word-break:break-word; }
table { width:100%; border-collapse:collapse; background:#fff; border:1px solid var(--line); border-radius:var(--radius); overflow:hidden; font-size:14px; }
th,td { text-align:left; padding:8px 10px; border-bottom:1px solid var(--line); vertical-align:top; word-break:break-word; }
th { background:#f8f9fc; font-weight:600; color:var(--muted); font-size:13px; }
.table-wrap { overflow-x:auto; }
nav.console-nav { display:flex; flex-wrap:wrap; gap:4px 14px; padding:8px 0 14px; border-bottom:1px solid var(--line); margin-bottom:16px; font-size:14px; }
nav.console-nav a { text-decoration:none; padding:4px 0; } nav.console-nav a.active { font-weight:700; border-bottom:2px solid var(--accent); }
.badge { display:inline-block; border-radius:999px; padding:1px 8px; font-size:12px; background:#e9ecef; }
.badge.ok { background:#d3f9d8; color:var(--ok); } .badge.error { background:#ffe3e3; color:var(--danger); } .badge.warn { background:#fff3bf; color:var(--warn); }
.toolbar { display:flex; flex-wrap:wrap; gap:8px; align-items:flex-end; margin-bottom:12px; } .toolbar form { display:flex; gap:8px; margin:0; flex-wrap:wrap; }
.toolbar input { width:auto; min-width:220px; } .toolbar button { margin-top:0; }
.pager { display:flex; gap:12px; margin-top:12px; }
.tree ul { list-style:none; padding-left:18px; border-left:1px dashed var(--line); margin:4px 0; } .tree > ul { padding-left:0; border:0; }
.grid { display:grid; grid-template-columns:repeat(auto-fit,minmax(260px,1fr)); gap:12px; }
.panel { background:#fff; border:1px solid var(--line); border-radius:var(--radius); padding:14px; }
@media (max-width: 600px) { .card { padding:20px; } .wide-main { padding:12px; } th,td { padding:6px; } .toolbar input { min-width:0; width:100%; } }
`;
