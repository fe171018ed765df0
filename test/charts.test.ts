// Releases pin exactly the chart packages in the chart cache, and every value key they set exists there.
import * as assert from "node:assert/strict";
import { CHARTS } from "../components/charts/pins";
import { UNRENDERED_CHARTS } from "../tools/charts/cache";
import type { Plan } from "../tools/offline/plan";
import { chartValues, chartYaml, crdsRenderedBy, hasChart, undeclaredValuePaths } from "./support/charts";
import { planVariant } from "./support/program";

/**
 * Maps a chart leaves open, per chart: below each any key is accepted ("/" separates keys, "**"
 * matches any depth). Keep it short: everything else must be declared in the chart's values.yaml.
 */
const FREE_FORM: Readonly<Record<string, readonly string[]>> = {
    "kube-prometheus-stack": [
        "**/resources", // container resources: charts declare `resources: {}`
        "prometheus/prometheusSpec/externalLabels", // label map
        "prometheus/prometheusSpec/thanos", // prometheus-operator ThanosSpec, declared as {}
        "prometheus/prometheusSpec/storageSpec", // a PVC template, declared as {}
        "prometheus/prometheusSpec/ruleSelector", // a label selector, declared as {}
        // The Thanos Ruler (prometheus-operator ThanosRuler spec): selectors, a PVC template and the
        // Alertmanager client config, declared as {}.
        "thanosRuler/thanosRulerSpec/ruleSelector",
        "thanosRuler/thanosRulerSpec/ruleNamespaceSelector",
        "thanosRuler/thanosRulerSpec/storage",
        "thanosRuler/thanosRulerSpec/alertmanagersConfig/secret",
        "thanosRuler/thanosRulerSpec/objectStorageConfig/existingSecret",
        "alertmanager/alertmanagerSpec/storage", // a PVC template, declared as {}
        "grafana/grafana.ini", // Grafana's ini file as a map
        "grafana/ingress/annotations", // annotation maps, declared as {}
        "grafana/service/annotations",
    ],
    "argo-cd": [
        "**/resources",
    ],
    // Logs and traces.
    // Loki's own config blocks, rendered as they are (values.schema.json: additionalProperties).
    loki: ["**/resources", "loki/analytics", "loki/compactor", "loki/limits_config", "loki/schemaConfig", "loki/rulerConfig"],
    // The workload's update strategy (a Deployment strategy), declared as {}.
    alloy: ["**/resources", "controller/updateStrategy"],
    // Tempo config blocks the chart renders with toYaml.
    tempo: [
        "**/resources",
        "tempo/metricsGenerator/processor",
        "tempo/metricsGenerator/registry",
        "tempo/overrides/defaults",
        "tempo/storage/trace",
    ],
    // The collector's own config: checked by the pipeline consistency test (test/traces.test.ts).
    "opentelemetry-collector": ["**/resources", "config"],
    "opentelemetry-operator": ["**/resources"],
    "mimir-distributed": [
        "**/resources",
        // Mimir's own configuration, merged over `mimir.config` (a YAML template string).
        "mimir/structuredConfig",
    ],
    thanos: ["**/resources"],
    "prometheus-redis-exporter": ["**/resources", "podSecurityContext", "securityContext"],
    // The exporter's own config (module names checked by test/probes.test.ts).
    "prometheus-blackbox-exporter": ["**/resources", "podSecurityContext", "config/modules"],
};

/** Keys the charts document only as commented-out examples in values.yaml. */
const DOCUMENTED_IN_COMMENTS: Readonly<Record<string, readonly string[]>> = {
    "kube-prometheus-stack": [
        "grafana/persistence/storageClassName",
        "grafana/ingress/ingressClassName",
        "alertmanager/alertmanagerSpec/configSecret", // "# configSecret:" under alertmanagerSpec
    ],
    "argo-cd": [],
    loki: ["loki/storage/bucketNames"],
    alloy: [],
    tempo: ["persistence/storageClassName"],
    "opentelemetry-collector": [],
    "opentelemetry-operator": [],
    // Commented out under each component's persistentVolume in values.yaml (both 6.2.0 and main).
    "mimir-distributed": [
        "ingester/persistentVolume/storageClass",
        "store_gateway/persistentVolume/storageClass",
        "compactor/persistentVolume/storageClass",
        "alertmanager/persistentVolume/storageClass",
    ],
    thanos: [],
    // "# relabelings: []" under serviceMonitor.
    "prometheus-redis-exporter": ["serviceMonitor/relabelings", "serviceMonitor/interval"],
    "prometheus-blackbox-exporter": [],
};

