// The difference between two offline plans (directories written by `npm run plan`), as data:
// resources added, removed and changed (by type and name, with the changed input paths), Helm's
// rendered manifests (manifests/*.yaml, plan --render) per Kubernetes object, and every other plan
// file (Helm values, rule files, dashboards, settings...) as a unified diff.
import * as fs from "node:fs";
import * as path from "node:path";
import { structuredPatch } from "diff";
import { parse, parseAllDocuments, stringify } from "yaml";
import { SECRET_MASK } from "../offline/runtime";
import { dataLoss } from "./data-loss";

const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
const RESOURCES_FILE = "resources.json";
const SETTINGS_FILE = "settings.json";
/** Rendered manifests, one file per release (tools/offline/manifests.ts writes them). */
const MANIFESTS_PREFIX = "manifests/";

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

/** A resource whose URN changes with no alias naming the old one: the engine deletes and creates it. */
export interface ResourceReplacement {
    type: string;
    name: string;
    /** Type chain and name of the old and the new URN (stack and project left out). */
    from: string;
    to: string;
    /** What deleting and creating it does to the running platform. */
    consequence: string;
}

/** A resource under a new URN with an alias to its old one: the engine moves it, nothing is replaced. */
export interface ResourceMove {
    type: string;
    name: string;
    from: string;
    to: string;
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
        /** URN changed without an alias: delete and create (for a release or bucket, downtime or data loss). */
        replaced: ResourceReplacement[];
        /** URN changed with an alias to the old one: no replacement. */
        moved: ResourceMove[];
        baseCount: number;
        headCount: number;
    };
    /** Rendered manifests whose objects differ (none unless both plans were rendered). */
    manifests: ManifestChange[];
    /** What the change would delete of stored data, one line each (tools/diff/data-loss.ts). */
    dataLoss: string[];
    files: FileChange[];
}

export const hasChanges = (d: PlanDiff): boolean =>
    d.resources.added.length +
        d.resources.removed.length +
        d.resources.changed.length +
        d.resources.replaced.length +
        d.resources.moved.length +
        d.manifests.length +
        d.files.length >
    0;

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
const STACK_TYPE = "pulumi:pulumi:Stack";
const NAMESPACE_TYPE = "kubernetes:core/v1:Namespace";
const BUCKET_TYPE = "gcp:storage/bucket:Bucket";

/** A URN without its stack and project ("<type chain>::<name>"): what identifies a resource within a stack. */
const urnKey = (urn: string): string => urn.split("::").slice(2).join("::");

/**
 * Each resource's URN key: from its recorded URN, or, for plans written before URNs were recorded,
 * rebuilt from the chain of parents' types as the engine does.
 */
function urnKeys(records: readonly PlanResourceRecord[]): Map<PlanResourceRecord, string> {
    const byName = new Map(records.map((r) => [r.name, r]));
    const chain = (r: PlanResourceRecord, seen = 0): string => {
        const parent = typeof r.parent === "string" ? byName.get(r.parent) : undefined;
        if (!parent || parent.type === STACK_TYPE || seen > 50) return r.type;
        return `${chain(parent, seen + 1)}$${r.type}`;
    };
    return new Map(records.map((r) => [r, typeof r.urn === "string" ? urnKey(r.urn) : `${chain(r)}::${r.name}`]));
}

/** What the engine's delete-and-create of a resource under a new URN does. */
function replacementConsequence(old: PlanResourceRecord): string {
    const retained = old.retainOnDelete === true;
    switch (old.type) {
        case HELM_RELEASE_TYPE:
            return "Helm uninstalls the release and installs it again: its pods are down in between, and its volume claims go with it (their disks survive only where the StorageClass retains them)";
        case BUCKET_TYPE:
            return "the bucket is deleted with every object in it, and created again empty";
        case NAMESPACE_TYPE:
            return retained
                ? "the namespace stays (retainOnDelete) but Pulumi forgets it, and creating it again fails: it already exists"
                : "the namespace is deleted with everything in it, the users' objects included";
        default:
            return retained ? "Pulumi forgets the object (retainOnDelete) and creates it again, which fails where it already exists" : "deleted and created again";
    }
}

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

