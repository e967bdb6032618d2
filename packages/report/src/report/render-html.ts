import { inlineSvg } from './diagram.js';
import { outcomeText, type AccessLine } from './access-section.js';
import { controlLabel, WORKLOAD_GUARDRAILS } from './control-mapping.js';
import type { EnvironmentReport } from './environment-report.js';
import type { GuardrailCheck } from './guardrail-check.js';
import type { WorkloadsSection } from './workloads-section.js';

export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[], id: string): string {
  if (rows.length === 0) return `<p class="empty" id="${id}">None in this environment.</p>`;
  return `<div class="scroll"><table id="${id}"><thead><tr>${headers.map((h) => `<th scope="col">${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map(
      (row) =>
        `<tr>${row.map((cell, i) => `<td data-label="${escape(headers[i] ?? '')}">${cell}</td>`).join('')}</tr>`,
    )
    .join('')}</tbody></table></div>`;
}

export const STYLE = `
:root{--ink:#1d2733;--muted:#5b6b7c;--line:#d5dde6;--bg:#f6f8fa;--ok:#1f7a3d;--warn:#8a5a00;--bad:#b42318;--accent:#2f6db5}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:#fff}
header{background:var(--ink);color:#fff;padding:1.25rem 1.5rem}
header h1{margin:0;font-size:1.5rem}
header p{margin:.25rem 0 0;color:#c9d4df}
nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;padding:.6rem 1.5rem;background:var(--bg);border-bottom:1px solid var(--line);position:sticky;top:0;z-index:1}
nav a{color:var(--accent);text-decoration:none;font-weight:600}
main{max-width:1240px;margin:0 auto;padding:1rem 1.5rem 3rem}
h2{margin-top:2.25rem;border-bottom:2px solid var(--line);padding-bottom:.25rem}
h3{margin-top:1.5rem;overflow-wrap:anywhere}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:.75rem;margin:1rem 0}
.card{border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;background:var(--bg)}
.card b{display:block;font-size:1.6rem}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.5rem 0}
th,td{border:1px solid var(--line);padding:.4rem .55rem;text-align:left;vertical-align:top}
th{background:var(--bg)}
td ul{margin:0;padding-left:1.1rem}
code{font:.85em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-word}
.pill{display:inline-block;border-radius:999px;padding:0 .55rem;font-size:.8rem;font-weight:700;white-space:nowrap}
.met,.pass{background:#e3f4e8;color:var(--ok)}
.customer,.ack{background:#fff3d6;color:var(--warn)}
.gap,.fail{background:#fde7e5;color:var(--bad)}
.muted{color:var(--muted)}
.na{background:var(--bg);color:var(--muted)}
figure.diagram{margin:1rem 0;border:1px solid var(--line);border-radius:8px;padding:.5rem;overflow-x:auto;background:#fff}
figure.diagram svg{display:block;width:100%;height:auto;min-width:760px}
figcaption{color:var(--muted);font-size:.85rem;margin-top:.4rem}
@media (min-width:701px){
  #control-table td:nth-child(1){min-width:150px}
  #control-table td:nth-child(3){overflow-wrap:anywhere;width:40%}
  #control-table td:nth-child(4){min-width:250px}
  #control-table td:nth-child(5){min-width:170px}
  #control-table td:nth-child(4) code{word-break:normal}
}
@media (max-width:700px){
  header,main,nav{padding-left:.85rem;padding-right:.85rem}
  body{font-size:14px}
  table,thead,tbody,tr,td{display:block;width:100%}
  thead{display:none}
  tr{border:1px solid var(--line);border-radius:6px;margin:.5rem 0;padding:.25rem .5rem}
  td{border:none;padding:.2rem 0}
  td::before{content:attr(data-label);display:block;font-size:.75rem;font-weight:700;color:var(--muted);text-transform:uppercase}
}
`;

function ruleCell(rule: {
  ruleId: string;
  evaluated: boolean;
  pass: number;
  acknowledged: number;
  fail: number;
}): string {
  const counts = rule.evaluated
    ? `<span class="pill pass">${rule.pass} pass</span>${rule.acknowledged ? ` <span class="pill ack">${rule.acknowledged} ack</span>` : ''}${rule.fail ? ` <span class="pill fail">${rule.fail} fail</span>` : ''}`
    : '<span class="muted">no resource checked</span>';
  return `<li><code>${escape(rule.ruleId)}</code> ${counts}</li>`;
}

/** The self-contained HTML page of one environment's report (inline CSS and SVG, no network). */
function accessCells(entry: AccessLine): string[] {
  const outcome = `<span class="pill ${entry.asRequired ? 'met' : 'gap'}">${escape(outcomeText(entry))}</span>`;
  const resource = `<code>${escape(entry.resource)}</code>${entry.via ? ` via ${escape(entry.via)} endpoint` : ''}`;
  return [escape(entry.who), `<code>${escape(entry.action)}</code>`, resource, outcome, escape(entry.why)];
}

/** The "Who can do what" section: what each principal may do, and what must never happen. */
function continuousSectionHtml(report: EnvironmentReport): string {
  const { deployed, absent } = report.continuous;
  const rows = deployed.map(({ check, path }) => [
    escape(check.title),
    escape(check.kind),
    `<code>${escape(path)}</code>`,
    check.controls.length ? escape(check.controls.join(', ')) : '<span class="muted">—</span>',
    check.note ? escape(check.note) : '<span class="muted">—</span>',
  ]);
  return `<section id="continuous"><h2>Continuous compliance</h2>
<p>What evaluates the account and region after deployment, as this environment deploys it, and the controls whose settings each re-evaluates over time.</p>
${table(['Check', 'Kind', 'Deployed as', 'Controls', 'Note'], rows, 'continuous-table')}
${absent.length ? `<p id="continuous-absent">Not deployed by this environment (another environment of the same account and region owns its AWS Config and Security Hub, or they are switched off): ${absent.map((check) => escape(check.title)).join('; ')}.</p>` : ''}
</section>`;
}

function accessSection(report: EnvironmentReport): string {
  const { access } = report;
  const { allowed, denied, skipped, notAsRequired } = access.counts;
  const headers = ['Who', 'Action', 'Resource', 'Outcome', 'Why'];
  const principals = access.principals
    .map(
      ({ who, may }, index) =>
        `<h3>${escape(who)}</h3>\n${table(headers, may.map(accessCells), `access-allow-${index}`)}`,
    )
    .join('\n');
  return `<section id="access"><h2>Who can do what</h2>
<p>Every identity, key, resource and VPC endpoint policy evaluated together offline: each call the code makes and each delivery the design depends on must be allowed; what must never happen must be denied. Evidence for ${access.controls.map(escape).join(', ')}.</p>
<p id="access-counts">${allowed} allowed, ${denied} denied, ${skipped} skipped (resource absent in this environment), <b>${notAsRequired}</b> not as required.</p>
${principals}
<h3>Must never happen</h3>
${table(headers, access.mustDeny.map(accessCells), 'access-deny-table')}
</section>`;
}

function guardrailCell(check: GuardrailCheck): string {
  const pill = { yes: 'met', no: 'gap', 'n/a': 'na' }[check.verdict];
  const detail =
    check.verdict === 'no' ? escape(check.detail) : `<span class="muted">${escape(check.detail)}</span>`;
  return `<span class="pill ${pill}">${check.verdict}</span> ${detail}`;
}

/** The "Workloads" section: every workload found by its tag and whether each guardrail holds for it. */
export function workloadsSectionHtml(section: WorkloadsSection): string {
  const { workloads, checks, failing, workloadsFailing } = section.counts;
  const headers = [
    'Workload',
    'Kind',
    ...WORKLOAD_GUARDRAILS.map((guardrail) => guardrail.title),
    'Database role',
  ];
  const rows = section.rows.map((row) => [
    `<b>${escape(row.name)}</b><br><span class="muted">${row.resources} tagged resources</span>${(row.routes ?? []).map((route) => `<br><code>${escape(route)}</code>`).join('')}`,
    escape(row.kind),
    ...WORKLOAD_GUARDRAILS.map((guardrail) => guardrailCell(row.guardrails[guardrail.id])),
    row.iam.databaseRoles.length
      ? row.iam.databaseRoles.map((role) => `<code>${escape(role)}</code>`).join(', ')
      : '<span class="muted">none</span>',
  ]);
  const definitions = WORKLOAD_GUARDRAILS.map(
    (guardrail) =>
      `<li><b>${escape(guardrail.title)}</b>: ${escape(guardrail.holdsWhen)} (${guardrail.controls.map(escape).join(', ')}).</li>`,
  ).join('');
  return `<section id="workloads"><h2>Workloads</h2>
<p>Every workload found by its <code>citadel:workload</code> tag across the environment's templates, and for each guardrail whether it holds in the templates. Evidence for ${section.controls.map(escape).join(', ')}.</p>
<p id="workloads-counts">${workloads} workloads, ${checks} guardrail checks, <b>${failing}</b> not holding${failing ? ` in ${workloadsFailing} workload${workloadsFailing === 1 ? '' : 's'}` : ''}.</p>
${table(headers, rows, 'workload-table')}
<ul class="muted">${definitions}</ul>
</section>`;
}

export function renderHtml(report: EnvironmentReport): string {
  const totals = report.rules.reduce(
    (sum, rule) => ({
      pass: sum.pass + rule.pass,
      ack: sum.ack + rule.acknowledged,
      fail: sum.fail + rule.fail,
    }),
    { pass: 0, ack: 0, fail: 0 },
  );
  const { dataStores, exposure, roles, logGroups } = report.inventories;
  const controlRows = report.controls.map((row) => [
    `<b>${escape(controlLabel(row.control))}</b><br>${escape(row.control.title)}`,
    `<span class="pill ${row.status}">${row.status === 'met' ? 'met' : row.status === 'customer' ? 'customer' : 'gap'}</span>`,
    row.resources.length
      ? `<ul>${row.resources.map((r) => `<li>${escape(r)}</li>`).join('')}</ul>`
      : '<span class="muted">no resource in this environment</span>',
    row.rules.length ? `<ul>${row.rules.map(ruleCell).join('')}</ul>` : '<span class="muted">—</span>',
    row.control.customer ? escape(row.control.customer) : '<span class="muted">—</span>',
  ]);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Citadel compliance report — ${escape(report.environment)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>Citadel compliance report — <span id="environment">${escape(report.environment)}</span></h1>
<p>Generated ${escape(report.generatedAt)} from the synthesized CDK app: ${report.stacks.map((s) => `${escape(s.name)} (${s.resources})`).join(', ')}.</p></header>
<nav aria-label="Sections"><a href="#architecture">Architecture</a><a href="#controls">Controls</a><a href="#continuous">Continuous compliance</a><a href="#rules">Rules</a><a href="#acknowledgments">Acknowledgments</a><a href="#inventories">Inventories</a><a href="#access">Who can do what</a><a href="#workloads">Workloads</a></nav>
<main>
<div class="cards">
<div class="card"><b id="total-pass">${totals.pass}</b>rule checks passed</div>
<div class="card"><b id="total-ack">${totals.ack}</b>acknowledged findings</div>
<div class="card"><b id="total-fail">${totals.fail}</b>unacknowledged findings</div>
<div class="card"><b>${report.rules.length}</b>rules that applied</div>
<div class="card"><b>${report.controls.filter((c) => c.status === 'met').length}/${report.controls.length}</b>controls with evidence</div>
</div>
<section id="architecture"><h2>Architecture</h2>
<figure class="diagram" id="diagram">${inlineSvg(report.diagramSvg)}
<figcaption>Generated from the synthesized templates: subnet tiers inside the VPC, edge protection, messaging, log destinations and KMS keys. Solid arrows carry requests and data, dashed arrows carry logs; each data store names the key that encrypts it. <a href="diagram.svg">Open the diagram full size</a>.</figcaption></figure>
</section>
<section id="controls"><h2>Control mapping</h2>
<p>HIPAA Security Rule safeguards (45 CFR 164.308 and 164.312) and PCI DSS v4.0.1 requirements that apply to the infrastructure: the resources and settings that meet each, the rules that verify them at synth (passes, acknowledgments and failures in this environment), and what remains the customer's responsibility.</p>
${table(['Control', 'Status', 'Met by (resource: setting)', 'Verified by', 'Customer responsibility'], controlRows, 'control-table')}
</section>
${continuousSectionHtml(report)}
<section id="rules"><h2>Rules</h2>
${
  report.failures.length
    ? `<h3>Unacknowledged findings</h3>${table(
        ['Rule', 'Resource', 'Finding'],
        report.failures.map((f) => [
          `<code>${escape(f.ruleId)}</code>`,
          `<code>${escape(f.path)}</code>`,
          escape(f.finding ?? f.info),
        ]),
        'failure-table',
      )}`
    : ''
}
${table(
  ['Rule', 'Pack', 'Passes', 'Acknowledged', 'Failures', 'Checks'],
  report.rules.map((r) => [
    `<code>${escape(r.ruleId)}</code>`,
    escape(r.pack),
    String(r.pass),
    String(r.acknowledged),
    String(r.fail),
    escape(r.info),
  ]),
  'rule-table',
)}
</section>
<section id="acknowledgments"><h2>Acknowledgments</h2>
<p>Each acknowledged finding, with the reason given next to the construct.</p>
${table(
  ['Rule', 'Resource', 'Reason'],
  report.acknowledgments.map((a) => [
    `<code>${escape(a.ruleId)}${a.finding ? `[${escape(a.finding)}]` : ''}</code>`,
    `<code>${escape(a.path)}</code>`,
    escape(a.reason),
  ]),
  'ack-table',
)}
</section>
<section id="inventories"><h2>Inventories</h2>
<h3>Data stores and their keys</h3>
${table(
  ['Data store', 'Type', 'Key'],
  dataStores.map((d) => [escape(d.store), `<code>${escape(d.type)}</code>`, escape(d.key)]),
  'store-table',
)}
<h3>Reachable from outside the VPC</h3>
${table(
  ['Resource', 'Kind', 'Detail'],
  exposure.map((e) => [escape(e.resource), escape(e.kind), `<code>${escape(e.detail)}</code>`]),
  'exposure-table',
)}
<h3>IAM roles</h3>
${table(
  ['Role', 'Assumed by', 'Allows'],
  roles.map((r) => [
    escape(r.role),
    `<code>${escape(r.assumedBy)}</code>`,
    `<ul>${r.statements.map((s) => `<li>${s.effect === 'Deny' ? '<b>Deny</b> ' : ''}<code>${escape(s.actions)}</code>${s.resources ? ` on <code>${escape(s.resources)}</code>` : ''}</li>`).join('')}</ul>`,
  ]),
  'role-table',
)}
<h3>Log groups</h3>
${table(
  ['Log group', 'Retention (days)', 'Key'],
  logGroups.map((l) => [escape(l.logGroup), escape(l.retentionDays), escape(l.key)]),
  'log-table',
)}
</section>
${accessSection(report)}
${workloadsSectionHtml(report.workloads)}
</main>
</body>
</html>
`;
}
