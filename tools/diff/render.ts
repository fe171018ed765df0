// A plan diff for people: plain text for a terminal, Markdown for a pull-request comment or a job summary.
import { hasChanges, type ManifestChange, type ObjectRef, type PlanDiff, type VersionLabelChange } from "./plan-diff";

export interface DiffHeading {
    stack: string;
    /** What the base plan was made from, e.g. "main (3f2a9c1)". */
    base: string;
    /** What the head plan was made from, e.g. "working tree". */
    head: string;
    /** Both plans' Helm releases were rendered (plan:diff --render), so their manifests were compared. */
    rendered?: true;
    /** Releases that were not rendered (a chart known to be unavailable), so their objects were not compared. */
    unrendered?: string[];
}

// GitHub rejects comments over 65,536 characters; leave room for the other stacks' sections.
export const MARKDOWN_LIMIT = 60_000;

function counts(d: PlanDiff): string {
    const r = d.resources;
    return (
        `${r.added.length} to add, ${r.changed.length} to change, ${r.removed.length} to remove` +
        (r.replaced.length > 0 ? `, ${r.replaced.length} to REPLACE` : "") +
        (r.moved.length > 0 ? `, ${r.moved.length} moved by alias` : "") +
        " " +
        `(${r.baseCount} -> ${r.headCount} resources); ${d.files.length} plan file(s) changed` +
        (d.manifests.length > 0 ? `; ${d.manifests.length} rendered manifest(s) changed` : "")
    );
}

/** "Kind namespace/name", or "Kind name" for an object without a namespace. */
export const objectName = (o: ObjectRef): string => `${o.kind} ${o.namespace !== undefined ? `${o.namespace}/` : ""}${o.name}`;

function manifestCounts(m: ManifestChange): string {
    if (m.unparsed) return `not parsed as YAML (${m.unparsed.error}): shown as text`;
    const relabelled = m.relabelled.length > 0 ? `, ${m.relabelled.length} with only chart/version labels changed` : "";
    return (
        `${m.added.length} to add, ${m.changed.length} to change, ${m.removed.length} to remove${relabelled} ` +
        `(${m.baseCount} -> ${m.headCount} objects)`
    );
}

const labelChange = (l: VersionLabelChange, code = (s: string) => s) =>
    `${code(l.label)} ${l.before !== undefined ? code(l.before) : "(none)"} -> ${l.after !== undefined ? code(l.after) : "(none)"} on ${l.objects} object(s)`;

/** The first `max` items, and how many more there are. */
function capped<T>(items: readonly T[], max: number, show: (x: T) => string, sep = ", "): string {
    const shown = items.slice(0, max).map(show).join(sep);
    return items.length > max ? `${shown}${sep}... ${items.length - max} more` : shown;
}

/** "67 objects with only chart/version labels changed (6 ClusterRole, 7 ConfigMap, ...); their pods roll: ..." */
function relabelledSummary(m: ManifestChange, code = (s: string) => s): string {
    const byKind = new Map<string, number>();
    for (const o of m.relabelled) byKind.set(o.kind, (byKind.get(o.kind) ?? 0) + 1);
    const kinds = [...byKind].map(([kind, n]) => `${n} ${kind}`).join(", ");
    const rolling = m.relabelled.filter((o) => o.rollsPods);
    return (
        `${m.relabelled.length} object(s) with only chart/version labels changed (${kinds})` +
        (rolling.length > 0 ? `; these roll their pods for it: ${capped(rolling, 20, (o) => code(objectName(o)))}` : "")
    );
}

const MAX_PATHS = 8;
const isCrd = (o: ObjectRef) => o.kind === "CustomResourceDefinition";
/** A release's objects are listed, not shown, when the whole manifest is added or removed. */
const wholeRelease = (m: ManifestChange) => m.status !== "changed";

function manifestText(m: ManifestChange): string[] {
    const sign = { added: "+", removed: "-", changed: "~" } as const;
    const out = [`${sign[m.status]} ${m.file} (release ${m.release}, ${m.status}): ${manifestCounts(m)}`];
    if (m.unparsed) {
        out.push(indent(m.unparsed.patch));
        return out;
    }
    if (m.versionLabels.length > 0) out.push(`    chart and version labels: ${m.versionLabels.map((l) => labelChange(l)).join("; ")}`);
    const notes = (n: readonly string[]) => n.map((x) => `        ! ${x}`);
    if (wholeRelease(m)) {
        for (const o of [...m.added, ...m.removed]) out.push(`    ${sign[m.status]} ${objectName(o)}`, ...notes(o.notes));
        return out;
    }
    for (const o of m.added) out.push(`    + ${objectName(o)}`, ...notes(o.notes), indent(o.yaml, "        + "));
    for (const o of m.removed) out.push(`    - ${objectName(o)}`, ...notes(o.notes), indent(o.yaml, "        - "));
    for (const o of m.changed) {
        out.push(`    ~ ${objectName(o)} (${capped(o.paths, MAX_PATHS, (p) => p)})${o.rollsPods ? ": rolls its pods" : ""}`, ...notes(o.notes));
        out.push(indent(o.patch, "        "));
    }
    if (m.relabelled.length > 0) out.push(`    ~ ${relabelledSummary(m)}`);
    return out;
}

