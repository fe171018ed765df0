// Where each rule group is evaluated, per metrics backend and fleet shape: every alert is loaded by
// exactly one evaluator (the selectors are simulated on the planned labels), each evaluator holds the
// data its rules read, a minimal stack whose Prometheus keeps less than the SLO period is refused,
// and the plan's rules files say who evaluates them.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../components/config/errors";
import { resolveSettings } from "../components/config/settings";
import { PROMETHEUS_RULE_TYPE } from "../components/sre/install";
import { splitByLookback } from "../components/sre/evaluation";
import type { AlertingRule, RecordingRule, RuleGroup } from "../components/sre/rules";
import { writePlan, type Plan, type PlannedResource } from "../tools/offline/plan";
import { ofType, planVariant } from "./support/program";
import { promtoolPath, promtoolTestRules, runTool } from "./support/prometheus-tools";
import { matchesSelector, type LabelSelector } from "./support/label-selector";

const HOST = "fleet.hub.acme-corp.example";
const withSpoke = (backend: string, extra: Record<string, unknown> = {}) => ({
    set: {
        metricsBackend: backend,
        clusters: [
            { name: "hub-gke", location: "us-central1", role: "hub" },
            { name: "edge-gke", location: "us-east1", role: "spoke" },
        ],
        fleet: { hub: { host: HOST } },
        ...extra,
    },
});

/** One SLO, as a minimal stack would declare it. */
const minimalSlos = [
    {
        service: "shop",
        owner: "team-shop",
        runbookUrl: "https://runbooks.example.com/shop",
        objectives: [{ name: "availability", kind: "availability", target: 99.9, metric: "http_requests_total", selector: { job: "shop" }, errorSelector: { code: "5.." } }],
    },
];

/** A ruleSelector: absent selects no rule (prometheus-operator's nil selector). */
const selects = (selector: LabelSelector | undefined, labels: Record<string, string>): boolean => selector !== undefined && matchesSelector(selector, labels);

const values = (plan: Plan, resource: string): Record<string, any> => {
    const r = plan.releases.find((x) => x.resource === resource);
    assert.ok(r, `${resource} is planned`);
    return r.values as Record<string, any>;
};
const hasRelease = (plan: Plan, resource: string) => plan.releases.some((x) => x.resource === resource);
const clusterOf = (r: PlannedResource) => String(r.provider).replace(/-k8s$/, "");
const labelsOf = (r: PlannedResource) => ((r.inputs as any).metadata.labels ?? {}) as Record<string, string>;
const groupsOf = (r: PlannedResource) => (r.inputs as any).spec.groups as RuleGroup[];
const alertsOf = (r: PlannedResource) => groupsOf(r).flatMap((g) => g.rules.filter((x): x is AlertingRule => "alert" in x));

/**
 * Who loads each planned PrometheusRule, read from the planned selectors: a cluster's Prometheus
 * (its kube-prometheus-stack ruleSelector), Mimir's ruler (the hub's alloy-rules config selects it),
 * the Thanos Ruler (the hub's thanosRuler.ruleSelector).
 */