describe("Helm charts", () => {
    const plans: Plan[] = [];
    before(async () => {
        plans.push(await planVariant("dev"));
        plans.push(await planVariant("prod"));
        plans.push(
            await planVariant("prod", {
                set: {
                    metricsBackend: "thanos",
                    loki: { deploymentMode: "Distributed" },
                    clusters: [
                        { name: "hub-gke", location: "us-central1", role: "hub" },
                        { name: "edge", location: "us-east1", role: "spoke" },
                    ],
                    grafana: { ingress: { enabled: true, host: "grafana.example.com", className: "nginx", tlsSecretName: "tls", access: "password-only" } },
                    fleet: { hub: { host: "fleet.example.com" } },
                },
            }),
        );
        // The long-term stores: Mimir with spokes, Thanos on a single cluster.
        plans.push(
            await planVariant("prod", {
                set: {
                    clusters: [
                        { name: "hub-gke", location: "us-central1", role: "hub" },
                        { name: "edge", location: "us-east1", role: "spoke" },
                    ],
                    fleet: { hub: { host: "fleet.example.com" } },
                },
            }),
        );
        plans.push(await planVariant("prod", { set: { metricsBackend: "thanos" } }));
    });

    it("has every pinned chart's package in the chart cache, except the one known to be unavailable", () => {
        for (const pin of Object.values(CHARTS)) {
            if (!hasChart(pin.chart)) {
                assert.ok(UNRENDERED_CHARTS[pin.chart], `${pin.chart} ${pin.version} is missing from the chart cache`);
                continue;
            }
            const meta = chartYaml(pin.chart);
            assert.deepEqual([meta.name, meta.version], [pin.chart, pin.version]);
        }
    });

    it("gives each release the API versions of exactly the CRDs its chart installs", () => {
        for (const pin of Object.values(CHARTS)) {
            if (!hasChart(pin.chart)) continue;
            const shipped = pin.crdApiVersions.length === 0 ? [] : crdsRenderedBy(pin.chart).flatMap((c) => c.versions.map((v) => `${c.group}/${v.name}`));
            assert.deepEqual([...new Set(shipped)].sort(), [...pin.crdApiVersions].sort(), pin.chart);
        }
    });

    it("installs every release from a pinned chart, repository and version", () => {
        const pinned = new Set(Object.values(CHARTS).map((c) => `${c.repo} ${c.chart}@${c.version}`));
        for (const plan of plans) {
            assert.ok(plan.releases.length > 0);
            for (const release of plan.releases) {
                assert.ok(pinned.has(`${release.repo} ${release.chart}@${release.version}`), `${release.resource}: ${release.chart}@${release.version}`);
            }
        }
    });

    it("installs an OCI chart by its full reference, without a repository to add", () => {
        const thanos = plans.flatMap((p) => p.resources).filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name.endsWith("-thanos"));
        assert.ok(thanos.length > 0);
        for (const r of thanos) {
            const i = r.inputs as Record<string, any>;
            assert.equal(i.chart, "oci://registry-1.docker.io/bitnamicharts/thanos");
            assert.equal(i.version, CHARTS.thanos.version);
            assert.equal(i.repositoryOpts, undefined);
        }
        const mimir = plans.flatMap((p) => p.resources).find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name.endsWith("-mimir"))!.inputs as Record<string, any>;
        assert.deepEqual([mimir.chart, mimir.repositoryOpts.repo], ["mimir-distributed", "https://grafana.github.io/helm-charts"]);
    });

    for (const pin of Object.values(CHARTS)) {
        it(`sets only value keys that ${pin.chart} ${pin.version} declares`, () => {
            const defaults = chartValues(pin.chart);
            const allowed = [...FREE_FORM[pin.chart], ...DOCUMENTED_IN_COMMENTS[pin.chart]];
            let checked = 0;
            for (const plan of plans) {
                for (const release of plan.releases.filter((r) => r.chart === pin.chart)) {
                    assert.deepEqual(undeclaredValuePaths(release.values, defaults, allowed), [], `${plan.stack}/${release.resource}`);
                    checked++;
                }
            }
            assert.ok(checked >= 2, "at least two plans install this chart");
        });
    }

    it("catches a misspelt value key", () => {
        const defaults = chartValues("kube-prometheus-stack");
        const misspelt = { prometheus: { prometheusSpec: { retentionSise: "1GiB", resources: { requests: { cpu: "1" } } } } };
        assert.deepEqual(undeclaredValuePaths(misspelt, defaults, FREE_FORM["kube-prometheus-stack"]), [
            "prometheus.prometheusSpec.retentionSise",
        ]);
        // A key under a map the chart declares empty is caught unless that map is listed as free-form.
        assert.deepEqual(undeclaredValuePaths({ prometheus: { prometheusSpec: { storageSpec: { x: 1 } } } }, defaults, []), [
            "prometheus.prometheusSpec.storageSpec.x",
        ]);
    });

    it("checks Grafana keys against the bundled grafana chart", () => {
        const defaults = chartValues("kube-prometheus-stack") as any;
        const grafana = chartYaml("kube-prometheus-stack").dependencies?.find((d) => d.name === "grafana");
        assert.equal(grafana?.version, "12.11.1", "kube-prometheus-stack 88.5.3 vendors grafana 12.11.1");
        // `persistence` is declared by the grafana chart, not by kube-prometheus-stack's own values.
        assert.ok("persistence" in defaults.grafana);
        assert.deepEqual(undeclaredValuePaths({ grafana: { persistance: {} } }, defaults, []), ["grafana.persistance"]);
    });
});

