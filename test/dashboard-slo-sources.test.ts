// The dashboards every service with SLOs gets, from its SLO config alone: a golden-signals and a
// correlation dashboard per service that query the service's own series, an error-budget dashboard
// per SLO that reads what the SLO rules record, and the plan of the prod stack provisioning them.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import type { Settings } from "../components/config/schema";
import { resolveSettings } from "../components/config/settings";
import { platformDashboards } from "../components/dashboards/catalog";
import { PLATFORM_COMPONENTS, type DashboardInputs } from "../components/dashboards/inputs";
import type { DashboardDefinition } from "../components/dashboards/kit";
import { panelsOf, queriesOf, type DashboardQuery } from "./support/dashboard-queries";
import { sloDashboardSources } from "../components/dashboards/slo-sources";
import { DATASOURCE_UIDS } from "../components/grafana/datasource";
import { serviceSloGroups } from "../components/sre/slo-rules";
import { dashboardFiles, type Plan } from "../tools/offline/plan";
import { readStackConfig } from "../tools/offline/stack-config";
import { planVariant } from "./support/program";
import { parseErrors, promqlMetricNames, promqlSelectors } from "./support/query-grammars";

type Slos = Settings["slos"];
const ROOT = path.resolve(__dirname, "..");

/** The SLOs as the stack config gives them, validated and defaulted like the program's. */
function resolveSlos(slos: unknown): Slos {
    return resolveSettings({
        stack: "test",
        namespace: "observability-platform",
        gcpProject: "acme-observability-prod",
        gcpRegion: "asia-northeast3",
        values: { tier: "long-term", clusters: [{ name: "prod-gke", location: "asia-northeast3", role: "hub" }], slos },
    }).slos;
}

const prodSlos = (): Slos => resolveSlos(JSON.parse(readStackConfig(ROOT, "prod").config["observability-platform:slos"]));

const ALL_DATASOURCES = new Set<string>(Object.values(DATASOURCE_UIDS));

function dashboardsOf(slos: Slos, datasourceUids: ReadonlySet<string> = ALL_DATASOURCES): DashboardDefinition[] {
    const inputs: DashboardInputs = {
        ...sloDashboardSources(slos),
        platform: { components: new Set(PLATFORM_COMPONENTS), prometheusRemoteWrite: true, namespaces: ["monitoring"] },
        datasourceUids,
    };
    return platformDashboards(inputs);
}

const tags = (d: DashboardDefinition) => (d.model.tags ?? []) as string[];
/** The dashboards Grafana lists under a service's tag, by kind. */
function ofService(defs: readonly DashboardDefinition[], service: string) {
    const mine = defs.filter((d) => tags(d).includes(`service:${service}`));
    return {
        goldenSignals: mine.filter((d) => tags(d).includes("service") && !tags(d).includes("correlation")),
        correlation: mine.filter((d) => tags(d).includes("correlation")),
        slo: mine.filter((d) => tags(d).includes("slo")),
    };
}

const promql = (d: DashboardDefinition): DashboardQuery[] => queriesOf(d).filter((q) => q.language === "promql");
const selectorsOf = (d: DashboardDefinition) => promql(d).flatMap((q) => promqlSelectors(q.text).map((s) => ({ ...s, where: q.where })));
const matcher = (s: { matchers: readonly { label: string; op: string; value: string }[] }, label: string) => s.matchers.find((m) => m.label === label);

function panel(d: DashboardDefinition, title: string) {
    const p = panelsOf(d).find((x) => x.title === title && x.type !== "row");
    assert.ok(p, `${d.uid} has a panel "${title}"`);
    return p;
}

/** The SLO a per-SLO dashboard is about, read from the Sloth labels its queries select. */
function sloSelected(d: DashboardDefinition): string[] {
    const pairs = new Set<string>();
    for (const s of selectorsOf(d)) {
        const service = matcher(s, "sloth_service");
        const slo = matcher(s, "sloth_slo");
        if (service && slo) pairs.add(`${service.value}/${slo.value}`);
    }
    return [...pairs];
}

/** Series names the SLO rules of these services record. */
function recordedBy(slos: Slos): Set<string> {
    const names = new Set<string>();
    for (const s of slos) {
        for (const g of serviceSloGroups(s, { cluster: "prod-gke" })) for (const r of g.rules) if ("record" in r) names.add(r.record);
    }
    return names;
}

