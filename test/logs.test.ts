// The logs pillar as planned: Loki's storage, identities, schema and retention per tier, and what
// Alloy collects, labels, parses and drops.
import * as assert from "node:assert/strict";
import { pushTargets } from "../components/fleet/endpoints";
import { alloyConfig, healthCheckExpression, JSON_LINE_SELECTOR, LOG_STREAM_LABELS } from "../components/logs/alloy";
import { planCase, RENDERED_STACKS } from "./support/rendered-stacks";
import { renderPlan } from "./support/rendered";
import { podSpecOf } from "./support/rendered-checks";
import type { Plan, PlannedResource } from "../tools/offline/plan";
import { ofType, planVariant, T } from "./support/program";
import { valuesSchemaProblems } from "./support/values-schema";

const release = (plan: Plan, name: string) => {
    const found = plan.releases.find((r) => r.resource === name);
    assert.ok(found, `no release ${name}`);
    return found;
};
const values = (plan: Plan, name: string) => release(plan, name).values as Record<string, any>;
const resource = (plan: Plan, name: string): PlannedResource => {
    const found = plan.resources.find((r) => r.name === name);
    assert.ok(found, `no resource ${name}`);
    return found;
};
const bucketName = (plan: Plan, key: string) => (resource(plan, key).inputs as any).name as string;

