// Personal data the platform removes from telemetry text: log bodies (in Alloy and in the OTel
// gateway) and span attributes. One definition, rendered for each engine (both use RE2).

export interface PiiRule {
    readonly name: string;
    /** RE2 text that must precede the secret (not redacted); may start with the (?i) flag. */
    readonly before: string;
    /** RE2 text of the secret itself, without capture groups. */
    readonly secret: string;
    readonly label: string;
}

export const PII_RULES: readonly PiiRule[] = [
    { name: "email", before: "", secret: "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}", label: "[redacted-email]" },
    {
        name: "ipv4",
        before: "",
        secret: "\\b(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\b",
        label: "[redacted-ip]",
    },
    // IPv6: the full form (8 groups) or a compressed one with at least two groups before "::". Times
    // ("12:30:45"), MAC addresses and C++/Rust paths ("std::vector", "cafe::Bar") are left alone;
    // so are "::1" and "fe80::1", which name no client. After ipv4, which takes an embedded IPv4 tail.
    {
        name: "ipv6",
        before: "",
        secret: "\\b(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){2,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?)",
        label: "[redacted-ip]",
    },
    // "Authorization: Bearer abc", "authorization=Basic xyz", "\"authorization\": \"...\"".
    {
        name: "authorization",
        before: "(?i)(?:proxy-)?authorization[\"']?\\s*[:=]\\s*[\"']?(?:(?:bearer|basic|digest|token)\\s+)?",
        secret: "[^\\s\"',;]+",
        label: "[redacted]",
    },
    { name: "bearer", before: "(?i)bearer\\s+", secret: "[A-Za-z0-9._~+/=-]+", label: "[redacted]" },
];

const splitFlags = (before: string) => (before.startsWith("(?i)") ? { flags: "(?i)", rest: before.slice(4) } : { flags: "", rest: before });

/** For OTTL replace_pattern: the whole match is replaced, keeping the `before` part as group 1. */
export function ottlPattern(rule: PiiRule): { regex: string; replacement: string } {
    const { flags, rest } = splitFlags(rule.before);
    if (!rest) return { regex: `${flags}${rule.secret}`, replacement: rule.label };
    // `$$` is the collector config's escape for a literal `$`: OTTL then sees `${1}`.
    return { regex: `${flags}(${rest})${rule.secret}`, replacement: `$\${1}${rule.label}` };
}

/** For Alloy's stage.replace: only the capture group (the secret) is replaced. */
export function alloyPattern(rule: PiiRule): { expression: string; replace: string } {
    const { flags, rest } = splitFlags(rule.before);
    return { expression: `${flags}${rest}(${rule.secret})`, replace: rule.label };
}
