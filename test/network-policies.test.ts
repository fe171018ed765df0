// The platform's NetworkPolicies: the evaluator on crafted policies first, then the policies of
// dev, prod, prod on Thanos and a fleet, evaluated against the pods and addresses the rendered
// charts imply: every flow the configuration needs is admitted, the rest of the cluster is not.
import * as assert from "node:assert/strict";
import { ConfigError } from "../components/config/errors";
import { networkPolicies } from "../components/cluster/network-policies";
import { resolveSettings } from "../components/config/settings";
import type { Plan } from "../tools/offline/plan";
import { evaluateIngress, planFlows, podsOf, type NetworkPolicy, type Pod, type PlanPod, type Source } from "./support/network-policy";
import { planVariant } from "./support/program";
import { loadModels, objectProblems, type RenderedPlan } from "./support/rendered";
import { RENDERED_STACKS, renderedStack } from "./support/rendered-stacks";

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const ns = (name: string) => ({ "kubernetes.io/metadata.name": name });
const policy = (name: string, namespace: string, spec: NetworkPolicy["spec"]): NetworkPolicy => ({ metadata: { name, namespace }, spec });
const denyAll = (namespace: string) => policy("deny", namespace, { podSelector: {}, policyTypes: ["Ingress"] });

describe("NetworkPolicy evaluator (ingress)", () => {
    const web: Pod = { namespace: "shop", labels: { app: "web" }, ports: [{ name: "http", containerPort: 8080 }, { name: "metrics", containerPort: 9100 }] };
    const client = (namespace: string, labels: Record<string, string> = { app: "client" }): Source => ({ pod: { namespace, labels } });

    it("admits everything to a pod no policy selects, and nothing once a deny-all selects it", () => {
        assert.equal(evaluateIngress([], client("other"), web, 8080).allowed, true);
        assert.equal(evaluateIngress([denyAll("elsewhere")], client("other"), web, 8080).allowed, true, "a policy of another namespace does not isolate");
        const v = evaluateIngress([denyAll("shop")], client("shop"), web, 8080);
        assert.deepEqual(v, { allowed: false, isolatedBy: ["deny"], admittedBy: [] });
    });

    it("reads a podSelector alone as pods of the policy's namespace, and a namespaceSelector with a podSelector as both", () => {
        const sameNs = policy("same", "shop", { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: "client" } } }] }] });
        assert.equal(evaluateIngress([sameNs], client("shop"), web, 8080).allowed, true);
        assert.equal(evaluateIngress([sameNs], client("other"), web, 8080).allowed, false, "same labels, other namespace");
        const both = policy("both", "shop", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: ns("mon") }, podSelector: { matchLabels: { app: "prom" } } }] }] });
        assert.equal(evaluateIngress([both], client("mon", { app: "prom" }), web, 9100).allowed, true);
        assert.equal(evaluateIngress([both], client("mon", { app: "other" }), web, 9100).allowed, false);
        assert.equal(evaluateIngress([both], client("shop", { app: "prom" }), web, 9100).allowed, false);
        // Two peers are either one.
        const either = policy("either", "shop", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: ns("mon") } }, { podSelector: { matchLabels: { app: "prom" } } }] }] });
        assert.equal(evaluateIngress([either], client("mon", { app: "other" }), web, 9100).allowed, true);
        assert.equal(evaluateIngress([either], client("shop", { app: "prom" }), web, 9100).allowed, true);
        assert.equal(evaluateIngress([either], client("other", { app: "prom" }), web, 9100).allowed, false);
        // An empty namespaceSelector is every namespace; matchExpressions narrow it.
        const anyNs = policy("any", "shop", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["bad"] }] } }] }] });
        assert.equal(evaluateIngress([anyNs], client("good"), web, 8080).allowed, true);
        assert.equal(evaluateIngress([anyNs], client("bad"), web, 8080).allowed, false);
    });

    it("resolves a named port against the target pod's own container ports, and honours protocol and endPort", () => {
        const named = policy("named", "shop", { podSelector: {}, ingress: [{ ports: [{ port: "metrics" }] }] });
        assert.equal(evaluateIngress([named], client("x"), web, 9100).allowed, true);
        assert.equal(evaluateIngress([named], client("x"), web, 8080).allowed, false);
        const elsewhere: Pod = { ...web, ports: [{ name: "metrics", containerPort: 9200 }] };
        assert.equal(evaluateIngress([named], client("x"), elsewhere, 9100).allowed, false, "the name means 9200 on this pod");
        assert.equal(evaluateIngress([named], client("x"), elsewhere, 9200).allowed, true);
        assert.equal(evaluateIngress([named], client("x"), web, 9100, "UDP").allowed, false, "TCP is the default protocol");
        const range = policy("range", "shop", { podSelector: {}, ingress: [{ ports: [{ protocol: "TCP", port: 8000, endPort: 8999 }] }] });
        assert.equal(evaluateIngress([range], client("x"), web, 8080).allowed, true);
        assert.equal(evaluateIngress([range], client("x"), web, 9100).allowed, false);
    });

    it("matches addresses outside the cluster by ipBlock only, except where excepted; a rule without from admits them", () => {
        const block = policy("vpc", "shop", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.9.0.0/16"] } }, { namespaceSelector: {} }] }] });
        assert.equal(evaluateIngress([block], { ip: "10.1.2.3" }, web, 8080).allowed, true);
        assert.equal(evaluateIngress([block], { ip: "10.9.2.3" }, web, 8080).allowed, false);
        assert.equal(evaluateIngress([block], { ip: "192.168.0.1" }, web, 8080).allowed, false, "an empty namespaceSelector is pods, not addresses");
        const open = policy("open", "shop", { podSelector: { matchLabels: { app: "web" } }, ingress: [{ ports: [{ port: 8080 }] }] });
        assert.equal(evaluateIngress([open], { ip: "203.0.113.9" }, web, 8080).allowed, true);
    });

    it("takes the union of the policies that select a pod; an egress-only policy does not isolate ingress", () => {
        const fromA = policy("a", "shop", { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: "a" } } }] }] });
        const fromB = policy("b", "shop", { podSelector: { matchLabels: { app: "web" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "b" } } }] }] });
        const v = evaluateIngress([denyAll("shop"), fromA, fromB], client("shop", { app: "b" }), web, 8080);
        assert.deepEqual(v, { allowed: true, isolatedBy: ["deny", "a", "b"], admittedBy: ["b"] });
        assert.equal(evaluateIngress([denyAll("shop"), fromA, fromB], client("shop", { app: "c" }), web, 8080).allowed, false);
        const egressOnly = policy("egress", "shop", { podSelector: {}, policyTypes: ["Egress"], egress: [] });
        assert.equal(evaluateIngress([egressOnly], client("x"), web, 8080).allowed, true);
        const defaulted = policy("defaulted", "shop", { podSelector: {}, egress: [] });
        assert.equal(evaluateIngress([defaulted], client("x"), web, 8080).allowed, false, "policyTypes defaults to Ingress (and Egress when egress is set)");
    });
});

