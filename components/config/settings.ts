// Stack config -> one validated, tier-resolved, read-only Settings object. This is the only place
// that reads config; every component takes the Settings it returns.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigError, type ConfigProblem } from "./errors";
import { classifyForeignKey, SHADOWING_KEYS } from "./namespaces";
import { ignoredSettingProblems, longTermMetricsProblems, retentionCapProblems } from "./long-term-rules";
import { BACKENDS_BY_TIER, MAX_RETENTION_SIZE_SHARE, TIER_PRESETS } from "./tiers";
import { settingsSchema, TIERS, type Settings, type Tier } from "./schema";
import { sreConfigProblems } from "./slos";
import { scrapeConfigProblems } from "./scrape";
import { certManagerConfigProblems } from "./cert-manager";
import { scrapeAnnotationsConfigProblems } from "./scrape-annotations";
import { redisConfigProblems } from "./redis";
import { adoptionConfigProblems } from "./adoption";
import { limitsConfigProblems } from "./limits";
import { probesConfigProblems } from "./probes";
import { logAlertConfigProblems } from "./log-alerts";
import { sloRetentionProblems } from "./slo-retention";
import { grafanaExposureProblems } from "./grafana-exposure";
import {
    isSecretConfigKey,
    SECRET_CONFIG_KEYS,
    plaintextSecretProblem,
    secretConfigFacts,
    secretConfigProblems,
    type SecretConfigFacts,
    type SecretConfigKey,
} from "./secrets";

export interface StackConfigInput {
    stack: string;
    /** The config namespace of the project's own keys (the Pulumi project name). */
    namespace: string;
    /** The project's keys without the namespace, values already parsed from their config strings. */
    values: Readonly<Record<string, unknown>>;
    gcpProject?: string;
    gcpRegion?: string;
    /** Secret keys (config/secrets.ts) that were set in plaintext; each is a config problem. */
    plaintextSecretKeys?: readonly SecretConfigKey[];
    /** Which secret keys are set and their shape (never their values), checked against the settings. */
    secretFacts?: SecretConfigFacts;
    /** Full keys of the stack's config outside the project's namespace (their values are not needed). */
    otherKeys?: readonly string[];
    /** Project keys set as Pulumi secrets that are not secret keys (their values are not needed). */
    secretOnPlainKeys?: readonly string[];
}

type Json = unknown;
const isPlainObject = (v: Json): v is Record<string, Json> =>
    typeof v === "object" && v !== null && !Array.isArray(v);

/** Objects merge key by key; anything else in `override` (lists included) replaces the base. */
export function deepMerge(base: Json, override: Json): Json {
    if (override === undefined) return structuredClone(base);
    if (!isPlainObject(base) || !isPlainObject(override)) return structuredClone(override);
    const out: Record<string, Json> = structuredClone(base);
    for (const [key, value] of Object.entries(override)) out[key] = deepMerge(base[key], value);
    return out;
}

function deepFreeze<T>(value: T): T {
    if (typeof value === "object" && value !== null) {
        for (const v of Object.values(value)) deepFreeze(v);
        Object.freeze(value);
    }
    return value;
}

function valueAt(root: Json, path: readonly PropertyKey[]): Json {
    let cur: Json = root;
    for (const key of path) {
        if (typeof cur !== "object" || cur === null) return undefined;
        cur = (cur as Record<PropertyKey, Json>)[key];
    }
    return cur;
}

/** The keys a strict object schema accepts at `path`, for "did you mean" hints. */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
    let schema: z.ZodType = settingsSchema;
    // An entry with a transform (an SLO objective, a Redis instance) is a pipe from its object schema.
    const unwrap = (s: z.ZodType): z.ZodType => {
        while (s instanceof z.ZodOptional || s instanceof z.ZodPipe) s = (s instanceof z.ZodPipe ? s.in : s.unwrap()) as z.ZodType;
        return s;
    };
    for (const key of path) {
        schema = unwrap(schema);
        if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
        else if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[String(key)];
        if (!schema) return [];
    }
    schema = unwrap(schema);
    return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let diagonal = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const above = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
            diagonal = above;
        }
    }
    return row[b.length];
}