function evaluatorsOf(plan: Plan, rule: PlannedResource): string[] {
    const cluster = clusterOf(rule);
    const labels = labelsOf(rule);
    const out: string[] = [];
    const kps = values(plan, `${cluster}-kube-prometheus-stack`);
    if (selects(kps.prometheus.prometheusSpec.ruleSelector, labels)) out.push(`prometheus@${cluster}`);
    if (kps.thanosRuler?.enabled && selects(kps.thanosRuler.thanosRulerSpec.ruleSelector, labels)) out.push(`thanos-ruler@${cluster}`);
    if (hasRelease(plan, `${cluster}-alloy-rules`)) {
        const config: string = values(plan, `${cluster}-alloy-rules`).alloy.configMap.content;
        const m = /rule_selector \{\s*match_labels = \{ "([^"]+)" = "([^"]+)" \}/.exec(config);
        assert.ok(m, config);
        if (labels[m[1]] === m[2]) out.push(`mimir-ruler@${cluster}`);
    }
    return out;
}

function sloRules(plan: Plan): PlannedResource[] {
    return ofType(plan, PROMETHEUS_RULE_TYPE).filter((r) => /-slo-/.test(r.name));
}

describe("where the SLO and platform rules are evaluated", function () {
    this.timeout(120_000);
    const plans: Record<string, Plan> = {};
    let tmp: string;

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sre-evaluation-"));
        plans.prod = await planVariant("prod");
        plans.thanos = await planVariant("prod", { set: { metricsBackend: "thanos" } });
        plans["mimir-fleet"] = await planVariant("prod", withSpoke("mimir"));
        plans["thanos-fleet"] = await planVariant("prod", withSpoke("thanos"));
        // The same fleet with the services placed: one on both clusters, one on the spoke alone.
        const where: Record<string, string[]> = { "ojeomneo-server": ["hub-gke", "edge-gke"], "reviewmaps-server": ["edge-gke"] };
        const placed = plans["thanos-fleet"].settings.slos.map((s) => ({ ...s, clusters: where[s.service] }));
        plans["thanos-fleet-placed"] = await planVariant("prod", withSpoke("thanos", { slos: placed }));
        plans["minimal-fleet"] = await planVariant("dev", {
            set: { ...withSpoke("prometheus").set, slos: minimalSlos, prometheus: { retentionDays: 31, storageGi: 40 } },
        });
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("loads every PrometheusRule into exactly one evaluator, in every backend and fleet", () => {
        for (const [name, plan] of Object.entries(plans)) {
            const rules = ofType(plan, PROMETHEUS_RULE_TYPE);
            assert.ok(rules.length > 0);
            for (const r of rules) {
                const by = evaluatorsOf(plan, r);
                assert.equal(by.length, 1, `${name}: ${r.name} is loaded by ${by.join(", ") || "nothing"}`);
                // The label says which, and the evaluator it names is the one that selects it.
                assert.equal(by[0], `${labelsOf(r)["observability-platform/evaluator"]}@${clusterOf(r)}`, `${name}: ${r.name}`);
            }
        }
    });

    it("with Mimir, evaluates each SLO alert once for the fleet, in Mimir's ruler, notifying every replica of the hub's Alertmanager", () => {
        for (const name of ["prod", "mimir-fleet"]) {
            const plan = plans[name];
            const hub = plan.settings.clusters.find((c) => c.role === "hub")!.name;
            const rules = sloRules(plan);
            assert.equal(rules.length, plan.settings.slos.length, `${name}: one PrometheusRule per service`);
            for (const r of rules) {
                assert.equal(clusterOf(r), hub, `${name}: ${r.name} is on the hub only`);
                assert.deepEqual(evaluatorsOf(plan, r), [`mimir-ruler@${hub}`]);
            }
            // Each SLO alert (name and severity) exists once in the whole fleet.
            const alerts = rules.flatMap(alertsOf).map((a) => `${a.alert}/${a.labels.severity}`);
            assert.equal(new Set(alerts).size, alerts.length, `${name}: ${alerts.join(" ")}`);
            // Platform alerts stay on every cluster's own Prometheus.
            for (const c of plan.settings.clusters) {
                const own = ofType(plan, PROMETHEUS_RULE_TYPE).find((r) => r.name === `${c.name}-platform-self-monitoring`)!;
                assert.deepEqual(evaluatorsOf(plan, own), [`prometheus@${c.name}`]);
            }
            const sync = values(plan, `${hub}-alloy-rules`);
            assert.equal(sync.controller.type, "deployment");
            assert.equal(sync.controller.replicas, 1);
            const config: string = sync.alloy.configMap.content;
            assert.match(config, /mimir\.rules\.kubernetes "platform" \{/);
            assert.match(config, /address\s+= "http:\/\/mimir-gateway\.monitoring\.svc:80"/);
            assert.match(config, /tenant_id\s+= "prod"/, "the tenant every cluster remote-writes as");
            assert.match(config, /"kubernetes\.io\/metadata\.name" = "monitoring"/);
            const ruler = values(plan, `${hub}-mimir`).mimir.structuredConfig.ruler;
            assert.equal(ruler.alertmanager_url, "dnssrvnoa+http://_http-web._tcp.alertmanager-operated.monitoring.svc.cluster.local");
            assert.equal(ruler.evaluation_interval, plan.settings.prometheus.scrapeInterval);
            // The ruler's store keeps the period: retention well past 30 days.
            assert.equal(values(plan, `${hub}-mimir`).mimir.structuredConfig.limits.compactor_blocks_retention_period, `${395 * 24}h`);
        }
        // Spokes carry no SLO rules at all: their two local days cannot hold the period.
        const spoke = plans["mimir-fleet"].settings.clusters.find((c) => c.role === "spoke")!.name;
        assert.equal(values(plans["mimir-fleet"], `${spoke}-kube-prometheus-stack`).prometheus.prometheusSpec.retention, "2d");
        assert.ok(!hasRelease(plans["mimir-fleet"], `${spoke}-alloy-rules`));
    });

    it("with Thanos, keeps the burn-rate alerts on each cluster and moves the period and budget rules to one Thanos Ruler on the hub", () => {
        const plan = plans["thanos-fleet"];
        const hub = "hub-gke";
        const names = (rs: PlannedResource[]) => rs.map((r) => r.name).sort();
        const slo = sloRules(plan);
        // Services say nothing of where they run, so they run on the hub: the spoke evaluates none
        // (its SLI-missing alerts would fire for services it never ran).
        assert.deepEqual(names(slo.filter((r) => clusterOf(r) === "edge-gke")), []);
        // Placed, each cluster evaluates the burn rates of the services it runs; the hub's ruler
        // keeps the period rules of every service, whichever cluster's series they read.
        const placed = sloRules(plans["thanos-fleet-placed"]);
        assert.deepEqual(names(placed.filter((r) => clusterOf(r) === "edge-gke")), ["edge-gke-slo-ojeomneo-server", "edge-gke-slo-reviewmaps-server"]);
        assert.deepEqual(names(placed.filter((r) => clusterOf(r) === hub)), [
            "hub-gke-slo-ojeomneo-server",
            "hub-gke-slo-ojeomneo-server-long-term",
            "hub-gke-slo-reviewmaps-server-long-term",
        ]);
        assert.deepEqual(names(slo.filter((r) => clusterOf(r) === hub)), [
            "hub-gke-slo-ojeomneo-server",
            "hub-gke-slo-ojeomneo-server-long-term",
            "hub-gke-slo-reviewmaps-server",
            "hub-gke-slo-reviewmaps-server-long-term",
        ]);
        const records = (r: PlannedResource) => groupsOf(r).flatMap((g) => g.rules.map((x) => ("record" in x ? x.record : x.alert)));
        for (const r of slo) {
            const local = labelsOf(r)["observability-platform/evaluator"] === "prometheus";
            assert.deepEqual(evaluatorsOf(plan, r), [local ? `prometheus@${clusterOf(r)}` : `thanos-ruler@${hub}`]);
            if (local) {
                // Every alert window fits the cluster's 7 days; nothing local reads the period.
                assert.ok(!records(r).includes("slo:sli_error:ratio_rate30d"), r.name);
                assert.ok(records(r).some((x) => x.endsWith("ErrorBudgetBurn")), r.name);
            } else {
                for (const x of ["slo:sli_error:ratio_rate30d", "slo:period_burn_rate:ratio", "slo:period_error_budget_remaining:ratio"]) {
                    assert.ok(records(r).includes(x), `${r.name} records ${x}`);
                }
                assert.ok(!records(r).some((x) => x.endsWith("ErrorBudgetBurn")), `${r.name} holds no burn-rate alert`);
                // Per cluster: the budget alerts keep the cluster label of the series they read.
                for (const a of alertsOf(r)) assert.equal(a.labels.cluster, undefined, a.alert);
            }
        }
        // Hub's local and long-term rules together are exactly Mimir's rules for the same SLOs: none lost, none twice.
        const multiset = (rs: PlannedResource[]) => rs.flatMap(records).sort();
        assert.deepEqual(multiset(slo.filter((r) => clusterOf(r) === hub)), multiset(sloRules(plans["mimir-fleet"])));

        const kps = values(plan, `${hub}-kube-prometheus-stack`);
        const spec = kps.thanosRuler.thanosRulerSpec;
        assert.equal(spec.retention, "3d", "keeps a block past the 2 days after which a failed upload can be retried");
        assert.equal(kps.thanosRuler.serviceAccount.name, "thanos-ruler", "uploads as its own Workload Identity account (create/get/list, no delete)");
        assert.deepEqual(spec.queryEndpoints, ["thanos-query.monitoring.svc:9090"]);
        assert.deepEqual(spec.objectStorageConfig.existingSecret, { name: "thanos-objstore", key: "objstore.yml" });
        const am = spec.alertmanagersConfig.secret.alertmanagers[0];
        assert.equal(am.api_version, "v2", "Alertmanager serves only API v2");
        assert.deepEqual(am.static_configs, ["dnssrvnoa+_http-web._tcp.alertmanager-operated.monitoring.svc.cluster.local"]);
        assert.equal(spec.storage.volumeClaimTemplate.spec.resources.requests.storage, `${plan.settings.thanos.rulerStorageGi}Gi`);
        assert.equal(values(plan, "edge-gke-kube-prometheus-stack").thanosRuler, undefined, "one ruler, on the hub");
        const query = values(plan, `${hub}-thanos`).query;
        assert.ok(query.replicaLabel.includes("thanos_ruler_replica"), "the ruler's replica label is deduplicated");
        assert.deepEqual(query.stores, ["dnssrv+_grpc._tcp.thanos-ruler-operated.monitoring.svc.cluster.local"]);
    });

    it("with the prometheus backend, evaluates the SLO rules once, on the hub that holds the fleet's samples", () => {
        const plan = plans["minimal-fleet"];
        const rules = sloRules(plan);
        assert.deepEqual(rules.map((r) => r.name), ["hub-gke-slo-shop"]);
        assert.deepEqual(evaluatorsOf(plan, rules[0]), ["prometheus@hub-gke"]);
        assert.equal(values(plan, "hub-gke-kube-prometheus-stack").prometheus.prometheusSpec.retention, "31d");
        assert.ok(values(plan, "hub-gke-kube-prometheus-stack").prometheus.prometheusSpec.enableRemoteWriteReceiver, "spokes write to the hub");
        assert.equal(values(plan, "edge-gke-kube-prometheus-stack").prometheus.prometheusSpec.retention, "2d");
        assert.ok(!plan.releases.some((r) => r.chart === "mimir-distributed" || r.chart === "thanos" || r.resource.endsWith("alloy-rules")));
    });

    it("heads each rules file of the plan with its evaluator, the retention behind it and the longest range each group reads", () => {
        const read = (plan: Plan, dir: string, file: string) => {
            writePlan(plan, path.join(tmp, dir));
            return fs.readFileSync(path.join(tmp, dir, "rules", file), "utf8");
        };
        const mimir = read(plans.prod, "prod", "prod-gke-slo-reviewmaps-server.yaml");
        assert.match(mimir, /^# PrometheusRule monitoring\/slo-reviewmaps-server, label observability-platform\/evaluator=mimir-ruler\.\n/);
        assert.match(mimir, /\n# Evaluated by the Mimir ruler on prod-gke \(tenant prod[^\n]*395 days \(retention\.metricsDays\)/);
        assert.match(mimir, /\n# {3}slo-reviewmaps-server-availability: 3d\n/);
        assert.match(mimir, /\n# {3}slo-meta-recordings-reviewmaps-server-availability: 30d\n/);
        const local = fs.readFileSync(path.join(tmp, "prod", "rules", "prod-gke-platform-self-monitoring.yaml"), "utf8");
        assert.match(local, /# Evaluated by the Prometheus of cluster prod-gke, over its own TSDB: 2 days /);
        assert.match(local, /# {3}observability-platform-self-monitoring: 6h\n/);
        const thanos = read(plans.thanos, "thanos", "prod-gke-slo-reviewmaps-server-long-term.yaml");
        assert.match(thanos, /evaluator=thanos-ruler\.\n# Evaluated by the Thanos Ruler on prod-gke[^\n]*30 days of raw data \(thanos\.rawRetentionDays\)/);
        const thanosLocal = fs.readFileSync(path.join(tmp, "thanos", "rules", "prod-gke-slo-reviewmaps-server.yaml"), "utf8");
        assert.match(thanosLocal, /over its own TSDB: 7 days \(prometheus\.retentionDays\)/);
        // The longest range of every local group is within the local retention: 3d of 7 days.
        assert.deepEqual(new Set([...thanosLocal.matchAll(/^# {3}\S+: (\S+)$/gm)].map((m) => m[1])), new Set(["3d", "0s"]));
        // promtool loads the files with their headers.
        const files = ["prod", "thanos"].flatMap((d) => fs.readdirSync(path.join(tmp, d, "rules")).map((f) => path.join(tmp, d, "rules", f)));
        const r = runTool(promtoolPath(), ["check", "rules", ...files]);
        assert.equal(r.status, 0, r.output);
    });

    it("pages when the ruler fails to evaluate, load or deliver the SLO rules, and not while it works", () => {
        const rule = ofType(plans.prod, PROMETHEUS_RULE_TYPE).find((r) => r.name === "prod-gke-platform-self-monitoring")!;
        const ruler = { cluster: "prod-gke", job: "monitoring/mimir-ruler", namespace: "monitoring" };
        const s = (metric: string) => `${metric}{cluster="prod-gke",job="${ruler.job}",namespace="monitoring",user="prod"}`;
        const r = promtoolTestRules(groupsOf(rule), [
            {
                interval: "1m",
                input_series: [
                    // Healthy for 30 minutes, then every evaluation fails.
                    { series: s("cortex_prometheus_rule_evaluation_failures_total"), values: "0x30 1+1x60" },
                    { series: s("cortex_prometheus_notifications_errors_total"), values: "0x90" },
                ],
                alert_rule_test: [
                    { eval_time: "30m", alertname: "RulerFailing", exp_alerts: [] },
                    { eval_time: "40m", alertname: "RulerFailing", exp_alerts: [] },
                    { eval_time: "50m", alertname: "RulerFailing", exp_alerts: [{ exp_labels: { ...ruler, severity: "critical", component: "observability-platform" } }] },
                ],
            },
        ]);
        assert.equal(r.status, 0, r.output);
        // Only a stack whose ruler holds SLO rules watches it.
        const watches = (p: Plan) => ofType(p, PROMETHEUS_RULE_TYPE).flatMap(alertsOf).some((a) => a.alert === "RulerFailing");
        assert.ok(watches(plans.prod) && watches(plans.thanos) && !watches(plans["minimal-fleet"]));
    });
});

describe("retention behind every SLO window, validated before anything is declared", () => {
    const hub = { name: "prod-gke", location: "asia-northeast3", role: "hub" };
    const resolve = (values: Record<string, unknown>) =>
        resolveSettings({
            stack: "s",
            namespace: "observability-platform",
            gcpProject: "acme-observability-prod",
            gcpRegion: "asia-northeast3",
            values: { clusters: [hub], slos: minimalSlos, ...values },
        });
    function problem(values: Record<string, unknown>, key: string): string {
        try {
            resolve(values);
        } catch (err) {
            assert.ok(err instanceof ConfigError, String(err));
            const line = err.message.split("\n").find((l) => l.startsWith(`  - observability-platform:${key}: `));
            assert.ok(line, err.message);
            return line;
        }
        assert.fail("the config was accepted");
    }

    it("refuses a minimal stack whose Prometheus keeps less than the longest SLO period plus a day, naming both numbers", () => {
        const line = problem({ tier: "minimal" }, "prometheus.retentionDays");
        assert.match(line, /expected at least 31 days: .*hub's Prometheus evaluates the SLO rules.*30 days \(slos\[0\]\.objectives\[0\]\.period, default 30d\).*; got 15$/);
        // A 28-day SLO next to it does not lower the need; a longer retention is accepted.
        const two = [minimalSlos[0], { ...minimalSlos[0], service: "cart", objectives: [{ ...minimalSlos[0].objectives[0], period: "28d" }] }];
        assert.match(problem({ tier: "minimal", slos: two, prometheus: { retentionDays: 30 } }, "prometheus.retentionDays"), /at least 31 days.*slos\[0\]\.objectives\[0\]\.period.*; got 30$/);
        assert.match(problem({ tier: "minimal", slos: [two[1]], prometheus: { retentionDays: 28 } }, "prometheus.retentionDays"), /at least 29 days.*28 days \(slos\[0\]\.objectives\[0\]\.period\).*; got 28$/);
        assert.equal(resolve({ tier: "minimal", prometheus: { retentionDays: 31 } }).prometheus.retentionDays, 31);
        // Without SLOs the tier's 15 days are fine.
        assert.equal(resolve({ tier: "minimal", slos: [] }).prometheus.retentionDays, 15);
    });

    it("refuses Thanos stacks whose clusters cannot hold the alerts' 3 days, or whose raw data is shorter than the period", () => {
        assert.match(problem({ tier: "long-term", metricsBackend: "thanos", prometheus: { retentionDays: 3 } }, "prometheus.retentionDays"), /at least 4 days: .*burn-rate alerts.*3 days.*; got 3$/);
        assert.match(
            problem({ tier: "long-term", metricsBackend: "thanos", thanos: { rawRetentionDays: 20 } }, "thanos.rawRetentionDays"),
            /at least 30 days: the Thanos Ruler computes the SLO period from raw data.*; got 20$/,
        );
        assert.equal(resolve({ tier: "long-term", metricsBackend: "thanos" }).prometheus.retentionDays, 7);
    });

    it("refuses a Mimir store that keeps less than the period, and does not ask the clusters' 2 days to hold anything", () => {
        assert.match(problem({ tier: "long-term", retention: { metricsDays: 20 } }, "retention.metricsDays"), /at least 30 days: the Mimir ruler.*; got 20$/);
        assert.equal(resolve({ tier: "long-term", remoteWrite: { localRetentionDays: 1 } }).remoteWrite.localRetentionDays, 1);
    });
});

describe("splitting rules by the data they read", () => {
    const rec = (record: string, expr: string): RecordingRule => ({ record, expr });
    const alert = (name: string, expr: string): AlertingRule => ({ alert: name, expr, labels: {}, annotations: {} });
    const day = 86_400;

    it("moves a rule that reads past the local window, and what reads its series, keeping each rule once and in order", () => {
        const groups: RuleGroup[] = [
            { name: "a", rules: [rec("short", "rate(x[5m])"), rec("long", 'sum_over_time(short{le="[30d]"}[10d])'), rec("derived", "1 - long"), alert("LongLow", "derived < 0.5")] },
            { name: "b", rules: [rec("const", "vector(1)"), rec("offset", "x offset 8d")] },
        ];
        const { local, store } = splitByLookback(groups, 7 * day, "-store");
        assert.deepEqual(local.map((g) => [g.name, g.rules.map((r) => ("record" in r ? r.record : r.alert))]), [["a", ["short"]], ["b", ["const"]]]);
        assert.deepEqual(store.map((g) => [g.name, g.rules.map((r) => ("record" in r ? r.record : r.alert))]), [["a-store", ["long", "derived", "LongLow"]], ["b-store", ["offset"]]]);
    });

    it("refuses to move an alert that also reads a local recording", () => {
        const groups: RuleGroup[] = [{ name: "a", rules: [rec("short", "rate(x[5m])"), rec("long", "rate(x[10d])"), alert("Both", "short > 1 and long > 1")] }];
        assert.throws(() => splitByLookback(groups, 7 * day, "-store"), /alert Both reads more than the 1w its local evaluator holds, and also short/);
    });
});
