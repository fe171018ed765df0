// A stack file's settings resolved in-process (no plan), with test overrides of project keys, and
// the problems a refused config names, by key.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { ConfigError } from "../../components/config/errors";
import type { Settings } from "../../components/config/schema";
import { parseConfigValue, resolveSettings, type StackConfigInput } from "../../components/config/settings";
import { readStackConfig } from "../../tools/offline/stack-config";
import { PROJECT } from "./program";

const ROOT = path.resolve(__dirname, "../..");

export function resolveStack(stack: "dev" | "prod", set: Record<string, unknown> = {}): Settings {
    const { config } = readStackConfig(ROOT, stack);
    const values: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(config)) if (key.startsWith(`${PROJECT}:`)) values[key.slice(PROJECT.length + 1)] = parseConfigValue(raw);
    const input: StackConfigInput = { stack, namespace: PROJECT, values: { ...values, ...set }, gcpProject: config["gcp:project"], gcpRegion: config["gcp:region"] };
    return resolveSettings(input);
}

/** The lines of the ConfigError prod's config with `set` raises, by the full key each names. */
export function refusedKeys(set: Record<string, unknown>, stack: "dev" | "prod" = "prod"): Map<string, string> {
    try {
        resolveStack(stack, set);
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        const lines = err.message.split("\n").filter((l) => l.startsWith("  - "));
        return new Map(lines.map((l) => [l.slice(4, l.indexOf(": expected ")), l]));
    }
    assert.fail("the config was accepted");
}
