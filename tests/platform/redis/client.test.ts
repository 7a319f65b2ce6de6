// Start-up against a Redis that is not there: a coded error that says where we looked, without
// the password, and keeps what went wrong as its cause.

import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../src/platform/errors";
import { connectStore, RedisConnectionError, redactUrl, waitReady } from "../../../src/platform/redis/client";
import { freePort } from "../../support/ports";

describe("waitReady", () => {
  it("rejects with a RedisConnectionError naming the URL without its password", async () => {
    const url = `redis://:hunter2@127.0.0.1:${await freePort()}`;
    const redis = connectStore(url, { retryStrategy: () => null });
    // The refusal also comes as an "error" event; the rejection is what this test reads.
    redis.on("error", () => undefined);
    try {
      const err = await waitReady(redis, url, 2_000).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(RedisConnectionError);
      const e = err as RedisConnectionError;
      expect(e.code).toBe(ErrorCode.RedisConnectionError);
      expect(e.url).toBe(redactUrl(url));
      expect(e.message).toContain("cannot connect to Redis at redis://:***@127.0.0.1:");
      expect(e.message).not.toContain("hunter2");
      expect(e.cause).toBeInstanceOf(Error);
    } finally {
      redis.disconnect();
    }
  });
});