// zod's built-in messages start like this; ours (passed as `error`) describe what is expected.
const BUILT_IN_MESSAGE = /^(Invalid|Too (small|big)|Unrecognized)/;

function problemsFromZod(issues: readonly z.core.$ZodIssue[], candidate: Json): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const issue of issues) {
        const path = issue.path as (string | number)[];
        if (issue.code === "unrecognized_keys") {
            const known = knownKeysAt(path);
            for (const key of issue.keys) {
                const close = known.filter((k) => editDistance(k, key) <= 2);
                const hint = close.length > 0 ? ` (did you mean "${close[0]}"?)` : "";
                problems.push({
                    path: [...path, key],
                    expected: `one of the keys ${known.join(", ")}${hint}`,
                    given: undefined,
                    unknownKey: true,
                });
            }
            continue;
        }
        let expected = issue.message;
        if (BUILT_IN_MESSAGE.test(expected)) {
            switch (issue.code) {
                case "invalid_type":
                    expected = `a value of type ${issue.expected}`;
                    break;
                case "invalid_value":
                    expected = `one of ${issue.values.map((v) => JSON.stringify(v)).join(" | ")}`;
                    break;
                case "too_small":
                    expected = `at least ${String(issue.minimum)}${issue.origin === "array" ? " items" : ""}`;
                    break;
                case "too_big":
                    expected = `at most ${String(issue.maximum)}${issue.origin === "array" ? " items" : ""}`;
                    break;
                default:
                    expected = issue.message;
            }
        }
        problems.push({ path, expected, given: valueAt(candidate, path) });
    }
    return problems;
}

/** Rules that span several keys; written defensively because the shape may itself be invalid. */
function crossFieldProblems(c: Record<string, Json>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    if (Array.isArray(c.clusters) && c.clusters.length > 0) {
        const clusters = c.clusters.map((e) => (isPlainObject(e) ? e : {}));
        const hubs = clusters.filter((e) => e.role === "hub").map((e) => e.name);
        if (hubs.length !== 1) {
            problems.push({
                path: ["clusters"],
                expected: 'exactly one cluster with role "hub" (it runs the storage backends and Grafana)',
                given: hubs.length === 0 ? "no hub" : `${hubs.length} hubs: ${hubs.join(", ")}`,
            });
        }
        const seen = new Set<Json>();
        clusters.forEach((e, i) => {
            if (typeof e.name === "string" && seen.has(e.name)) {
                problems.push({ path: ["clusters", i, "name"], expected: "a name no other cluster has", given: e.name });
            }
            seen.add(e.name);
        });
    }
    const tier = c.tier as Tier;
    if ((TIERS as readonly Json[]).includes(tier) && typeof c.metricsBackend === "string") {
        const allowed = BACKENDS_BY_TIER[tier];
        if (!allowed.includes(c.metricsBackend as never) && ["prometheus", "mimir", "thanos"].includes(c.metricsBackend)) {
            problems.push({
                path: ["metricsBackend"],
                expected: `one of ${allowed.map((b) => `"${b}"`).join(" | ")} in the ${tier} tier`,
                given: c.metricsBackend,
            });
        }
    }
    const prometheus = isPlainObject(c.prometheus) ? c.prometheus : {};
    if (typeof prometheus.storageGi === "number" && prometheus.storageGi > 0 && typeof prometheus.retentionSizeGi === "number") {
        const max = Math.floor(prometheus.storageGi * MAX_RETENTION_SIZE_SHARE);
        if (prometheus.retentionSizeGi > max) {
            problems.push({
                path: ["prometheus", "retentionSizeGi"],
                expected: `at most ${max} (${MAX_RETENTION_SIZE_SHARE * 100}% of prometheus.storageGi ${prometheus.storageGi}, leaving room for the WAL)`,
                given: prometheus.retentionSizeGi,
            });
        }
    }
    if (tier === "long-term" && typeof prometheus.replicas === "number" && prometheus.replicas < 2) {
        problems.push({
            path: ["prometheus", "replicas"],
            expected: "at least 2 in the long-term tier (scraping must survive a node drain)",
            given: prometheus.replicas,
        });
    }
    // Logs and traces: the minimal tier keeps Loki's chunks on one ReadWriteOnce disk.
    const loki = isPlainObject(c.loki) ? c.loki : {};
    if (tier === "minimal" && typeof loki.replicas === "number" && loki.replicas !== 1) {
        problems.push({
            path: ["loki", "replicas"],
            expected: "1 in the minimal tier (filesystem storage on one disk cannot be shared; use the long-term tier for replicas)",
            given: loki.replicas,
        });
    }
    if (tier === "minimal" && loki.deploymentMode === "Distributed") {
        problems.push({
            path: ["loki", "deploymentMode"],
            expected: '"Monolithic" in the minimal tier (Distributed needs the long-term tier\'s object storage)',
            given: loki.deploymentMode,
        });
    }
    if (tier === "long-term" && loki.deploymentMode === "Monolithic" && typeof loki.replicas === "number" && loki.replicas === 2) {
        problems.push({
            path: ["loki", "replicas"],
            expected: "1 or at least 3 (replication factor 3 needs three replicas; 2 would stop writes when one is down)",
            given: loki.replicas,
        });
    }
    problems.push(...grafanaExposureProblems(c));
    problems.push(...sreConfigProblems(c));
    problems.push(...scrapeConfigProblems(c));
    problems.push(...certManagerConfigProblems(c));
    problems.push(...scrapeAnnotationsConfigProblems(c));
    problems.push(...redisConfigProblems(c));
    problems.push(...adoptionConfigProblems(c));
    problems.push(...limitsConfigProblems(c));
    problems.push(...probesConfigProblems(c));
    problems.push(...logAlertConfigProblems(c));
    problems.push(...longTermMetricsProblems(c));
    problems.push(...retentionCapProblems(c));
    // Every SLO window must be within the retention of the evaluator that reads it.
    problems.push(...sloRetentionProblems(c));
    return problems;
}