// ---- Rendered manifests: Helm's output compared per Kubernetes object ----

export interface ObjectRef {
    kind: string;
    name: string;
    /** As rendered: absent for cluster-scoped objects and where a chart leaves it to the release. */
    namespace?: string;
}

export interface ManifestObject extends ObjectRef {
    /** The object as YAML with sorted keys, Secret values masked. */
    yaml: string;
    /** What applying it does beyond the obvious (see objectNotes). */
    notes: string[];
}

export interface ManifestObjectChange extends ObjectRef {
    /** Dotted paths that differ, chart and version labels left out (they are in `versionLabels`). */
    paths: string[];
    /** Unified diff of the object as YAML with sorted keys, without the chart and version labels. */
    patch: string;
    /** A workload (Deployment, StatefulSet, DaemonSet, ReplicaSet) whose pod template differs: its pods are replaced. */
    rollsPods: boolean;
    notes: string[];
}

/** One chart or version label's change, as it appears on the objects of a release. */
export interface VersionLabelChange {
    label: string;
    before?: string;
    after?: string;
    /** How many objects carry this change. */
    objects: number;
}

export interface ManifestDiff {
    added: ManifestObject[];
    removed: ManifestObject[];
    /** Objects with changes other than their chart and version labels. */
    changed: ManifestObjectChange[];
    /** Objects whose only change is their chart and version labels (a workload's pods still roll). */
    relabelled: (ObjectRef & { rollsPods: boolean })[];
    versionLabels: VersionLabelChange[];
    baseCount: number;
    headCount: number;
    /** Set when a side is not YAML that parses: the change is then the text's, in `patch`. */
    unparsed?: { error: string; patch: string };
}

export interface ManifestChange extends ManifestDiff {
    /** manifests/<release>.yaml */
    file: string;
    /** The Helm release (Pulumi resource name) the manifest was rendered from. */
    release: string;
    status: "added" | "removed" | "changed";
}

/**
 * Labels that every chart bump changes on every object. Their changes are summarised once per
 * manifest (`versionLabels`) rather than repeated in each object's diff.
 */
export const VERSION_LABELS: readonly string[] = ["helm.sh/chart", "chart", "app.kubernetes.io/version"];
const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]);
/** StatefulSet spec fields the API server lets an update change; any other is immutable. */
const STATEFULSET_MUTABLE = new Set([
    "replicas",
    "template",
    "updateStrategy",
    "persistentVolumeClaimRetentionPolicy",
    "minReadySeconds",
    "ordinals",
    "revisionHistoryLimit",
]);
/** A secret value that differs between the revisions, shown on the head side in place of the value. */
export const CHANGED_SECRET_MASK = `${SECRET_MASK} (changed)`;

interface RenderedObject extends ObjectRef {
    object: Record<string, unknown>;
    /** The template the object came from (Helm's "# Source:" comment). */
    source?: string;
}

/** A manifest cut into its documents as Helm cuts them: at every line that is only "---". */
const splitDocuments = (text: string): string[] =>
    text
        .split(/^---[ \t]*$/m)
        .map((d) => d.trim())
        .filter((d) => d.split("\n").some((l) => l.trim() !== "" && !l.trimStart().startsWith("#")));

function parseDocument(text: string): RenderedObject[] {
    // YAML 1.1, as Kubernetes reads manifests; a repeated key is the last one, as there.
    const source = /^# Source: (.+)$/m.exec(text)?.[1].trim();
    return parseAllDocuments(text, { version: "1.1", uniqueKeys: false }).flatMap((doc) => {
        if (doc.errors.length > 0) throw new Error(doc.errors[0].message);
        const object: unknown = doc.toJS({ maxAliasCount: -1 });
        if (object === null || object === undefined) return [];
        if (!isObject(object)) throw new Error(`a document is not a Kubernetes object: ${text.slice(0, 80)}`);
        const metadata = isObject(object.metadata) ? object.metadata : {};
        return [
            {
                kind: typeof object.kind === "string" ? object.kind : "(no kind)",
                name: typeof metadata.name === "string" ? metadata.name : "(no name)",
                ...(typeof metadata.namespace === "string" ? { namespace: metadata.namespace } : {}),
                ...(source ? { source } : {}),
                object,
            },
        ];
    });
}

