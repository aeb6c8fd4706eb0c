/**
 * The page a student gets back: the score, each test with its points, and
 * for the failing ones the check's message (the hint). Hidden tests' code is
 * never shown, only their messages.
 */
import * as fs from "fs";
import * as path from "path";
import type { StudentResult } from "./result";

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function feedbackHtml(r: StudentResult): string {
  const rows = r.tests
    .map(
      (t) =>
        `<tr class="${t.status}"><td>${escape(t.id)}</td><td>${t.points} / ${t.max}</td><td>${t.status}</td><td>${escape(t.message)}</td></tr>`,
    )
    .join("\n");
  const changes = r.changes.length
    ? `<h2>Cells put back</h2>\n<ul>\n${r.changes.map((c) => `<li>${escape(c)}</li>`).join("\n")}\n</ul>`
    : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(`${r.lab}: ${r.student}`)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; }
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid #ddd; padding: .4rem; text-align: left; vertical-align: top; }
.passed td:nth-child(3) { color: #1a7f37; }
.failed td:nth-child(3), .timeout td:nth-child(3), .not\\ run td:nth-child(3) { color: #cf222e; }
</style>
</head>
<body>
<h1>${escape(r.lab)}: ${r.score} / ${r.max}</h1>
<p>${escape(r.student)} · ${escape(r.status)} · ${escape(r.message)}</p>
<table>
<tr><th>test</th><th>points</th><th>result</th><th>hint</th></tr>
${rows}
</table>
${changes}
</body>
</html>
`;
}

export function writeFeedback(out: string, r: StudentResult): void {
  const file = path.join(out, "feedback", r.student, `${r.lab}.html`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, feedbackHtml(r));
}