const base = (objectives: unknown[], extra: Record<string, unknown> = {}) => ({
    service: "checkout",
    owner: "shop",
    runbookUrl: "https://runbooks.example.com/checkout",
    objectives,
    ...extra,
});
const availability = (extra: Record<string, unknown> = {}) => ({
    name: "availability",
    kind: "availability",
    target: 99.9,
    metric: "http_requests_total",
    selector: { job: "shop/checkout" },
    errorSelector: { code: "5.." },
    ...extra,
});
const latency = (extra: Record<string, unknown> = {}) => ({
    name: "latency",
    kind: "latency",
    target: 99,
    metric: "http_request_duration_seconds",
    selector: { job: "shop/checkout" },
    thresholdSeconds: 0.25,
    bucket: "0.25",
    ...extra,
});

describe("dashboards from the SLO config", () => {
    const slos = prodSlos();
    const defs = dashboardsOf(slos);

    it("reads prod's two services, each with an availability and a latency SLO", () => {
        assert.deepEqual(slos.map((s) => [s.service, s.objectives.map((o) => o.kind)]), [
            ["ojeomneo-server", ["availability", "latency"]],
            ["reviewmaps-server", ["availability", "latency"]],
        ]);
    });

    it("gives each service one golden-signals and one correlation dashboard, and each SLO its own dashboard", () => {
        for (const s of slos) {
            const mine = ofService(defs, s.service);
            assert.equal(mine.goldenSignals.length, 1, `${s.service}: golden signals`);
            assert.equal(mine.correlation.length, 1, `${s.service}: correlation`);
            assert.deepEqual(
                mine.slo.map(sloSelected).sort(),
                s.objectives.map((o) => [`${s.service}/${o.name}`]).sort(),
                `${s.service}: one dashboard per SLO, each about its SLO only`,
            );
        }
        for (const d of defs) assert.deepEqual(queriesOf(d).flatMap((q) => parseErrors(q.language, q.text)), [], d.uid);
    });

    it("leaves out the correlation dashboards without both the logs and the traces datasource", () => {
        const metricsOnly = dashboardsOf(slos, new Set([DATASOURCE_UIDS.metrics, DATASOURCE_UIDS.alertmanager]));
        for (const s of slos) {
            const mine = ofService(metricsOnly, s.service);
            assert.equal(mine.correlation.length, 0);
            assert.equal(mine.goldenSignals.length, 1);
            assert.equal(mine.slo.length, s.objectives.length);
        }
    });

    it("queries each service's latency histogram from its latency SLO, selected by the labels its SLOs share", () => {
        for (const s of slos) {
            const histogram = s.objectives.find((o) => o.kind === "latency")!.metric;
            const { goldenSignals, correlation } = ofService(defs, s.service);
            for (const d of [...goldenSignals, ...correlation]) {
                const own = selectorsOf(d).filter((x) => x.metric === `${histogram}_bucket`);
                assert.ok(own.length > 0, `${d.uid}: no latency query`);
                for (const x of own) {
                    for (const [label, value] of Object.entries(s.objectives[0].selector)) {
                        assert.deepEqual(matcher(x, label), { label, op: "=", value }, `${d.uid} ${x.where}: ${label}`);
                    }
                }
                // No other histogram: the latency panels read the SLO's only.
                const buckets = promql(d).flatMap((q) => [...promqlMetricNames(q.text)]).filter((m) => m.endsWith("_bucket"));
                assert.deepEqual(buckets.filter((m) => m !== `${histogram}_bucket`), [], d.uid);
            }
        }
    });

    it("counts traffic and errors on the availability SLO's own counter, so the error ratio is its SLI", () => {
        // reviewmaps-server counts requests on http_requests_total, not on its latency histogram.
        assert.ok(slos.some((s) => s.objectives.find((o) => o.kind === "availability")!.metric === "http_requests_total"));
        for (const s of slos) {
            const availability = s.objectives.find((o) => o.kind === "availability")!;
            const [[label, regex]] = Object.entries(availability.errorSelector!);
            const d = ofService(defs, s.service).goldenSignals[0];
            const errors = promqlSelectors(panel(d, "Errors").targets[0].expr);
            assert.deepEqual(errors.map((x) => x.metric), [availability.metric], d.uid);
            assert.deepEqual(errors.map((x) => matcher(x, label)), [{ label, op: "=~", value: regex }], d.uid);
            for (const title of ["Traffic", "Error ratio"]) {
                const read = promqlSelectors(panel(d, title).targets[0].expr);
                assert.ok(read.length > 0, title);
                for (const x of read) {
                    assert.equal(x.metric, availability.metric, `${d.uid} ${title}`);
                    for (const [l, value] of Object.entries(availability.selector)) {
                        assert.deepEqual(matcher(x, l), { label: l, op: "=", value }, `${d.uid} ${title}: ${l}`);
                    }
                }
            }
        }
    });

    it("selects the pods, deployments and logs in the namespace the SLO selectors name, pods named after the service", () => {
        for (const s of slos) {
            const namespace = s.objectives[0].selector.namespace;
            const { goldenSignals, correlation } = ofService(defs, s.service);
            for (const x of selectorsOf(goldenSignals[0]).filter((y) => y.metric.startsWith("container_") || y.metric.startsWith("kube_pod"))) {
                assert.deepEqual(matcher(x, "namespace"), { label: "namespace", op: "=", value: namespace }, x.where);
                assert.deepEqual(matcher(x, "pod"), { label: "pod", op: "=~", value: `${s.service}-.*` }, x.where);
            }
            const deploys = selectorsOf(goldenSignals[0]).find((x) => x.metric === "argocd_app_info");
            assert.equal(deploys && matcher(deploys, "dest_namespace")?.value, namespace);
            const logs = queriesOf(correlation[0]).filter((q) => q.language === "logql");
            assert.ok(logs.length > 0);
            for (const q of logs) {
                assert.ok(q.text.includes(`namespace=${JSON.stringify(namespace)}`), q.text);
                assert.ok(q.text.includes(`container=${JSON.stringify(s.service)}`), q.text);
            }
        }
    });

    it("lists as slow the traces slower than the latency SLO's threshold", () => {
        for (const s of slos) {
            const thresholdMs = s.objectives.find((o) => o.kind === "latency")!.thresholdSeconds! * 1000;
            const traceql = queriesOf(ofService(defs, s.service).correlation[0]).filter((q) => q.language === "traceql");
            assert.ok(traceql.length > 0, s.service);
            const bounds = traceql.flatMap((q) => [...q.text.matchAll(/duration > (\d+)ms/g)].map((m) => Number(m[1])));
            assert.deepEqual(bounds, traceql.map(() => thresholdMs), `${s.service}: ${traceql.map((q) => q.text).join(" | ")}`);
        }
    });

    it("gives each SLO dashboard its SLO's target and period, and queries only series the SLO rules record (30 and 28 days)", () => {
        const withPeriods = resolveSlos([
            base([availability(), latency({ period: "28d", target: 99.5 })]),
        ]);
        const sloDefs = ofService(dashboardsOf(withPeriods), "checkout").slo;
        const recorded = recordedBy(withPeriods);
        for (const o of withPeriods[0].objectives) {
            const d = sloDefs.find((x) => sloSelected(x).includes(`checkout/${o.name}`))!;
            const days = o.period === "28d" ? 28 : 30;
            assert.match(d.model.description ?? "", new RegExp(`objective ${o.target}% over ${days} days`));
            const steps = panel(d, "Attainment").fieldConfig.defaults.thresholds.steps as { value: number | null }[];
            assert.ok(Math.abs((steps[1].value ?? 0) - o.target / 100) < 1e-12, `turns green at ${o.target}%: ${steps[1].value}`);
            const sloSeries = promql(d).flatMap((q) => [...promqlMetricNames(q.text)]).filter((m) => m.startsWith("slo:"));
            assert.ok(sloSeries.length > 0);
            assert.deepEqual(sloSeries.filter((m) => !recorded.has(m)), [], `${o.name}: series the rules do not record`);
        }
    });

    it("selects the service by the labels all its SLOs select on, leaving out those of one SLO only", () => {
        const [s] = resolveSlos([
            base([
                availability({ selector: { job: "shop/checkout", handler: "/pay" } }),
                latency({ selector: { job: "shop/checkout", namespace: "shop", handler: "/cart" } }),
            ]),
        ]);
        const [input] = sloDashboardSources([s]).services;
        assert.deepEqual(input.selector, { job: "shop/checkout" });
        const d = ofService(dashboardsOf([s]), "checkout").goldenSignals[0];
        for (const x of selectorsOf(d).filter((y) => y.metric.startsWith("http_request_duration_seconds_"))) {
            assert.equal(matcher(x, "handler"), undefined, x.where);
            assert.equal(matcher(x, "job")?.value, "shop/checkout", x.where);
        }
    });

    it("takes namespace and podRegex from the service entry, else the shared namespace label, else the service name", () => {
        const namespaceOf = (entry: unknown) => sloDashboardSources(resolveSlos([entry])).services[0];
        const explicit = namespaceOf(base([availability({ selector: { job: "x", namespace: "metrics-ns" } }), latency({ selector: { job: "x", namespace: "metrics-ns" } })], { namespace: "shop", podRegex: "checkout-(api|worker)-.+" }));
        assert.equal(explicit.namespace, "shop");
        assert.equal(explicit.podRegex, "checkout-(api|worker)-.+");
        assert.deepEqual(explicit.logSelector, { namespace: "shop", container: "checkout" });
        const fromSelector = namespaceOf(base([latency({ selector: { job: "x", namespace: "metrics-ns" } })]));
        assert.equal(fromSelector.namespace, "metrics-ns");
        assert.equal(fromSelector.podRegex, "checkout-.*");
        assert.equal(namespaceOf(base([latency()])).namespace, "checkout");
        // A `container` label the SLOs share names the container of the logs.
        const container = namespaceOf(base([latency({ selector: { job: "x", container: "app" } })]));
        assert.deepEqual(container.logSelector, { namespace: "checkout", container: "app" });

        const d = ofService(dashboardsOf(resolveSlos([base([latency()], { namespace: "shop", podRegex: "checkout-(api|worker)-.+" })])), "checkout").goldenSignals[0];
        for (const t of panel(d, "Memory").targets as { expr: string }[]) {
            for (const x of promqlSelectors(t.expr)) {
                assert.equal(matcher(x, "namespace")?.value, "shop");
                assert.equal(matcher(x, "pod")?.value, "checkout-(api|worker)-.+");
            }
        }
    });

    it("without a latency SLO, reads the histogram whose _count an availability SLO counts, or gives no service dashboard", () => {
        const counted = resolveSlos([base([availability({ metric: "http_server_requests_seconds_count" })])]);
        const fromCount = ofService(dashboardsOf(counted), "checkout");
        assert.equal(fromCount.goldenSignals.length, 1);
        const metrics = new Set(promql(fromCount.goldenSignals[0]).flatMap((q) => [...promqlMetricNames(q.text)]));
        assert.ok(metrics.has("http_server_requests_seconds_bucket") && metrics.has("http_server_requests_seconds_count"), [...metrics].join(", "));

        // A plain counter names no histogram: the SLO keeps its dashboard, the service gets none.
        const plain = ofService(dashboardsOf(resolveSlos([base([availability()])])), "checkout");
        assert.deepEqual([plain.goldenSignals.length, plain.correlation.length, plain.slo.length], [0, 0, 1]);
    });

    it("without a one-label error matcher, assumes OpenTelemetry's status code label for the error panels", () => {
        for (const objectives of [[latency()], [latency(), availability({ errorSelector: { code: "5..", handler: "/pay" } })]]) {
            const [input] = sloDashboardSources(resolveSlos([base(objectives)])).services;
            assert.deepEqual(input.errors, { label: "http_response_status_code", regex: "5.." });
        }
    });
});

