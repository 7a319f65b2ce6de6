// The real Alertmanager for end-to-end suites: the sandbox's launcher (one implementation).

export * from "../../sandbox/alertmanager-launch";
