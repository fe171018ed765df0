// The difference between two offline plans (directories written by `npm run plan`), as data:
// resources added, removed and changed (by type and name, with the changed input paths), and every
// other plan file (Helm values, rule files, dashboards, settings...) as a unified diff.
import * as fs from "node:fs";
import * as path from "node:path";
import { structuredPatch } from "diff";
import { parse, stringify } from "yaml";
import { SECRET_MASK } from "../offline/runtime";

const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
const RESOURCES_FILE = "resources.json";

export interface PlanResourceRecord {
    type: string;
    name: string;
    inputs?: Record<string, unknown>;
    [field: string]: unknown;
}

export interface ResourceChange {
    type: string;
    name: string;
    /** Dotted paths of the fields that differ ("inputs.version", "dependsOn"). */
    paths: string[];
    /** Unified diff of the resource as YAML (a Helm release's values are in its values file). */
    patch: string;
}

export interface ResourceEntry {
    type: string;
    name: string;
    /** The resource as YAML (without a Helm release's values). */
    yaml: string;
}

export interface FileChange {
    /** Path relative to the plan directory, "/"-separated. */
    file: string;
    status: "added" | "removed" | "changed";
    patch: string;
    /** A JSON file whose change is shown as a YAML diff. */
    shownAsYaml?: true;
}

export interface PlanDiff {
    resources: {
        added: ResourceEntry[];
        removed: ResourceEntry[];
        changed: ResourceChange[];
        baseCount: number;
        headCount: number;
    };
    files: FileChange[];
}

export const hasChanges = (d: PlanDiff): boolean =>
    d.resources.added.length + d.resources.removed.length + d.resources.changed.length + d.files.length > 0;

/** Every file under `dir` by its relative "/"-separated path; an absent directory is an empty plan. */
export function readPlanDir(dir: string): Map<string, string> {
    const files = new Map<string, string>();
    if (!fs.existsSync(dir)) return files;
    const walk = (d: string) => {
        for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
            const full = path.join(d, entry.name);
            if (entry.isDirectory()) walk(full);
            else files.set(path.relative(dir, full).split(path.sep).join("/"), fs.readFileSync(full, "utf8"));
        }
    };
    walk(dir);
    return new Map([...files.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Masks, on both sides, every value that is a secret on either side. Plans mask secrets already; this
 * keeps a value that only the other revision treated as secret (a fixed leak, a newly secret input)
 * out of the diff, which ends up in pull-request comments.
 */
export function maskSecretsSymmetrically(a: unknown, b: unknown): [unknown, unknown] {
    if (a === SECRET_MASK || b === SECRET_MASK) {
        return [a === undefined ? undefined : SECRET_MASK, b === undefined ? undefined : SECRET_MASK];
    }
    if (Array.isArray(a) && Array.isArray(b)) {
        const n = Math.max(a.length, b.length);
        const outA: unknown[] = [];
        const outB: unknown[] = [];
        for (let i = 0; i < n; i++) {
            const [x, y] = maskSecretsSymmetrically(a[i], b[i]);
            if (i < a.length) outA.push(x);
            if (i < b.length) outB.push(y);
        }
        return [outA, outB];
    }
    if (isObject(a) && isObject(b)) {
        const outA: Record<string, unknown> = {};
        const outB: Record<string, unknown> = {};
        for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
            const [x, y] = maskSecretsSymmetrically(a[key], b[key]);
            if (key in a) outA[key] = x;
            if (key in b) outB[key] = y;
        }
        return [outA, outB];
    }
    return [a, b];
}

/** Dotted paths where `a` and `b` differ (a whole subtree counts once where only one side has it). */
export function changedPaths(a: unknown, b: unknown, prefix = ""): string[] {
    if (isObject(a) && isObject(b)) {
        return [...new Set([...Object.keys(a), ...Object.keys(b)])]
            .sort()
            .flatMap((k) => changedPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
    }
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
        return a.flatMap((x, i) => changedPaths(x, b[i], `${prefix}[${i}]`));
    }
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix || "(root)"];
}

