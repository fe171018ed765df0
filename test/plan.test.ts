// The offline plan command as a user runs it: files written, determinism, and refusal of bad config.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { PLAN_MARKER, planStack, writePlan } from "../tools/offline/plan";
import { planCommand } from "../tools/plan";
import { runCommand } from "./support/command";

const ROOT = path.resolve(__dirname, "..");

/** The plan command as a user starts it: a process of its own (once; the other cases run it in-process). */
function runPlanCli(args: string[]) {
    return spawnSync(process.execPath, ["-r", "ts-node/register", "tools/plan.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
    });
}

function filesUnder(dir: string): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    const walk = (d: string) => {
        for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
            const full = path.join(d, entry.name);
            if (entry.isDirectory()) walk(full);
            else out.set(path.relative(dir, full), fs.readFileSync(full));
        }
    };
    walk(dir);
    return out;
}

describe("offline plan", function () {
    let tmp: string;
    beforeEach(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-test-"));
    });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("writes every resource, sorted, and each release's values for the dev stack", () => {
        const result = runPlanCli(["--stack", "dev", "--out", tmp]);
        assert.equal(result.status, 0, result.stderr);
        const resources = JSON.parse(fs.readFileSync(path.join(tmp, "resources.json"), "utf8")) as any[];
        for (const r of resources) assert.deepEqual(Object.keys(r).filter((k) => !["protect", "retainOnDelete", "dependsOn", "aliases"].includes(k)), ["type", "name", "urn", "parent", "provider", "inputs"]);
        // The engine's URN: the parents' type chain below the stack, the type and the name.
        assert.equal(
            resources.find((r) => r.name === "dev-gke-loki").urn,
            "urn:pulumi:dev::observability-platform::observability:index:Platform$observability:cluster:ClusterPlatform$kubernetes:helm.sh/v3:Release::dev-gke-loki",
        );
        const keys = resources.map((r) => `${r.type}\u0000${r.name}`);
        assert.deepEqual(keys, [...keys].sort((a, b) => a.localeCompare(b)));
        assert.ok(resources.some((r) => r.type === "observability:index:Platform"), "components are listed too");
        const releases = resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
        assert.ok(releases.length >= 2);
        for (const release of releases) {
            const file = path.join(tmp, "values", `${release.name}.yaml`);
            assert.deepEqual(parse(fs.readFileSync(file, "utf8")), release.inputs.values);
        }
        assert.match(result.stdout, /kube-prometheus-stack@88\.5\.3/);
        assert.match(result.stdout, /argo-cd@10\.1\.1/);
        // Seven pillars' releases, the events Alloy and the probes' blackbox exporter.
        assert.match(result.stdout, /kubernetes:helm\.sh\/v3:Release\s+9/);
        assert.match(result.stdout, /loki@18\.11\.0/);
        assert.match(result.stdout, /in \d+\.\d+ s/);
    });

    it("produces byte-identical files on every run", async () => {
        for (const stack of ["dev", "prod"]) {
            writePlan(await planStack(stack), path.join(tmp, "a"));
            writePlan(await planStack(stack), path.join(tmp, "b"));
            const a = filesUnder(path.join(tmp, "a"));
            const b = filesUnder(path.join(tmp, "b"));
            assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
            for (const [file, content] of a) assert.ok(content.equals(b.get(file)!), `${stack}: ${file} differs between runs`);
        }
    });

    it("masks secrets in every file it writes", async () => {
        const dir = path.join(tmp, "masked");
        writePlan(await planStack("prod"), dir);
        const resources = fs.readFileSync(path.join(dir, "resources.json"), "utf8");
        const secret = JSON.parse(resources).find((r: any) => r.type === "kubernetes:core/v1:Secret");
        assert.equal(secret.inputs.stringData, "[secret]");
        for (const [file, content] of filesUnder(dir)) {
            assert.doesNotMatch(content.toString(), /offline-[0-9a-f]{24}/, `${file} holds a generated password`);
        }
    });

    it("prints the validation error, exits non-zero and writes nothing for a bad stack config", async () => {
        const stackFile = path.join(tmp, "Pulumi.broken.yaml");
        fs.writeFileSync(
            stackFile,
            [
                "config:",
                "  gcp:project: acme-observability-dev",
                "  gcp:region: us-central1",
                "  observability-platform:tier: minimal",
                "  observability-platform:prometheus:",
                "    storageGi: -10",
                "  observability-platform:clusters:",
                "    - { name: a-gke, location: us-central1-a, role: hub }",
                "    - { name: b-gke, location: us-central1-b, role: hub }",
                "",
            ].join("\n"),
        );
        const out = path.join(tmp, "out");
        const result = await runCommand(planCommand, ["--stack", "broken", "--stack-file", stackFile, "--out", out]);
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /observability-platform:prometheus\.storageGi: expected a positive number of GiB; got -10/);
        assert.match(result.stderr, /observability-platform:clusters: expected exactly one cluster with role "hub"/);
        assert.equal(fs.existsSync(out), false, "nothing is written");
    });

    it("names an unknown option without a stack trace, and plans nothing", async () => {
        const r = await runCommand(planCommand, ["--stack", "dev", "--out", tmp, "--node", "4"]);
        assert.equal(r.status, 1);
        assert.equal(r.stderr, "plan: Unknown option '--node'\n");
        assert.deepEqual(fs.readdirSync(tmp), []);
    });

    it("refuses to write into a folder that holds anything but an earlier plan, and replaces an earlier plan", async () => {
        // A folder of someone's files (as `--out .` in a checkout would be): refused, untouched.
        const foreign = path.join(tmp, "notes");
        fs.mkdirSync(foreign);
        fs.writeFileSync(path.join(foreign, "keep.txt"), "mine");
        const refused = await runCommand(planCommand, ["--stack", "dev", "--out", foreign]);
        assert.equal(refused.status, 1);
        assert.match(refused.stderr, /refusing to write the plan to .*notes: the folder holds files of something other than an earlier plan/);
        // Refused before planning: the program never ran (its warnings about dev's unset secrets are absent).
        assert.doesNotMatch(refused.stderr, /warning: \[runtime\]/);
        assert.deepEqual(fs.readdirSync(foreign), ["keep.txt"]);
        assert.equal(fs.readFileSync(path.join(foreign, "keep.txt"), "utf8"), "mine");
        // An earlier plan's folder is replaced: a file the new plan does not write is gone.
        const earlier = path.join(tmp, "plan");
        fs.mkdirSync(path.join(earlier, "values"), { recursive: true });
        fs.writeFileSync(path.join(earlier, PLAN_MARKER), "");
        fs.writeFileSync(path.join(earlier, "values", "stale-release.yaml"), "old: true\n");
        const replaced = await runCommand(planCommand, ["--stack", "dev", "--out", earlier]);
        assert.equal(replaced.status, 0, replaced.stderr);
        assert.ok(!fs.existsSync(path.join(earlier, "values", "stale-release.yaml")));
        assert.ok(fs.existsSync(path.join(earlier, "resources.json")));
    });
});
