// Plans a stack under mocks with its stack file's config plus test overrides.
import { planStack, type Plan, type PlannedResource } from "../../tools/offline/plan";
import type { FakeCluster } from "../../tools/offline/runtime";
import { readStackConfig } from "../../tools/offline/stack-config";
import { runCached } from "../../tools/run-cache";

export const PROJECT = "observability-platform";

export interface PlanVariant {
    /** Project keys (without namespace) to set or replace; `undefined` removes a key. */
    set?: Record<string, unknown>;
    /** Full config keys ("gcp:region") to set or replace. */
    raw?: Record<string, string | undefined>;
    clusters?: Readonly<Record<string, FakeCluster>>;
}

export function stackConfig(stack: string, variant: PlanVariant = {}): Record<string, string> {
    const config = { ...readStackConfig(`${__dirname}/../..`, stack).config };
    for (const [key, value] of Object.entries(variant.set ?? {})) {
        const full = `${PROJECT}:${key}`;
        if (value === undefined) delete config[full];
        else config[full] = typeof value === "string" ? value : JSON.stringify(value);
    }
    for (const [key, value] of Object.entries(variant.raw ?? {})) {
        if (value === undefined) delete config[key];
        else config[key] = value;
    }
    return config;
}

const plans = new Map<string, Promise<Plan>>();

/**
 * The plan of `stack` with this config. Planning is deterministic, so each config is planned once per
 * run: once per process, and once for every process of npm test (tools/run-cache.ts). Every caller
 * gets its own copy to read or edit.
 */
export function planOnce(stack: string, options: { config: Record<string, string>; secretKeys: string[]; clusters?: PlanVariant["clusters"] }): Promise<Plan> {
    const key = JSON.stringify([stack, options.config, [...options.secretKeys].sort(), options.clusters ?? null]);
    let plan = plans.get(key);
    if (!plan) {
        plan = runCached("plan", key, async () => JSON.stringify(await planStack(stack, options))).then((text) => JSON.parse(text) as Plan);
        plans.set(key, plan);
    }
    return plan.then((p) => structuredClone(p));
}

/** The stack file's plan with `variant` applied, planned once per run. */
export function planVariant(stack: string, variant: PlanVariant = {}): Promise<Plan> {
    return planOnce(stack, { config: stackConfig(stack, variant), secretKeys: [], clusters: variant.clusters });
}

export const ofType = (plan: Plan, type: string): PlannedResource[] => plan.resources.filter((r) => r.type === type);

export const T = {
    bucket: "gcp:storage/bucket:Bucket",
    bucketIam: "gcp:storage/bucketIAMMember:BucketIAMMember",
    gsa: "gcp:serviceaccount/account:Account",
    gsaIam: "gcp:serviceaccount/iAMMember:IAMMember",
    ksa: "kubernetes:core/v1:ServiceAccount",
    release: "kubernetes:helm.sh/v3:Release",
    storageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
    secret: "kubernetes:core/v1:Secret",
    namespace: "kubernetes:core/v1:Namespace",
    k8sProvider: "pulumi:providers:kubernetes",
    stack: "pulumi:pulumi:Stack",
} as const;
