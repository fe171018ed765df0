// The fleet under mocks, for each metrics backend and for fleets of 1 and 3 clusters: where every
// cluster's signals go, what runs where, and that nothing crosses a cluster without TLS and a password.
import * as assert from "node:assert/strict";
import { pushTargets, SPOKE_CREDENTIALS } from "../components/fleet/endpoints";
import { userFileLine } from "../components/fleet/gateway";
import type { Plan, PlannedResource } from "../tools/offline/plan";
import { fakeState } from "../tools/offline/runtime";
import { chartValues, chartYaml } from "./support/charts";
import { ofType, planVariant, T } from "./support/program";
import { refusedKeys } from "./support/stack-settings";
import { createHash } from "node:crypto";

const HOST = "fleet.hub.acme-corp.example";
const BACKENDS = [
    { backend: "prometheus", stack: "dev" },
    { backend: "mimir", stack: "prod" },
    { backend: "thanos", stack: "prod" },
] as const;
const fleetOf = (size: 1 | 3) =>
    [
        { name: "hub-gke", location: "us-central1", role: "hub" },
        { name: "edge-a", location: "us-east1-b", role: "spoke" },
        { name: "edge-b", location: "europe-west1", role: "spoke", project: "acme-edge-eu" },
    ].slice(0, size);

const inputs = (r: PlannedResource) => r.inputs as Record<string, any>;
const values = (plan: Plan, resource: string) => {
    const release = plan.releases.find((r) => r.resource === resource);
    assert.ok(release, `no release ${resource}`);
    return release.values as Record<string, any>;
};
const onCluster = (plan: Plan, cluster: string) => plan.resources.filter((r) => r.provider === `${cluster}-k8s`);
const hubOf = (plan: Plan) => plan.settings.clusters.find((c) => c.role === "hub")!;
const spokesOf = (plan: Plan) => plan.settings.clusters.filter((c) => c.role === "spoke");

/**
 * Whether "name.namespace.svc[.cluster.local]:port" is a Service a release on the hub creates: the
 * releases pin their fullname, and the chart prefixes its Services with it.
 */
function hubServiceOf(plan: Plan, hostPort: string): string | null {
    const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?(:\d+)?$/.exec(hostPort);
    if (!m) return null;
    const [, name, namespace] = m;
    const hub = hubOf(plan).name;
    const release = plan.releases.find(
        (r) => r.resource.startsWith(`${hub}-`) && r.namespace === namespace && name.startsWith(`${String(r.values.fullnameOverride)}-`),
    );
    return release ? release.resource : null;
}

