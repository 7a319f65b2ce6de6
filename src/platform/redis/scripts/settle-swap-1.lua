--[[
  Settles a shift-swap request once: the first Take wins however many replicas handle presses at
  the same instant, and a request whose shift has started can be taken by nobody. The expiry timer
  runs the same script, so a Take and the expiry racing each other also end in one outcome.

  Input:
    KEYS[1] the request's hash (fields: expires = ms after which nobody may take it,
            status = "open" | "taken" | "expired", by = the taker, at = ms it was settled)

    ARGV[1] "take" or "expire"
    ARGV[2] the taker (for "take"; ignored for "expire")
    ARGV[3] now, ms

  Output:
    { outcome, by }, one of:
    { "taken", taker }        - this Take won
    { "expired", "" }         - expired now (by the timer, or a Take that came too late)
    { "taken-before", by }    - someone took it already
    { "expired-before", "" }  - it had expired already
    { "open", "" }            - "expire" before its time: nothing changed
    { "missing", "" }         - no such request (never filed, or forgotten)
]]
local rcall = redis.call

local status = rcall('HGET', KEYS[1], 'status')
if not status then return { 'missing', '' } end
if status == 'taken' then return { 'taken-before', rcall('HGET', KEYS[1], 'by') or '' } end
if status == 'expired' then return { 'expired-before', '' } end

local now = tonumber(ARGV[3])
if now >= tonumber(rcall('HGET', KEYS[1], 'expires')) then
  rcall('HSET', KEYS[1], 'status', 'expired', 'at', ARGV[3])
  return { 'expired', '' }
end
if ARGV[1] ~= 'take' then return { 'open', '' } end
rcall('HSET', KEYS[1], 'status', 'taken', 'by', ARGV[2], 'at', ARGV[3])
return { 'taken', ARGV[2] }