const indent = (text: string, by = "    ") =>
    text
        .split("\n")
        .filter((l, i, all) => l !== "" || i < all.length - 1)
        .map((l) => by + l)
        .join("\n");

const prefixed = (yaml: string, sign: string) => indent(yaml, `    ${sign} `);

export function renderText(d: PlanDiff, h: DiffHeading): string {
    const out = [`Plan diff of stack ${h.stack}: ${h.base} -> ${h.head}${h.rendered ? " (Helm manifests rendered for both)" : ""}`];
    if (!hasChanges(d)) {
        out.push(`No changes: both revisions plan the same resources, values and files${h.rendered ? ", and Helm renders the same objects" : ""}.`);
        for (const u of h.unrendered ?? []) out.push(`Not rendered, so not compared: ${u}`);
        return out.join("\n");
    }
    out.push(counts(d));
    if (d.dataLoss.length > 0) out.push("DATA LOSS: this change deletes stored data:", ...d.dataLoss.map((l) => `  ! ${l}`));
    if (d.resources.replaced.length > 0) {
        out.push("REPLACEMENT: these resources move to a new URN with no alias to the old one, so the engine deletes and creates them:");
        for (const x of d.resources.replaced) out.push(`  ! ${x.type} ${x.name}: ${x.consequence}`, `      ${x.from}`, `   -> ${x.to}`);
    }
    for (const u of h.unrendered ?? []) out.push(`Not rendered, so not compared: ${u}`);
    out.push("");
    for (const x of d.resources.moved) out.push(`> ${x.type} ${x.name} moved by its alias, not replaced:`, `      ${x.from}`, `   -> ${x.to}`);
    for (const r of d.resources.added) out.push(`+ ${r.type} ${r.name}`, prefixed(r.yaml, "+"));
    for (const r of d.resources.removed) out.push(`- ${r.type} ${r.name}`, prefixed(r.yaml, "-"));
    for (const r of d.resources.changed) {
        out.push(`~ ${r.type} ${r.name} (${r.paths.join(", ")})`);
        if (r.patch) out.push(indent(r.patch));
    }
    const section = (title: string) => out.push(...(out[out.length - 1] === "" ? [] : [""]), title);
    if (d.files.length > 0) section("Plan files:");
    const sign = { added: "+", removed: "-", changed: "~" } as const;
    for (const f of d.files) out.push(`${sign[f.status]} ${f.file} (${f.status}${f.shownAsYaml ? ", shown as YAML" : ""})`, indent(f.patch));
    if (d.manifests.length > 0) section("Rendered manifests, per Kubernetes object (chart and version labels summarised, not repeated per object):");
    for (const m of d.manifests) out.push(...manifestText(m));
    return out.join("\n");
}

/** A fence longer than any backtick run inside `text`, so content can never close it. */
function fenced(text: string, lang: string): string {
    const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
    const fence = "`".repeat(Math.max(3, longest + 1));
    return `${fence}${lang}\n${text.replace(/\n$/, "")}\n${fence}`;
}

const escapeCell = (s: string) => s.replace(/\|/g, "\\|");
const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const tableRow = (cells: readonly string[]) => `|${cells.map((c) => (c ? ` ${c} ` : " ")).join("|")}|`;
/** An object's YAML as added or removed lines of a diff. */
const signed = (yaml: string, sign: string) => yaml.replace(/\n$/, "").replace(/^/gm, `${sign} `);

/** Rows shown per manifest; the rest are counted (the text format lists them all). */
const MAX_ROWS = 40;

