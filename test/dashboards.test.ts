import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { platformDashboards } from "../components/dashboards/catalog";
import { correlationDashboard } from "../components/dashboards/correlation";
import { DORA_PROXIES, deliveryDashboard } from "../components/dashboards/delivery";
import { goldenSignalsDashboard, serviceMetricNames } from "../components/dashboards/golden-signals";
import {
    otelHttpService,
    PLATFORM_COMPONENTS,
    type DashboardInputs,
    type PlatformComponent,
    type ServiceDashboardInput,
    type SloDashboardInput,
} from "../components/dashboards/inputs";
import { dashboardJson, dashboardUid, DS, type DashboardDefinition } from "../components/dashboards/kit";
import { platformHealthDashboard } from "../components/dashboards/platform-health";
import { componentsOfCharts, PLATFORM_METRICS } from "../components/dashboards/platform-metrics";
import {
    BUILTIN_VARIABLES,
    datasourceUidsOf,
    panelsOf,
    queriesOf,
    variablesOf,
    variablesUsedIn,
    type DashboardQuery,
} from "./support/dashboard-queries";
import { SLO_OVERVIEW_UID, sloDashboard, sloOverviewDashboard } from "../components/dashboards/slo";
import { periodWindow, SLI_WINDOWS, SLO_LABELS, sloMetricNames } from "../components/sre/slo-series";
import { DATASOURCE_UIDS } from "../components/grafana/datasource";
import { serviceSloGroups } from "../components/sre/slo-rules";
import { GRAFANA_DASHBOARD_LABEL, GRAFANA_FOLDER_ANNOTATION } from "../components/metrics/kube-prometheus-stack";
import { dashboardFiles, writePlan, type Plan } from "../tools/offline/plan";
import { chartValues } from "./support/charts";
import { ofType, planVariant, stackConfig } from "./support/program";
import { parseErrors, promqlMetricNames } from "./support/query-grammars";
import { recordedSeries } from "./support/slo-rules";

// ---- test inputs, built directly (slo-sources.ts derives them from the SLO config) ----------------

const checkout: ServiceDashboardInput = {
    service: "checkout",
    namespace: "shop",
    podRegex: "checkout-.*",
    selector: { job: "shop/checkout" },
    latencyHistogram: "http_server_request_duration_seconds",
    requestCounter: "http_server_request_duration_seconds_count",
    errors: { label: "http_response_status_code", regex: "5.." },
    logSelector: { namespace: "shop", container: "checkout" },
};
const payments: ServiceDashboardInput = {
    service: "payments-authorization-gateway-europe-west",
    namespace: "payments",
    podRegex: "payments-auth-.*",
    selector: { service_name: "payments-auth", deployment_environment: "prod" },
    latencyHistogram: "rpc_server_duration_seconds",
    requestCounter: "rpc_server_requests_total",
    errors: { label: "rpc_grpc_status_code", regex: "2|4|13|14" },
    logSelector: { namespace: "payments", app: "payments-auth" },
};
const SLOS: SloDashboardInput[] = [
    { service: "checkout", slo: "availability", objectivePercent: 99.9, periodDays: 30 },
    { service: "checkout", slo: "latency-p99", objectivePercent: 99, periodDays: 30, description: "99% of requests under 300 ms" },
    { service: payments.service, slo: "availability", objectivePercent: 99.95, periodDays: 28 },
];
const ALL_DATASOURCES = new Set<string>(Object.values(DATASOURCE_UIDS));
const ALL_COMPONENTS = new Set<PlatformComponent>(PLATFORM_COMPONENTS);

function inputs(overrides: Partial<DashboardInputs> = {}): DashboardInputs {
    return {
        services: [checkout, payments, otelHttpService("cart", "shop")],
        slos: SLOS,
        platform: { components: ALL_COMPONENTS, prometheusRemoteWrite: true, namespaces: ["gitops", "logging", "monitoring", "tracing"] },
        datasourceUids: ALL_DATASOURCES,
        ...overrides,
    };
}

// ---- checks shared by the unit and the plan tests ---------------------------------------------------

const allQueries = (defs: readonly DashboardDefinition[]): DashboardQuery[] => defs.flatMap(queriesOf);

function grammarProblems(defs: readonly DashboardDefinition[]): string[] {
    return allQueries(defs).flatMap((q) => parseErrors(q.language, q.text).map((e) => `${q.dashboard} ${q.where} (${q.language}): ${e}\n  ${q.text}`));
}

