// Adopting releases that already run (clusters[].adopt): the config checks, the resources the program
// declares for them, the import files `npm run adopt` writes and the steps it prints, and the
// data-loss guard with adoption. Expectations are written out by hand from the prod stack file.
import * as assert from "node:assert/strict";
import Ajv from "ajv";
import { DataLossError } from "../components/data-loss/guard";
import { adoptionImports, adoptionSteps, type ImportFile } from "../tools/adopt/imports";
import { planStack, type Plan } from "../tools/offline/plan";
import { ofType, planVariant, stackConfig, T, type PlanVariant } from "./support/program";
import { refusedKeys, resolveStack } from "./support/stack-settings";

const URN = "urn:pulumi:prod::observability-platform::";
const PROD_CLUSTER = `${URN}observability:index:Platform$observability:cluster:ClusterPlatform::prod-gke`;
const PROD_PROVIDER = `${URN}observability:index:Platform$observability:cluster:ClusterPlatform$pulumi:providers:kubernetes::prod-gke-k8s`;
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

const hub = (adopt: unknown) => [{ name: "prod-gke", location: "asia-northeast3", role: "hub", adopt }];

describe("adopting running releases", function () {
    this.timeout(180_000);
    let prod: Plan;
    const urns = new Map<string, string>();
    before(async () => {
        prod = await planStack("prod", { config: stackConfig("prod"), secretKeys: [], onRegistered: (r) => urns.set(r.name, r.urn) });
    });

    describe("config", () => {
        it("refuses an adopted release outside the platform's namespace for it, saying what a second copy would break", () => {
            const refused = refusedKeys({ clusters: hub({ releases: { "kube-prometheus-stack": { releaseName: "prometheus", namespace: "prometheus" } } }) });
            assert.deepEqual([...refused.keys()], ["observability-platform:clusters[0].adopt.releases.kube-prometheus-stack.namespace"]);
            const line = [...refused.values()][0];
            assert.match(line, /expected "monitoring", the platform's namespace for kube-prometheus-stack \(namespaces\.monitoring\)/);
            assert.match(line, /set namespaces\.monitoring to "prometheus"/);
            assert.match(line, /node-exporter takes host port 9100/);
            assert.match(line, /got "prometheus"$/);
        });

        it("names the Argo CD CRD ownership conflict, and accepts the adoption once the namespace follows", () => {
            const adopt = { releases: { argocd: { releaseName: "argo-cd", namespace: "gitops" } } };
            const line = [...refusedKeys({ clusters: hub(adopt) }).values()].join("\n");
            assert.match(line, /clusters\[0\]\.adopt\.releases\.argocd\.namespace: expected "argocd".*invalid ownership metadata/);
            const settings = resolveStack("prod", { clusters: hub(adopt), namespaces: { monitoring: "monitoring", logging: "logging", tracing: "tracing", gitops: "gitops" } });
            assert.deepEqual(settings.clusters[0].adopt?.releases?.argocd, { releaseName: "argo-cd", namespace: "gitops" });
        });

        it("refuses unknown releases, a hub-only release on a spoke, two releases under one Helm name and a namespace not the platform's", () => {
            const clusters = [
                {
                    name: "prod-gke",
                    location: "asia-northeast3",
                    role: "hub",
                    adopt: {
                        releases: { grafana: { releaseName: "grafana", namespace: "monitoring" }, "otel-gateway": { releaseName: "tempo", namespace: "tracing" } },
                        namespaces: ["ojeomneo"],
                    },
                },
                { name: "prod-edge", location: "asia-northeast3-a", role: "spoke", adopt: { releases: { loki: { releaseName: "loki", namespace: "logging" } } } },
            ];
            const refused = refusedKeys({ clusters, fleet: { hub: { host: "fleet.prod.acme-corp.example" } } });
            assert.deepEqual([...refused.keys()].sort(), [
                "observability-platform:clusters[0].adopt.namespaces[0]",
                "observability-platform:clusters[0].adopt.releases.grafana",
                "observability-platform:clusters[0].adopt.releases.tempo.releaseName",
                "observability-platform:clusters[1].adopt.releases.loki",
            ]);
            assert.match(refused.get("observability-platform:clusters[0].adopt.releases.grafana")!, /one of the keys kube-prometheus-stack, argocd, otel-gateway/);
            assert.match(refused.get("observability-platform:clusters[0].adopt.releases.tempo.releaseName")!, /other than "tempo", which otel-gateway has in namespace tracing/);
            assert.match(refused.get("observability-platform:clusters[1].adopt.releases.loki")!, /installs loki on the hub only, and prod-edge is a spoke/);
            assert.match(refused.get("observability-platform:clusters[0].adopt.namespaces[0]")!, /one of the platform's namespaces \(monitoring, logging, tracing, argocd\).*got "ojeomneo"/);
        });
    });

    describe("what the program declares", () => {
        it("installs the adopted releases under their own Helm names and namespaces, under the program's resource names", () => {
            const releases = new Map(ofType(prod, T.release).map((r) => [r.name, `${(r.inputs as any).namespace}/${(r.inputs as any).name}`]));
            assert.equal(releases.get("prod-gke-kube-prometheus-stack"), "monitoring/kube-prometheus-stack");
            assert.equal(releases.get("prod-gke-argocd"), "argocd/argocd");
            assert.equal(releases.get("prod-gke-otel-gateway"), "tracing/opentelemetry-collector");
            // Not adopted: the program's own names.
            assert.equal(releases.get("prod-gke-opentelemetry-operator"), "tracing/opentelemetry-operator");
            assert.deepEqual(prod.outputs.clusters && Object.keys((prod.outputs.clusters as any)["prod-gke"].releases).filter((n) => n.startsWith("opentelemetry")), [
                "opentelemetry-collector",
                "opentelemetry-operator",
            ]);
        });

        it("admits OTLP to the adopted collector's pods, which the chart labels with the adopted release name", () => {
            const policy = ofType(prod, NETPOL).find((r) => r.name === "prod-gke-netpol-tracing-allow-otlp-from-cluster");
            assert.deepEqual((policy?.inputs as any).spec.podSelector.matchLabels, {
                "app.kubernetes.io/instance": "opentelemetry-collector",
                "app.kubernetes.io/name": "opentelemetry-collector",
            });
        });

        it("keeps every namespace when the stack is destroyed (retainOnDelete), and nothing else", () => {
            const namespaces = ofType(prod, T.namespace);
            assert.deepEqual(namespaces.map((n) => n.name), ["prod-gke-ns-argocd", "prod-gke-ns-logging", "prod-gke-ns-monitoring", "prod-gke-ns-tracing"]);
            for (const ns of namespaces) assert.equal(ns.retainOnDelete, true, ns.name);
            assert.deepEqual(prod.resources.filter((r) => r.retainOnDelete && r.type !== T.namespace).map((r) => r.name), []);
        });
    });

    describe("npm run adopt", () => {
        it("writes prod's import files with the program's exact names, parents and providers", () => {
            const a = adoptionImports(prod);
            assert.deepEqual(a.parents, {
                resources: [
                    { type: "observability:index:Platform", name: "observability-prod", component: true },
                    { type: "observability:cluster:ClusterPlatform", name: "prod-gke", parent: "observability-prod", component: true },
                ],
            });
            assert.deepEqual(a.providerUrns, [PROD_PROVIDER]);
            const on = { parent: "prod-gke", provider: "prod-gke-k8s" };
            assert.deepEqual(a.imports, {
                nameTable: { "prod-gke": PROD_CLUSTER, "prod-gke-k8s": PROD_PROVIDER },
                resources: [
                    { type: "kubernetes:core/v1:Namespace", name: "prod-gke-ns-argocd", id: "argocd", ...on },
                    { type: "kubernetes:core/v1:Namespace", name: "prod-gke-ns-monitoring", id: "monitoring", ...on },
                    { type: "kubernetes:core/v1:Namespace", name: "prod-gke-ns-tracing", id: "tracing", ...on },
                    { type: "kubernetes:helm.sh/v3:Release", name: "prod-gke-kube-prometheus-stack", id: "monitoring/kube-prometheus-stack", ...on },
                    { type: "kubernetes:helm.sh/v3:Release", name: "prod-gke-argocd", id: "argocd/argocd", ...on },
                    { type: "kubernetes:helm.sh/v3:Release", name: "prod-gke-otel-gateway", id: "tracing/opentelemetry-collector", ...on },
                ],
            });
            assert.deepEqual(a.crdUpgrades, [
                {
                    cluster: "prod-gke",
                    command:
                        "helm show crds kube-prometheus-stack --repo https://prometheus-community.github.io/helm-charts --version 88.5.3 | " +
                        "kubectl --context gke_acme-observability-prod_asia-northeast3_prod-gke apply --server-side --force-conflicts -f -",
                },
            ]);
        });

        // The engine qualifies a child's type with every ancestor's below the stack (as in its own error
        // messages: "urn:pulumi:prod::foobar::foobar:aws:VPC$aws:ec2/vpc:Vpc$aws:ec2/internetGateway:..."),
        // while the SDK's mocks keep the parent's type only: ours must end as the mocks' do.
        it("builds URNs that agree with those the Pulumi SDK's mocks gave, with the whole ancestry", () => {
            const a = adoptionImports(prod);
            const tail = (urn: string) => urn.split("::").slice(2).join("::");
            const entries = [...Object.entries(a.imports.nameTable ?? {})];
            for (const r of a.imports.resources) entries.push([r.name, `${URN}observability:index:Platform$observability:cluster:ClusterPlatform$${r.type}::${r.name}`]);
            for (const [name, urn] of entries) {
                const mock = urns.get(name);
                assert.ok(mock, name);
                assert.ok(tail(urn).endsWith(tail(mock)), `${urn} vs ${mock}`);
                assert.ok(urn.startsWith(`${URN}observability:index:Platform$`), urn);
            }
        });

        it("prints the steps for a config variant, with the single commands", async () => {
            const variant: PlanVariant = {
                set: { clusters: [{ name: "dev-gke", location: "us-central1-a", role: "hub", adopt: { releases: { "alloy-logs": { releaseName: "alloy", namespace: "logging" } }, namespaces: ["tracing"] } }] },
            };
            const dev = await planVariant("dev", variant);
            const a = adoptionImports(dev);
            const D = "urn:pulumi:dev::observability-platform::observability:index:Platform$observability:cluster:ClusterPlatform";
            const flags = `--parent 'dev-gke=${D}::dev-gke' --provider 'dev-gke-k8s=${D}$pulumi:providers:kubernetes::dev-gke-k8s' --protect=false --generate-code=false`;
            assert.equal(
                adoptionSteps(a, "dev", { parents: "out/adopt/dev/parents.json", imports: "out/adopt/dev/import.json" }),
                [
                    `Stack dev: 3 resources to import. Run in this order (README, "Adopting a running cluster"):`,
                    "",
                    "# 1. The components the imported resources belong to, created empty (no cluster is touched):",
                    "pulumi import --stack dev --file out/adopt/dev/parents.json --protect=false --generate-code=false",
                    "",
                    "# 2. Each cluster's Kubernetes provider, alone (it creates nothing in the cluster):",
                    `pulumi up --stack dev --target '${D}$pulumi:providers:kubernetes::dev-gke-k8s'`,
                    "",
                    "# 3. The namespaces and releases that already run:",
                    "pulumi import --stack dev --file out/adopt/dev/import.json --protect=false --generate-code=false",
                    "#    or, one at a time:",
                    `#    pulumi import --stack dev 'kubernetes:core/v1:Namespace' 'dev-gke-ns-logging' 'logging' ${flags}`,
                    `#    pulumi import --stack dev 'kubernetes:core/v1:Namespace' 'dev-gke-ns-tracing' 'tracing' ${flags}`,
                    `#    pulumi import --stack dev 'kubernetes:helm.sh/v3:Release' 'dev-gke-alloy-logs' 'logging/alloy' ${flags}`,
                    "",
                    "# 4. Check: updates only, no replacement (+-), no create of an imported name:",
                    "pulumi preview --stack dev --diff",
                    "",
                    "# 5. Then: pulumi up --stack dev (the program's values replace the releases' own).",
                ].join("\n"),
            );
        });

        it("says so for a stack that adopts nothing", async () => {
            const dev = await planVariant("dev");
            const a = adoptionImports(dev);
            assert.deepEqual(a.imports.resources, []);
            assert.equal(adoptionSteps(a, "dev", { parents: "p", imports: "i" }), "Stack dev adopts nothing (no clusters[].adopt): pulumi up installs every release itself.");
        });

        // No Pulumi CLI runs here, so this is the weaker, hand-written check: a JSON schema written
        // from the CLI's import file format (pkg/cmd/pulumi/operations/import.go: importSpec and its
        // rules: an id unless a component, never both; parents and providers named in the file or in
        // nameTable; providers only from nameTable).
        it("writes files of the documented import format (hand-written schema: no Pulumi CLI offline)", () => {
            const entry = {
                type: "object",
                additionalProperties: false,
                required: ["type", "name"],
                properties: {
                    type: { type: "string", pattern: "^[^:]+:[^:]*:[^:]+$" },
                    name: { type: "string", minLength: 1 },
                    id: { type: "string", minLength: 1 },
                    parent: { type: "string", minLength: 1 },
                    provider: { type: "string", minLength: 1 },
                    version: { type: "string" },
                    pluginDownloadUrl: { type: "string" },
                    properties: { type: "array", items: { type: "string" } },
                    component: { type: "boolean" },
                    remote: { type: "boolean" },
                    logicalName: { type: "string" },
                },
                oneOf: [
                    { required: ["id"], not: { required: ["component"], properties: { component: { const: true } } } },
                    { required: ["component"], properties: { component: { const: true } }, not: { required: ["id"] } },
                ],
            };
            const schema = {
                type: "object",
                additionalProperties: false,
                required: ["resources"],
                properties: {
                    nameTable: { type: "object", additionalProperties: { type: "string", pattern: "^urn:pulumi:[^:]+::[^:]+::.+::[^:]+$" } },
                    resources: { type: "array", minItems: 1, items: entry },
                    providerInputs: { type: "object" },
                },
            };
            const validate = new Ajv({ strict: false }).compile(schema);
            const a = adoptionImports(prod);
            const resolves = (file: ImportFile) => {
                const named = new Set([...Object.keys(file.nameTable ?? {}), ...file.resources.map((r) => r.name)]);
                for (const r of file.resources) {
                    if (r.parent) assert.ok(named.has(r.parent), `${r.name}: parent ${r.parent}`);
                    if (r.provider) assert.ok(r.provider in (file.nameTable ?? {}), `${r.name}: provider ${r.provider} must be in nameTable`);
                }
                assert.equal(new Set(file.resources.map((r) => r.name)).size, file.resources.length, "names are unique");
            };
            for (const file of [a.parents, a.imports]) {
                assert.ok(validate(JSON.parse(JSON.stringify(file))), JSON.stringify(validate.errors));
                resolves(file);
            }
            // The schema refuses what the CLI refuses: an entry with neither id nor component.
            assert.equal(validate({ resources: [{ type: "kubernetes:core/v1:Namespace", name: "x" }] }), false);
        });
    });

    describe("the data-loss guard", () => {
        it("accepts adoption on a first deployment and records the adopted names", () => {
            // prod was planned with no earlier outputs, as `pulumi up` right after the import sees it.
            const releases = (prod.outputs.dataInventory as any).clusters[0].releases.map((r: any) => `${r.namespace}/${r.name}`);
            assert.deepEqual(releases, ["monitoring/kube-prometheus-stack", "monitoring/mimir", "logging/loki", "tracing/tempo"]);
        });

        it("accepts the next deployment with the same adoption, and names the release a later rename would uninstall", async () => {
            const renamed: PlanVariant = { set: { clusters: hub({ releases: { "kube-prometheus-stack": { releaseName: "prometheus", namespace: "monitoring" } } }) } };
            const first = await planStack("prod", { config: stackConfig("prod", renamed), secretKeys: [] });
            await planStack("prod", { config: stackConfig("prod", renamed), secretKeys: [], previousOutputs: first.outputs });
            try {
                await planStack("prod", { config: stackConfig("prod"), secretKeys: [], previousOutputs: first.outputs });
                assert.fail("the rename was accepted");
            } catch (err) {
                assert.ok(err instanceof DataLossError, String(err));
                assert.match(err.message, /uninstalls release prometheus \(kube-prometheus-stack\) on prod-gke: its volumes \(prometheus 50 GiB, alertmanager 2 GiB, grafana 10 GiB\) are given up/);
            }
        });
    });
});