/**
 * Merges the stack's keys over its tier preset, fills derived defaults and validates the result.
 * Throws one ConfigError listing every problem; never returns partially valid settings.
 */
export function resolveSettings(input: StackConfigInput): Settings {
    const overrides = input.values;
    const tierIsValid = (TIERS as readonly Json[]).includes(overrides.tier);
    // With an unknown tier the rest is still checked against the minimal preset, so every problem
    // is reported at once.
    const preset = TIER_PRESETS[tierIsValid ? (overrides.tier as Tier) : "minimal"];
    const merged = deepMerge(preset, overrides) as Record<string, Json>;

    const prometheus = merged.prometheus;
    if (isPlainObject(prometheus) && prometheus.retentionSizeGi === undefined) {
        const disk = prometheus.storageGi;
        // With an invalid disk size, that key's own error is the one to report, not a derived one.
        prometheus.retentionSizeGi =
            typeof disk === "number" && disk > 0 ? Math.max(1, Math.floor(disk * MAX_RETENTION_SIZE_SHARE)) : 1;
    }
    if (Array.isArray(merged.clusters)) {
        merged.clusters = merged.clusters.map((c) =>
            isPlainObject(c) && c.project === undefined && input.gcpProject !== undefined ? { ...c, project: input.gcpProject } : c,
        );
    }

    // stack, project and region come from Pulumi and the GCP provider: a project key of that name
    // is refused (below), never taken in their place.
    const shadowing = Object.keys(SHADOWING_KEYS).filter((k) => k in overrides);
    for (const k of shadowing) delete merged[k];
    const candidate: Record<string, Json> = {
        stack: input.stack,
        // The stack's own name unless it sets one: the stores' data stays where it is when this key
        // is introduced, since existing stacks already wrote under their name.
        tenant: input.stack,
        project: input.gcpProject,
        region: input.gcpRegion,
        ...merged,
    };

    const parsed = settingsSchema.safeParse(candidate);
    const problems = [
        ...(parsed.success ? [] : problemsFromZod(parsed.error.issues, candidate)),
        ...crossFieldProblems(candidate),
        ...ignoredSettingProblems(overrides as Record<string, Json>, candidate),
        ...(input.plaintextSecretKeys ?? []).map(plaintextSecretProblem),
        ...(input.secretFacts ? secretConfigProblems(input.secretFacts, candidate) : []),
        ...(input.secretOnPlainKeys ?? []).map((k) => ({
            path: [k],
            expected: `a plain value: only ${Object.keys(SECRET_CONFIG_KEYS).join(", ")} are secrets, and a secret here would end up in Helm values and state in plaintext`,
            given: undefined,
            givenText: "a Pulumi secret (not shown)",
        })),
        ...shadowing.map((k) => ({ path: [k], key: `${input.namespace}:${k}`, expected: SHADOWING_KEYS[k], given: overrides[k] })),
        ...(input.otherKeys ?? [])
            .filter((key) => classifyForeignKey(input.namespace, key) === "near-miss")
            .map((key) => ({
                path: [],
                key,
                unknownKey: true,
                expected: `a key of the project's namespace "${input.namespace}" (did you mean ${input.namespace}:${key.slice(key.indexOf(":") + 1)}?): keys of another namespace are never read`,
                given: undefined,
            })),
    ];
    if (problems.length > 0 || !parsed.success) {
        const unique = new Map(problems.map((p) => [`${p.path.join(".")}|${p.expected}`, p]));
        const sorted = [...unique.values()].sort((a, b) => a.path.join(".").localeCompare(b.path.join(".")));
        throw new ConfigError(input.stack, input.namespace, sorted);
    }
    return deepFreeze(parsed.data) as Settings;
}

