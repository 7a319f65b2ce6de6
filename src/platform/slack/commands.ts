// Slash commands: `/oncall <sub> …` and `/incident <sub> …`. Each feature registers its
// subcommands; the router acks at once (Slack wants an answer within 3 s), runs the subcommand and
// answers through the response URL. Unknown or malformed input gets ephemeral usage with an example.

import { randomBytes } from "node:crypto";
import type { App, RespondArguments } from "@slack/bolt";
import { CodedError, ErrorCode } from "../errors";
import type { Logger } from "../log";
import type { Block } from "./kit";

export type SlashCommand = "/oncall" | "/incident";

export interface CommandContext {
  readonly command: SlashCommand;
  readonly userId: string;
  readonly channelId: string;
  /** Words after the subcommand, split on white space (quotes are not special). */
  readonly args: readonly string[];
  /** Text after the subcommand, as typed. */
  readonly rest: string;
  readonly triggerId: string;
}

export interface CommandReply {
  readonly text: string;
  readonly blocks?: readonly Block[];
  /** Default ephemeral: only the person who typed the command sees it. */
  readonly inChannel?: boolean;
}

export interface Subcommand {
  readonly name: string;
  /** e.g. "who [rotation]" */
  readonly usage: string;
  readonly summary: string;
  /** e.g. "/oncall who merged" */
  readonly example: string;
  run(ctx: CommandContext): Promise<CommandReply | null>;
}

/** Thrown by a subcommand for input it cannot use; the message says what is wrong. */
export class UsageError extends CodedError {
  readonly code = ErrorCode.UsageError;

  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A short id for one failure, in the log line and in the answer to the person who saw it. */
export function errorReference(): string {
  return randomBytes(4).toString("hex");
}

export class CommandRouter {
  private readonly subs = new Map<SlashCommand, Map<string, Subcommand>>();

  register(command: SlashCommand, sub: Subcommand): void {
    const table = this.subs.get(command) ?? new Map<string, Subcommand>();
    if (table.has(sub.name)) throw new Error(`${command} ${sub.name} is registered twice`);
    table.set(sub.name, sub);
    this.subs.set(command, table);
  }

  subcommands(command: SlashCommand): Subcommand[] {
    return [...(this.subs.get(command)?.values() ?? [])];
  }

  help(command: SlashCommand): string {
    const lines = this.subcommands(command).map((s) => `\`${command} ${s.usage}\` — ${s.summary}`);
    lines.push(`\`${command} help\` — this help`);
    return `*${command}*\n${lines.join("\n")}`;
  }

  usage(command: SlashCommand, sub: Subcommand): string {
    return `Usage: \`${command} ${sub.usage}\`\nExample: \`${sub.example}\``;
  }

  /** Parses and runs one command text; never throws for bad input. */
  async dispatch(
    command: SlashCommand,
    text: string,
    base: Omit<CommandContext, "args" | "rest" | "command">,
    log: Logger,
  ): Promise<CommandReply> {
    const trimmed = text.trim();
    const [name = "", ...args] = trimmed.split(/\s+/).filter(Boolean);
    const rest = trimmed.slice(name.length).trim();
    const sub = this.subs.get(command)?.get(name.toLowerCase());
    if (!name || name === "help") return { text: this.help(command) };
    if (!sub) return { text: `I don't know \`${command} ${name}\`.\n${this.help(command)}` };
    try {
      return (await sub.run({ ...base, command, args, rest })) ?? { text: "Done." };
    } catch (err) {
      if (err instanceof UsageError) return { text: `${err.message}\n${this.usage(command, sub)}` };
      // The error's own text may hold internals (keys, hosts, stack frames): it goes to the log, and
      // the person gets what to do and a reference the operator finds that log line by.
      const ref = errorReference();
      log.error({ err, ref, command, sub: name, user: base.userId }, "slash command failed");
      return {
        text: `Sorry, \`${command} ${name}\` failed on our side; nothing you typed was wrong. Try again in a moment. If it keeps failing, tell whoever runs the bot: reference \`${ref}\`.`,
      };
    }
  }

  attach(app: App, log: Logger): void {
    for (const command of ["/oncall", "/incident"] as const) {
      app.command(command, async ({ ack, command: cmd, respond }) => {
        await ack();
        const reply = await this.dispatch(
          command,
          cmd.text ?? "",
          { userId: cmd.user_id, channelId: cmd.channel_id, triggerId: cmd.trigger_id },
          log,
        );
        // Block Kit is plain data here; Bolt's union type for it adds nothing but casts.
        const msg = {
          response_type: reply.inChannel ? "in_channel" : "ephemeral",
          text: reply.text,
          ...(reply.blocks ? { blocks: reply.blocks } : {}),
        } as RespondArguments;
        // Slack always sends a response_url with a command; a body without one has nowhere to go.
        if (typeof respond !== "function") {
          log.warn(
            { command, user: cmd.user_id },
            "slash command without a response_url: the answer is dropped",
          );
          return;
        }
        await respond(msg);
      });
    }
  }
}