/** Replaces Secret data with masks on both sides; a value that differs shows as changed on the head side. */
function maskSecretData(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): void {
    for (const field of ["data", "stringData"]) {
        const da = a?.kind === "Secret" && isObject(a[field]) ? (a[field] as Record<string, unknown>) : undefined;
        const db = b?.kind === "Secret" && isObject(b[field]) ? (b[field] as Record<string, unknown>) : undefined;
        const before = { ...da };
        for (const key of Object.keys(da ?? {})) da![key] = SECRET_MASK;
        for (const key of Object.keys(db ?? {})) {
            db![key] = key in before && JSON.stringify(before[key]) !== JSON.stringify(db![key]) ? CHANGED_SECRET_MASK : SECRET_MASK;
        }
    }
}

/** A copy without the chart and version labels of its label maps (the object's and its pod template's). */
function withoutVersionLabels(value: unknown, key = ""): unknown {
    if (Array.isArray(value)) return value.map((v) => withoutVersionLabels(v));
    if (!isObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
        if (key === "labels" && VERSION_LABELS.includes(k)) continue;
        out[k] = withoutVersionLabels(v, k);
    }
    return out;
}

/** The chart and version label changes between two versions of an object, by label, before and after. */
function versionLabelChanges(a: unknown, b: unknown, key = "", found = new Map<string, VersionLabelChange>()): Map<string, VersionLabelChange> {
    if (key === "labels" && isObject(a) && isObject(b)) {
        for (const label of VERSION_LABELS) {
            if (a[label] === b[label]) continue;
            const before = a[label] === undefined ? undefined : String(a[label]);
            const after = b[label] === undefined ? undefined : String(b[label]);
            const id = `${label}\u0000${before}\u0000${after}`;
            if (!found.has(id)) found.set(id, { label, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}), objects: 1 });
        }
    }
    if (isObject(a) && isObject(b)) for (const k of Object.keys(b)) if (k in a) versionLabelChanges(a[k], b[k], k, found);
    if (Array.isArray(a) && Array.isArray(b)) a.forEach((x, i) => i < b.length && versionLabelChanges(x, b[i], "", found));
    return found;
}

const isHook = (o: Record<string, unknown>) => isObject(o.metadata) && isObject(o.metadata.annotations) && "helm.sh/hook" in o.metadata.annotations;
/** A CRD of a chart's crds/ folder (its own or a subchart's), which Helm applies only at the first install. */
const fromCrdsFolder = (o: RenderedObject) => o.kind === "CustomResourceDefinition" && !!o.source && /^[^/]+\/(?:charts\/[^/]+\/)*crds\//.test(o.source);

/**
 * What a reviewer must know beyond the diff: changes the upgrade cannot apply. `status` is the
 * object's; `installing` is true when the whole release is new (first install).
 */