/** Every `target_label` an Alloy relabel rule writes. */
const targetLabels = (config: string) => [...config.matchAll(/target_label\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
/** The first block `name { ... }` (balanced braces outside string literals). */
function block(config: string, name: string): string {
    const start = config.indexOf(`${name} {`);
    assert.ok(start >= 0, `no block ${name}`);
    let depth = 0;
    for (let i = config.indexOf("{", start); i < config.length; i++) {
        if (config[i] === '"') {
            // Skip a string literal: braces inside it (regexes) are not blocks.
            for (i++; i < config.length && config[i] !== '"'; i++) if (config[i] === "\\") i++;
            continue;
        }
        if (config[i] === "{") depth++;
        if (config[i] === "}" && --depth === 0) return config.slice(start, i + 1);
    }
    throw new Error(`unbalanced block ${name}`);
}

describe("logs pillar", function () {
    let dev: Plan;
    let prod: Plan;
    let distributed: Plan;
    before(async () => {
        dev = await planVariant("dev");
        prod = await planVariant("prod");
        distributed = await planVariant("prod", { set: { loki: { deploymentMode: "Distributed" } } });
    });

    describe("Loki", () => {
        it("stores chunks and index on a PVC of the platform StorageClass in the minimal tier, one replica", () => {
            const v = values(dev, "dev-gke-loki");
            const storageClass = ofType(dev, T.storageClass)[0].inputs as any;
            assert.equal(v.loki.storage.type, "filesystem");
            assert.equal(v.loki.schemaConfig.configs[0].object_store, "filesystem");
            assert.equal(v.singleBinary.replicas, 1);
            assert.equal(v.singleBinary.persistence.enabled, true);
            assert.equal(v.singleBinary.persistence.storageClass, storageClass.metadata.name);
            assert.equal(v.singleBinary.persistence.size, `${dev.settings.loki.storageGi}Gi`);
            assert.equal(v.loki.commonConfig.replication_factor, 1);
            assert.deepEqual(v.serviceAccount, { create: true });
        });

        it("uses exactly the foundation's buckets and Workload Identity account in the long-term tier", () => {
            const v = values(prod, "prod-gke-loki");
            assert.equal(v.loki.storage.type, "gcs");
            assert.equal(v.loki.storage.bucketNames.chunks, bucketName(prod, "loki-chunks"));
            assert.equal(v.loki.storage.bucketNames.ruler, bucketName(prod, "loki-ruler"));
            assert.equal(v.loki.schemaConfig.configs[0].object_store, "gcs");
            assert.equal(v.loki.compactor.delete_request_store, "gcs");
            // The chart runs as the annotated account the cluster component created, never its own.
            assert.deepEqual(v.serviceAccount, { create: false, name: "loki" });
            const ksa = resource(prod, "prod-gke-ksa-logging-loki").inputs as any;
            assert.equal(ksa.metadata.namespace, "logging");
            assert.match(ksa.metadata.annotations["iam.gke.io/gcp-service-account"], /^obs-loki-prod@/);
            assert.ok(resource(prod, "prod-gke-loki").dependsOn?.includes("prod-gke-ksa-logging-loki"), "installed after its account");
        });

        it("replicates every stream three times over three replicas in the long-term tier (Monolithic HA)", () => {
            const v = values(prod, "prod-gke-loki");
            assert.equal(v.deploymentMode, "Monolithic");
            assert.equal(v.singleBinary.replicas, 3);
            assert.equal(v.loki.commonConfig.replication_factor, 3);
            for (const c of ["backend", "read", "write", "ingester", "querier"]) assert.equal(v[c].replicas, 0, c);
        });

        it("runs the Distributed components instead of the single binary when configured", () => {
            const v = values(distributed, "prod-gke-loki");
            assert.equal(v.deploymentMode, "Distributed");
            assert.equal(v.singleBinary.replicas, 0);
            for (const c of ["ingester", "distributor", "querier", "queryFrontend", "queryScheduler", "indexGateway", "compactor"]) {
                assert.ok(v[c].replicas >= 1, c);
                assert.ok(v[c].resources.requests.cpu, c);
            }
            assert.ok(v.ingester.replicas >= v.loki.commonConfig.replication_factor, "a write reaches a quorum of ingesters");
            const storageClass = ofType(distributed, T.storageClass)[0].inputs as any;
            assert.equal(v.ingester.persistence.enabled, true, "the WAL is on a disk");
            assert.equal(v.ingester.persistence.claims[0].storageClass, storageClass.metadata.name);
            // SimpleScalable is deprecated upstream: its targets never run.
            for (const c of ["backend", "read", "write"]) assert.equal(v[c].replicas, 0, c);
        });

        it("uses schema v13 on TSDB and enforces retention through the compactor, per stack", () => {
            for (const plan of [dev, prod]) {
                const v = values(plan, `${plan.settings.clusters[0].name}-loki`);
                const [period] = v.loki.schemaConfig.configs;
                assert.equal(period.schema, "v13");
                assert.equal(period.store, "tsdb");
                assert.equal(v.loki.compactor.retention_enabled, true);
                assert.ok(v.loki.compactor.delete_request_store, "retention needs a delete-request store");
                assert.equal(v.loki.limits_config.retention_period, `${plan.settings.retention.logsDays * 24}h`);
            }
            const longer = values(prod, "prod-gke-loki");
            assert.equal(longer.loki.limits_config.retention_period, "720h");
        });

        it("sizes caches per tier instead of the chart's 8 GiB chunks cache", () => {
            const dv = values(dev, "dev-gke-loki");
            assert.equal(dv.chunksCache.enabled, false);
            assert.equal(dv.resultsCache.enabled, false);
            const pv = values(prod, "prod-gke-loki");
            assert.equal(pv.chunksCache.enabled, true);
            assert.ok(pv.chunksCache.allocatedMemory < 8192);
            // Memcached's cache fits inside the memory the pod requests.
            const requestMi = parseInt(pv.chunksCache.resources.requests.memory, 10);
            assert.ok(pv.chunksCache.allocatedMemory < requestMi);
        });

        it("is reachable under the service name the collectors push to, multi-tenant, and scraped", () => {
            for (const plan of [dev, prod]) {
                const v = values(plan, `${plan.settings.clusters[0].name}-loki`);
                // The chart names its gateway Service "<fullname>-gateway": "loki-gateway", where collectors push.
                assert.equal(v.fullnameOverride, "loki");
                assert.equal(v.gateway.enabled, true);
                assert.equal(v.loki.auth_enabled, true);
                assert.equal(v.monitoring.serviceMonitor.enabled, true);
                assert.equal(v.lokiCanary.enabled, false);
            }
        });

        it("passes the chart's values.schema.json, which also rejects a wrong type", () => {
            for (const plan of [dev, prod, distributed]) {
                assert.deepEqual(valuesSchemaProblems("loki", values(plan, `${plan.settings.clusters[0].name}-loki`)), []);
            }
            assert.notDeepEqual(valuesSchemaProblems("loki", { singleBinary: { replicas: "three" } }), []);
        });
    });

    describe("Alloy", () => {
        it("runs as a DaemonSet on every node, reading the node's pod log files", () => {
            const v = values(dev, "dev-gke-alloy-logs");
            assert.equal(v.controller.type, "daemonset");
            assert.deepEqual(v.controller.tolerations, [{ operator: "Exists" }]);
            assert.equal(v.alloy.mounts.varlog, true);
            assert.equal(v.serviceMonitor.enabled, true);
            // Read positions survive restarts, so lines are neither lost nor sent twice.
            assert.equal(v.alloy.storagePath, v.alloy.mounts.extra[0].mountPath);
            assert.equal(v.controller.volumes.extra[0].hostPath.path, v.alloy.storagePath);
        });

        it("labels streams with cluster, namespace, pod, container and app only, and pushes to the hub's Loki", () => {
            const s = dev.settings;
            const cluster = s.clusters[0];
            const config = values(dev, "dev-gke-alloy-logs").alloy.configMap.content as string;
            const labels = new Set(targetLabels(block(config, 'discovery.relabel "pod_logs"')).filter((l) => !l.startsWith("__")));
            assert.deepEqual([...labels, "cluster"].sort(), [...LOG_STREAM_LABELS].sort());
            const write = block(config, 'loki.write "platform"');
            const targets = pushTargets(s, cluster);
            assert.match(write, new RegExp(`url\\s*=\\s*"${targets.logsPush}"`));
            assert.match(write, new RegExp(`tenant_id\\s*=\\s*"${targets.tenant}"`));
            assert.match(write, new RegExp(`external_labels = \\{ cluster = "${cluster.name}" \\}`));
        });

        it("turns a JSON line's level into a label and its trace_id into structured metadata, never a label", () => {
            const config = alloyConfig(dev.settings, dev.settings.clusters[0], pushTargets(dev.settings, dev.settings.clusters[0]));
            const match = block(config, "stage.match");
            assert.match(block(match, "stage.labels"), /values = \{ level = "" \}/);
            assert.doesNotMatch(block(match, "stage.labels"), /trace_id/);
            assert.match(block(match, "stage.structured_metadata"), /trace_id = ""/);
            // The selector (a LogQL raw string) picks JSON lines and leaves plain text alone.
            const lineFilter = /`(.*)`/.exec(JSON_LINE_SELECTOR)?.[1] ?? "";
            assert.match('  {"level":"error","trace_id":"abc"}', new RegExp(lineFilter));
            assert.doesNotMatch("plain text line", new RegExp(lineFilter));
        });

        it("redacts e-mail addresses, IP addresses and credentials in every line before it is pushed", () => {
            const config = values(prod, "prod-gke-alloy-logs").alloy.configMap.content as string;
            const process = block(config, 'loki.process "pod_logs"');
            const stages = [...process.matchAll(/stage\.replace \{\s*expression = (".*")\s*replace\s*= (".*")\s*\}/g)].map((m) => ({
                expression: JSON.parse(m[1]) as string,
                replace: JSON.parse(m[2]) as string,
            }));
            assert.ok(stages.length >= 4);
            // Alloy replaces what the expression's capture group matched, everywhere in the line.
            const apply = (line: string) =>
                stages.reduce((text, st) => {
                    const ci = st.expression.startsWith("(?i)");
                    const re = new RegExp(ci ? st.expression.slice(4) : st.expression, ci ? "gi" : "g");
                    return text.replace(re, (whole: string, secret: string) => whole.replace(secret, st.replace));
                }, line);
            const line = '{"level":"info","msg":"login bob@corp.example from 198.51.100.7","headers":{"Authorization":"Bearer abc.def-123"}}';
            const clean = apply(line);
            for (const secret of ["bob@corp.example", "198.51.100.7", "abc.def-123"]) assert.ok(!clean.includes(secret), clean);
            assert.doesNotThrow(() => JSON.parse(clean), "a JSON line stays JSON, so level and trace_id are still parsed");
            assert.equal(apply("GET /api/v1/orders 200 12ms"), "GET /api/v1/orders 200 12ms");
            // IPv6 clients, full and compressed, also in brackets with a port.
            const v6 = apply("from 2001:db8:85a3::8a2e:370:7334 and [2001:db8::1]:443 and 2001:0db8:0000:0000:0000:ff00:0042:8329");
            for (const secret of ["85a3", "8a2e", "db8::1", "ff00"]) assert.ok(!v6.includes(secret), v6);
            // Times, MAC addresses and code paths are not addresses.
            const ordinary = "at 12:30:45 nic 00:1a:2b:3c:4d:5e panicked in std::vector and cafe::Bar::new";
            assert.equal(apply(ordinary), ordinary);
        });

        it("ships the kubelet's and containerd's journal from /var/log/journal with cluster, job, node, unit and level only", () => {
            for (const plan of [dev, prod]) {
                const config = values(plan, `${plan.settings.clusters[0].name}-alloy-logs`).alloy.configMap.content as string;
                const journal = block(config, 'loki.source.journal "node"');
                assert.match(journal, /path\s*= "\/var\/log\/journal"/);
                assert.match(journal, /matches\s*= "_SYSTEMD_UNIT=kubelet\.service _SYSTEMD_UNIT=containerd\.service"/);
                assert.match(journal, /labels\s*= \{ job = "node-journal", node = sys\.env\("NODE_NAME"\) \}/);
                assert.match(journal, /forward_to\s*= \[loki\.write\.platform\.receiver\]/);
                // Labels from the journal: unit and the priority as a word; nothing per line (no pid, no message id).
                assert.deepEqual(targetLabels(block(config, 'loki.relabel "journal"')), ["unit", "level"]);
                // The chart's varlog mount is the node's /var/log, which holds the journal.
                assert.equal(values(plan, `${plan.settings.clusters[0].name}-alloy-logs`).alloy.mounts.varlog, true);
            }
        });

        it("ships Kubernetes events from one replica per cluster, allowed to read events and nothing else (rendered chart)", async () => {
            for (const key of ["dev", "fleet"] as const) {
                // Only the events' releases: the whole stacks are rendered by test/rendered.test.ts.
                const rp = await renderPlan(await planCase(RENDERED_STACKS[key]), (r) => r.releaseName === "alloy-events");
                const events = rp.releases.filter((r) => r.release.releaseName === "alloy-events");
                assert.equal(events.length, rp.plan.settings.clusters.length, "one per cluster");
                for (const r of events) {
                    const workloads = r.objects.filter((o) => podSpecOf(o));
                    assert.deepEqual(workloads.map((o) => [o.kind, o.spec.replicas, o.spec.strategy?.type]), [["Deployment", 1, "Recreate"]]);
                    const roles = r.objects.filter((o) => o.kind === "ClusterRole" || o.kind === "Role");
                    assert.equal(roles.length, 1);
                    for (const rule of roles[0].rules) assert.deepEqual(rule, { apiGroups: [""], resources: ["events"], verbs: ["get", "list", "watch"] });
                    const config = r.objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "alloy-events")!.data["config.alloy"] as string;
                    assert.match(block(config, 'loki.source.kubernetes_events "cluster"'), /job_name\s*= "kubernetes-events"/);
                    assert.match(block(config, 'loki.process "events"'), /stage\.label_drop \{\s*values = \["instance"\]/);
                    const write = block(config, 'loki.write "platform"');
                    assert.match(write, new RegExp(`external_labels = \\{ cluster = "${r.cluster}" \\}`));
                    // A spoke pushes to the hub's gateway with its own credentials, mounted like the log DaemonSet's.
                    const spoke = rp.plan.settings.clusters.find((c) => c.name === r.cluster)!.role === "spoke";
                    assert.equal(/password_file/.test(write), spoke, r.cluster);
                    const volumes = (podSpecOf(workloads[0])!.volumes ?? []).map((v: any) => v.secret?.secretName).filter(Boolean);
                    assert.equal(volumes.includes("fleet-hub-credentials"), spoke, r.cluster);
                    if (spoke) assert.match(write, /url\s*= "https:\/\/fleet\.hub\.acme-corp\.example\/loki\/api\/v1\/push"/);
                }
            }
        });

        it("drops health-check and probe lines, keeps everything else, and can be told not to", () => {
            const expression = new RegExp(healthCheckExpression(dev.settings.loki.healthCheckPaths));
            for (const noise of [
                '10.0.0.1 - - "GET /healthz HTTP/1.1" 200',
                "GET /ready 200 3ms",
                'GET /metrics?x=1 HTTP/1.1',
                "user-agent kube-probe/1.31",
            ]) {
                assert.match(noise, expression, noise);
            }
            for (const kept of ['"GET /api/orders HTTP/1.1" 200', "GET /healthzone 200", "POST /healthz-report 500", "level=error msg=boom"]) {
                assert.doesNotMatch(kept, expression, kept);
            }
            const cluster = dev.settings.clusters[0];
            const on = alloyConfig(dev.settings, cluster, pushTargets(dev.settings, cluster));
            assert.match(on, /stage\.drop/);
            const off = alloyConfig({ ...dev.settings, loki: { ...dev.settings.loki, dropHealthChecks: false } }, cluster, pushTargets(dev.settings, cluster));
            assert.doesNotMatch(off, /stage\.drop/);
        });
    });
});