describe("networkPolicies setting", () => {
    const values = { tier: "minimal", clusters: [{ name: "dev-gke", location: "us-central1-a", role: "hub" }] };
    const input = (extra: Record<string, unknown>) => ({
        stack: "dev",
        namespace: "observability-platform",
        gcpProject: "acme-observability-dev",
        gcpRegion: "us-central1",
        values: { ...values, ...extra },
    });

    it("is on in both tiers, and a non-boolean is refused by key path", () => {
        assert.equal(resolveSettings(input({})).networkPolicies.enabled, true);
        assert.equal(resolveSettings(input({ tier: "long-term" })).networkPolicies.enabled, true);
        assert.throws(() => resolveSettings(input({ networkPolicies: { enabled: "yes" } })), (err: unknown) => err instanceof ConfigError && /networkPolicies\.enabled: expected true or false/.test(err.message));
    });

    it("names every policy once per namespace when concerns share one (Pulumi refuses two resources of one name)", () => {
        const shared = { monitoring: "observability", logging: "observability", tracing: "observability", gitops: "observability" };
        const s = resolveSettings(input({ namespaces: shared }));
        const names = networkPolicies(s, s.clusters[0]).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
        assert.ok(names.length > 3);
        assert.equal(new Set(names).size, names.length, names.join(", "));
    });

    it("declares no NetworkPolicy when turned off, and some in every platform namespace when on", async () => {
        const off = await planVariant("dev", { set: { networkPolicies: { enabled: false } } });
        assert.deepEqual(off.resources.filter((r) => r.type === NP), []);
        const on = await planVariant("dev");
        const namespaces = new Set(on.resources.filter((r) => r.type === NP).map((r) => (r.inputs as any).metadata.namespace));
        assert.deepEqual([...namespaces].sort(), ["argocd", "logging", "monitoring", "tracing"]);
    });
});