describe("dashboards of the prod stack's plan", () => {
    let plan: Plan;
    before(async function () {
        this.timeout(120_000);
        plan = await planVariant("prod");
    });

    it("writes the golden-signals, correlation and per-SLO dashboards of both services", () => {
        const defs = [...dashboardFiles(plan).values()].map((json) => {
            const model = JSON.parse(json);
            return { uid: model.uid, title: model.title, folder: "Services", model } as DashboardDefinition;
        });
        assert.deepEqual(plan.settings.slos.map((s) => s.service).sort(), ["ojeomneo-server", "reviewmaps-server"]);
        for (const s of plan.settings.slos) {
            const mine = ofService(defs, s.service);
            assert.equal(mine.goldenSignals.length, 1, s.service);
            assert.equal(mine.correlation.length, 1, s.service);
            assert.deepEqual(mine.slo.flatMap(sloSelected).sort(), s.objectives.map((o) => `${s.service}/${o.name}`).sort());
            const histogram = s.objectives.find((o) => o.kind === "latency")!.metric;
            const metrics = new Set(promql(mine.goldenSignals[0]).flatMap((q) => [...promqlMetricNames(q.text)]));
            assert.ok(metrics.has(`${histogram}_bucket`), `${s.service} reads ${histogram}`);
        }
    });
});
