// Who can reach Grafana: the ingress class, the access guard (IAP, a Cloud Armor allowlist, the VPC,
// or a knowingly chosen password alone) and TLS-only browsing, from config to what Helm renders.
import * as assert from "node:assert/strict";
import { ConfigError } from "../components/config/errors";
import { planStack, type Plan } from "../tools/offline/plan";
import type { RecordedResource } from "../tools/offline/runtime";
import { ofType, planVariant, stackConfig, T } from "./support/program";
import { loadModels, objectProblems, renderPlan, type K8sObject } from "./support/rendered";

const HOST = "grafana.prod.acme-corp.example";
const PROD_INGRESS = { enabled: true, host: HOST, tlsSecretName: "grafana-tls" };
const BACKEND_CONFIG = "kubernetes:cloud.google.com/v1:BackendConfig";
const SECURITY_POLICY = "gcp:compute/securityPolicy:SecurityPolicy";

const ingressOf = (ingress: Record<string, unknown>) => ({ grafana: { ingress: { ...PROD_INGRESS, ...ingress } } });

/** Plans prod with this ingress; returns the ConfigError's key paths and what was registered. */
async function refused(ingress: Record<string, unknown>): Promise<{ paths: string[]; registered: string[] }> {
    const registered: RecordedResource[] = [];
    try {
        await planStack("prod", { config: stackConfig("prod", { set: ingressOf(ingress) }), onRegistered: (r) => registered.push(r) });
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
        return { paths: err.problems.map((p) => p.path.join(".")).sort(), registered: registered.map((r) => r.type) };
    }
    assert.fail(`accepted: ${JSON.stringify(ingress)}`);
}

/** Renders the plan's kube-prometheus-stack release (Grafana is its subchart) and nothing else. */
async function renderGrafana(plan: Plan): Promise<K8sObject[]> {
    const rendered = await renderPlan({ ...plan, releases: plan.releases.filter((r) => r.chart === "kube-prometheus-stack") });
    const objects = rendered.releases.flatMap((r) => r.objects);
    await loadModels(objects);
    return objects;
}

const find = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const GRAFANA = "kube-prometheus-stack-grafana";

/** grafana.ini as Grafana reads it: "[section]" headers and "key = value" lines. */
function parseIni(text: string): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = { "": {} };
    let section = "";
    for (const raw of text.split("\n")) {
        const line = raw.trim();
        const header = /^\[(.+)\]$/.exec(line);
        if (header) out[(section = header[1])] ??= {};
        else if (line.includes("=") && !line.startsWith(";") && !line.startsWith("#")) {
            const at = line.indexOf("=");
            out[section][line.slice(0, at).trim()] = line.slice(at + 1).trim();
        }
    }
    return out;
}

function renderedIni(objects: K8sObject[]) {
    const cm = find(objects, "ConfigMap", GRAFANA);
    assert.ok(cm, "Grafana's ConfigMap is rendered");
    return parseIni(String(cm.data["grafana.ini"]));
}

