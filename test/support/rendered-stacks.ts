// The stacks the rendered-object suites check, each planned and rendered by Helm once per test run
// and shared: rendering is the slow part of the suite (seconds per stack), and every suite that
// reads rendered objects wants the same few stacks.
import type { Plan } from "../../tools/offline/plan";
import { planOnce, PROJECT, stackConfig, type PlanVariant } from "./program";
import { renderPlan, type RenderedPlan } from "./rendered";

export const FLEET = [
    { name: "hub-gke", location: "us-central1", role: "hub" },
    { name: "edge-a", location: "us-east1-b", role: "spoke" },
    { name: "edge-b", location: "europe-west1", role: "spoke", project: "acme-edge-eu" },
];

// Sentinels standing in for real secrets: none may reach a rendered manifest.
export const SECRETS = {
    pagerdutyRoutingKey: "pd-routing-key-rendered-5b1e07",
    slackWebhookUrls: JSON.stringify({
        "#alerts": "https://hooks.slack.com/services/T0RENDERED/B0RENDERED/renderedalerts",
        "#monitoring": "https://hooks.slack.com/services/T0RENDERED/B0RENDERED/renderedmonitoring",
    }),
    heartbeatUrl: "https://hc-ping.com/rendered-sentinel-heartbeat",
};

export interface StackCase {
    name: string;
    stack: string;
    variant?: PlanVariant;
    secrets?: Record<string, string>;
}

export const RENDERED_STACKS = {
    dev: { name: "dev", stack: "dev" },
    prod: { name: "prod", stack: "prod" },
    thanos: { name: "prod on Thanos, Loki distributed", stack: "prod", variant: { set: { metricsBackend: "thanos", loki: { deploymentMode: "Distributed" } } } },
    fleet: { name: "a fleet of 3 clusters", stack: "prod", variant: { set: { clusters: FLEET, fleet: { hub: { host: "fleet.hub.acme-corp.example" } } } } },
    secrets: { name: "prod with every secret set", stack: "prod", secrets: SECRETS },
} as const satisfies Record<string, StackCase>;

export type RenderedStackKey = keyof typeof RENDERED_STACKS;

export function planCase(c: StackCase): Promise<Plan> {
    const raw = Object.fromEntries(Object.entries(c.secrets ?? {}).map(([k, v]) => [`${PROJECT}:${k}`, v]));
    const variant = { ...c.variant, raw: { ...c.variant?.raw, ...raw } };
    return planOnce(c.stack, { config: stackConfig(c.stack, variant), secretKeys: Object.keys(raw), clusters: variant.clusters });
}

const renders = new Map<RenderedStackKey, Promise<RenderedPlan>>();

/**
 * The stack planned and rendered, once per process. Callers get the same objects: copy before
 * editing them (structuredClone), as the broken-input checks do.
 */
export function renderedStack(key: RenderedStackKey): Promise<RenderedPlan> {
    let render = renders.get(key);
    if (!render) {
        render = planCase(RENDERED_STACKS[key]).then(renderPlan);
        renders.set(key, render);
    }
    return render;
}