const CASES = (["dev", "prod", "thanos", "fleet"] as const).map((key) => ({ key, name: RENDERED_STACKS[key].name }));

const policiesOf = (plan: Plan, cluster: string): NetworkPolicy[] =>
    plan.resources.filter((r) => r.type === NP && r.provider === `${cluster}-k8s`).map((r) => r.inputs as unknown as NetworkPolicy);

/** "<owner>:<port>" of every (pod, container port) of the platform namespaces a source may open. */
function reachable(policies: NetworkPolicy[], pods: PlanPod[], source: Source): string[] {
    return pods
        .flatMap((p) => p.ports.filter((c) => (c.protocol ?? "TCP") === "TCP").map((c) => ({ p, port: c.containerPort })))
        .filter(({ p, port }) => evaluateIngress(policies, source, p, port).allowed)
        .map(({ p, port }) => `${p.owner.replace(/^.*?: /, "")}:${port}`)
        .sort();
}

const summary: string[] = [];

describe("platform NetworkPolicies on rendered plans", function () {
    this.timeout(180_000);
    const rendered = new Map<string, RenderedPlan>();

    before(async () => {
        for (const c of CASES) rendered.set(c.name, await renderedStack(c.key));
        await loadModels(CASES.flatMap((c) => rendered.get(c.name)!.plan.resources.filter((r) => r.type === NP).map((r) => r.inputs as any)));
    });

    after(() => {
        if (summary.length > 0) console.log(`    ${summary.join("\n    ")}`);
    });

    it("admits Grafana on GKE's external load balancer from Google's front ends only, and on the internal one from any source", async () => {
        const prod = rendered.get("prod")!;
        const grafana = podsOf(prod, "prod-gke").find((p) => p.labels["app.kubernetes.io/name"] === "grafana")!;
        const ingress = { enabled: true, host: "grafana.prod.acme-corp.example", tlsSecretName: "grafana-tls", className: "gce", access: "password-only" };
        const external = policiesOf(await planVariant("prod", { set: { grafana: { ingress } } }), "prod-gke");
        assert.equal(evaluateIngress(external, { ip: "35.191.12.4" }, grafana, 3000).allowed, true, "a front end");
        assert.equal(evaluateIngress(external, { ip: "130.211.1.9" }, grafana, 3000).allowed, true, "a health check");
        assert.equal(evaluateIngress(external, { ip: "10.128.0.7" }, grafana, 3000).allowed, false, "a VM of the VPC");
        assert.equal(evaluateIngress(external, { pod: { namespace: "shop", labels: {} } }, grafana, 3000).allowed, false, "a pod");
        // prod's own class is gce-internal: the proxy-only subnet is not a setting.
        assert.equal(evaluateIngress(policiesOf(prod.plan, "prod-gke"), { ip: "10.129.0.3" }, grafana, 3000).allowed, true);
    });

    for (const c of CASES) {
        describe(c.name, () => {
            const rp = () => rendered.get(c.name)!;
            const clusters = () => rp().plan.settings.clusters;
            const platformPods = (cluster: string) => {
                const namespaces = Object.values(rp().plan.settings.namespaces);
                return podsOf(rp(), cluster).filter((p) => namespaces.includes(p.namespace));
            };

            it("declares only NetworkPolicies the Kubernetes 1.35 schema accepts", () => {
                const problems = rp()
                    .plan.resources.filter((r) => r.type === NP)
                    .flatMap((r) => objectProblems(r.inputs as any).map((p) => `${r.name}: ${p}`));
                assert.deepEqual(problems, []);
            });

            it("admits every flow the rendered configuration names: client pod to the pods of the Service, on the target port", () => {
                for (const cluster of clusters()) {
                    const policies = policiesOf(rp().plan, cluster.name);
                    // Mimir's chart is not rendered here (tools/charts/cache.ts): its addresses cannot be followed.
                    const report = planFlows(rp(), cluster.name, ["mimir-"]);
                    assert.deepEqual(report.unresolved.filter((u) => !/names no Service/.test(u)), [], "every address has a client and a target pod");
                    const denied = report.flows
                        .filter((f) => !evaluateIngress(policies, { pod: f.client }, f.target, f.port).allowed)
                        .map((f) => `${f.where}: ${f.address}: ${f.client.owner} -> ${f.target.owner}:${f.port}`);
                    assert.deepEqual([...new Set(denied)], []);
                    const crossing = report.flows.filter((f) => f.client.namespace !== f.target.namespace).length;
                    assert.ok(report.flows.length >= 3, `only ${report.flows.length} flows on ${cluster.name}`);
                    summary.push(`${c.name} ${cluster.name}: ${policies.length} policies; ${report.flows.length} flows admitted (${crossing} across namespaces)`);
                }
            });

            it("admits the flows the operator wires without an address: Prometheus scraping every platform pod, Prometheus and Grafana to Alertmanager, Grafana to Prometheus", () => {
                for (const cluster of clusters()) {
                    const policies = policiesOf(rp().plan, cluster.name);
                    const pods = platformPods(cluster.name);
                    const prometheus = pods.find((p) => p.labels["app.kubernetes.io/name"] === "prometheus");
                    assert.ok(prometheus, `Prometheus runs on ${cluster.name}`);
                    const missed = pods.flatMap((p) => p.ports.filter((port) => !evaluateIngress(policies, { pod: prometheus }, p, port.containerPort).allowed).map((port) => `${p.owner}:${port.containerPort}`));
                    assert.deepEqual(missed, [], "Prometheus scrapes every port a platform pod declares");
                    if (cluster.role !== "hub") continue;
                    const alertmanager = pods.find((p) => p.labels["app.kubernetes.io/name"] === "alertmanager")!;
                    const grafana = pods.find((p) => p.labels["app.kubernetes.io/name"] === "grafana")!;
                    assert.equal(evaluateIngress(policies, { pod: prometheus }, alertmanager, 9093).allowed, true);
                    assert.equal(evaluateIngress(policies, { pod: grafana }, alertmanager, 9093).allowed, true);
                    assert.equal(evaluateIngress(policies, { pod: grafana }, prometheus, 9090).allowed, true);
                }
            });

            it("lets an application pod reach only the OTLP gateway and the webhooks; from outside the pod network only the webhooks, the fleet gateway and an exposed Grafana", () => {
                const s = rp().plan.settings;
                for (const cluster of clusters()) {
                    const policies = policiesOf(rp().plan, cluster.name);
                    const pods = platformPods(cluster.name);
                    const hubWithSpokes = cluster.role === "hub" && s.clusters.length > 1;
                    const grafanaExposed = cluster.role === "hub" && s.grafana.ingress.enabled;
                    // Written out: what each source may open, and nothing else.
                    const webhooks = ["Deployment/kube-prometheus-stack-operator:10250", "Deployment/opentelemetry-operator:9443"];
                    const fromOutside = [
                        ...webhooks,
                        ...(grafanaExposed ? ["Deployment/kube-prometheus-stack-grafana:3000"] : []),
                        ...(hubWithSpokes ? ["Deployment/fleet-gateway:4317", "Deployment/fleet-gateway:8443"] : []),
                    ].sort();
                    const app = { pod: { namespace: "shop", labels: { "app.kubernetes.io/name": "checkout" } } };
                    assert.deepEqual(reachable(policies, pods, app), [...fromOutside, "Deployment/otel-gateway:4317", "Deployment/otel-gateway:4318"].sort());
                    assert.deepEqual(reachable(policies, pods, { ip: "10.128.0.7" }), fromOutside);
                }
            });

            it("lets the hub's blackbox exporter reach the Services its certificate Probes name, by the probe's own flow, and Prometheus scrape the exporter", () => {
                const hub = clusters().find((x) => x.role === "hub")!;
                const policies = policiesOf(rp().plan, hub.name);
                const pods = platformPods(hub.name);
                const named = (name: string) => pods.find((p) => p.labels["app.kubernetes.io/name"] === name)!;
                const exporter = { pod: named("prometheus-blackbox-exporter") };
                assert.ok(exporter.pod, "the exporter runs on the hub");
                assert.equal(evaluateIngress(policies, { pod: named("prometheus") }, exporter.pod, 9115).allowed, true);
                const withSpokes = clusters().length > 1;
                const inCluster = rp()
                    .plan.resources.filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:Probe" && r.provider === `${hub.name}-k8s`)
                    .map((r) => (r.inputs as any).spec.targets.staticConfig.static[0] as string)
                    .filter((t) => /\.svc:\d+$/.test(t));
                assert.deepEqual(inCluster, [...(withSpokes ? ["fleet-gateway.monitoring.svc:443"] : []), "opentelemetry-operator-webhook.tracing.svc:443"]);
                // Port 443 of each Service is the pod's 9443 (webhook-server) and 8443 (https).
                const webhook = evaluateIngress(policies, exporter, named("opentelemetry-operator"), 9443);
                assert.ok(webhook.admittedBy.includes("allow-certificate-probe"), `admitted by ${webhook.admittedBy.join(", ")}`);
                if (withSpokes) assert.equal(evaluateIngress(policies, exporter, named("fleet-gateway"), 8443).allowed, true);
                // The probe's flow opens nothing else of the operator.
                const other = { pod: { namespace: "monitoring", labels: { "app.kubernetes.io/name": "grafana" } } };
                assert.ok(!evaluateIngress(policies, other, named("opentelemetry-operator"), 9443).admittedBy.includes("allow-certificate-probe"));
            });

            it("keeps each namespace's pods to their clients: Argo CD reaches no store or Alertmanager, Grafana reaches no Argo CD, the OTel gateway no Grafana", () => {
                for (const cluster of clusters()) {
                    const policies = policiesOf(rp().plan, cluster.name);
                    const pods = platformPods(cluster.name);
                    const named = (name: string) => pods.find((p) => p.labels["app.kubernetes.io/name"] === name);
                    const argocdServer = named("argocd-server")!;
                    // An exposed Grafana admits any source (its Ingress' packets come from Google's front ends,
                    // nodes or a controller, by class); a private one only its namespace.
                    const grafanaExposed = cluster.role === "hub" && rp().plan.settings.grafana.ingress.enabled;
                    const targets = ["alertmanager", "loki", "tempo", "prometheus", ...(grafanaExposed ? [] : ["grafana"])];
                    for (const target of targets.map(named).filter((p): p is PlanPod => !!p)) {
                        for (const port of target.ports) {
                            const v = evaluateIngress(policies, { pod: argocdServer }, target, port.containerPort);
                            assert.equal(v.allowed, false, `argocd-server -> ${target.owner}:${port.containerPort} is admitted by ${v.admittedBy.join(", ")}`);
                        }
                    }
                    const grafana = named("grafana");
                    if (grafana) assert.equal(evaluateIngress(policies, { pod: grafana }, argocdServer, 8080).allowed, false);
                    const otel = named("opentelemetry-collector")!;
                    if (grafana) assert.equal(evaluateIngress(policies, { pod: otel }, grafana, 3000).allowed, grafanaExposed, "Grafana is open only where its Ingress is");
                }
            });
        });
    }
});
