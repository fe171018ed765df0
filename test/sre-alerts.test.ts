// What the generated rules promise beyond promtool: valid PrometheusRule resources on every cluster,
// a runbook behind every alert, the labels routing needs, and thresholds written as exact decimals.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { add, decimal, format, multiply, subtract } from "../components/sre/decimal";
import { sloDashboard } from "../components/dashboards/slo";
import { PROMETHEUS_RULE_TYPE } from "../components/sre/install";
import type { AlertingRule, RuleGroup } from "../components/sre/rules";
import { serviceSloGroups, type ServiceSlo } from "../components/sre/slo-rules";
import { dashboardFiles, type Plan, type PlannedResource } from "../tools/offline/plan";
import { crdProblems } from "./support/crd-schema";
import { ofType, planVariant, T } from "./support/program";

const RUNBOOKS = path.resolve(__dirname, "..", "docs", "runbooks");
const fleet = [
    { name: "prod-gke", location: "asia-northeast3", role: "hub" },
    { name: "prod-spoke", location: "asia-northeast3", role: "spoke" },
];

const groupsOf = (r: PlannedResource) => (r.inputs as any).spec.groups as RuleGroup[];
const alertsOf = (r: PlannedResource) => groupsOf(r).flatMap((g) => g.rules.filter((x): x is AlertingRule => "alert" in x));

/** A service with SLO targets whose budgets float arithmetic gets wrong (1 - 0.999 = 0.0010000000000000009). */
const trickySlos = [
    {
        service: "checkout",
        owner: "payments",
        runbookUrl: "https://runbooks.example.com/checkout",
        objectives: [99.9, 99.95, 99.99, 99.999, 99.7, 95.5].map((target, i) => ({
            name: `availability-${i}`,
            kind: "availability",
            target,
            metric: "http_requests_total",
            selector: { job: "checkout" },
            errorSelector: { code: "5.." },
        })),
    },
];

/** Uid -> the "<service>/<slo>" pairs a dashboard of the plan selects by the Sloth labels of its queries. */
function sloDashboardsOf(plan: Plan): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const json of dashboardFiles(plan).values()) {
        const model = JSON.parse(json);
        const pairs = new Set<string>();
        const walk = (panels: any[] | undefined) => {
            for (const p of panels ?? []) {
                for (const t of p.targets ?? []) {
                    const m = /sloth_service="([^"]+)", sloth_slo="([^"]+)"/.exec(String(t.expr ?? ""));
                    if (m) pairs.add(`${m[1]}/${m[2]}`);
                }
                walk(p.panels);
            }
        };
        walk(model.panels);
        out.set(model.uid, pairs);
    }
    return out;
}

