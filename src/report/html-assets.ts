/**
 * The HTML report's style sheet and script (html.ts): fixed text, no user data, kept apart
 * from the page's markup because together they are longer than the markup's code. The
 * page's Content-Security-Policy allows these two by their SHA-256 and nothing else: no
 * other script, style or fetch runs, even if a reply slipped past the escaping.
 */
import { createHash } from 'node:crypto';

export const HTML_STYLE = `
:root{--bg:#fff;--fg:#1c2128;--dim:#656d76;--line:#d8dee4;--card:#f6f8fa;--c:#e7f0ff;--c-line:#9ec1ff;--s:#f1f3f5;--s-line:#c9d1d9;
--pass:#1a7f37;--fail:#cf222e;--err:#bc4c00;--skip:#6e7781;--xfail:#8250df;--fail-bg:#ffebe9;--ok-bg:#dafbe1;--tls:#0a6b5e;
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--dim:#8d96a0;--line:#30363d;--card:#161b22;--c:#132a4a;--c-line:#1f4f8f;
--s:#1c2128;--s-line:#3d444d;--fail-bg:#3c1618;--ok-bg:#12341f;--pass:#3fb950;--fail:#f85149;--err:#db6d28;--skip:#8d96a0;--xfail:#a371f7;--tls:#2ea89a}}
*{box-sizing:border-box}body{margin:0 auto;max-width:1200px;padding:20px 24px 60px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:15px;margin:18px 0 6px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
.dim{color:var(--dim)}.meta{color:var(--dim);margin:0 0 12px}
.bar{display:block;width:100%;height:10px;border-radius:5px;overflow:hidden;margin:10px 0}
.banner{border:1px solid var(--err);background:var(--fail-bg);padding:8px 12px;border-radius:6px;margin:10px 0}
.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:12px 0 4px;padding:6px 0;position:sticky;top:0;z-index:1;background:var(--bg)}
.chip{font:inherit;border:1px solid var(--line);background:var(--card);color:var(--fg);border-radius:999px;padding:4px 12px;cursor:pointer}
.chip b{font-size:16px;margin-right:4px}.chip[aria-pressed=false]{opacity:.45;text-decoration:line-through}
.chip.passed b{color:var(--pass)}.chip.failed b{color:var(--fail)}.chip.errored b{color:var(--err)}.chip.skipped b{color:var(--skip)}.chip.xfailed b{color:var(--xfail)}
.tool{font:inherit;border:1px solid var(--line);background:none;color:var(--dim);border-radius:6px;padding:3px 10px;cursor:pointer}
input[type=search]{font:inherit;padding:4px 10px;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg);min-width:16em}
#shown{color:var(--dim);margin-left:auto}
.suite>h2 .file{font-weight:normal;color:var(--dim);font-size:13px;margin-left:8px}
details.test{border:1px solid var(--line);border-radius:8px;margin:8px 0;background:var(--bg);content-visibility:auto;contain-intrinsic-size:auto 42px}
details.test[data-status=failed],details.test[data-status=errored]{border-color:var(--fail)}
details.test>summary{display:flex;flex-wrap:wrap;gap:4px 10px;align-items:baseline;padding:8px 12px;cursor:pointer;list-style:none}
details.test>summary::-webkit-details-marker{display:none}
details.test>summary::before{content:"▸";color:var(--dim)}details.test[open]>summary::before{content:"▾"}
.badge{font-size:11px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;border-radius:4px;padding:1px 6px;color:#fff}
.badge.passed{background:var(--pass)}.badge.failed{background:var(--fail)}.badge.errored{background:var(--err)}.badge.skipped{background:var(--skip)}.badge.xfailed{background:var(--xfail)}
.name{font-weight:600}.where,.time,.tag{color:var(--dim);font-size:12.5px}.where{white-space:nowrap}.time{margin-left:auto;white-space:nowrap}
.tag{border:1px solid var(--line);border-radius:4px;padding:0 5px}.reason{color:var(--dim);font-style:italic}
.body{padding:4px 14px 14px}
.failure{border-left:4px solid var(--fail);background:var(--fail-bg);padding:8px 12px;border-radius:4px;margin:6px 0 12px}
.failure .msg{font-weight:600}
.conv{display:grid;grid-template-columns:5.5em minmax(0,1fr) minmax(0,1fr);gap:6px 12px;list-style:none;margin:8px 0 0;padding:0}
.conv .heads{display:contents;color:var(--dim);font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.conv .at{grid-column:1;text-align:right;color:var(--dim);font-size:12px;padding-top:6px}
.bubble{border:1px solid;border-radius:10px;padding:5px 10px;min-width:0;width:fit-content;max-width:100%}
.lock{vertical-align:-1px;margin-right:5px}
.row{display:contents}
.row.c .bubble{grid-column:2;background:var(--c);border-color:var(--c-line);border-top-left-radius:2px}
.row.s .bubble{grid-column:3;background:var(--s);border-color:var(--s-line);border-top-right-radius:2px}
.row .note{grid-column:2/4;text-align:center;color:var(--dim);font-size:12.5px;padding:3px 0;border-top:1px dashed var(--line)}
.row.tls .note{color:var(--tls);border-top:2px solid var(--tls);font-weight:600}
.row.x .bubble{border-color:var(--fail);border-width:2px}.row.x.s .bubble{background:var(--fail-bg)}
.conn{font-size:11px;color:var(--dim);margin-right:6px}
.verdict{grid-column:2/4;border:2px solid var(--fail);border-radius:8px;overflow:hidden}
.verdict .head{background:var(--fail);color:#fff;padding:4px 10px;font-weight:600}
.pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr)}
.pair>div{padding:6px 10px}.pair>div+div{border-left:1px solid var(--line)}
.pair .label{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--dim)}
.pair .exp{background:var(--ok-bg)}.pair .got{background:var(--fail-bg)}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{padding:3px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th{font-weight:600;color:var(--dim);font-size:12px}td.l,th.l{text-align:left;white-space:normal}
tr.failing td{color:var(--fail);background:var(--fail-bg)}
.sw{display:inline-block;vertical-align:middle}
.stats{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0}.stat{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:6px 14px}
.stat b{display:block;font-size:20px}.stat span{color:var(--dim);font-size:12px}
svg.chart{display:block;max-width:100%;height:auto;background:var(--card);border:1px solid var(--line);border-radius:8px}
svg.chart text{fill:var(--dim);font:11px system-ui,sans-serif}svg.chart .grid{stroke:var(--line)}
svg.chart polyline{fill:none;stroke-width:2}svg.chart polyline:hover{stroke-width:4}
.invalid pre{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:10px}
[hidden]{display:none!important}
@media print{.filters,.tool{display:none}details.test{break-inside:avoid}}
`;

