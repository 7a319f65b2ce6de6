import { describe, expect, it } from "vitest";
import {
  askCoverButton,
  askValue,
  readAskValue,
  requesterDm,
  SWAP_ACTION,
  type SwapView,
  swapRequestMessage,
  takerDm,
} from "../../../src/features/swaps/blocks";
import type { SwapRequest } from "../../../src/features/swaps/rules";
import { slackDate } from "../../../src/platform/slack/kit";

const FROM = new Date("2026-11-30T09:00:00Z");
const TO = new Date("2026-12-01T09:00:00Z");

function view(patch: Partial<SwapRequest> = {}, status: SwapView["status"] = { kind: "open" }): SwapView {
  return {
    request: {
      id: "7",
      rotationId: "merged",
      requester: "U03AAA",
      filedBy: "U03AAA",
      team: "payments",
      from: FROM,
      to: TO,
      underWay: false,
      expiresAt: FROM,
      note: null,
      createdAt: new Date("2026-11-25T10:00:00Z"),
      ...patch,
    },
    status,
    rotationName: "Merged on-call",
    teamName: "Payments",
  };
}

const actionIds = (blocks: readonly unknown[]) =>
  JSON.stringify(blocks)
    .match(/"action_id":"[^"]+"/g)
    ?.map((m) => m.slice(13, -1)) ?? [];

describe("the swap request message", () => {
  it("open: who asks, for which window, a Take button carrying the id, until when it is open", () => {
    const m = swapRequestMessage(view());
    expect(m.text).toBe(
      `🔄 <@U03AAA> asks for cover in *Merged on-call* (Payments) from ${slackDate(FROM)} to ${slackDate(TO)}.`,
    );
    const take = JSON.stringify(m.blocks).match(/\{"type":"button"[^}]*\}[^}]*\}/)?.[0] ?? "";
    expect(actionIds(m.blocks)).toEqual([SWAP_ACTION.take]);
    expect(take).toContain('"value":"7"');
    expect(take).toContain('"style":"primary"');
    expect(JSON.stringify(m.blocks)).toContain(`Open until ${slackDate(FROM)}`);
  });

  it("under way: asks for someone to take over now; filed by an admin says so", () => {
    const m = swapRequestMessage(view({ underWay: true, filedBy: "U0ADMIN", from: FROM, expiresAt: TO }));
    expect(m.text).toBe(
      `🆘 <@U03AAA> needs someone to take over in *Merged on-call* (Payments) now, until ${slackDate(TO)} (filed by <@U0ADMIN>).`,
    );
  });

  it("escapes the note: no mention, channel ping or link survives", () => {
    const m = swapRequestMessage(view({ note: "dentist <!channel> &lt;@U0ADMIN&gt; <http://x|y>" }));
    const all = JSON.stringify(m.blocks);
    expect(all).toContain("> dentist &lt;!channel&gt; &lt;@U0ADMIN&gt; &lt;http://x|y&gt;");
    expect(all).not.toContain("<!channel>");
    expect(all).not.toContain("<@U0ADMIN>");
  });

  it("taken: names the taker and the override, and has no button any more", () => {
    const m = swapRequestMessage(view({}, { kind: "taken", by: "U01BBB", at: FROM, overrideId: "3" }));
    expect(m.text).toBe(
      `✅ <@U01BBB> covers <@U03AAA> in *Merged on-call* (Payments) from ${slackDate(FROM)} to ${slackDate(TO)} (override \`3\`).`,
    );
    expect(actionIds(m.blocks)).toEqual([]);
  });

  it("expired: says nobody took it before it started, and has no button", () => {
    const m = swapRequestMessage(view({}, { kind: "expired", at: FROM }));
    expect(m.text).toContain("⌛ Expired: nobody took <@U03AAA>'s shift in *Merged on-call* (Payments)");
    expect(m.text).toContain("before it started.");
    expect(actionIds(m.blocks)).toEqual([]);
  });

  it("DMs tell the requester who covers and the taker what they cover and how to undo it", () => {
    expect(requesterDm(view(), "U01BBB", "3")).toContain("<@U01BBB> took your swap request");
    const later = new Date(FROM.getTime() + 3_600_000);
    expect(takerDm(view(), later, "3")).toContain(`from ${slackDate(later)} (override \`3\`)`);
    expect(takerDm(view(), FROM, "3")).toContain("`/oncall override remove 3`");
  });
});

describe("the Ask for cover button", () => {
  it("carries the rotation and the shift, read back as given; anything else reads as null", () => {
    const b = askCoverButton({ rotationId: "merged", from: FROM, to: TO });
    expect(b.action_id).toBe(SWAP_ACTION.ask);
    expect(b.value).toBe(`merged|${FROM.getTime()}|${TO.getTime()}`);
    expect(readAskValue(askValue({ rotationId: "merged", from: FROM, to: TO }))).toEqual({
      rotationId: "merged",
      from: FROM,
      to: TO,
    });
    expect(readAskValue("merged|2|1")).toBeNull();
    expect(readAskValue("7")).toBeNull();
  });
});