/** Unified diff hunks of two texts, without file headers; "" when they are equal. */
export function unifiedDiff(before: string, after: string, context = 3): string {
    if (before === after) return "";
    const patch = structuredPatch("base", "head", before, after, undefined, undefined, { context });
    const lines: string[] = [];
    for (const h of patch.hunks) {
        lines.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`);
        lines.push(...h.lines.filter((l) => !l.startsWith("\\")));
    }
    return lines.join("\n");
}

const toYaml = (value: unknown): string =>
    value === undefined ? "" : stringify(value, { sortMapEntries: true, lineWidth: 0 });

/** A resource as shown in a diff: the Helm values live in their own values file, shown there. */
function displayed(r: PlanResourceRecord): Record<string, unknown> {
    const { type: _type, name: _name, ...rest } = r;
    if (r.type === HELM_RELEASE_TYPE && isObject(rest.inputs) && "values" in rest.inputs) {
        const { values: _values, ...inputs } = rest.inputs;
        return { ...rest, inputs: { ...inputs, values: `(see values/${r.name}.yaml)` } };
    }
    return rest;
}

const keyOf = (r: { type: string; name: string }) => `${r.type}\u0000${r.name}`;

function parseResources(text: string | undefined, side: string): PlanResourceRecord[] {
    if (text === undefined) return [];
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) throw new Error(`${side} ${RESOURCES_FILE} is not a list of resources`);
    return parsed as PlanResourceRecord[];
}

/** Structured data of a plan file, when it is JSON or YAML that parses; undefined otherwise. */
function parseData(file: string, text: string | undefined): { data: unknown } | undefined {
    if (text === undefined) return undefined;
    try {
        if (file.endsWith(".json")) return { data: JSON.parse(text) };
        if (file.endsWith(".yaml") || file.endsWith(".yml")) return { data: parse(text) };
    } catch {
        return undefined;
    }
    return undefined;
}

/**
 * A plan file's change. Structured files (JSON dashboards, YAML values and rules) are compared as data
 * and shown as YAML with sorted keys, so key order and formatting never show up as changes.
 */
function diffFile(file: string, before: string | undefined, after: string | undefined): FileChange | undefined {
    if (before === after) return undefined;
    const pa = parseData(file, before);
    const pb = parseData(file, after);
    const structured = (before === undefined || pa !== undefined) && (after === undefined || pb !== undefined);
    const status: FileChange["status"] = before === undefined ? "added" : after === undefined ? "removed" : "changed";
    if (!structured) return { file, status, patch: unifiedDiff(before ?? "", after ?? "") };
    const [ma, mb] = maskSecretsSymmetrically(pa?.data, pb?.data);
    if (status === "changed" && JSON.stringify(ma) === JSON.stringify(mb)) return undefined; // Only formatting differs.
    return {
        file,
        status,
        patch: unifiedDiff(toYaml(ma), toYaml(mb)),
        ...(file.endsWith(".json") ? { shownAsYaml: true as const } : {}),
    };
}

/** Compares two plans given as file maps (relative path -> text), base first. */
export function diffPlans(base: ReadonlyMap<string, string>, head: ReadonlyMap<string, string>): PlanDiff {
    const before = parseResources(base.get(RESOURCES_FILE), "base");
    const after = parseResources(head.get(RESOURCES_FILE), "head");
    const beforeByKey = new Map(before.map((r) => [keyOf(r), r]));
    const afterByKey = new Map(after.map((r) => [keyOf(r), r]));

    const entry = (r: PlanResourceRecord): ResourceEntry => ({ type: r.type, name: r.name, yaml: toYaml(displayed(r)) });
    const added = after.filter((r) => !beforeByKey.has(keyOf(r))).map(entry);
    const removed = before.filter((r) => !afterByKey.has(keyOf(r))).map(entry);
    const changed: ResourceChange[] = [];
    for (const r of after) {
        const old = beforeByKey.get(keyOf(r));
        if (!old) continue;
        const [a, b] = maskSecretsSymmetrically(old, r) as [PlanResourceRecord, PlanResourceRecord];
        let paths = changedPaths(a, b);
        if (paths.length === 0) continue;
        if (r.type === HELM_RELEASE_TYPE) {
            // One entry for the values: their diff is the values file's.
            paths = [...new Set(paths.map((p) => (p.startsWith("inputs.values") ? "inputs.values" : p)))];
        }
        changed.push({ type: r.type, name: r.name, paths, patch: unifiedDiff(toYaml(displayed(a)), toYaml(displayed(b))) });
    }
    const byTypeAndName = (x: { type: string; name: string }, y: { type: string; name: string }) =>
        x.type === y.type ? x.name.localeCompare(y.name) : x.type.localeCompare(y.type);

    const files: FileChange[] = [];
    const names = [...new Set([...base.keys(), ...head.keys()])].filter((f) => f !== RESOURCES_FILE).sort();
    for (const file of names) {
        const change = diffFile(file, base.get(file), head.get(file));
        if (change) files.push(change);
    }
    return {
        resources: {
            added: added.sort(byTypeAndName),
            removed: removed.sort(byTypeAndName),
            changed: changed.sort(byTypeAndName),
            baseCount: before.length,
            headCount: after.length,
        },
        files,
    };
}

export const diffPlanDirs = (baseDir: string, headDir: string): PlanDiff => diffPlans(readPlanDir(baseDir), readPlanDir(headDir));