/** A manifest's summary and its table of objects: added, removed, changed (with effects and warnings). */
function manifestTable(m: ManifestChange): string[] {
    const out = [`**Rendered \`${m.file}\`** (release \`${m.release}\`, ${m.status}): ${manifestCounts(m)}`, ""];
    if (m.unparsed) return out;
    if (m.versionLabels.length > 0) {
        out.push(`Chart and version labels (not repeated below): ${m.versionLabels.map((l) => labelChange(l, (s) => `\`${s}\``)).join("; ")}`, "");
    }
    type Row = { sign: string; o: ObjectRef; fields: string; notes: string[] };
    const rows: Row[] = [
        ...m.added.map((o) => ({ sign: "+ add", o, fields: "", notes: o.notes })),
        ...m.removed.map((o) => ({ sign: "- remove", o, fields: "", notes: o.notes })),
        ...m.changed.map((o) => ({
            sign: "~ change",
            o,
            fields: capped(o.paths, MAX_PATHS, (p) => `\`${p}\``),
            notes: [...(o.rollsPods ? ["rolls its pods"] : []), ...o.notes],
        })),
    ];
    if (rows.length > 0) {
        out.push("| | Kind | Object | Changed fields | Effect |", "|---|---|---|---|---|");
        for (const x of rows.slice(0, MAX_ROWS)) {
            const name = x.o.namespace !== undefined ? `${x.o.namespace}/${x.o.name}` : x.o.name;
            const effect = x.notes.map((n) => (n === "rolls its pods" ? n : `:warning: ${n}`)).join("<br>");
            out.push(tableRow([x.sign, `\`${x.o.kind}\``, `\`${name}\``, escapeCell(x.fields), escapeCell(effect)]));
        }
        if (rows.length > MAX_ROWS) out.push(`| | | _... ${rows.length - MAX_ROWS} more objects: run \`npm run plan:diff -- --render\` locally_ | | |`);
        out.push("");
    }
    if (m.relabelled.length > 0) out.push(`${relabelledSummary(m, (s) => `\`${s}\``)}.`, "");
    return out;
}

export function renderMarkdown(d: PlanDiff, h: DiffHeading, limit = MARKDOWN_LIMIT): string {
    const title = `### Offline plan diff: stack \`${h.stack}\``;
    const sub = `Base ${h.base} -> ${h.head}.${h.rendered ? " Helm manifests rendered for both and compared per object." : ""}`;
    const unrendered = (h.unrendered ?? []).map((u) => `- Not rendered, so not compared: ${u}`);
    if (unrendered.length > 0) unrendered.push("");
    if (!hasChanges(d)) return [title, "", sub, "", "**No changes.**", "", ...unrendered].join("\n");
    const r = d.resources;
    const loss = d.dataLoss.length > 0 ? ["> [!CAUTION]", "> **Data loss: this change deletes stored data.**", ...d.dataLoss.map((l) => `> - ${escapeCell(l)}`), ""] : [];
    const replacing =
        r.replaced.length > 0
            ? [
                  "> [!CAUTION]",
                  "> **Replacement: these resources move to a new URN with no alias to the old one; the engine deletes and creates them.**",
                  ...r.replaced.map((x) => `> - \`${x.type}\` \`${x.name}\`: ${escapeCell(x.consequence)} (\`${escapeCell(x.from)}\` -> \`${escapeCell(x.to)}\`)`),
                  "",
              ]
            : [];
    const head = [title, "", sub, "", `**${counts(d)}**`, "", ...loss, ...replacing, ...unrendered];
    if (r.added.length + r.removed.length + r.changed.length + r.moved.length > 0) {
        head.push("| | Type | Name | Changed fields |", "|---|---|---|---|");
        for (const x of r.moved) head.push(`| > move (alias) | \`${x.type}\` | \`${x.name}\` | from \`${escapeCell(x.from)}\` |`);
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
    for (const m of d.manifests) head.push(...manifestTable(m));
    const details: string[] = [];
    const lastDetails: string[] = [];
    const block = (summary: string, body: string, into = details) =>
        into.push(`<details><summary>${summary}</summary>`, "", fenced(body, "diff"), "", "</details>", "");
    // A release whose only change is its values has no block of its own: its values file shows it.
    for (const x of r.changed.filter((c) => c.patch)) block(`~ <code>${x.type}</code> <code>${x.name}</code>`, x.patch);
    for (const f of d.files) block(`${f.status} <code>${f.file}</code>${f.shownAsYaml ? " (as YAML)" : ""}`, f.patch);
    // The objects' changes; CRDs' schemas, long and rarely the point of a change, come last.
    for (const m of d.manifests) {
        const where = (o: ObjectRef) => (isCrd(o) ? lastDetails : details);
        const label = (o: ObjectRef) => `<code>${escapeHtml(objectName(o))}</code> in <code>${m.file}</code>`;
        if (m.unparsed) block(`${m.status} <code>${m.file}</code> (as text)`, m.unparsed.patch);
        if (m.unparsed || wholeRelease(m)) continue;
        for (const o of m.changed) block(`~ ${label(o)}`, o.patch, where(o));
        for (const o of m.added) block(`+ ${label(o)}`, signed(o.yaml, "+"), where(o));
        for (const o of m.removed) block(`- ${label(o)}`, signed(o.yaml, "-"), where(o));
    }
    for (const x of r.added) block(`+ <code>${x.type}</code> <code>${x.name}</code>`, x.yaml.replace(/^/gm, "+ "));
    for (const x of r.removed) block(`- <code>${x.type}</code> <code>${x.name}</code>`, x.yaml.replace(/^/gm, "- "));
    details.push(...lastDetails);

    let text = [...head, ...details].join("\n");
    if (text.length > limit) {
        // Keep the tables; keep the details blocks that fit, in order, whole.
        const note = "\n_Diff truncated to fit a comment: run `npm run plan:diff` locally for all of it._\n";
        let kept = head.join("\n");
        for (const part of details.join("\n").split(/(?=<details>)/)) {
            if (kept.length + part.length + note.length <= limit) kept += part;
        }
        text = kept + note;
    }
    return text;
}