/** `location = <path>` -> upstream, from the hub gateway's nginx.conf. */
function gatewayRoutes(plan: Plan): Map<string, string> {
    const config = ofType(plan, "kubernetes:core/v1:ConfigMap").find((c) => inputs(c).metadata.name === "fleet-gateway-config");
    assert.ok(config, "the hub has the fleet gateway's configuration");
    const text: string = inputs(config).data["nginx.conf"];
    return new Map([...text.matchAll(/location = (\S+) \{\s*set \$upstream (\S+);/g)].map((m) => [m[1], m[2]]));
}

describe("the fleet", function () {
    const plans = new Map<string, Plan>();
    const key = (backend: string, size: number) => `${backend}/${size}`;

    before(async () => {
        for (const { backend, stack } of BACKENDS) {
            for (const size of [1, 3] as const) {
                plans.set(
                    key(backend, size),
                    await planVariant(stack, {
                        set: {
                            metricsBackend: backend,
                            clusters: fleetOf(size),
                            ...(size > 1 ? { fleet: { hub: { host: HOST } } } : {}),
                        },
                    }),
                );
            }
        }
    });

    for (const { backend } of BACKENDS) {
        for (const size of [1, 3] as const) {
            describe(`${backend}, ${size} cluster(s)`, () => {
                const plan = () => plans.get(key(backend, size))!;

                it("remote-writes only to services of the hub, with the stack's tenant", () => {
                    const p = plan();
                    let checked = 0;
                    for (const cluster of p.settings.clusters) {
                        const spec = values(p, `${cluster.name}-kube-prometheus-stack`).prometheus.prometheusSpec;
                        for (const rw of (spec.remoteWrite ?? []) as any[]) {
                            checked++;
                            const url = new URL(rw.url);
                            if (backend === "mimir") assert.equal(rw.headers["X-Scope-OrgID"], p.stack, "tenant header");
                            if (cluster.role === "hub") {
                                assert.equal(url.protocol, "http:");
                                assert.ok(hubServiceOf(p, url.host), `${rw.url} is a Service of a hub release`);
                            } else {
                                // Through the hub's gateway, which forwards the path to a hub service.
                                assert.equal(url.protocol, "https:");
                                assert.equal(url.host, HOST);
                                const upstream = gatewayRoutes(p).get(url.pathname);
                                assert.ok(upstream, `the gateway forwards ${url.pathname}`);
                                assert.ok(hubServiceOf(p, upstream), `${upstream} is a Service of a hub release`);
                            }
                        }
                    }
                    // Who remote-writes: Mimir from every cluster, the hub Prometheus' receiver from spokes,
                    // nobody with Thanos (sidecars upload blocks).
                    const expected = backend === "mimir" ? size : backend === "prometheus" ? size - 1 : 0;
                    assert.equal(checked, expected);
                });

                it("labels each cluster's series with its own name", () => {
                    for (const cluster of plan().settings.clusters) {
                        const spec = values(plan(), `${cluster.name}-kube-prometheus-stack`).prometheus.prometheusSpec;
                        assert.equal(spec.externalLabels.cluster, cluster.name);
                    }
                });

                it("runs the stores, Grafana and the Alertmanager on the hub only", () => {
                    const p = plan();
                    const hub = hubOf(p).name;
                    const hubValues = values(p, `${hub}-kube-prometheus-stack`);
                    assert.notEqual(hubValues.grafana.enabled, false);
                    assert.notEqual(hubValues.alertmanager.enabled, false);
                    for (const spoke of spokesOf(p)) {
                        const releases = p.releases.filter((r) => r.resource.startsWith(`${spoke.name}-`)).map((r) => r.chart).sort();
                        assert.deepEqual(
                            releases,
                            // Alloy twice: the log DaemonSet and the single-replica events collector.
                            ["alloy", "alloy", "argo-cd", "kube-prometheus-stack", "opentelemetry-collector", "opentelemetry-operator"],
                            `${spoke.name} collects only`,
                        );
                        const v = values(p, `${spoke.name}-kube-prometheus-stack`);
                        assert.equal(v.grafana.enabled, false);
                        assert.equal(v.alertmanager.enabled, false);
                        assert.ok(!onCluster(p, spoke.name).some((r) => inputs(r).metadata?.name === "fleet-gateway"));
                        assert.ok(!onCluster(p, spoke.name).some((r) => inputs(r).metadata?.name === "grafana-admin"));
                        // Log alert rules go to the hub's Loki ruler only.
                        assert.ok(!onCluster(p, spoke.name).some((r) => inputs(r).metadata?.name === "loki-rules-platform"));
                    }
                    const store = { prometheus: [], mimir: ["mimir-distributed"], thanos: ["thanos"] }[backend];
                    const stores = p.releases.filter((r) => ["mimir-distributed", "thanos"].includes(r.chart));
                    assert.deepEqual(stores.map((r) => r.chart), store);
                    for (const r of stores) assert.ok(r.resource.startsWith(`${hub}-`));
                });

                it("creates buckets and identities for the chosen backend only", () => {
                    const p = plan();
                    const buckets = ofType(p, T.bucket).map((b) => b.name);
                    const accounts = ofType(p, T.gsa).map((a) => a.name.replace(/-gsa$/, ""));
                    const metrics = { prometheus: [], mimir: ["mimir-alertmanager", "mimir-blocks", "mimir-ruler"], thanos: ["thanos-blocks"] }[backend];
                    assert.deepEqual(buckets.filter((b) => /^(mimir|thanos)-/.test(b)).sort(), metrics);
                    assert.deepEqual(accounts.filter((a) => /^(mimir|thanos)$/.test(a)), backend === "prometheus" ? [] : [backend]);
                    const ksas = ofType(p, T.ksa).map((k) => `${k.provider!.replace(/-k8s$/, "")}/${inputs(k).metadata.name}`).sort();
                    const expected =
                        backend === "mimir"
                            ? ["hub-gke/mimir"]
                            : backend === "thanos"
                              ? [...p.settings.clusters.map((c) => `${c.name}/prometheus`), "hub-gke/thanos"].sort()
                              : [];
                    assert.deepEqual(ksas.filter((k) => /\/(mimir|thanos|prometheus)$/.test(k)), expected);
                });

                it("points the default metrics datasource (uid prometheus) at the backend's query path", () => {
                    const p = plan();
                    const sources = values(p, `${hubOf(p).name}-kube-prometheus-stack`).grafana.additionalDataSources as any[];
                    const metrics = sources.find((d) => d.uid === "prometheus");
                    assert.equal(metrics.isDefault, true);
                    assert.equal(metrics.type, "prometheus");
                    const url = new URL(metrics.url);
                    assert.ok(hubServiceOf(p, url.host), `${metrics.url} is a Service of a hub release`);
                    if (backend === "mimir") {
                        assert.equal(url.pathname, "/prometheus");
                        assert.equal(metrics.jsonData.httpHeaderName1, "X-Scope-OrgID");
                        assert.equal(metrics.secureJsonData.httpHeaderValue1, p.stack);
                    }
                    if (backend === "thanos") assert.match(url.host, /^thanos-query-frontend\./);
                });
            });
        }
    }

    describe("cross-cluster links", () => {
        it("gives each spoke its own credentials in every platform namespace, as Secrets only", () => {
            for (const { backend } of BACKENDS) {
                const p = plans.get(key(backend, 3))!;
                for (const spoke of spokesOf(p)) {
                    const secrets = onCluster(p, spoke.name).filter((r) => r.type === T.secret && inputs(r).metadata.name === SPOKE_CREDENTIALS.secretName);
                    assert.deepEqual(secrets.map((s) => inputs(s).metadata.namespace).sort(), ["logging", "monitoring", "tracing"]);
                    for (const s of secrets) assert.equal(inputs(s).stringData, "[secret]");
                    const password = fakeState("random:index/randomPassword:RandomPassword", `fleet-${spoke.name}-password`, {}).result as string;
                    assert.ok(!JSON.stringify(p).includes(password), "the spoke's password appears nowhere in the plan");
                }
                assert.equal(plans.get(key(backend, 1))!.resources.filter((r) => r.type.startsWith("tls:")).length, 0, "no fleet, no certificates");
            }
        });

        it("gives each spoke exactly its credentials and, when Thanos uploads from it, the bucket config, never the hub's Alertmanager secrets", () => {
            for (const { backend } of BACKENDS) {
                const p = plans.get(key(backend, 3))!;
                const secretsOn = (cluster: string) =>
                    onCluster(p, cluster)
                        .filter((r) => r.type === T.secret)
                        .map((r) => `${inputs(r).metadata.namespace}/${inputs(r).metadata.name}`)
                        .sort();
                const spokeSecrets = [
                    "logging/fleet-hub-credentials",
                    "monitoring/fleet-hub-credentials",
                    ...(backend === "thanos" ? ["monitoring/thanos-objstore"] : []),
                    "tracing/fleet-hub-credentials",
                ].sort();
                for (const spoke of spokesOf(p)) assert.deepEqual(secretsOn(spoke.name), spokeSecrets, `${backend}: ${spoke.name}`);
                assert.ok(secretsOn("hub-gke").includes("monitoring/alertmanager-platform-config"), `${backend}: the hub's Alertmanager has its config`);
            }
        });

        it("exposes the hub only through an internal load balancer, with the certificate naming the configured host", () => {
            for (const { backend } of BACKENDS) {
                const p = plans.get(key(backend, 3))!;
                const services = ofType(p, "kubernetes:core/v1:Service");
                const exposed = services.filter((s) => ["LoadBalancer", "NodePort"].includes(inputs(s).spec.type));
                assert.deepEqual(exposed.map((s) => s.name), ["hub-gke-fleet-gateway"]);
                assert.equal(inputs(exposed[0]).metadata.annotations["networking.gke.io/load-balancer-type"], "Internal");
                assert.deepEqual(inputs(exposed[0]).spec.ports.map((x: any) => x.port).sort((a: number, b: number) => a - b), [443, 4317]);
                const csr = ofType(p, "tls:index/certRequest:CertRequest");
                assert.deepEqual(csr.map((c) => inputs(c).dnsNames), [[HOST]]);
                const tlsSecret = ofType(p, T.secret).find((s) => inputs(s).metadata.name === "fleet-gateway-tls");
                assert.equal(inputs(tlsSecret!).stringData, "[secret]");
                // Every release's Services stay inside their cluster.
                for (const release of p.releases) {
                    for (const type of collectServiceTypes(release.values)) assert.equal(type, "ClusterIP", release.resource);
                }
            }
        });

        it("requires a spoke's password for everything the gateway forwards, and sets the tenant itself", () => {
            const p = plans.get(key("mimir", 3))!;
            const config = ofType(p, "kubernetes:core/v1:ConfigMap").find((c) => inputs(c).metadata.name === "fleet-gateway-config")!;
            const text: string = inputs(config).data["nginx.conf"];
            // auth_basic at http level, switched off only in the probe server that the Service does not expose.
            const servers = text.split(/\n    server \{/).slice(1);
            assert.equal(servers.length, 3);
            assert.match(text.split("server {")[0], /auth_basic "observability fleet";\n\s*auth_basic_user_file/);
            const unauthenticated = servers.filter((s) => /auth_basic off/.test(s));
            assert.equal(unauthenticated.length, 1);
            assert.match(unauthenticated[0], /listen 8081;/);
            assert.doesNotMatch(unauthenticated[0], /proxy_pass|grpc_pass/);
            assert.match(text, new RegExp(`proxy_set_header X-Scope-OrgID ${p.stack};`));
            assert.match(text, new RegExp(`grpc_set_header X-Scope-OrgID ${p.stack};`));
            // Logs, traces and alerts go to the hub's stores by their agreed service names.
            const routes = gatewayRoutes(p);
            assert.equal(routes.get("/loki/api/v1/push"), "loki-gateway.logging.svc.cluster.local:80");
            assert.ok(hubServiceOf(p, routes.get("/api/v2/alerts")!), "alerts go to the hub's Alertmanager");
            assert.match(text, new RegExp(`grpc_pass grpc://\\$upstream;`));
            assert.match(text, /set \$upstream tempo\.tracing\.svc\.cluster\.local:4317;/);
        });

        it("rolls the gateway's pods when the spokes' credentials change, not otherwise", async () => {
            const annotations = (p: Plan) => {
                const deployment = ofType(p, "kubernetes:apps/v1:Deployment").find((d) => d.name === "hub-gke-fleet-gateway");
                return inputs(deployment!).spec.template.metadata.annotations as Record<string, string>;
            };
            const three = annotations(plans.get(key("mimir", 3))!);
            assert.match(three["checksum/credentials"], /^[0-9a-f]{64}$/, "a plain checksum, not a masked secret");
            const again = await planVariant("prod", { set: { clusters: fleetOf(3), fleet: { hub: { host: HOST } } } });
            assert.deepEqual(annotations(again), three, "same credentials, same pods");
            const two = annotations(await planVariant("prod", { set: { clusters: fleetOf(3).slice(0, 2), fleet: { hub: { host: HOST } } } }));
            assert.notEqual(two["checksum/credentials"], three["checksum/credentials"], "a spoke leaving changes the user file");
            assert.equal(two["checksum/config"], three["checksum/config"]);
        });

        it("writes user-file entries nginx can verify (salted SHA-1) and that reject another password", () => {
            const line = userFileLine("edge-a", "correct horse");
            const [user, hash] = line.split(":");
            assert.equal(user, "edge-a");
            const raw = Buffer.from(hash.replace(/^\{SSHA\}/, ""), "base64");
            const [digest, salt] = [raw.subarray(0, 20), raw.subarray(20)];
            const check = (pw: string) => createHash("sha1").update(pw).update(salt).digest().equals(digest);
            assert.ok(check("correct horse"));
            assert.ok(!check("wrong horse"));
            assert.equal(userFileLine("edge-a", "correct horse"), line, "stable, so the Secret only changes with the password");
        });

        it("sends spokes' alerts to the hub's Alertmanager with TLS and the mounted password, never an inline secret", () => {
            const p = plans.get(key("thanos", 3))!;
            for (const spoke of spokesOf(p)) {
                const spec = values(p, `${spoke.name}-kube-prometheus-stack`).prometheus.prometheusSpec;
                assert.deepEqual(spec.secrets, [SPOKE_CREDENTIALS.secretName]);
                const [am] = spec.additionalAlertManagerConfigs;
                assert.equal(am.scheme, "https");
                assert.deepEqual(am.static_configs, [{ targets: [`${HOST}:443`] }]);
                assert.equal(am.basic_auth.username, spoke.name);
                assert.match(am.basic_auth.password_file, /^\/etc\/prometheus\/secrets\/fleet-hub-credentials\//);
                assert.equal(am.basic_auth.password, undefined);
                assert.match(am.tls_config.ca_file, /ca\.crt$/);
            }
        });

        it("authenticates spokes' remote write with the credentials Secret and the fleet CA", () => {
            for (const backend of ["mimir", "prometheus"] as const) {
                const p = plans.get(key(backend, 3))!;
                for (const spoke of spokesOf(p)) {
                    const [rw] = values(p, `${spoke.name}-kube-prometheus-stack`).prometheus.prometheusSpec.remoteWrite;
                    assert.deepEqual(rw.basicAuth.password, { name: SPOKE_CREDENTIALS.secretName, key: SPOKE_CREDENTIALS.passwordKey });
                    assert.deepEqual(rw.tlsConfig.ca.secret, { name: SPOKE_CREDENTIALS.secretName, key: SPOKE_CREDENTIALS.caKey });
                    assert.equal(rw.queueConfig.maxSamplesPerSend, p.settings.remoteWrite.queue.maxSamplesPerSend);
                    // The release waits for the Secret it reads.
                    const release = p.resources.find((r) => r.name === `${spoke.name}-kube-prometheus-stack`)!;
                    assert.ok(release.dependsOn?.includes(`${spoke.name}-fleet-credentials-monitoring`));
                }
            }
        });

        it("lets only the first replica of an HA Prometheus pair remote-write, without its replica label", () => {
            const p = plans.get(key("mimir", 3))!;
            assert.ok(p.settings.prometheus.replicas >= 2);
            // Pod names prometheus-operator puts in the replica label, for fullname kube-prometheus-stack.
            const pods = Array.from({ length: p.settings.prometheus.replicas }, (_, i) => `prometheus-kube-prometheus-stack-prometheus-${i}`);
            for (const cluster of p.settings.clusters) {
                const [rw] = values(p, `${cluster.name}-kube-prometheus-stack`).prometheus.prometheusSpec.remoteWrite;
                const [keep, drop] = rw.writeRelabelConfigs;
                assert.deepEqual([keep.action, keep.sourceLabels], ["keep", ["prometheus_replica"]]);
                // Prometheus anchors relabel regexes.
                const senders = pods.filter((pod) => new RegExp(`^(?:${keep.regex})$`).test(pod));
                assert.deepEqual(senders, [pods[0]]);
                assert.deepEqual([drop.action, drop.regex], ["labeldrop", "prometheus_replica"]);
            }
            const single = plans.get(key("prometheus", 3))!;
            assert.equal(single.settings.prometheus.replicas, 1);
            const [rw] = values(single, "edge-a-kube-prometheus-stack").prometheus.prometheusSpec.remoteWrite;
            assert.equal(rw.writeRelabelConfigs, undefined, "a single replica always sends");
        });

        it("hands logs and traces of a spoke to the hub's gateway, and of the hub to its own stores", () => {
            const p = plans.get(key("mimir", 3))!;
            const [hub, spoke] = [hubOf(p), spokesOf(p)[0]];
            const h = pushTargets(p.settings, hub);
            const s = pushTargets(p.settings, spoke);
            assert.equal(h.crossCluster, false);
            assert.equal(s.crossCluster, true);
            assert.equal(new URL(s.logsPush).host, HOST);
            assert.equal(new URL(s.logsPush).protocol, "https:");
            assert.equal(s.tracesOtlpGrpc, `${HOST}:4317`);
            assert.match(h.logsPush, /^http:\/\/loki-gateway\.logging\.svc/);
        });

        it("runs Alloy and the OpenTelemetry gateway on every spoke, pushing to the hub's gateway with the spoke's own credentials", () => {
            for (const { backend } of BACKENDS) {
                const p = plans.get(key(backend, 3))!;
                const routes = gatewayRoutes(p);
                for (const spoke of spokesOf(p)) {
                    const releases = p.releases.filter((r) => r.resource.startsWith(`${spoke.name}-`)).map((r) => r.resource.slice(spoke.name.length + 1));
                    for (const store of ["loki", "tempo"]) assert.ok(!releases.includes(store), `${store} stays on the hub`);
                    for (const collector of ["alloy-logs", "otel-gateway", "opentelemetry-operator"]) assert.ok(releases.includes(collector), collector);
                    const waitsForCredentials = (release: string, namespace: string) =>
                        assert.ok(
                            p.resources.find((r) => r.name === `${spoke.name}-${release}`)!.dependsOn?.includes(`${spoke.name}-fleet-credentials-${namespace}`),
                            `${release} waits for the Secret it mounts`,
                        );

                    // Alloy: the hub's Loki push path over TLS, basic auth as the spoke with the mounted password file.
                    const alloy = values(p, `${spoke.name}-alloy-logs`);
                    const river: string = alloy.alloy.configMap.content;
                    const write = river.slice(river.indexOf('loki.write "platform"'));
                    const url = new URL(/url\s*=\s*"([^"]+)"/.exec(write)![1]);
                    assert.equal(url.protocol, "https:");
                    assert.equal(url.host, HOST);
                    assert.ok(routes.has(url.pathname), `the gateway forwards ${url.pathname}`);
                    assert.equal(/username\s*=\s*"([^"]+)"/.exec(write)?.[1], spoke.name);
                    const passwordFile = /password_file\s*=\s*"([^"]+)"/.exec(write)?.[1];
                    const caFile = /ca_file\s*=\s*"([^"]+)"/.exec(write)?.[1];
                    assert.doesNotMatch(write, /password\s*=/, "no inline password");
                    const mount = alloy.alloy.mounts.extra.find((m: any) => passwordFile?.startsWith(`${m.mountPath}/`));
                    assert.ok(mount, "the password file is on a mounted volume");
                    assert.equal(passwordFile, `${mount.mountPath}/${SPOKE_CREDENTIALS.passwordKey}`);
                    assert.equal(caFile, `${mount.mountPath}/${SPOKE_CREDENTIALS.caKey}`);
                    const volume = alloy.controller.volumes.extra.find((v: any) => v.name === mount.name);
                    assert.deepEqual(volume.secret, { secretName: SPOKE_CREDENTIALS.secretName });
                    waitsForCredentials("alloy-logs", "logging");

                    // The collector: traces and OTLP logs to the hub's gateway, authenticated; metrics to the spoke's own Prometheus.
                    const otel = values(p, `${spoke.name}-otel-gateway`);
                    const cfg = otel.config;
                    const tempo = cfg.exporters["otlp/tempo"];
                    const loki = cfg.exporters["otlphttp/loki"];
                    assert.equal(tempo.endpoint, `${HOST}:4317`);
                    const logsUrl = new URL(`${loki.endpoint}/v1/logs`);
                    assert.equal(logsUrl.host, HOST);
                    assert.equal(logsUrl.protocol, "https:");
                    assert.ok(routes.has(logsUrl.pathname), `the gateway forwards ${logsUrl.pathname}`);
                    assert.equal(routes.get(logsUrl.pathname), routes.get("/loki/api/v1/push"), "to the hub's Loki");
                    for (const exporter of [tempo, loki]) {
                        assert.notEqual(exporter.tls?.insecure, true);
                        const mountPath = otel.extraVolumeMounts.find((m: any) => exporter.tls.ca_file.startsWith(`${m.mountPath}/`))?.mountPath;
                        assert.equal(exporter.tls.ca_file, `${mountPath}/${SPOKE_CREDENTIALS.caKey}`);
                        const auth = cfg.extensions[exporter.auth.authenticator];
                        assert.equal(auth.client_auth.username, spoke.name);
                        const env = /^\$\{env:([A-Z_]+)\}$/.exec(auth.client_auth.password)?.[1];
                        const fromSecret = otel.extraEnvs.find((e: any) => e.name === env)?.valueFrom.secretKeyRef;
                        assert.deepEqual(fromSecret, { name: SPOKE_CREDENTIALS.secretName, key: SPOKE_CREDENTIALS.passwordKey });
                        assert.ok(cfg.service.extensions.includes(exporter.auth.authenticator), "the authenticator is enabled");
                    }
                    assert.ok(cfg.service.extensions.includes("health_check"), "the chart's probes keep their extension");
                    const otelVolume = otel.extraVolumes.find((v: any) => v.name === otel.extraVolumeMounts[0].name);
                    assert.deepEqual(otelVolume.secret, { secretName: SPOKE_CREDENTIALS.secretName });
                    for (const name of cfg.service.pipelines.metrics.exporters) {
                        const endpoint = new URL(cfg.exporters[name].endpoint);
                        assert.notEqual(endpoint.host, HOST, "metrics go through the spoke's Prometheus, which ships them");
                        assert.match(endpoint.hostname, new RegExp(`\\.${p.settings.namespaces.monitoring}\\.svc$`));
                    }
                    waitsForCredentials("otel-gateway", "tracing");
                }
                // Inside the hub nothing authenticates, and no credential is mounted.
                const hub = hubOf(p).name;
                assert.doesNotMatch(values(p, `${hub}-alloy-logs`).alloy.configMap.content, /basic_auth|password_file/);
                const hubOtel = values(p, `${hub}-otel-gateway`);
                assert.equal(hubOtel.extraEnvs, undefined);
                assert.equal(hubOtel.config.extensions, undefined);
                assert.equal(hubOtel.config.exporters["otlp/tempo"].tls.insecure, true);
            }
        });

        it("uses the ports the charts' Services listen on", () => {
            assert.equal((chartValues("mimir-distributed") as any).gateway.service.port, 80);
            assert.equal((chartValues("thanos") as any).queryFrontend.service.ports.http, 9090);
        });
    });

    describe("retention and object storage", () => {
        it("maps Mimir's compactor retention from retention.metricsDays", async () => {
            const p = await planVariant("prod", { set: { retention: { metricsDays: 400 } } });
            const config = values(p, "prod-gke-mimir").mimir.structuredConfig;
            assert.equal(config.limits.compactor_blocks_retention_period, `${400 * 24}h`);
            assert.equal(config.ingest_storage.enabled, false, "classic architecture");
            assert.equal(values(p, "prod-gke-mimir").kafka.enabled, false);
            assert.equal(values(p, "prod-gke-mimir").minio.enabled, false);
            const buckets = new Map(ofType(p, T.bucket).map((b) => [b.name, inputs(b).name]));
            assert.equal(config.blocks_storage.gcs.bucket_name, buckets.get("mimir-blocks"));
            assert.equal(config.ruler_storage.gcs.bucket_name, buckets.get("mimir-ruler"));
            assert.equal(config.alertmanager_storage.gcs.bucket_name, buckets.get("mimir-alertmanager"));
            assert.deepEqual(values(p, "prod-gke-mimir").serviceAccount, { create: false, name: "mimir" });
        });

        it("maps Thanos' per-resolution retention from settings", async () => {
            const p = await planVariant("prod", {
                // Without the stack's SLOs, whose 30-day period needs 30 days of raw data (sre/evaluation.ts).
                set: { metricsBackend: "thanos", retention: { metricsDays: 400 }, thanos: { rawRetentionDays: 14, fiveMinuteRetentionDays: 120 }, slos: [] },
            });
            const thanos = values(p, "prod-gke-thanos");
            // The upstream image at the chart's appVersion, which Bitnami's chart only renders when told to.
            assert.deepEqual(thanos.image, { registry: "quay.io", repository: "thanos/thanos", tag: `v${chartYaml("thanos").appVersion}` });
            assert.equal(thanos.global.security.allowInsecureImages, true);
            const compactor = thanos.compactor;
            assert.deepEqual(
                [compactor.retentionResolutionRaw, compactor.retentionResolution5m, compactor.retentionResolution1h],
                ["14d", "120d", "400d"],
            );
        });

        it("keeps Thanos' bucket configuration in a Secret on every cluster, never in Helm values", () => {
            const p = plans.get(key("thanos", 3))!;
            const bucket = inputs(ofType(p, T.bucket).find((b) => b.name === "thanos-blocks")!).name as string;
            for (const release of p.releases) {
                const text = JSON.stringify(release.values);
                assert.ok(!text.includes(bucket), `${release.resource} does not name the bucket`);
                assert.doesNotMatch(text, /"objstoreConfig"|"type":\s*"GCS"/);
            }
            for (const cluster of p.settings.clusters) {
                const secret = onCluster(p, cluster.name).find((r) => r.type === T.secret && inputs(r).metadata.name === "thanos-objstore");
                assert.ok(secret, `${cluster.name} has the objstore Secret`);
                assert.equal(inputs(secret).stringData, "[secret]");
                const spec = values(p, `${cluster.name}-kube-prometheus-stack`).prometheus.prometheusSpec;
                assert.deepEqual(spec.thanos.objectStorageConfig.existingSecret, { name: "thanos-objstore", key: "objstore.yml" });
                assert.ok(p.resources.find((r) => r.name === `${cluster.name}-kube-prometheus-stack`)!.dependsOn?.includes(secret.name));
            }
            assert.equal(values(p, "hub-gke-thanos").existingObjstoreSecret, "thanos-objstore");
        });
    });

    describe("an explicit tenant", () => {
        const TENANT = "acme-observability";
        let p: Plan;
        before(async function () {
            this.timeout(180_000);
            p = await planVariant("prod", { set: { clusters: fleetOf(3), fleet: { hub: { host: HOST } }, tenant: TENANT } });
        });

        it("is every signal's tenant: remote write, the gateway, Alloy, Grafana, Loki's rules and Mimir's ruler", () => {
            for (const cluster of p.settings.clusters) {
                const rw = values(p, `${cluster.name}-kube-prometheus-stack`).prometheus.prometheusSpec.remoteWrite as any[];
                assert.deepEqual(rw.map((w) => w.headers), [{ "X-Scope-OrgID": TENANT }], cluster.name);
                assert.match(values(p, `${cluster.name}-alloy-logs`).alloy.configMap.content, /tenant_id = "acme-observability"/);
            }
            const config = ofType(p, "kubernetes:core/v1:ConfigMap").find((c) => inputs(c).metadata.name === "fleet-gateway-config")!;
            const nginx: string = inputs(config).data["nginx.conf"];
            assert.match(nginx, /proxy_set_header X-Scope-OrgID acme-observability;/);
            assert.match(nginx, /grpc_set_header X-Scope-OrgID acme-observability;/);
            const sources = values(p, "hub-gke-kube-prometheus-stack").grafana.additionalDataSources as any[];
            assert.deepEqual(
                sources.filter((d) => d.jsonData?.httpHeaderName1 === "X-Scope-OrgID").map((d) => [d.uid, d.secureJsonData.httpHeaderValue1]),
                [["prometheus", TENANT], ["loki", TENANT], ["tempo", TENANT]],
            );
            // Loki's ruler reads a tenant's rules from the folder named after it.
            assert.equal(values(p, "hub-gke-loki").sidecar.rules.folder, "/rules/acme-observability");
            assert.match(values(p, "hub-gke-alloy-rules").alloy.configMap.content, /tenant_id\s+= "acme-observability"/);
        });

        it("is the stack's name when left out, and a value unsafe in a header is refused", () => {
            assert.equal(plans.get(key("mimir", 3))!.settings.tenant, "prod");
            const lines = refusedKeys({ tenant: "acme prod" });
            assert.deepEqual([...lines.keys()], ["observability-platform:tenant"]);
            assert.match(lines.get("observability-platform:tenant")!, /a tenant id of at most 150 letters/);
            assert.deepEqual([...refusedKeys({ tenant: 'a";b' }).keys()], ["observability-platform:tenant"]);
        });
    });
});

function collectServiceTypes(tree: unknown, out: string[] = []): string[] {
    if (Array.isArray(tree)) tree.forEach((t) => collectServiceTypes(t, out));
    else if (typeof tree === "object" && tree !== null) {
        for (const [k, v] of Object.entries(tree)) {
            if (k === "service" && typeof v === "object" && v !== null && typeof (v as any).type === "string") out.push((v as any).type);
            collectServiceTypes(v, out);
        }
    }
    return out;
}
