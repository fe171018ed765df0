// A plan diff for people: plain text for a terminal, Markdown for a pull-request comment or a job summary.
import { hasChanges, type PlanDiff } from "./plan-diff";

export interface DiffHeading {
    stack: string;
    /** What the base plan was made from, e.g. "main (3f2a9c1)". */
    base: string;
    /** What the head plan was made from, e.g. "working tree". */
    head: string;
}

// GitHub rejects comments over 65,536 characters; leave room for the other stacks' sections.
export const MARKDOWN_LIMIT = 60_000;

function counts(d: PlanDiff): string {
    const r = d.resources;
    return (
        `${r.added.length} to add, ${r.changed.length} to change, ${r.removed.length} to remove ` +
        `(${r.baseCount} -> ${r.headCount} resources); ${d.files.length} plan file(s) changed`
    );
}

const indent = (text: string, by = "    ") =>
    text
        .split("\n")
        .filter((l, i, all) => l !== "" || i < all.length - 1)
        .map((l) => by + l)
        .join("\n");

const prefixed = (yaml: string, sign: string) => indent(yaml, `    ${sign} `);

export function renderText(d: PlanDiff, h: DiffHeading): string {
    const out = [`Plan diff of stack ${h.stack}: ${h.base} -> ${h.head}`];
    if (!hasChanges(d)) {
        out.push("No changes: both revisions plan the same resources, values and files.");
        return out.join("\n");
    }
    out.push(counts(d), "");
    for (const r of d.resources.added) out.push(`+ ${r.type} ${r.name}`, prefixed(r.yaml, "+"));
    for (const r of d.resources.removed) out.push(`- ${r.type} ${r.name}`, prefixed(r.yaml, "-"));
    for (const r of d.resources.changed) {
        out.push(`~ ${r.type} ${r.name} (${r.paths.join(", ")})`);
        if (r.patch) out.push(indent(r.patch));
    }
    if (d.files.length > 0) out.push("", "Plan files:");
    const sign = { added: "+", removed: "-", changed: "~" } as const;
    for (const f of d.files) out.push(`${sign[f.status]} ${f.file} (${f.status}${f.shownAsYaml ? ", shown as YAML" : ""})`, indent(f.patch));
    return out.join("\n");
}

/** A fence longer than any backtick run inside `text`, so content can never close it. */
function fenced(text: string, lang: string): string {
    const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
    const fence = "`".repeat(Math.max(3, longest + 1));
    return `${fence}${lang}\n${text.replace(/\n$/, "")}\n${fence}`;
}

const escapeCell = (s: string) => s.replace(/\|/g, "\\|");

export function renderMarkdown(d: PlanDiff, h: DiffHeading, limit = MARKDOWN_LIMIT): string {
    const title = `### Offline plan diff: stack \`${h.stack}\``;
    const sub = `Base ${h.base} -> ${h.head}.`;
    if (!hasChanges(d)) return [title, "", sub, "", "**No changes.**", ""].join("\n");
    const r = d.resources;
    const head = [title, "", sub, "", `**${counts(d)}**`, ""];
    if (r.added.length + r.removed.length + r.changed.length > 0) {
        head.push("| | Type | Name | Changed fields |", "|---|---|---|---|");
        for (const x of r.added) head.push(`| + add | \`${x.type}\` | \`${x.name}\` | |`);
        for (const x of r.removed) head.push(`| - remove | \`${x.type}\` | \`${x.name}\` | |`);
        for (const x of r.changed) {
            head.push(`| ~ change | \`${x.type}\` | \`${x.name}\` | ${escapeCell(x.paths.map((p) => `\`${p}\``).join(", "))} |`);
        }
        head.push("");
    }
    if (d.files.length > 0) {
        head.push("| | Plan file |", "|---|---|");
        for (const f of d.files) head.push(`| ${f.status} | \`${f.file}\` |`);
        head.push("");
    }
    const details: string[] = [];
    const block = (summary: string, body: string) =>
        details.push(`<details><summary>${summary}</summary>`, "", fenced(body, "diff"), "", "</details>", "");
    // A release whose only change is its values has no block of its own: its values file shows it.
    for (const x of r.changed.filter((c) => c.patch)) block(`~ <code>${x.type}</code> <code>${x.name}</code>`, x.patch);
    for (const f of d.files) block(`${f.status} <code>${f.file}</code>${f.shownAsYaml ? " (as YAML)" : ""}`, f.patch);
    for (const x of r.added) block(`+ <code>${x.type}</code> <code>${x.name}</code>`, x.yaml.replace(/^/gm, "+ "));
    for (const x of r.removed) block(`- <code>${x.type}</code> <code>${x.name}</code>`, x.yaml.replace(/^/gm, "- "));

    let text = [...head, ...details].join("\n");
    if (text.length > limit) {
        // Keep the tables; cut the details at a block boundary.
        const note = "\n_Diff truncated to fit a comment: run `npm run plan:diff` locally for all of it._\n";
        let kept = head.join("\n");
        for (const part of details.join("\n").split(/(?=<details>)/)) {
            if (kept.length + part.length + note.length > limit) break;
            kept += part;
        }
        text = kept + note;
    }
    return text;
}
