--[[
  The remediation loop guard's check-and-record: lets a run start only while fewer than the limit
  of runs started inside the window, and records it, in one step so racing replicas cannot
  together exceed the limit. A run already recorded (its next attempt, or a stalled job run again)
  is let through uncounted.

  Input:
    KEYS[1] run history of one handler on one target of one alert group (sorted set: run id
            scored by start time, ms)

    ARGV[1] now, ms since the epoch
    ARGV[2] window start, ms (exclusive): older runs are forgotten
    ARGV[3] the run id
    ARGV[4] the limit: runs allowed inside the window
    ARGV[5] how long the history is kept after this run, ms

  Output:
    {1, n} - the run may start; n runs inside the window, this one included
    {0, n} - refused: n runs inside the window already reach the limit
]]
local rcall = redis.call

rcall('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if rcall('ZSCORE', KEYS[1], ARGV[3]) then return {1, rcall('ZCARD', KEYS[1])} end
local n = rcall('ZCARD', KEYS[1])
if n >= tonumber(ARGV[4]) then return {0, n} end
rcall('ZADD', KEYS[1], ARGV[1], ARGV[3])
rcall('PEXPIRE', KEYS[1], ARGV[5])
return {1, n + 1}
