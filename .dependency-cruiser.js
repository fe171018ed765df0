// Which way imports may point (npm run deps, part of npm test). The program (index.ts, components/)
// never reaches into the tools, the policy pack or the tests; the policy pack is published alone, so
// it imports nothing of the repository; the stack config's schema depends on no concern's code.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
    forbidden: [
        {
            name: "no-circular",
            severity: "error",
            comment: "A cycle ties modules that should be read, tested and changed one at a time.",
            from: {},
            to: { circular: true },
        },
        {
            name: "program-not-to-tools-policy-or-tests",
            severity: "error",
            comment: "What deploys must not depend on the offline tools, the policy pack or the tests.",
            from: { path: "^(index\\.ts|components/)" },
            to: { path: "^(tools|policy|test)/" },
        },
        {
            name: "policy-self-contained",
            severity: "error",
            comment: "pulumi policy publish uploads policy/ alone.",
            from: { path: "^policy/" },
            to: { path: "^(?!policy/)", dependencyTypes: ["local"] },
        },
        {
            name: "tools-not-to-tests",
            severity: "error",
            from: { path: "^tools/" },
            to: { path: "^test/" },
        },
        {
            name: "sre-not-to-dashboards",
            severity: "error",
            comment: "SLO rules produce the series dashboards read: the producer does not depend on its consumer.",
            from: { path: "^components/sre/" },
            to: { path: "^components/dashboards/" },
        },
        {
            name: "config-not-to-concerns",
            severity: "error",
            comment:
                "The stack config's schema is whole in config/; concerns read settings, not the other way. " +
                "Two leaves without imports are shared: the Kubernetes name rules and the SLO windows (retention is checked against them).",
            from: { path: "^components/config/" },
            to: { path: "^components/(?!config/|kubernetes/names\\.ts$|sre/slo-series\\.ts$)" },
        },
        {
            name: "service-directory-is-a-base",
            severity: "error",
            comment: "The service directory is read by every concern that dials or names a Service; it depends on the settings alone.",
            from: { path: "^components/platform/services\\.ts$" },
            to: { path: "^components/(?!config/)" },
        },
        {
            name: "model-reads-no-installer",
            severity: "error",
            comment: "The platform model is pure data from the settings: it reads pure modules, never what installs (the installers read it).",
            from: { path: "^components/platform/" },
            to: { path: "^components/(cluster/|platform\\.ts$|.*/install\\.ts$)" },
        },
        {
            name: "not-to-unresolvable",
            severity: "error",
            from: {},
            to: { couldNotResolve: true },
        },
    ],
    options: {
        doNotFollow: { path: "node_modules" },
        exclude: { path: "^(node_modules|\\.charts|\\.tools|out)/" },
        tsPreCompilationDeps: true,
        tsConfig: { fileName: "tsconfig.json" },
        moduleSystems: ["cjs", "es6"],
    },
};