/** Every text in the model where Grafana interpolates variables: queries, titles, links, data links. */
function interpolatedTexts(def: DashboardDefinition): string[] {
    const texts = allQueries([def]).map((q) => q.text);
    for (const p of panelsOf(def)) {
        texts.push(String(p.title ?? ""));
        const overrides = (p.fieldConfig?.overrides ?? []) as { properties: { id: string; value: { url: string }[] }[] }[];
        for (const o of overrides) for (const prop of o.properties) if (prop.id === "links") texts.push(...prop.value.map((l) => l.url));
    }
    for (const l of def.model.links ?? []) texts.push(l.url ?? "");
    return texts;
}

function undefinedVariables(def: DashboardDefinition): string[] {
    const defined = new Set(variablesOf(def).map((v) => String(v.name)));
    const used = interpolatedTexts(def).flatMap((t) => [...variablesUsedIn(t)]);
    return [...new Set(used.filter((v) => !defined.has(v) && !BUILTIN_VARIABLES.has(v)))];
}

function unknownMetrics(defs: readonly DashboardDefinition[], allowed: ReadonlySet<string>): string[] {
    const out = new Set<string>();
    for (const q of allQueries(defs).filter((x) => x.language === "promql")) {
        for (const name of promqlMetricNames(q.text)) if (!allowed.has(name)) out.add(`${q.dashboard} ${q.where}: ${name}`);
    }
    return [...out];
}

function allowedMetrics(components: Iterable<PlatformComponent>, slos: readonly SloDashboardInput[], services: readonly ServiceDashboardInput[], sloSeries?: ReadonlySet<string>) {
    return new Set<string>([
        ...[...components].flatMap((c) => PLATFORM_METRICS[c]),
        ...(sloSeries ?? new Set([30, ...slos.map((s) => s.periodDays)].flatMap(sloMetricNames))),
        ...services.flatMap(serviceMetricNames),
    ]);
}

const exprs = (def: DashboardDefinition) => queriesOf(def).map((q) => q.text);
const panel = (def: DashboardDefinition, title: string) => {
    const p = panelsOf(def).find((x) => x.title === title);
    assert.ok(p, `${def.uid} has a panel "${title}"`);
    return p;
};

// ---- unit tests on the dashboards built from test inputs --------------------------------------------