/**
 * Filters: each status chip shows or hides the tests of its status; the search box keeps
 * the tests whose suite, name, file or tags hold its words. Without script every test is shown.
 */
export const HTML_SCRIPT = `
(function(){
var chips=[].slice.call(document.querySelectorAll('[data-filter]'));
var search=document.getElementById('search');
var shown=document.getElementById('shown');
var tests=[].slice.call(document.querySelectorAll('details.test')).map(function(el){
  return {el:el,status:el.getAttribute('data-status'),hay:(el.getAttribute('data-search')||'').toLowerCase(),suite:el.parentNode,hidden:false};
});
var suites=[].slice.call(document.querySelectorAll('section.suite'));
function apply(){
  var off={};chips.forEach(function(c){if(c.getAttribute('aria-pressed')==='false')off[c.getAttribute('data-filter')]=1;});
  var words=(search&&search.value||'').toLowerCase().split(/\\s+/).filter(Boolean);
  var n=0,inSuite=new Map();
  tests.forEach(function(t){
    var hide=!!off[t.status]||words.some(function(w){return t.hay.indexOf(w)<0;});
    if(hide!==t.hidden){t.hidden=hide;t.el.hidden=hide;}
    if(!hide){n++;inSuite.set(t.suite,1);}
  });
  suites.forEach(function(s){var hide=!inSuite.has(s);if(s.hidden!==hide)s.hidden=hide;});
  if(shown)shown.textContent=n+' of '+tests.length+' tests shown';
}
chips.forEach(function(c){c.addEventListener('click',function(){c.setAttribute('aria-pressed',c.getAttribute('aria-pressed')==='false'?'true':'false');apply();});});
if(search)search.addEventListener('input',apply);
[].slice.call(document.querySelectorAll('[data-open]')).forEach(function(b){b.addEventListener('click',function(){
  var open=b.getAttribute('data-open')==='all';tests.forEach(function(t){if(!t.hidden&&t.el.open!==open)t.el.open=open;});});});
apply();
})();
`;

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Nothing is fetched; only this page's own style and script run. */
export const HTML_CSP = `default-src 'none'; style-src ${sha256(HTML_STYLE)}; script-src ${sha256(HTML_SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;