/** A config value as the Pulumi engine hands it over: structured values arrive as JSON text. */
export function parseConfigValue(raw: string): Json {
    const trimmed = raw.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
        try {
            return JSON.parse(trimmed);
        } catch {
            return raw;
        }
    }
    return raw;
}

/** Reads the running stack's config (real engine or mocks) and resolves it. */
export function loadSettings(): Settings {
    const namespace = pulumi.getProject();
    const all = pulumi.runtime.allConfig();
    const values: Record<string, Json> = {};
    const plaintextSecretKeys: SecretConfigKey[] = [];
    const secretOnPlainKeys: string[] = [];
    const secrets: Partial<Record<SecretConfigKey, string>> = {};
    const otherKeys: string[] = [];
    for (const [key, raw] of Object.entries(all)) {
        if (!key.startsWith(`${namespace}:`)) {
            otherKeys.push(key);
            // Named, never its value: it may hold anything.
            if (classifyForeignKey(namespace, key) === "unknown") pulumi.log.warn(`config key ${key} is of no namespace this program or its providers read; it is ignored`);
            continue;
        }
        const name = key.slice(namespace.length + 1);
        // Secrets are read by the wiring layer only, and must be Pulumi secrets.
        if (isSecretConfigKey(name)) {
            if (!isConfigSecret(key)) plaintextSecretKeys.push(name);
            secrets[name] = raw;
            continue;
        }
        // A secret on a key that is not one would be decrypted into Helm values and state in plaintext.
        if (isConfigSecret(key)) secretOnPlainKeys.push(name);
        values[name] = parseConfigValue(raw);
    }
    return resolveSettings({
        stack: pulumi.getStack(),
        namespace,
        values,
        gcpProject: all["gcp:project"],
        gcpRegion: all["gcp:region"],
        plaintextSecretKeys,
        // Only what the secrets' shape says leaves here; the values stay in this function.
        secretFacts: secretConfigFacts(secrets),
        otherKeys,
        secretOnPlainKeys,
    });
}

/** Whether the engine passed this config key as a secret (the SDK's own check, not in its typings). */
function isConfigSecret(key: string): boolean {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(k: string): boolean };
    return runtimeConfig.isConfigSecret(key);
}