describe("dashboards", () => {
    const defs = platformDashboards(inputs());

    it("builds every kind of dashboard from the inputs, with unique uids Grafana accepts", () => {
        const uids = defs.map((d) => d.uid);
        assert.equal(new Set(uids).size, uids.length);
        for (const uid of uids) assert.match(uid, /^[a-z0-9_-]{1,40}$/);
        // platform health, SLO overview, 3 SLOs, 3 golden signals, 3 correlations, delivery
        assert.equal(defs.length, 1 + 1 + SLOS.length + 3 + 3 + 1);
    });

    it("parses every query with the official PromQL, LogQL and TraceQL grammars, without error nodes", () => {
        const languages = new Set(allQueries(defs).map((q) => q.language));
        assert.deepEqual([...languages].sort(), ["logql", "promql", "traceql"]);
        assert.deepEqual(grammarProblems(defs), []);
    });

    it("the grammar check finds broken queries (so a clean result means something)", () => {
        assert.notDeepEqual(parseErrors("promql", "sum(rate(up[5m])"), []);
        assert.notDeepEqual(parseErrors("promql", 'rate(up{cluster=~"$cluster"}[$cluster])'), []);
        assert.notDeepEqual(parseErrors("logql", '{namespace="shop"} |= '), []);
        assert.notDeepEqual(parseErrors("traceql", "{ duration > }"), []);
        assert.deepEqual(parseErrors("promql", 'rate(up{cluster=~"$cluster"}[$__rate_interval])'), []);
    });

    it("refers only to provisioned datasources", () => {
        for (const d of defs) for (const uid of datasourceUidsOf(d)) assert.ok(ALL_DATASOURCES.has(uid), `${d.uid}: ${uid}`);
        const metricsOnly = platformDashboards(inputs({ datasourceUids: new Set([DATASOURCE_UIDS.metrics, DATASOURCE_UIDS.alertmanager]) }));
        assert.ok(!metricsOnly.some((d) => d.uid.startsWith("corr-")), "no correlation dashboard without Loki and Tempo");
        for (const d of metricsOnly) assert.deepEqual([...datasourceUidsOf(d)], [DATASOURCE_UIDS.metrics], d.uid);
    });

    it("uses only template variables the dashboard defines (or Grafana's built-ins)", () => {
        for (const d of defs) assert.deepEqual(undefinedVariables(d), [], d.uid);
        // A metric name is written into the query as it is; a string literal is escaped (`\x24`).
        const broken = goldenSignalsDashboard({ ...checkout, requestCounter: "$deployment" });
        assert.deepEqual(undefinedVariables(broken), ["deployment"]);
        assert.deepEqual(undefinedVariables(goldenSignalsDashboard({ ...checkout, podRegex: "$deployment-.*" })), []);
    });

    it("queries only metrics the platform's components, the SLO rules or the services themselves produce", () => {
        assert.deepEqual(unknownMetrics(defs, allowedMetrics(ALL_COMPONENTS, SLOS, inputs().services)), []);
        // The check bites: without kube-state-metrics the saturation panels have no source.
        const withoutKsm = [...ALL_COMPONENTS].filter((c) => c !== "kube-state-metrics");
        assert.ok(unknownMetrics(defs, allowedMetrics(withoutKsm, SLOS, inputs().services)).some((m) => m.endsWith("kube_pod_info")));
    });

    it("queries no metric that kube-prometheus-stack's own relabelings drop at scrape time", () => {
        // Every `*MetricRelabelings` drop rule on __name__ alone in the chart's defaults (cAdvisor,
        // kubelet, exporters...), applied to the metrics the dashboards expect from that chart.
        const drops: RegExp[] = [];
        const walk = (node: unknown): void => {
            if (Array.isArray(node)) return node.forEach(walk);
            if (typeof node !== "object" || node === null) return;
            for (const [key, value] of Object.entries(node)) {
                if (/MetricRelabelings$/.test(key) && Array.isArray(value)) {
                    for (const r of value as { action?: string; sourceLabels?: string[]; regex?: string }[]) {
                        if (r.action === "drop" && r.regex && r.sourceLabels?.length === 1 && r.sourceLabels[0] === "__name__") drops.push(new RegExp(`^(?:${r.regex})$`));
                    }
                }
                walk(value);
            }
        };
        walk(chartValues("kube-prometheus-stack"));
        assert.ok(drops.some((d) => d.test("container_cpu_load_average_10s")), "found the chart's cAdvisor drop rules");
        const fromChart = componentsOfCharts(["kube-prometheus-stack"]);
        const dropped = [...fromChart].flatMap((c) => PLATFORM_METRICS[c]).filter((m) => drops.some((d) => d.test(m)));
        assert.deepEqual(dropped, []);
    });

    it("is deterministic: the same inputs give byte-identical JSON, independent of selector key order", () => {
        const again = platformDashboards(
            inputs({
                services: [
                    { ...checkout, selector: { job: "shop/checkout" } },
                    { ...payments, selector: { deployment_environment: "prod", service_name: "payments-auth" } },
                    otelHttpService("cart", "shop"),
                ],
            }),
        );
        assert.deepEqual(again.map(dashboardJson), defs.map(dashboardJson));
        for (const d of defs) {
            const ids = panelsOf(d).map((p) => p.id);
            assert.deepEqual(ids, ids.map((_, i) => i + 1), `${d.uid}: panel ids are 1..n`);
            for (const p of panelsOf(d)) {
                const refIds = ((p.targets ?? []) as { refId: string }[]).map((t) => t.refId);
                assert.equal(new Set(refIds).size, refIds.length, `${d.uid} ${p.title}: unique refIds`);
            }
        }
    });

    it("lays panels out on Grafana's 24-column grid without overlaps", () => {
        for (const d of defs) {
            const boxes = panelsOf(d).map((p) => ({ title: p.title as string, ...(p.gridPos as { x: number; y: number; w: number; h: number }) }));
            for (const b of boxes) assert.ok(b.x >= 0 && b.w > 0 && b.x + b.w <= 24, `${d.uid} ${b.title}: ${JSON.stringify(b)}`);
            for (const [i, a] of boxes.entries()) {
                for (const b of boxes.slice(i + 1)) {
                    const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
                    assert.ok(!overlap, `${d.uid}: "${a.title}" overlaps "${b.title}"`);
                }
            }
        }
    });

    it("keeps long uids within 40 characters and distinct", () => {
        const a = dashboardUid("slo", "payments-authorization-gateway-europe-west", "availability");
        const b = dashboardUid("slo", "payments-authorization-gateway-europe-west", "latency");
        assert.ok(a.length <= 40 && b.length <= 40);
        assert.notEqual(a, b);
        assert.equal(dashboardUid("svc", "Checkout API"), "svc-checkout-api");
    });

    it("refuses two dashboards with one uid", () => {
        assert.throws(() => platformDashboards(inputs({ slos: [SLOS[0], { ...SLOS[0], objectivePercent: 99 }] })), /share the uid slo-checkout-availability/);
    });

    it("golden signals: p50/p95/p99 latency with exemplars, traffic, error ratio and pod saturation for the service", () => {
        const d = goldenSignalsDashboard(checkout);
        assert.ok(variablesOf(d).some((v) => v.name === "cluster"));
        const latency = panel(d, "Latency p50 / p95 / p99");
        const quantiles = (latency.targets as { expr: string }[]).map((t) => /histogram_quantile\(([0-9.]+)/.exec(t.expr)?.[1]);
        assert.deepEqual(quantiles, ["0.5", "0.95", "0.99"]);
        assert.ok((latency.targets as { exemplar?: boolean }[]).some((t) => t.exemplar), "exemplars on");
        for (const e of exprs(d).filter((x) => x.includes("http_server_request_duration_seconds"))) {
            assert.match(e, /job="shop\/checkout"/);
            assert.match(e, /cluster=~"\$cluster"/);
        }
        assert.match(panel(d, "Error ratio").targets[0].expr, /http_response_status_code=~"5\.\."/);
        const deploys = queriesOf(d).find((q) => q.where === "annotation Deployments");
        assert.ok(deploys, "deployments drawn over the signals");
        assert.deepEqual([...promqlMetricNames(deploys.text)].sort(), ["argocd_app_info", "argocd_app_sync_total"]);
        assert.match(deploys.text, /dest_namespace="shop"/);
        for (const title of ["CPU", "Memory", "CPU throttling", "Restarts"]) {
            for (const t of panel(d, title).targets as { expr: string }[]) assert.match(t.expr, /namespace="shop", pod=~"checkout-\.\*"/);
        }
    });

    it("escapes regexes and quotes from the inputs into valid string literals, and rejects bad label names", () => {
        const odd: ServiceDashboardInput = {
            ...checkout,
            service: 'check"out',
            podRegex: "checkout-[a-z0-9]+-\\w{5}",
            selector: { job: 'shop/"checkout"' },
            errors: { label: "code", regex: "5\\d\\d" },
        };
        const defs = [goldenSignalsDashboard(odd), correlationDashboard(odd)];
        assert.deepEqual(grammarProblems(defs), []);
        assert.match(panel(defs[0], "Error ratio").targets[0].expr, /code=~"5\\\\d\\\\d"/);
        assert.match(panel(defs[0], "Error ratio").targets[0].expr, /job="shop\/\\"checkout\\""/);
        assert.throws(() => goldenSignalsDashboard({ ...checkout, errors: { label: "status-code", regex: "5.." } }), /"status-code" is not a Prometheus label name/);
        assert.throws(() => goldenSignalsDashboard({ ...checkout, selector: { "app.kubernetes.io/name": "x" } }), /not a Prometheus label name/);
    });

    it("SLO dashboard: remaining budget gauge, burn rate per Sloth window, budget consumed, attainment against target, firing alerts", () => {
        const d = sloDashboard(SLOS[0]);
        const gauge = panel(d, "Error budget left");
        assert.equal(gauge.type, "gauge");
        assert.match(gauge.targets[0].expr, /^slo:period_error_budget_remaining:ratio\{sloth_service="checkout", sloth_slo="availability"\}$/);
        const burn = panel(d, "Burn rate per window").targets as { expr: string; legendFormat: string }[];
        assert.deepEqual(burn.map((t) => t.legendFormat), [...SLI_WINDOWS]);
        for (const t of burn) assert.match(t.expr, new RegExp(`^slo:sli_error:ratio_rate${t.legendFormat}\\{`));
        assert.match(panel(d, "Error budget consumed").targets[0].expr, /^1 - slo:period_error_budget_remaining:ratio/);
        // Attainment turns green exactly at the objective.
        const attainment = panel(d, "Attainment");
        assert.match(attainment.targets[0].expr, /slo:sli_error:ratio_rate30d/);
        assert.deepEqual(attainment.fieldConfig.defaults.thresholds.steps.map((s: { value: number | null }) => s.value), [null, 0.999]);
        assert.match(panel(d, "Firing alerts").targets[0].expr, /ALERTS\{alertstate="firing", sloth_service="checkout", sloth_slo="availability"\}/);
        assert.match(sloDashboard(SLOS[2]).model.description ?? "", /28 days/);
        // Sloth names the 28-day window as Prometheus formats it.
        assert.match(panel(sloDashboard(SLOS[2]), "Attainment").targets[0].expr, /ratio_rate4w\{/);
    });

    it("SLO overview covers every SLO by the Sloth labels", () => {
        const d = sloOverviewDashboard();
        const table = panel(d, "SLOs");
        for (const t of table.targets as { expr: string }[]) assert.match(t.expr, new RegExp(`^max by \\(${SLO_LABELS.service}, ${SLO_LABELS.slo}\\)`));
    });

    it("platform health: rows only for what is installed, remote write only when Prometheus remote-writes", () => {
        const metricsOf = (d: DashboardDefinition) => new Set(exprs(d).flatMap((e) => [...promqlMetricNames(e)]));
        const minimal = metricsOf(
            platformHealthDashboard({ components: componentsOfCharts(["kube-prometheus-stack", "argo-cd"]), prometheusRemoteWrite: false, namespaces: ["monitoring"] }),
        );
        assert.ok(minimal.has("prometheus_tsdb_head_samples_appended_total"));
        assert.ok(minimal.has("kubelet_volume_stats_available_bytes"), "time to full");
        for (const m of minimal) assert.doesNotMatch(m, /^(loki|tempo|cortex|thanos|otelcol|alloy)_|^prometheus_remote_storage/);
        const full = metricsOf(platformHealthDashboard(inputs().platform));
        for (const prefix of ["loki_distributor", "tempo_distributor", "cortex_", "thanos_", "otelcol_", "loki_write_", "prometheus_remote_storage_"]) {
            assert.ok([...full].some((m) => m.startsWith(prefix)), prefix);
        }
        const fleet = panel(platformHealthDashboard(inputs().platform), "Clusters");
        for (const t of fleet.targets as { expr: string }[]) assert.match(t.expr, /by \(cluster\)/);
    });

    it("platform health: failure events by reason from the events Alloy's streams, only with the logs datasource", () => {
        const events = panel(platformHealthDashboard(inputs().platform, true), "Failure events by reason");
        assert.equal(events.datasource.uid, DS.logs.uid);
        assert.equal(
            events.targets[0].expr,
            'sum by (cluster, reason) (count_over_time({job="kubernetes-events", cluster=~"$cluster"} | logfmt | reason=~"OOMKilling|FailedScheduling|BackOff|Failed|Evicted|FailedMount|Unhealthy" [$__auto]))',
        );
        const withoutLogs = platformHealthDashboard(inputs().platform, false);
        assert.ok(!panelsOf(withoutLogs).some((p) => p.title === "Failure events by reason"));
    });

    it("correlation: exemplars on the latency, the service's traces in Tempo, logs of the chosen trace in Loki", () => {
        const d = correlationDashboard(checkout);
        assert.ok(panel(d, "Latency with exemplars").targets.some((t: { exemplar?: boolean }) => t.exemplar));
        const traces = panel(d, "Failed or slower than 500ms");
        assert.equal(traces.targets[0].datasource.uid, DS.traces.uid);
        assert.match(traces.targets[0].query, /resource\.service\.name = "checkout"/);
        const link = traces.fieldConfig.overrides[0].properties[0].value[0].url as string;
        assert.match(link, new RegExp(`^/d/${d.uid}\\?var-trace_id=\\$\\{__value\\.raw\\}`));
        const logsPanel = panel(d, "Logs");
        assert.equal(logsPanel.type, "logs");
        assert.equal(logsPanel.targets[0].datasource.uid, DS.logs.uid);
        assert.equal(logsPanel.targets[0].expr, '{container="checkout", namespace="shop", cluster=~"$cluster"} |= "$trace_id"');
    });

    it("delivery: the four DORA proxies from Argo CD and alert history, each explained in the description", () => {
        const d = deliveryDashboard();
        for (const p of Object.values(DORA_PROXIES)) assert.ok(d.model.description?.includes(p));
        const metricsOf = (title: string) => new Set(panel(d, title).targets.flatMap((t: { expr: string }) => [...promqlMetricNames(t.expr)]));
        assert.deepEqual([...metricsOf("Deployment frequency")], ["argocd_app_sync_total"]);
        assert.deepEqual([...metricsOf("Lead time (proxy)")].sort(), ["argocd_app_info", "argocd_app_sync_total"]);
        assert.match(panel(d, "Change failure rate (proxy)").targets[0].expr, /phase=~"Failed\|Error".*\/.*phase=~"\.\*"/);
        assert.deepEqual([...metricsOf("Time to restore (proxy)")].sort(), ["ALERTS", "ALERTS_FOR_STATE"]);
    });
});

describe("SLO rule names", () => {
    it("match what Sloth generates, read from a plan's rules/ directory", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slo-rules-"));
        try {
            fs.mkdirSync(path.join(dir, "rules"));
            fs.copyFileSync(path.join(__dirname, "fixtures", "sloth-checkout-availability.yaml"), path.join(dir, "rules", "checkout-availability.yaml"));
            const recorded = recordedSeries({ resources: [] }, dir);
            assert.deepEqual(sloMetricNames(30).filter((n) => !recorded.has(n)), []);
            const d = sloDashboard({ service: "checkout", slo: "availability", objectivePercent: 99.9, periodDays: 30 });
            assert.deepEqual(unknownMetrics([d], new Set([...recorded, ...PLATFORM_METRICS.prometheus])), []);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("are the series the SLO rules generator records, for 30- and 28-day periods", () => {
        for (const period of ["30d", "28d"] as const) {
            const objective = { name: "availability", kind: "availability", target: 99.9, period, metric: "http_requests_total", selector: { job: "checkout" }, errorSelector: { code: "5.." } } as const;
            const service = { service: "checkout", owner: "shop", runbookUrl: "https://runbooks.example.com/checkout", objectives: [objective] };
            const recorded = serviceSloGroups(service, { cluster: "prod-gke" }).flatMap((g) => g.rules.flatMap((r) => ("record" in r ? [r.record] : [])));
            const d = sloDashboard({ service: "checkout", slo: "availability", objectivePercent: 99.9, periodDays: Number(period.replace("d", "")) });
            assert.deepEqual(unknownMetrics([d], new Set([...recorded, ...PLATFORM_METRICS.prometheus])), [], period);
        }
    });

    it("name the SLO period window as Prometheus formats durations", () => {
        assert.deepEqual([30, 28, 14, 7, 90, 365].map(periodWindow), ["30d", "4w", "2w", "1w", "90d", "1y"]);
        assert.throws(() => periodWindow(0.5), /not a whole number of days/);
    });
});

// ---- the dashboards as the offline plan provisions them ------------------------------------------

describe("dashboards in the plan", () => {
    const plans: Record<string, Plan> = {};
    before(async function () {
        this.timeout(120_000);
        plans.dev = await planVariant("dev");
        plans.prod = await planVariant("prod");
        // Prod's SLOs with a 28-day period for each service's latency SLO, whose window the rules
        // and the dashboards must both name "4w".
        const slos = JSON.parse(stackConfig("prod")["observability-platform:slos"]) as { objectives: { kind: string; period?: string }[] }[];
        for (const s of slos) for (const o of s.objectives) if (o.kind === "latency") o.period = "28d";
        plans["prod-28d"] = await planVariant("prod", { set: { slos } });
        assert.ok(plans["prod-28d"].settings.slos.every((s) => s.objectives.some((o) => o.period === "28d")));
    });

    const configMaps = (plan: Plan) =>
        ofType(plan, "kubernetes:core/v1:ConfigMap").filter((r) => (r.inputs as any).metadata?.labels?.[GRAFANA_DASHBOARD_LABEL] === "1");
    const definitionsOf = (plan: Plan): DashboardDefinition[] =>
        [...dashboardFiles(plan).values()].map((json) => {
            const model = JSON.parse(json);
            return { uid: model.uid, title: model.title, folder: "Platform", model };
        });

    for (const stack of ["dev", "prod", "prod-28d"]) {
        it(`${stack}: one sidecar ConfigMap per dashboard in the monitoring namespace, filed in a folder`, () => {
            const plan = plans[stack];
            const maps = configMaps(plan);
            assert.ok(maps.length >= 3);
            for (const m of maps) {
                const i = m.inputs as any;
                assert.equal(i.metadata.namespace, plan.settings.namespaces.monitoring);
                assert.ok(i.metadata.annotations[GRAFANA_FOLDER_ANNOTATION]);
                const [file, json] = Object.entries(i.data as Record<string, string>)[0];
                assert.equal(file, `${JSON.parse(json).uid}.json`);
                assert.ok(m.name.startsWith(`${plan.settings.clusters.find((c) => c.role === "hub")!.name}-`));
            }
        });

        it(`${stack}: every dashboard parses, uses provisioned datasources and defined variables, and queries deployed metrics`, () => {
            const plan = plans[stack];
            const defs = definitionsOf(plan);
            assert.deepEqual(grammarProblems(defs), []);
            const kps = plan.releases.find((r) => r.chart === "kube-prometheus-stack")!;
            const provisioned = new Set(((kps.values as any).grafana.additionalDataSources as { uid: string }[]).map((d) => d.uid));
            for (const d of defs) for (const uid of datasourceUidsOf(d)) assert.ok(provisioned.has(uid), `${d.uid}: datasource ${uid}`);
            for (const d of defs) assert.deepEqual(undefinedVariables(d), [], d.uid);
            // Metrics: produced by a chart this plan installs, recorded by the plan's SLO rules, or
            // named by the SLO config (the services' own series, histograms with their _bucket and _count).
            const sloSeries = new Set([...recordedSeries(plan)].filter((n) => n.startsWith("slo:") || n.startsWith("sloth_")));
            const components = componentsOfCharts(plan.releases.map((r) => r.chart));
            const ownSeries = plan.settings.slos.flatMap((s) => s.objectives).flatMap((o) => [o.metric, `${o.metric}_bucket`, `${o.metric}_count`]);
            const allowed = new Set([...allowedMetrics(components, [], [], sloSeries.size > 0 ? sloSeries : undefined), ...ownSeries]);
            assert.deepEqual(unknownMetrics(defs, allowed), []);
            if (plan.settings.slos.length > 0) {
                assert.ok(defs.some((d) => (d.model.tags ?? []).includes("slo") && d.uid !== SLO_OVERVIEW_UID), "the check covers per-SLO dashboards");
            }
        });
    }

    it("provisions the dashboards on the hub only, whatever the number of spokes", async function () {
        this.timeout(120_000);
        const fleet = await planVariant("prod", {
            set: {
                clusters: [
                    { name: "hub-gke", location: "us-central1", role: "hub" },
                    { name: "edge-a", location: "us-east1-b", role: "spoke" },
                ],
                fleet: { hub: { host: "fleet.prod.example.internal" } },
            },
        });
        const maps = configMaps(fleet);
        assert.deepEqual(maps.map((m) => m.name).sort(), configMaps(plans.prod).map((m) => m.name.replace(/^prod-gke-/, "hub-gke-")).sort());
        for (const m of maps) assert.equal(m.provider, "hub-gke-k8s");
    });

    it("keeps exemplars in Prometheus, which the latency panels link to traces from", () => {
        for (const plan of Object.values(plans)) {
            const kps = plan.releases.find((r) => r.chart === "kube-prometheus-stack")!;
            assert.ok(((kps.values as any).prometheus.prometheusSpec.enableFeatures as string[]).includes("exemplar-storage"));
        }
    });

    it("writes dashboards/<uid>.json, identical across plan runs", async function () {
        this.timeout(120_000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dashboards-"));
        try {
            const written = writePlan(plans.prod, dir).filter((f) => f.startsWith("dashboards/"));
            assert.deepEqual(written.sort(), configMaps(plans.prod).map((m) => `dashboards/${Object.keys((m.inputs as any).data)[0]}`).sort());
            const again = await planVariant("prod");
            for (const [file, json] of dashboardFiles(again)) assert.equal(fs.readFileSync(path.join(dir, "dashboards", file), "utf8"), json);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
