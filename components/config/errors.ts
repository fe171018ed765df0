// Turns validation issues into one readable error that names every bad key the way a user writes it
// in Pulumi.<stack>.yaml, with what was expected and what was given.

export interface ConfigProblem {
    /** Path inside the resolved settings, e.g. ["clusters", 1, "role"]. */
    path: readonly (string | number)[];
    expected: string;
    /** The offending value; `undefined` means the key is missing. */
    given: unknown;
    /** Whether the key itself is the problem (unknown key) rather than its value. */
    unknownKey?: boolean;
    /** The full config key, where `path` cannot name it (a key of another namespace, a shadowing key). */
    key?: string;
    /** What was given, in words, where the value itself says nothing (a YAML syntax problem). */
    givenText?: string;
}

/** Settings keys that come from another config namespace than the project's. */
const FOREIGN_KEYS: Readonly<Record<string, string>> = { project: "gcp:project", region: "gcp:region" };

export function configKeyPath(namespace: string, path: readonly (string | number)[]): string {
    if (path.length === 0) return `${namespace} config`;
    const [head, ...rest] = path;
    let out = FOREIGN_KEYS[String(head)] ?? `${namespace}:${String(head)}`;
    // Map keys such as a Slack channel ("#alerts") as `pulumi config set --path` spells them.
    for (const part of rest) out += typeof part === "number" ? `[${part}]` : /^[A-Za-z_][-\w]*$/.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`;
    return out;
}

function describeGiven(problem: ConfigProblem): string {
    if (problem.givenText !== undefined) return problem.givenText;
    if (problem.unknownKey) return `the unknown key "${problem.key ?? String(problem.path[problem.path.length - 1])}"`;
    if (problem.given === undefined) return "nothing (the key is missing)";
    // Credentials inside a URL, and a Slack webhook pasted into the wrong key (its path is the
    // secret), are never echoed, whatever the key.
    const text = JSON.stringify(problem.given)
        .replace(/(\/\/)[^/@\s"]*@/g, "$1[credentials]@")
        .replace(/(hooks\.slack\.com\/)[^\s"]*/gi, "$1[webhook, not shown]");
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export class ConfigError extends Error {
    readonly problems: readonly ConfigProblem[];

    constructor(stack: string, namespace: string, problems: readonly ConfigProblem[]) {
        const lines = problems.map(
            (p) => `  - ${p.key ?? configKeyPath(namespace, p.path)}: expected ${p.expected}; got ${describeGiven(p)}`,
        );
        super(
            `Invalid stack config for stack "${stack}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                lines.join("\n") +
                `\nNothing was deployed. Fix these keys in Pulumi.${stack}.yaml (or with \`pulumi config set\`).`,
        );
        this.name = "ConfigError";
        this.problems = problems;
    }
}
