// The offline plan records each resource's URN as the engine builds it and its aliases as old URNs,
// so plan:diff tells a move from a replacement.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { engineUrns } from "../tools/offline/plan";
import { runProgram, type RecordedResource } from "../tools/offline/runtime";

const URN = "urn:pulumi:dev::observability-platform::";

describe("URNs and aliases in the offline plan", () => {
    it("builds URNs from the whole parent type chain and resolves aliases given by parent, name or URN", async () => {
        const run = await runProgram({
            project: "observability-platform",
            stack: "dev",
            config: {},
            secretKeys: [],
            program: path.join(__dirname, "fixtures", "aliased-program.ts"),
        });
        const byMockUrn = new Map<string, RecordedResource>(run.resources.map((r) => [r.urn, r]));
        const urns = engineUrns("observability-platform", "dev", byMockUrn);
        const byName = new Map(run.resources.map((r) => [r.name, r]));
        const of = (name: string) => {
            const r = byName.get(name)!;
            return { urn: urns.resource(r), aliases: r.aliases.map((a) => urns.alias(r, a)), retainOnDelete: r.retainOnDelete };
        };
        assert.deepEqual(of("dev-gke-loki"), {
            urn: `${URN}observability:cluster:ClusterPlatform$observability:metrics:Metrics$observability:test:Release::dev-gke-loki`,
            aliases: [`${URN}observability:cluster:ClusterPlatform$observability:test:Release::dev-gke-loki`],
            retainOnDelete: false,
        });
        assert.deepEqual(of("dev-gke-ns-logs"), {
            urn: `${URN}observability:test:Namespace::dev-gke-ns-logs`,
            aliases: [`${URN}observability:cluster:ClusterPlatform$observability:test:Namespace::dev-gke-ns-logging`],
            retainOnDelete: true,
        });
        assert.deepEqual(of("loki-chunks").aliases, [`${URN}observability:storage:ObjectStorage$observability:test:Bucket::loki-chunks`]);
        assert.equal(of("dev-gke").urn, `${URN}observability:cluster:ClusterPlatform::dev-gke`);
    });
});
