// What every feature of the running bot shares: settings, config, clock, stores, queues, Slack.
// Features (src/features.ts) receive it and plug their listeners, workers and hooks into it, so
// adding a feature never means rewiring the others.

import type { App } from "@slack/bolt";
import type { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Settings } from "./config/env";
import type { Alert, AlertChange } from "./core/alert";
import type { OncallConfig, Team } from "./core/config";
import type { AlertStore } from "./features/paging/alert-store";
import type { PageContext } from "./features/paging/blocks";
import type { DeliveryStore } from "./features/paging/delivery-store";
import type { IntakeFilter } from "./features/paging/intake/receive";
import type { RotationStateStore } from "./features/rotation/store";
import type { ExtraRoute } from "./platform/http/server";
import type { Logger } from "./platform/log";
import type { Metrics } from "./platform/metrics";
import type { ScheduledJobs } from "./platform/queue/schedule";
import type { SlackApi } from "./platform/slack/api";
import type { CommandRouter } from "./platform/slack/commands";

export type Role = "all" | "web" | "worker";

/** The queues, created once per process; workers for them run where role allows. */
export interface Queues {
  /** Brings an alert's Slack page, DM and thread up to date. */
  readonly notify: Queue;
  /** Escalation timers: delayed jobs per alert and step. */
  readonly escalate: Queue;
  /** Remediation runs. */
  readonly remediate: Queue;
  /** Repeating jobs: shift changes, the weekly review. */
  readonly schedule: Queue;
  /** Brings each rotation's on-call user group up to date (one coalescing job per rotation). */
  readonly usergroups: Queue;
  /** Brings each storm's digest up to date (one coalescing job per storm and few seconds). */
  readonly storm: Queue;
}

export type { AlertChange } from "./core/alert";

/** Runs after a change is stored; must be idempotent (a retried webhook runs it again). */
export type AlertChangeHook = (change: AlertChange) => Promise<void>;

/**
 * A way an alert shows in Slack other than a page of its own: a storm digest (features/storm).
 * Paging and escalation ask it through the Runtime, so neither imports the feature that groups.
 */
export interface AlertGrouping {
  /** Before a new alert's first page: true when the group shows it instead (now brought up to date). */
  fold(alert: Alert): Promise<boolean>;
  /** Whether the group shows the alert now (read only): then it has no page, nor a thread, of its own. */
  holds(alert: Alert): Promise<boolean>;
  /** An escalation re-page at `step`: true when the alert is grouped (the group re-pages once for all). */
  repage(alert: Alert, step: number, repeats: number): Promise<boolean>;
  /** The escalation broadcast to `team`: true when the alert is grouped (the group broadcasts once). */
  broadcast(alert: Alert, team: Team): Promise<boolean>;
}

export interface Runtime {
  readonly role: Role;
  readonly settings: Settings;
  readonly config: OncallConfig;
  readonly log: Logger;
  readonly now: () => Date;
  readonly metrics: Metrics;
  /** The store's connection (no offline queue, bounded commands: fails fast when Redis is away or hangs). */
  readonly redis: Redis;
  /**
   * The queues' connection (adding jobs), its commands bounded like the store's; workers get
   * connections of their own without the bound (`workerConnection`), as BullMQ blocks on them.
   */
  readonly queueConnection: Redis;
  /** Key prefix of every Redis key; BullMQ queues live under `${prefix}bull`. */
  readonly prefix: string;
  readonly bullPrefix: string;
  readonly alerts: AlertStore;
  readonly delivery: DeliveryStore;
  readonly rotationState: RotationStateStore;
  readonly queues: Queues;
  readonly slack: SlackApi;
  readonly page: PageContext;
  readonly commands: CommandRouter;
  /** Hooks run after every stored alert change, in registration order. */
  readonly onAlertChange: AlertChangeHook[];
  /** Run on every incoming group before it is stored (heartbeat pings leave it here). */
  readonly intakeFilters: IntakeFilter[];
  /** Asked before an alert gets a page, a re-page or a broadcast of its own (the storm feature's). */
  readonly alertGroups: AlertGrouping[];
  /** Handlers of the schedule queue by job name (`onScheduledJob`); its one worker dispatches. */
  readonly scheduled: ScheduledJobs;
  /** Runs every hook for a change. */
  alertChanged(change: AlertChange): Promise<void>;
  /** A new Redis connection for a worker; closed at stop. */
  workerConnection(): Redis;
  /**
   * Resolves once a Redis replica holds every write made so far (WAIT; at once when there is no
   * replica); rejects with a ReplicaAckError when none acknowledged in time. Intake calls it
   * before answering, so a 2xx survives a failover.
   */
  awaitReplicas(): Promise<void>;
}

/** What a feature adds to the running bot. Everything is optional. */
export interface FeatureParts {
  /** Bolt listeners (web role). */
  readonly slack?: (app: App) => void;
  /** Workers (worker role); created only when the role runs workers. */
  readonly workers?: () => Worker[] | Promise<Worker[]>;
  /** Extra HTTP routes (web role). */
  readonly routes?: readonly ExtraRoute[];
  /** Runs at start-up before any worker takes a job (e.g. upsert job schedulers); worker role. */
  readonly start?: () => Promise<void>;
  readonly stop?: () => Promise<void>;
}

export interface Feature {
  readonly name: string;
  setup(rt: Runtime): FeatureParts | Promise<FeatureParts>;
}