function objectNotes(o: RenderedObject, status: "added" | "removed" | "changed", installing: boolean, paths: readonly string[] = []): string[] {
    const notes: string[] = [];
    if (fromCrdsFolder(o) && !installing) {
        notes.push(
            status === "removed"
                ? "CRD from the chart's crds/ folder: Helm never deletes it, it stays in the cluster"
                : `CRD from the chart's crds/ folder: Helm applies that folder only at the first install, so an upgrade does not ${status === "added" ? "create" : "change"} it; apply it before upgrading`,
        );
    }
    if (status !== "changed" || isHook(o.object)) return notes;
    const under = (prefix: string) => paths.some((p) => p === prefix || p.startsWith(`${prefix}.`) || p.startsWith(`${prefix}[`));
    if ((WORKLOADS.has(o.kind) || o.kind === "Job") && under("spec.selector")) {
        notes.push(`spec.selector is immutable: the upgrade fails until the ${o.kind} is deleted`);
    }
    if (o.kind === "StatefulSet") {
        const fields = [...new Set(paths.filter((p) => p.startsWith("spec.")).map((p) => p.slice(5).split(/[.[]/)[0]))];
        for (const f of fields.filter((x) => x !== "selector" && !STATEFULSET_MUTABLE.has(x))) {
            notes.push(`StatefulSet spec.${f} is immutable: the upgrade fails until the StatefulSet is deleted`);
        }
    }
    if (o.kind === "Job" && under("spec.template")) notes.push("Job spec.template is immutable: the upgrade fails until the Job is deleted");
    return notes;
}

const refOf = (o: RenderedObject): ObjectRef => ({ kind: o.kind, name: o.name, ...(o.namespace !== undefined ? { namespace: o.namespace } : {}) });
const objectKey = (o: ObjectRef) => `${o.kind}\u0000${o.namespace ?? ""}\u0000${o.name}`;
const byObject = (x: ObjectRef, y: ObjectRef) =>
    x.kind.localeCompare(y.kind) || (x.namespace ?? "").localeCompare(y.namespace ?? "") || x.name.localeCompare(y.name);
const shownObject = (o: RenderedObject): string => {
    const copy = structuredClone(o.object);
    maskSecretData(copy, undefined);
    return toYaml(copy);
};

/**
 * Compares two versions of a release's rendered manifest (multi-document YAML, base first; undefined
 * when that side has no such manifest) per Kubernetes object, identified by kind, namespace and name.
 * Objects are compared as data, so key order and formatting are no change. `namespace` is the
 * release's: an object that gains or loses an explicit metadata.namespace equal to it is the same
 * object, changed. Chart and version labels (VERSION_LABELS), which a chart bump changes on every
 * object, are summarised once rather than shown in each object's diff. Secret data is masked.
 */
export function diffManifests(before: string | undefined, after: string | undefined, options: { namespace?: string } = {}): ManifestDiff {
    const docsA = splitDocuments(before ?? "");
    const docsB = splitDocuments(after ?? "");
    // Documents of identical text are the same object, unchanged: only the others are parsed.
    const pending = new Map<string, number>();
    for (const d of docsA) pending.set(d, (pending.get(d) ?? 0) + 1);
    let sameText = 0;
    const restB: string[] = [];
    for (const d of docsB) {
        const n = pending.get(d) ?? 0;
        if (n > 0) {
            pending.set(d, n - 1);
            sameText++;
        } else restB.push(d);
    }
    const restA: string[] = [];
    for (const d of docsA) {
        const n = pending.get(d) ?? 0;
        if (n > 0) {
            pending.set(d, n - 1);
            restA.push(d);
        }
    }
    let objectsA: RenderedObject[];
    let objectsB: RenderedObject[];
    try {
        objectsA = restA.flatMap(parseDocument);
        objectsB = restB.flatMap(parseDocument);
    } catch (err) {
        return {
            added: [],
            removed: [],
            changed: [],
            relabelled: [],
            versionLabels: [],
            baseCount: docsA.length,
            headCount: docsB.length,
            unparsed: { error: (err as Error).message.split("\n")[0], patch: unifiedDiff(before ?? "", after ?? "") },
        };
    }

    // By kind, namespace and name; a repeated identity (a chart rendering one object twice) by occurrence.
    const keyed = (objects: RenderedObject[]) => {
        const seen = new Map<string, number>();
        return new Map(
            objects.map((o) => {
                const k = objectKey(o);
                const n = (seen.get(k) ?? 0) + 1;
                seen.set(k, n);
                return [n === 1 ? k : `${k}\u0000${n}`, o] as const;
            }),
        );
    };
    const mapA = keyed(objectsA);
    const mapB = keyed(objectsB);
    const pairs: [RenderedObject, RenderedObject][] = [];
    for (const [k, b] of mapB) {
        const a = mapA.get(k);
        if (!a) continue;
        pairs.push([a, b]);
        mapA.delete(k);
        mapB.delete(k);
    }
    // An object that gains or loses an explicit namespace (the release's) is still the same object.
    for (const [kb, b] of mapB) {
        const match = [...mapA].find(
            ([, a]) =>
                a.kind === b.kind &&
                a.name === b.name &&
                (a.namespace === undefined) !== (b.namespace === undefined) &&
                (options.namespace === undefined || (a.namespace ?? b.namespace) === options.namespace),
        );
        if (!match) continue;
        pairs.push([match[1], b]);
        mapA.delete(match[0]);
        mapB.delete(kb);
    }

    const installing = before === undefined;
    const changed: ManifestObjectChange[] = [];
    const relabelled: (ObjectRef & { rollsPods: boolean })[] = [];
    const labels = new Map<string, VersionLabelChange>();
    for (const [a, b] of pairs) {
        // Values masked on either side first; then Secret data, marking the values that differ.
        const [ma, mb] = maskSecretsSymmetrically(a.object, b.object) as [Record<string, unknown>, Record<string, unknown>];
        maskSecretData(ma, mb);
        const all = changedPaths(ma, mb);
        if (all.length === 0) continue;
        for (const [id, change] of versionLabelChanges(ma, mb)) {
            const known = labels.get(id);
            if (known) known.objects++;
            else labels.set(id, change);
        }
        const sa = withoutVersionLabels(ma);
        const sb = withoutVersionLabels(mb);
        const paths = changedPaths(sa, sb);
        const rollsPods = WORKLOADS.has(b.kind) && all.some((p) => p.startsWith("spec.template.") || p === "spec.template");
        if (paths.length === 0) {
            // New labels on an immutable pod template (a Job's) still fail the upgrade: shown in full.
            const notes = objectNotes(b, "changed", installing, all);
            if (notes.length === 0) relabelled.push({ ...refOf(b), rollsPods });
            else changed.push({ ...refOf(b), paths: all, patch: unifiedDiff(toYaml(ma), toYaml(mb)), rollsPods, notes });
            continue;
        }
        changed.push({ ...refOf(b), paths, patch: unifiedDiff(toYaml(sa), toYaml(sb)), rollsPods, notes: objectNotes(b, "changed", installing, paths) });
    }
    const entry = (status: "added" | "removed") => (o: RenderedObject): ManifestObject => ({
        ...refOf(o),
        yaml: shownObject(o),
        notes: objectNotes(o, status, installing),
    });
    return {
        added: [...mapB.values()].map(entry("added")).sort(byObject),
        removed: [...mapA.values()].map(entry("removed")).sort(byObject),
        changed: changed.sort(byObject),
        relabelled: relabelled.sort(byObject),
        versionLabels: [...labels.values()].sort((x, y) => VERSION_LABELS.indexOf(x.label) - VERSION_LABELS.indexOf(y.label) || y.objects - x.objects),
        baseCount: sameText + objectsA.length,
        headCount: sameText + objectsB.length,
    };
}

export const manifestHasChanges = (d: ManifestDiff): boolean =>
    d.unparsed !== undefined || d.added.length + d.removed.length + d.changed.length + d.relabelled.length > 0;

const entry = (r: PlanResourceRecord): ResourceEntry => ({ type: r.type, name: r.name, yaml: toYaml(displayed(r)) });

/** Compares two plans given as file maps (relative path -> text), base first. */
export function diffPlans(base: ReadonlyMap<string, string>, head: ReadonlyMap<string, string>): PlanDiff {
    const before = parseResources(base.get(RESOURCES_FILE), "base");
    const after = parseResources(head.get(RESOURCES_FILE), "head");
    const beforeByKey = new Map(before.map((r) => [keyOf(r), r]));
    const afterByKey = new Map(after.map((r) => [keyOf(r), r]));
    // Resources are matched by URN, as the engine matches them, not by type and name.
    const beforeUrns = urnKeys(before);
    const afterUrns = urnKeys(after);
    const beforeByUrn = new Map(before.map((r) => [beforeUrns.get(r)!, r]));
    const afterUrnSet = new Set(afterUrns.values());

    const pairs: [PlanResourceRecord, PlanResourceRecord][] = [];
    const replaced: ResourceReplacement[] = [];
    const moved: ResourceMove[] = [];
    const addedRecords: PlanResourceRecord[] = [];
    const taken = new Set<PlanResourceRecord>();
    for (const r of after) {
        const key = afterUrns.get(r)!;
        const same = beforeByUrn.get(key);
        if (same) {
            pairs.push([same, r]);
            taken.add(same);
            continue;
        }
        const aliased = (Array.isArray(r.aliases) ? (r.aliases as string[]) : [])
            .map((a) => beforeByUrn.get(urnKey(a)))
            .find((old) => old !== undefined && !afterUrnSet.has(beforeUrns.get(old)!));
        if (aliased) {
            moved.push({ type: r.type, name: r.name, from: beforeUrns.get(aliased)!, to: key });
            pairs.push([aliased, r]);
            taken.add(aliased);
            continue;
        }
        addedRecords.push(r);
    }
    // A resource of the same type and name under another URN, with no alias: a replacement.
    const removedRecords = before.filter((r) => !taken.has(r));
    const removedByKey = new Map(removedRecords.map((r) => [keyOf(r), r]));
    const added: ResourceEntry[] = [];
    for (const r of addedRecords) {
        const old = removedByKey.get(keyOf(r));
        if (old && !taken.has(old)) {
            replaced.push({ type: r.type, name: r.name, from: beforeUrns.get(old)!, to: afterUrns.get(r)!, consequence: replacementConsequence(old) });
            taken.add(old);
        } else {
            added.push(entry(r));
        }
    }
    const removed = before.filter((r) => !taken.has(r)).map(entry);
    const changed: ResourceChange[] = [];
    for (const [old, r] of pairs) {
        // The URN is the key (or, moved by an alias, reported as the move): not a changed field.
        const { urn: _oldUrn, ...oldFields } = old;
        const { urn: _newUrn, ...newFields } = r;
        const [a, b] = maskSecretsSymmetrically(oldFields, newFields) as [PlanResourceRecord, PlanResourceRecord];
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
    const manifests: ManifestChange[] = [];
    const names = [...new Set([...base.keys(), ...head.keys()])].filter((f) => f !== RESOURCES_FILE).sort();
    for (const file of names) {
        const a = base.get(file);
        const b = head.get(file);
        if (file.startsWith(MANIFESTS_PREFIX) && file.endsWith(".yaml")) {
            if (a === b) continue;
            const name = file.slice(MANIFESTS_PREFIX.length, -".yaml".length);
            const owner = afterByKey.get(keyOf({ type: HELM_RELEASE_TYPE, name })) ?? beforeByKey.get(keyOf({ type: HELM_RELEASE_TYPE, name }));
            const namespace = isObject(owner?.inputs) && typeof owner.inputs.namespace === "string" ? owner.inputs.namespace : undefined;
            const objects = diffManifests(a, b, { namespace });
            if (!manifestHasChanges(objects)) continue; // Only formatting differs.
            manifests.push({ file, release: name, status: a === undefined ? "added" : b === undefined ? "removed" : "changed", ...objects });
            continue;
        }
        const change = diffFile(file, a, b);
        if (change) files.push(change);
    }
    return {
        resources: {
            added: added.sort(byTypeAndName),
            removed: removed.sort(byTypeAndName),
            changed: changed.sort(byTypeAndName),
            replaced: replaced.sort(byTypeAndName),
            moved: moved.sort(byTypeAndName),
            baseCount: before.length,
            headCount: after.length,
        },
        manifests,
        files,
        dataLoss: dataLoss(before, after, { before: parseSettings(base.get(SETTINGS_FILE)), after: parseSettings(head.get(SETTINGS_FILE)) }),
    };
}

const parseSettings = (text: string | undefined): unknown => {
    try {
        return text === undefined ? undefined : JSON.parse(text);
    } catch {
        return undefined;
    }
};

export const diffPlanDirs = (baseDir: string, headDir: string): PlanDiff => diffPlans(readPlanDir(baseDir), readPlanDir(headDir));
