import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load";
import { findTeam } from "../../../src/core/routing";
import { pageBlocks, pageButtons } from "../../../src/features/paging/blocks";
import { silenceModal } from "../../../src/features/silences/blocks";
import { silenceMatchers } from "../../../src/features/silences/rules";
import { streamApiAlert } from "../../support/alerts";
import { ORG_DIR } from "../../support/harness";

const config = loadConfig(ORG_DIR);
const ids = (buttons: { action_id?: string }[]) => buttons.map((b) => b.action_id);
const SILENCE = {
  id: "s-1",
  by: "U02AAA",
  startsAt: "2026-11-25T10:00:00.000Z",
  endsAt: "2026-11-25T11:00:00.000Z",
  comment: null,
};

describe("the page of an Alertmanager alert", () => {
  const alert = streamApiAlert();

  it("offers Silence only with an Alertmanager to silence in, and only for Alertmanager's alerts", () => {
    expect(ids(pageButtons(alert, config))).not.toContain("alert.silence");
    expect(ids(pageButtons(alert, config, { alertmanager: true }))).toContain("alert.silence");
    expect(ids(pageButtons({ ...alert, source: "generic" }, config, { alertmanager: true }))).not.toContain(
      "alert.silence",
    );
    const own = {
      ...config,
      rotations: config.rotations.map((r) => ({ ...r, alertmanager: { url: "http://am", auth: null } })),
    };
    expect(ids(pageButtons(alert, own))).toContain("alert.silence");
    expect(ids(pageButtons({ ...alert, state: "resolved" }, own))).toEqual(["alert.incident"]);
  });

  it("says who silenced it until when, and offers Expire silence instead", () => {
    const silenced = { ...alert, silence: SILENCE };
    const blocks = JSON.stringify(pageBlocks(silenced, { config, runbookBaseUrl: null, alertmanager: true }));
    expect(blocks).toContain(
      `🔕 Silenced in Alertmanager until <!date^${Date.parse(SILENCE.endsAt) / 1000}^{date_short_pretty} {time}|2026-11-25 11:00 UTC> by <@U02AAA>`,
    );
    const buttons = ids(pageButtons(silenced, config, { alertmanager: true }));
    expect(buttons).toContain("alert.unsilence");
    expect(buttons).not.toContain("alert.silence");
  });
});

describe("the Silence modal", () => {
  it("names what it matches, escaped, and starts on 1 hour", () => {
    const alert = streamApiAlert({ groupLabels: { alertname: "HighErrorRate", job: "<!channel>" } });
    const view = silenceModal(alert, config, findTeam(config, "playback"), silenceMatchers(alert), {
      alertId: alert.id,
      channel: "C0ONCALL",
      threadTs: null,
    });
    expect(view.callback_id).toBe("alert.silence");
    expect(JSON.parse(view.private_metadata ?? "")).toEqual({
      alertId: alert.id,
      channel: "C0ONCALL",
      threadTs: null,
    });
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('`job=\\"&lt;!channel&gt;\\"`');
    expect(text).not.toContain("<!channel>");
    const select = view.blocks[1] as {
      element: { options: { value: string }[]; initial_option: { value: string } };
    };
    expect(select.element.options.map((o) => o.value)).toEqual(["1h", "4h", "workday", "custom"]);
    expect(select.element.initial_option.value).toBe("1h");
  });
});
