/**
 * Shift+Tab: the signature of the name under the cursor and its TSDoc
 * (summary, shapes, parameters, example), laid out for a notebook's tooltip.
 * tslab alone shows `(alias) class Linear` for a class; here a class shows
 * the constructor a student calls, `new Linear(inFeatures, outFeatures, args?)`.
 */
import type { Executor } from "tslab/dist/executor";

type QuickInfo = NonNullable<ReturnType<Executor["inspect"]>>;
type Part = { text: string; kind?: string };

const joined = (parts: readonly Part[] | undefined) => (parts ?? []).map((p) => p.text).join("");

function tagText(tag: { name: string; text?: Part[] }): string {
  const text = joined(tag.text).trim();
  switch (tag.name) {
    case "param": {
      const [name, ...rest] = text.split(/\s+/);
      return `  ${name}: ${rest.join(" ").replace(/^- /, "")}`;
    }
    case "example":
      return `Example:\n${text
        .split("\n")
        .map((l) => `  ${l}`)
        .join("\n")}`;
    case "returns":
      return `Returns: ${text}`;
    default:
      return `@${tag.name}${text ? ` ${text}` : ""}`;
  }
}

export function formatQuickInfo(info: QuickInfo, signature: QuickInfo | null = null): string {
  const sections = [joined((signature ?? info).displayParts)];
  const docs = joined(info.documentation).trim() || joined(signature?.documentation).trim();
  if (docs) sections.push(docs);
  const tags = info.tags?.length ? info.tags : (signature?.tags ?? []);
  const params = tags.filter((t) => t.name === "param").map(tagText);
  if (params.length) sections.push(["Parameters:", ...params].join("\n"));
  for (const tag of tags.filter((t) => t.name !== "param")) sections.push(tagText(tag));
  return sections.join("\n\n");
}

/** The quick info at the cursor; for a class, also what `new` on it shows (its constructor's signature). */
export function inspectAt(
  executor: Executor,
  code: string,
  cursor: number,
): { info: QuickInfo; signature: QuickInfo | null } | null {
  const info = executor.inspect(code, cursor);
  if (!info) return null;
  if (!info.displayParts?.some((p) => p.kind === "keyword" && p.text === "class")) return { info, signature: null };
  const span = info.textSpan;
  const before = code.slice(0, span.start + span.length);
  const expression = /[\w$.]+$/.exec(before)?.[0];
  if (!expression) return { info, signature: null };
  const probe = `${code}\n;new ${expression}(`;
  const signature = executor.inspect(probe, probe.length - 1);
  return { info, signature: signature && joined(signature.displayParts).includes("new ") ? signature : null };
}