describe("SRE rules and alerts", function () {
    this.timeout(60_000);
    const plans: Plan[] = [];
    before(async () => {
        plans.push(await planVariant("dev"));
        plans.push(await planVariant("prod"));
        plans.push(await planVariant("prod", { set: { metricsBackend: "thanos", slos: trickySlos } }));
    });

    it("declares valid PrometheusRule resources on every cluster, after the chart that installs their CRD", async () => {
        const multi = await planVariant("prod", { set: { clusters: fleet, fleet: { hub: { host: "fleet.prod.example.internal" } } } });
        assert.equal(multi.settings.clusters.length, 2);
        for (const plan of [...plans, multi]) {
            const rules = ofType(plan, PROMETHEUS_RULE_TYPE);
            for (const cluster of plan.settings.clusters) {
                const mine = rules.filter((r) => r.name.startsWith(`${cluster.name}-`));
                // Platform rules everywhere. SLO rules (test/sre-evaluation.test.ts): with Mimir, one per
                // service on the hub for its ruler; with Thanos, one per service on every cluster and
                // the hub's long-term part of each for the Thanos Ruler.
                const hub = cluster.role === "hub";
                const perService = plan.settings.metricsBackend === "thanos" ? (hub ? 2 : 1) : hub ? 1 : 0;
                assert.equal(mine.length, plan.settings.slos.length * perService + 1, `${plan.stack}/${cluster.name}`);
                for (const r of mine) {
                    assert.deepEqual(crdProblems(r.inputs as any), [], r.name);
                    assert.ok(r.dependsOn?.includes(`${cluster.name}-kube-prometheus-stack`), `${r.name} waits for kube-prometheus-stack`);
                    assert.equal((r.inputs as any).metadata.namespace, plan.settings.namespaces.monitoring);
                }
            }
        }
    });

    it("gives every platform alert a runbook in docs/runbooks that says what it means, how to check and how to fix", () => {
        const seen = new Set<string>();
        // The platform's log alerts (Loki's ruler reads them from a labelled ConfigMap): the same runbook rules.
        const lokiAlerts = (plan: Plan): AlertingRule[] =>
            plan.resources
                .filter((x) => x.type === "kubernetes:core/v1:ConfigMap" && (x.inputs as any).metadata?.labels?.loki_rule !== undefined)
                .flatMap((x) => Object.values((x.inputs as any).data as Record<string, string>))
                .flatMap((text) => (parse(text) as { groups: RuleGroup[] }).groups.flatMap((g) => g.rules as AlertingRule[]))
                .filter((a) => a.annotations.runbook_url.startsWith(`${plan.settings.alerting.runbookBaseUrl}/`));
        for (const plan of plans) {
            const selfMonitoring = ofType(plan, PROMETHEUS_RULE_TYPE).filter((x) => x.name.endsWith("platform-self-monitoring"));
            for (const alert of [...selfMonitoring.flatMap(alertsOf), ...lokiAlerts(plan)]) {
                const url = alert.annotations.runbook_url;
                assert.equal(url, `${plan.settings.alerting.runbookBaseUrl}/${alert.alert}.md`, alert.alert);
                const file = path.join(RUNBOOKS, `${alert.alert}.md`);
                assert.ok(fs.existsSync(file), `no runbook ${path.relative(process.cwd(), file)}`);
                const text = fs.readFileSync(file, "utf8");
                assert.match(text, new RegExp(`^# ${alert.alert}\\n`), file);
                for (const section of ["## What it means", "## How to check", "## How to fix"]) assert.ok(text.includes(section), `${file}: ${section}`);
                assert.ok(alert.annotations.summary && alert.annotations.description, alert.alert);
                assert.match(alert.labels.severity, /^(critical|warning|info)$/);
                seen.add(alert.alert);
            }
        }
        // Every concern the issue names is watched: remote write, stores, volumes, agents, GitOps.
        for (const name of [
            "RemoteWriteFailing",
            "RemoteWriteBehind",
            "LokiIngestionErrors",
            "LokiCompactionFailing",
            "TempoIngestionErrors",
            "TempoCompactionFailing",
            "MimirIngestionErrors",
            "MimirCompactionFailing",
            "ThanosUploadFailing",
            "ThanosCompactionHalted",
            "PlatformVolumeFillingUp",
            "AlloyDroppingData",
            "CollectorDroppingData",
            "ArgoCDApplicationOutOfSync",
            "ArgoCDApplicationDegraded",
        ]) {
            assert.ok(seen.has(name), `no ${name} alert in any stack`);
        }
        // And no runbook is orphaned.
        for (const file of fs.readdirSync(RUNBOOKS)) assert.ok(seen.has(file.replace(/\.md$/, "")), `runbook ${file} has no alert`);
    });

    it("watches only the metrics backend a stack runs", () => {
        const names = (plan: Plan) =>
            new Set(ofType(plan, PROMETHEUS_RULE_TYPE).filter((r) => r.name.endsWith("platform-self-monitoring")).flatMap(alertsOf).map((a) => a.alert));
        const [dev, prod, thanos] = plans.map(names);
        for (const n of ["RemoteWriteFailing", "MimirIngestionErrors", "ThanosUploadFailing"]) assert.ok(!dev.has(n), `dev (local Prometheus) has ${n}`);
        assert.ok(prod.has("RemoteWriteFailing") && prod.has("MimirCompactionFailing") && !prod.has("ThanosCompactionHalted"));
        assert.ok(thanos.has("ThanosUploadFailing") && !thanos.has("RemoteWriteFailing") && !thanos.has("MimirIngestionErrors"));
    });

    it("predicts volume exhaustion 4 days ahead with predict_linear", () => {
        const alert = alertsOf(ofType(plans[1], PROMETHEUS_RULE_TYPE).find((r) => r.name.endsWith("platform-self-monitoring")) as PlannedResource).find(
            (a) => a.alert === "PlatformVolumeFillingUp",
        );
        assert.match(alert?.expr ?? "", /predict_linear\(kubelet_volume_stats_available_bytes\{[^}]*\}\[6h\], 4 \* 24 \* 3600\) < 0/);
    });

    it("links SLO alerts to the SLO's runbook and dashboard, with the labels routing and inhibition use", () => {
        const plan = plans[1];
        for (const service of plan.settings.slos) {
            const r = ofType(plan, PROMETHEUS_RULE_TYPE).find((x) => x.name === `prod-gke-slo-${service.service}`) as PlannedResource;
            const alerts = alertsOf(r).filter((a) => a.alert.endsWith("ErrorBudgetBurn"));
            assert.equal(alerts.length, 2 * service.objectives.length, "a page and a ticket per SLO");
            const absent = alertsOf(r).filter((a) => a.alert.endsWith("SLIMissing"));
            assert.equal(absent.length, service.objectives.length, "a missing-data alert per SLO");
            for (const a of absent) assert.equal(a.annotations.runbook_url, service.runbookUrl);
            for (const alert of alerts) {
                assert.equal(alert.annotations.runbook_url, service.runbookUrl);
                const uid = alert.annotations.dashboard_url.replace(/^https:\/\/grafana\.prod\.acme-corp\.example\/d\//, "");
                assert.deepEqual([...(sloDashboardsOf(plan).get(uid) ?? [])], [`${service.service}/${alert.labels.slo}`], `${alert.annotations.dashboard_url}: the SLO's dashboard`);
                assert.match(alert.annotations.description, /burn rate/);
                assert.equal(alert.labels.service, service.service);
                assert.equal(alert.labels.cluster, "prod-gke");
                assert.ok(service.objectives.some((o) => o.name === alert.labels.slo));
                assert.ok(["critical", "warning"].includes(alert.labels.severity));
            }
            // Page and ticket of one SLO share the alert name, so the page inhibits its own ticket.
            for (const o of service.objectives) {
                const names = new Set(alerts.filter((a) => a.labels.slo === o.name).map((a) => a.alert));
                assert.equal(names.size, 1);
            }
        }
    });

    it("links an SLO alert to the uid its SLO dashboard gets, also when that uid is shortened to 40 characters", () => {
        const service = { ...trickySlos[0], service: "payments-authorization-gateway-europe-west" } as unknown as ServiceSlo;
        const objective = service.objectives[0];
        const alerts = serviceSloGroups(service, { cluster: "prod-gke", grafanaUrl: "https://grafana.example.com" })
            .flatMap((g) => g.rules)
            .filter((r): r is AlertingRule => "alert" in r && r.alert.endsWith("ErrorBudgetBurn") && r.labels.slo === objective.name);
        const uid = sloDashboard({ service: service.service, slo: objective.name, objectivePercent: objective.target, periodDays: 30 }).uid;
        assert.ok(uid.length <= 40, uid);
        assert.equal(alerts.length, 2);
        for (const a of alerts) assert.equal(a.annotations.dashboard_url, `https://grafana.example.com/d/${uid}`);
    });

    it("links SLO alerts of long service and SLO names to the dashboard the plan provisions for the SLO", async () => {
        const service = "payments-authorization-gateway-europe-west";
        const slo = "availability-of-the-checkout-api";
        const plan = await planVariant("prod", {
            set: { slos: [{ ...trickySlos[0], service, objectives: [{ ...trickySlos[0].objectives[0], name: slo }] }] },
        });
        const alerts = ofType(plan, PROMETHEUS_RULE_TYPE).flatMap(alertsOf).filter((a) => a.alert.endsWith("ErrorBudgetBurn"));
        assert.equal(alerts.length, 2);
        const dashboards = sloDashboardsOf(plan);
        for (const alert of alerts) {
            const url = alert.annotations.dashboard_url;
            const uid = [...dashboards.keys()].find((u) => url.endsWith(`/d/${u}`));
            assert.ok(uid, `${url} links to a dashboard of the plan (${[...dashboards.keys()].join(", ")})`);
            assert.deepEqual([...dashboards.get(uid)!], [`${service}/${slo}`]);
            assert.ok(uid.length <= 40, uid);
        }
    });

    it("records the SLI for every window the alerts read and the period, plus objective, budget and burn rates", () => {
        const r = ofType(plans[1], PROMETHEUS_RULE_TYPE).find((x) => x.name === "prod-gke-slo-ojeomneo-server") as PlannedResource;
        const records = new Set(groupsOf(r).flatMap((g) => g.rules.map((x) => ("record" in x ? x.record : ""))));
        for (const w of ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]) assert.ok(records.has(`slo:sli_error:ratio_rate${w}`), w);
        for (const m of ["objective", "error_budget", "current_burn_rate", "period_burn_rate", "period_error_budget_remaining"]) {
            assert.ok([...records].some((x) => x.startsWith(`slo:${m}:`)), m);
        }
        const period = groupsOf(r)
            .flatMap((g) => g.rules)
            .find((x) => "record" in x && x.record === "slo:sli_error:ratio_rate30d");
        assert.match(period?.expr ?? "", /sum_over_time\(slo:sli_bad_events:rate5m\{.*\}\[30d\]\)/, "derived from the 5m series");
        assert.doesNotMatch(period?.expr ?? "", /rate\(http/, "not a 30-day rate over the raw series");
    });

    it("writes every threshold, objective and budget as an exact decimal", () => {
        const plan = plans[2];
        const exprs = ofType(plan, PROMETHEUS_RULE_TYPE)
            .flatMap((r) => groupsOf(r))
            .flatMap((g) => g.rules.map((x) => x.expr));
        const literals = exprs.flatMap((e) => e.match(/(?<![\w.:])\d+\.\d+/g) ?? []);
        assert.ok(literals.length > 50);
        for (const literal of literals) {
            assert.doesNotMatch(literal, /(0{6,}|9{6,})\d*$/, `float artefact ${literal}`);
            assert.ok(literal.replace(/^0\.0*/, "").length <= 8, `too many digits: ${literal}`);
        }
        // The page threshold of 99.95% is 14.4 × 0.0005, read back exactly as text.
        const alerts = ofType(plan, PROMETHEUS_RULE_TYPE).flatMap(alertsOf);
        const of = (slo: string, severity: string) => alerts.find((a) => a.labels.slo === slo && a.labels.severity === severity)?.expr ?? "";
        assert.match(of("availability-1", "critical"), /slo:sli_error:ratio_rate1h\{[^}]+\} > 0\.0072\n/);
        assert.match(of("availability-1", "critical"), /slo:sli_error:ratio_rate6h\{[^}]+\} > 0\.003\n/);
        assert.match(of("availability-3", "warning"), /slo:sli_error:ratio_rate3d\{[^}]+\} > 0\.00001\n/);
        const recorded = ofType(plan, PROMETHEUS_RULE_TYPE)
            .flatMap((r) => groupsOf(r))
            .flatMap((g) => g.rules)
            .filter((x) => "record" in x && x.record === "slo:error_budget:ratio" && x.labels?.slo === "availability-0");
        assert.equal(recorded[0]?.expr, "vector(0.001)");
        // Plain floating point would have written these.
        assert.notEqual(String(1 - 0.999), "0.001");
        assert.notEqual(String(14.4 * (1 - 0.9995)), "0.0072");
    });

    it("computes decimals exactly", () => {
        assert.equal(format(subtract(decimal(1), decimal("0.999"))), "0.001");
        assert.equal(format(multiply(decimal(14.4), decimal("0.0005"))), "0.0072");
        assert.equal(format(multiply(decimal(6), decimal("0.00001"))), "0.00006");
        assert.equal(format(add(decimal("0.1"), decimal("0.2"))), "0.3");
        assert.equal(format(decimal(1e-7)), "0.0000001");
        assert.equal(format(decimal(100)), "100");
        assert.throws(() => decimal(Number.NaN));
    });
});

describe("SRE Kubernetes resources", () => {
    it("puts the Alertmanager config Secret in the monitoring namespace of every cluster", async () => {
        const plan = await planVariant("dev");
        const secrets = ofType(plan, T.secret).filter((s) => (s.inputs as any).metadata.name === "alertmanager-platform-config");
        assert.equal(secrets.length, plan.settings.clusters.length);
        for (const s of secrets) assert.equal((s.inputs as any).metadata.namespace, plan.settings.namespaces.monitoring);
    });
});