describe("Grafana exposure", function () {
    this.timeout(120_000);

    describe("refused ingress settings, each named by its key before anything is declared", () => {
        const cases: { name: string; ingress: Record<string, unknown>; paths: string[] }[] = [
            { name: "the public class with no guard chosen", ingress: { className: "gce" }, paths: ["grafana.ingress.access"] },
            { name: "an allowlist on the internal class", ingress: { className: "gce-internal", access: "allowlist", allowlist: ["10.0.0.0/8"] }, paths: ["grafana.ingress.access"] },
            { name: "another controller's class said to be private", ingress: { className: "nginx", access: "private-network" }, paths: ["grafana.ingress.access"] },
            { name: "IAP on another controller", ingress: { className: "nginx", access: "iap", iapOAuthSecretName: "iap-client" }, paths: ["grafana.ingress.access"] },
            { name: "IAP without its OAuth client", ingress: { className: "gce", access: "iap" }, paths: ["grafana.ingress.iapOAuthSecretName"] },
            { name: "an allowlist guard with no ranges", ingress: { className: "gce", access: "allowlist", allowlist: [] }, paths: ["grafana.ingress.allowlist"] },
            { name: "ranges that would be ignored", ingress: { className: "gce", access: "iap", iapOAuthSecretName: "iap-client", allowlist: ["203.0.113.0/24"] }, paths: ["grafana.ingress.allowlist"] },
            { name: "an OAuth client that would be ignored", ingress: { access: "private-network", iapOAuthSecretName: "iap-client" }, paths: ["grafana.ingress.iapOAuthSecretName"] },
            { name: "a range that is no CIDR", ingress: { className: "gce", access: "allowlist", allowlist: ["203.0.113.0/24", "10.0.0.0/33"] }, paths: ["grafana.ingress.allowlist.1"] },
            { name: "an unknown guard", ingress: { access: "open" }, paths: ["grafana.ingress.access"] },
            { name: "a class that is no object name", ingress: { className: "GCE Internal" }, paths: ["grafana.ingress.className"] },
            { name: "no TLS secret", ingress: { tlsSecretName: undefined }, paths: ["grafana.ingress.tlsSecretName"] },
        ];
        for (const c of cases) {
            it(c.name, async () => {
                const { paths, registered } = await refused(c.ingress);
                assert.deepEqual(paths, c.paths);
                assert.deepEqual(registered, [T.stack], "nothing but the stack was declared");
            });
        }

        it("names the expected guards in the error for the public class", async () => {
            try {
                await planVariant("prod", { set: ingressOf({ className: "gce" }) });
                assert.fail("accepted");
            } catch (err) {
                assert.match(String(err), /observability-platform:grafana\.ingress\.access: expected "iap", "allowlist" or, knowingly, "password-only" .*; got "private-network"/);
            }
        });
    });

    describe("prod: GKE's internal load balancer, HTTPS only", () => {
        let plan: Plan;
        let objects: K8sObject[];
        before(async () => {
            plan = await planVariant("prod");
            objects = await renderGrafana(plan);
        });

        it("renders an Ingress for gce-internal by the annotation GKE reads, with plain HTTP off and TLS", () => {
            const ingress = find(objects, "Ingress", GRAFANA);
            assert.ok(ingress, "the Ingress is rendered");
            assert.deepEqual(objectProblems(ingress), []);
            assert.equal(ingress.metadata.annotations?.["kubernetes.io/ingress.class"], "gce-internal");
            assert.equal(ingress.metadata.annotations?.["kubernetes.io/ingress.allow-http"], "false");
            // The API refuses the class field next to the annotation, and GKE ignores the field.
            assert.equal(ingress.spec.ingressClassName, undefined);
            assert.deepEqual(ingress.spec.tls, [{ secretName: "grafana-tls", hosts: [HOST] }]);
            assert.deepEqual(ingress.spec.rules.map((r: any) => r.host), [HOST]);
        });

        it("attaches the BackendConfig to Grafana's Service, health-checking the port Grafana listens on", () => {
            const service = find(objects, "Service", GRAFANA);
            assert.ok(service);
            assert.equal(service.spec.type, "ClusterIP");
            assert.deepEqual(JSON.parse(service.metadata.annotations?.["cloud.google.com/backend-config"] ?? "null"), { default: "grafana" });
            assert.deepEqual(JSON.parse(service.metadata.annotations?.["cloud.google.com/neg"] ?? "null"), { ingress: true });

            const configs = ofType(plan, BACKEND_CONFIG);
            assert.equal(configs.length, 1);
            // Not schema-checked: GKE's BackendConfig CRD is in no pinned chart, so its fields are
            // written out here as GKE documents them.
            assert.deepEqual(configs[0].inputs, {
                apiVersion: "cloud.google.com/v1",
                kind: "BackendConfig",
                metadata: { name: "grafana", namespace: "monitoring" },
                spec: { healthCheck: { type: "HTTP", requestPath: "/api/health", port: 3000 } },
            });
            const deployment = find(objects, "Deployment", GRAFANA);
            const grafana = deployment?.spec.template.spec.containers.find((c: any) => c.name === "grafana");
            assert.ok(grafana.ports.some((p: any) => p.containerPort === 3000), "Grafana listens on 3000");
            assert.equal(grafana.readinessProbe.httpGet.path, "/api/health");
            assert.ok(plan.releases.find((r) => r.chart === "kube-prometheus-stack")!.dependsOn.includes("prod-gke-grafana-backend-config"));
            assert.equal(ofType(plan, SECURITY_POLICY).length, 0, "no Cloud Armor policy without an allowlist");
        });

        it("makes Grafana's cookies secure and sends HSTS for a year, with an https root URL", () => {
            const ini = renderedIni(objects);
            assert.equal(ini.security.cookie_secure, "true");
            assert.equal(ini.security.strict_transport_security, "true");
            assert.equal(ini.security.strict_transport_security_max_age_seconds, "31536000");
            assert.equal(ini.server.root_url, `https://${HOST}`);
        });
    });

    describe("the public class", () => {
        it("with an allowlist: a Cloud Armor policy admitting only those ranges, named by the BackendConfig", async () => {
            const ranges = Array.from({ length: 12 }, (_, i) => `203.0.113.${i * 16}/28`);
            const plan = await planVariant("prod", { set: ingressOf({ className: "gce", access: "allowlist", allowlist: ranges }) });
            const policies = ofType(plan, SECURITY_POLICY);
            assert.equal(policies.length, 1);
            const policy = policies[0].inputs as any;
            assert.equal(policy.project, "acme-observability-prod");
            assert.equal(policy.type, "CLOUD_ARMOR");
            const rules = (policy.rules as any[]).map((r) => ({ action: r.action, priority: r.priority, ranges: r.match.config.srcIpRanges }));
            assert.deepEqual(rules, [
                { action: "allow", priority: 1000, ranges: ranges.slice(0, 10) },
                { action: "allow", priority: 1001, ranges: ranges.slice(10) },
                { action: "deny(403)", priority: 2147483647, ranges: ["*"] },
            ]);
            const config = ofType(plan, BACKEND_CONFIG)[0].inputs as any;
            assert.deepEqual(config.spec.securityPolicy, { name: policy.name });
            assert.equal(config.spec.iap, undefined);

            const ingress = find(await renderGrafana(plan), "Ingress", GRAFANA)!;
            assert.equal(ingress.metadata.annotations?.["kubernetes.io/ingress.class"], "gce");
            assert.equal(ingress.metadata.annotations?.["kubernetes.io/ingress.allow-http"], "false");
        });

        it("with IAP: the BackendConfig turns IAP on with the OAuth client's Secret, and no allowlist", async () => {
            const plan = await planVariant("prod", { set: ingressOf({ className: "gce", access: "iap", iapOAuthSecretName: "grafana-iap-client" }) });
            const config = ofType(plan, BACKEND_CONFIG)[0].inputs as any;
            assert.deepEqual(config.spec.iap, { enabled: true, oauthclientCredentials: { secretName: "grafana-iap-client" } });
            assert.equal(config.spec.securityPolicy, undefined);
            assert.equal(ofType(plan, SECURITY_POLICY).length, 0);
        });

        it("with the password alone when chosen knowingly", async () => {
            const plan = await planVariant("prod", { set: ingressOf({ className: "gce", access: "password-only" }) });
            const config = ofType(plan, BACKEND_CONFIG)[0].inputs as any;
            assert.deepEqual(Object.keys(config.spec), ["healthCheck"]);
        });
    });

    it("another controller's class: the class field, no GKE annotations or BackendConfig, still TLS only", async () => {
        const plan = await planVariant("prod", { set: ingressOf({ className: "nginx", access: "password-only" }) });
        const objects = await renderGrafana(plan);
        const ingress = find(objects, "Ingress", GRAFANA)!;
        assert.deepEqual(objectProblems(ingress), []);
        assert.equal(ingress.spec.ingressClassName, "nginx");
        assert.equal(ingress.metadata.annotations?.["kubernetes.io/ingress.class"], undefined);
        assert.equal(find(objects, "Service", GRAFANA)!.metadata.annotations?.["cloud.google.com/backend-config"], undefined);
        assert.equal(ofType(plan, BACKEND_CONFIG).length, 0);
        assert.equal(renderedIni(objects).security.cookie_secure, "true");
    });

    it("dev: no Ingress, no BackendConfig, and no secure-only cookies for port-forwarded http", async () => {
        const plan = await planVariant("dev");
        const objects = await renderGrafana(plan);
        assert.equal(objects.filter((o) => o.kind === "Ingress").length, 0);
        assert.equal(ofType(plan, BACKEND_CONFIG).length, 0);
        assert.equal(renderedIni(objects).security?.cookie_secure, undefined);
    });
});
