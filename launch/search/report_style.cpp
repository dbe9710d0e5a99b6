#include "search/report_style.h"

namespace lathe::search {

const char* report_stylesheet() {
  return R"CSS(
:root { --ink: #1f2328; --muted: #656d76; --line: #d0d7de; --soft: #f6f8fa; --accent: #0969da;
        --front: #e8590c; --feasible: #4c6ef5; --infeasible: #8c959f; --limit: #cf222e; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
       font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 48px; }
header h1 { font-size: 24px; margin: 0 0 2px; }
header .path { color: var(--muted); font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
h2 { font-size: 17px; margin: 34px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
.note { color: var(--muted); font-size: 13px; margin: 4px 0 10px; }
.tiles { display: flex; flex-wrap: wrap; gap: 8px; margin: 18px 0 8px; }
.tile { flex: 1 1 auto; min-width: 110px; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px;
        background: var(--soft); }
.tile .label { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .04em; }
.tile .value { font-size: 17px; font-weight: 600; margin-top: 2px; white-space: nowrap; }
.facts { margin: 8px 0 0; color: var(--muted); }
.facts b { color: var(--ink); font-weight: 600; }
.chart { width: 100%; height: auto; display: block; border: 1px solid var(--line); border-radius: 8px; background: #fff; }
.chart text { font-size: 12px; fill: var(--ink); }
.chart .tick { fill: var(--muted); font-size: 11px; }
.chart .axis-title { fill: var(--muted); font-size: 12px; }
.chart .grid { stroke: #eaeef2; stroke-width: 1; }
.chart .frame { fill: none; stroke: var(--line); }
.chart .placeholder { fill: var(--muted); font-size: 15px; }
.chart .point { fill: var(--feasible); fill-opacity: .55; stroke: #364fc7; stroke-width: 1; }
.chart .point.front { fill: var(--front); fill-opacity: 1; stroke: #7a2e00; stroke-width: 1.5; }
.chart .point.unmeasured { fill: #fff; }
.chart a:hover .point, .chart a:focus .point { stroke: var(--ink); stroke-width: 2.5; }
.chart .infeasible { stroke: var(--infeasible); stroke-width: 1.6; fill: none; }
.chart .front-line { fill: none; stroke: var(--front); stroke-width: 2; stroke-opacity: .8; }
.chart .base { fill: var(--ink); stroke: #fff; stroke-width: 1.5; }
.chart .base-label { font-weight: 600; }
.chart .base-label, .chart .constraint-label { paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.chart .constraint { stroke: var(--limit); stroke-width: 1.5; stroke-dasharray: 6 4; }
.chart .constraint-label { fill: var(--limit); font-size: 11px; }
.chart .swatch.feasible { fill: var(--feasible); fill-opacity: .55; stroke: #364fc7; }
.chart .swatch.front { fill: var(--front); stroke: #7a2e00; }
.chart .progress-line { fill: none; stroke-width: 2; }
.chart .best-size { stroke: var(--front); }
.chart .feasible-count { stroke: var(--feasible); }
.chart .improvement { fill: var(--front); }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; position: sticky; top: 0; }
th[data-sort] { cursor: pointer; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th.objective { white-space: normal; min-width: 72px; }
tbody tr:hover { background: #f6f8fa; }
tr:target { background: #fff8c5; outline: 2px solid #d4a72c; }
tr.front td:first-child { box-shadow: inset 3px 0 var(--front); }
.scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; }
.scroll table td, .scroll table th { border-bottom-color: #eaeef2; }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; background: #eaeef2; }
.badge.ok { background: #dafbe1; color: #116329; }
.badge.bad { background: #ffebe9; color: #a40e26; }
.badge.front { background: #fff1e5; color: #953800; }
.message { color: var(--muted); min-width: 160px; max-width: 280px; overflow-wrap: anywhere; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px;
      overflow-x: auto; margin: 6px 0; }
details summary { cursor: pointer; color: var(--accent); white-space: nowrap; }
details[open] { min-width: 320px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
)CSS";
}

const char* report_script() {
  return R"JS(
document.querySelectorAll("table.sortable th[data-sort]").forEach(function (header) {
  header.addEventListener("click", function () {
    var body = header.closest("table").tBodies[0];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    header.closest("tr").querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var index = Array.prototype.indexOf.call(header.parentNode.children, header);
    var key = function (row) {
      var cell = row.children[index];
      var value = cell.getAttribute("data-v");
      return value === null ? cell.textContent : (value === "" ? NaN : Number(value));
    };
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      if (typeof x === "number" && typeof y === "number") {
        if (isNaN(x)) return isNaN(y) ? 0 : 1;
        if (isNaN(y)) return -1;
        return ascending ? x - y : y - x;
      }
      return ascending ? String(x).localeCompare(String(y)) : String(y).localeCompare(String(x));
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });
});
)JS";
}

}  // namespace lathe::search
