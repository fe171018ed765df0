// The README's configuration reference is checked against the config schema itself, so it cannot
// drift: every key it documents exists, and every key a stack can set is documented.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { settingsSchema } from "../components/config/schema";
import { schemaPaths } from "./support/schema-paths";

const README = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");

/** "a.{b,c.{d,e?}}" -> a.b, a.c.d, a.c.e (a trailing "?" marks an optional key). */
export function expandBraces(key: string): string[] {
    const open = key.indexOf("{");
    if (open < 0) return [key.replace(/\?$/, "")];
    let depth = 0;
    let close = open;
    for (; close < key.length; close++) {
        if (key[close] === "{") depth++;
        if (key[close] === "}" && --depth === 0) break;
    }
    const parts: string[] = [];
    let start = open + 1;
    depth = 0;
    for (let i = open + 1; i < close; i++) {
        if (key[i] === "{") depth++;
        if (key[i] === "}") depth--;
        if (key[i] === "," && depth === 0) {
            parts.push(key.slice(start, i));
            start = i + 1;
        }
    }
    parts.push(key.slice(start, close));
    const head = key.slice(0, open);
    const tail = key.slice(close + 1);
    return parts.flatMap((p) => expandBraces(`${head}${p.replace(/\?$/, "")}${tail}`));
}

/** The keys of the README's configuration tables (those headed "Key"), as schema paths. */
function documentedKeys(): string[] {
    const section = README.slice(README.indexOf("\n## Configuration"), README.indexOf("\n### The tiers compared"));
    const keys: string[] = [];
    let inKeyTable = false;
    let listPrefix = "";
    for (const line of section.split("\n")) {
        if (!line.startsWith("|")) {
            inKeyTable = false;
            continue;
        }
        const cell = line.split("|")[1].trim();
        if (/^key$/i.test(cell)) {
            inKeyTable = true;
            continue;
        }
        if (!inKeyTable || /^-+$/.test(cell)) continue;
        const names = [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
        if (names.length === 0 || names[0].startsWith("gcp:")) continue;
        // "`a.b` / `c`": c is a sibling of b; ".name" continues the list row above it.
        const first = names[0].startsWith(".") ? `${listPrefix}${names[0]}` : names[0];
        if (first.endsWith("[]")) listPrefix = first;
        const siblings = names.slice(1).map((n) => (n.includes(".") ? n : `${first.slice(0, first.lastIndexOf(".") + 1)}${n}`));
        for (const k of [first, ...siblings]) keys.push(...expandBraces(k).map((e) => e.replace(/\[\]$/, "")));
    }
    return keys;
}

// A documented "<placeholder>" segment stands for any key there ("resources.<workload>").
const matches = (documented: string, actual: string): boolean => {
    const d = documented.split(".");
    const a = actual.split(".");
    return d.length === a.length && d.every((s, i) => s === a[i] || /^<[^>]+>$/.test(s));
};

// Not keys of the stack's: Pulumi supplies the stack's name, and gcp:project / gcp:region (documented
// under their own names) give project and region.
const NOT_STACK_KEYS = ["stack", "project", "region"];

describe("README configuration reference", () => {
    const documented = documentedKeys();
    const actual = schemaPaths(settingsSchema).filter((p) => !NOT_STACK_KEYS.includes(p));

    it("reads the tables: dozens of keys, brace groups and sibling names expanded", () => {
        assert.ok(documented.length > 100, `${documented.length} keys`);
        assert.ok(documented.includes("mimir.ingesterStorageGi"), "a sibling after ' / '");
        assert.ok(documented.includes("grafana.ingress.iapOAuthSecretName"), "an optional key in a brace group");
        assert.ok(documented.includes("slos[].objectives[].thresholdSeconds"), "a continuation row");
        assert.deepEqual(expandBraces("r.<w>.{requests.{cpu,memory},limits.{cpu?,memory}}"), [
            "r.<w>.requests.cpu",
            "r.<w>.requests.memory",
            "r.<w>.limits.cpu",
            "r.<w>.limits.memory",
        ]);
    });

    it("documents no key the schema does not have", () => {
        assert.deepEqual(documented.filter((d) => !actual.some((a) => matches(d, a))), []);
    });

    it("documents every key a stack can set: itself, or the object or list entry it belongs to", () => {
        // Keys that hold a value (not an object of keys).
        const leaves = actual.filter((p) => !actual.some((q) => q.startsWith(`${p}.`) || q.startsWith(`${p}[].`)));
        // An object documented whole covers its keys, unless the README also documents some of them
        // one by one (then each must be).
        const whole = documented.filter((d) => !documented.some((e) => e !== d && (e.startsWith(`${d}.`) || e.startsWith(`${d}[]`))));
        const prefixes = (p: string) => [...p.matchAll(/\.|\[\]/g)].map((m) => p.slice(0, m.index));
        const covered = (p: string) => documented.some((d) => matches(d, p)) || prefixes(p).some((q) => whole.some((d) => matches(d, q)));
        assert.deepEqual(leaves.filter((p) => !covered(p)), []);
    });
});
